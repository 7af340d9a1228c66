package main

import (
	"context"
	"errors"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/azure"
)

func init() {
	drivers["azure"] = driver{
		// Credentials live in the environment, which check cannot see: a missing one fails in open.
		check: func(d destinationConfig) error {
			if d.Container == "" {
				return errors.New("container is required: set destinations.azure.container (or give the recording's storage_config a bucket)")
			}
			return nil
		},
		open: func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
			cfg := azure.Config{
				Account:          d.Account,
				Container:        d.Container,
				Endpoint:         d.Endpoint,
				ConnectionString: env("AZURE_STORAGE_CONNECTION_STRING"),
				AccountKey:       env("AZURE_STORAGE_KEY"),
			}
			if cfg.ConnectionString == "" && cfg.AccountKey == "" {
				return nil, errors.New("no Azure credentials: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_KEY together with destinations.azure.account")
			}
			return azure.New(cfg)
		},
	}
}
