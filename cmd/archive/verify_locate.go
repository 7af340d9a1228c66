package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// errOutside is a manifest line naming an object that no configured destination holds: a manifest
// copied back from shared storage may have been changed, and verify must not become a way to read
// (or learn the size of) whatever the pod's credentials reach.
var errOutside = errors.New("outside the configured destinations")

// locate finds the sink and key behind a manifest entry's destination URL, among the configured
// destinations only: the entry's type must be configured, and the URL must lie under that
// destination's own sink (its bucket, container, server and user, or folder), as the sink itself
// writes its URLs. What the config leaves to a recording's storage_config (a bucket, a host) is taken
// from the URL, as a run takes it from the API.
func (r *router) locate(ctx context.Context, e manifest.Entry) (sinks.Sink, string, error) {
	u, err := url.Parse(e.Destination)
	if err != nil {
		return nil, "", fmt.Errorf("unreadable destination URL: %v", err)
	}
	typ := e.Target
	if typ == "" { // manifests without the target field: the scheme tells, but for s3 (aws or Spaces)
		for name, dt := range destinationTypes {
			if dt.scheme == u.Scheme && (typ == "" || name == "aws") {
				typ = name
			}
		}
	}
	dt, known := destinationTypes[typ]
	d, configured := r.cfg.Destinations[typ]
	switch {
	case !known || dt.scheme != u.Scheme:
		return nil, "", fmt.Errorf("%w (no destination type keeps %s URLs as %q), not read", errOutside, u.Scheme, typ)
	case !configured:
		return nil, "", fmt.Errorf("%w (the config has no destinations.%s), not read", errOutside, typ)
	}
	s, err := r.sink(ctx, typ, d.locate(u))
	if err != nil {
		return nil, "", err
	}
	key, ok := keyUnder(s, u)
	if !ok {
		return nil, "", fmt.Errorf("%w (not under destinations.%s: %s), not read", errOutside, typ, sinkBase(s))
	}
	return s, key, nil
}

// sinkBase is the URL every object of s starts with.
func sinkBase(s sinks.Sink) string { return strings.TrimSuffix(s.URL("k"), "k") }

// keyUnder returns the key of the object u names in s, or false when u names nothing under s. The
// path is cleaned first: ".." cannot climb out of the sink's folder.
func keyUnder(s sinks.Sink, u *url.URL) (string, bool) {
	base, err := url.Parse(sinkBase(s))
	if err != nil || u.Scheme != base.Scheme || u.Host != base.Host || u.User.Username() != base.User.Username() {
		return "", false
	}
	key, ok := strings.CutPrefix(path.Clean(u.Path), base.Path)
	return key, ok && key != ""
}
