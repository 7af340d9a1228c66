package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

func init() {
	drivers["local"] = driver{
		scheme: "file",
		// A file URL names an absolute path: verify reads it from the root of the file system.
		locate: func(d destinationConfig, u *url.URL) (destinationConfig, string, error) {
			if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
				return d, "", fmt.Errorf("%s is not an absolute file URL", u)
			}
			d.Dir = "/"
			return d, strings.TrimPrefix(u.Path, "/"), nil
		},
		check: func(d destinationConfig) error {
			if d.Dir == "" {
				return errors.New("dir is required")
			}
			return nil
		},
		open: func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
			return local.New(d.Dir)
		},
	}
}
