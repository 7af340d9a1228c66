package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// driver opens one destination type. check validates a config entry before anything runs (settings the
// recording's storage_config cannot supply must be there); open builds a sink from a resolved entry;
// locate turns a manifest's destination URL back into the entry (completed from the URL) and the key,
// for `archive verify`.
type driver struct {
	scheme string // of the URLs its sinks name
	check  func(d destinationConfig) error
	open   func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error)
	locate func(d destinationConfig, u *url.URL) (destinationConfig, string, error)
}

// drivers is filled by one file per destination type (dest_*.go).
var drivers = map[string]driver{}

// checkDestination checks a config entry when the config is loaded. Settings a recording's
// storage_config may still supply (bucket, region, host, port, username) are assumed present here;
// Route checks the entry again once they are resolved.
func checkDestination(name string, d destinationConfig) error {
	drv, ok := drivers[name]
	if !ok {
		return fmt.Errorf("destination type %q is not supported by this build", name)
	}
	if drv.check == nil {
		return nil
	}
	const fromRecording = "from-storage-config"
	fill := func(s *string) {
		if *s == "" {
			*s = fromRecording
		}
	}
	fill(&d.Bucket)
	fill(&d.Container)
	fill(&d.Region)
	fill(&d.Host)
	fill(&d.Username)
	return drv.check(d)
}

// router picks the destination of each recording and keeps one sink per resolved destination, so
// recordings that share a bucket share its client and connections.
type router struct {
	cfg    *fileConfig
	getenv func(string) string

	mu     sync.Mutex
	sinks  map[sinkKey]sinks.Sink
	broken map[sinkKey]error // destinations that could not be opened or failed their check
}

func newRouter(cfg *fileConfig, getenv func(string) string) *router {
	return &router{cfg: cfg, getenv: getenv, sinks: map[sinkKey]sinks.Sink{}, broken: map[sinkKey]error{}}
}

// Route implements archiver.Router.
func (r *router) Route(ctx context.Context, rec *fetch.Recording) (archiver.Target, error) {
	typ := r.cfg.Default
	if rec.StorageConfig != nil {
		typ = rec.StorageConfig.Type
	}
	d, ok := r.cfg.Destinations[typ]
	if !ok {
		return archiver.Target{}, fmt.Errorf("its storage_config.type is %q but the config has no destinations.%s entry: add one (see README, Destinations)", typ, typ)
	}
	drv, ok := drivers[typ]
	if !ok {
		return archiver.Target{}, fmt.Errorf("destination type %q is not supported by this build", typ)
	}
	d = resolve(d, rec.StorageConfig)
	if drv.check != nil {
		if err := drv.check(d); err != nil {
			return archiver.Target{}, fmt.Errorf("destinations.%s: %w", typ, err)
		}
	}
	prefix := d.Prefix
	s, err := r.sink(ctx, typ, d)
	if err != nil {
		return archiver.Target{}, err
	}
	return archiver.Target{Name: typ, Sink: s, Prefix: prefix}, nil
}

// sink returns the one sink of a resolved destination, opening and checking it on first use. A
// destination that can't be opened, or fails its check, is remembered as broken: its recordings fail
// at once with the same reason, before anything is downloaded for them.
func (r *router) sink(ctx context.Context, typ string, d destinationConfig) (sinks.Sink, error) {
	d.Prefix = "" // the prefix is part of the key, not of the sink: sinks differing only by it are shared
	r.mu.Lock()
	defer r.mu.Unlock()
	key := sinkKey{typ, d}
	if s, ok := r.sinks[key]; ok {
		return s, nil
	}
	if err, ok := r.broken[key]; ok {
		return nil, err
	}
	s, err := r.openChecked(ctx, typ, d)
	if err != nil {
		if ctx.Err() == nil {
			r.broken[key] = err
		}
		return nil, err
	}
	r.sinks[key] = s
	return s, nil
}

func (r *router) openChecked(ctx context.Context, typ string, d destinationConfig) (sinks.Sink, error) {
	raw, err := drivers[typ].open(ctx, d, r.getenv)
	if err != nil {
		return nil, fmt.Errorf("destinations.%s: %w", typ, err)
	}
	s := sinks.Guard(raw)
	if err := s.(sinks.Checker).Check(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("destinations.%s: %w", typ, err)
	}
	return s, nil
}

// Close closes every sink the router opened.
func (r *router) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for k, s := range r.sinks {
		errs = append(errs, s.Close())
		delete(r.sinks, k)
	}
	return errors.Join(errs...)
}

type sinkKey struct {
	typ string
	d   destinationConfig
}

// resolve fills what the config leaves out from the recording's storage_config.
func resolve(d destinationConfig, sc *fetch.StorageConfig) destinationConfig {
	if sc == nil {
		return d
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	if sc.Type == "azure" {
		fill(&d.Container, sc.Bucket)
	} else {
		fill(&d.Bucket, sc.Bucket)
	}
	fill(&d.Region, sc.Region)
	fill(&d.Prefix, strings.Trim(sc.Path, "/"))
	fill(&d.Host, sc.Host)
	fill(&d.Username, sc.Username)
	if d.Port == 0 {
		d.Port = sc.Port
	}
	return d
}
