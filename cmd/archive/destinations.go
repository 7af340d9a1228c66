package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

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
		if _, known := destinationTypes[typ]; !known {
			return archiver.Target{}, fmt.Errorf("its storage_config.type is %q, which this build does not support (known: %s)", typ, typeNames())
		}
		return archiver.Target{}, fmt.Errorf("its storage_config.type is %q but the config has no destinations.%s entry: add one (see README, Destinations)", typ, typ)
	}
	d = d.complete(rec.StorageConfig)
	if err := d.check(true); err != nil {
		return archiver.Target{}, fmt.Errorf("destinations.%s: %w", typ, err)
	}
	s, err := r.sink(ctx, typ, d)
	if err != nil {
		return archiver.Target{}, err
	}
	return archiver.Target{Name: typ, Sink: s, Prefix: d.keyPrefix()}, nil
}

// sink returns the one sink of a resolved destination, opening and checking it on first use. A
// destination that can't be opened, or fails its check, is remembered as broken: its recordings fail
// at once with the same reason, before anything is downloaded for them.
func (r *router) sink(ctx context.Context, typ string, d destination) (sinks.Sink, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := sinkKey{typ, d.sinkID()} // the prefix is part of the key, not of the sink
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

func (r *router) openChecked(ctx context.Context, typ string, d destination) (sinks.Sink, error) {
	raw, err := d.open(ctx, r.getenv)
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
	d   destination // a comparable value, without the prefix
}
