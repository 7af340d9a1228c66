package main

import (
	"context"
	"errors"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

func init() {
	drivers["local"] = driver{
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
