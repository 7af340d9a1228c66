package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// localDestination is destinations.local: a folder on this machine.
type localDestination struct {
	Dir    string `yaml:"dir"`
	Prefix string `yaml:"prefix"`
}

func (d localDestination) complete(sc *fetch.StorageConfig) destination {
	if sc != nil {
		fill(&d.Prefix, storagePrefix(sc))
	}
	return d
}

func (d localDestination) check(final bool) error {
	if d.Dir == "" {
		return errors.New("dir is required")
	}
	return nil
}

func (d localDestination) open(ctx context.Context, env func(string) string) (sinks.Sink, error) {
	return local.New(d.Dir)
}

func (d localDestination) keyPrefix() string { return d.Prefix }

func (d localDestination) sinkID() destination { d.Prefix = ""; return d }

// locate takes nothing from a file URL: the folder is dir.
func (d localDestination) locate(*url.URL) destination { return d }
