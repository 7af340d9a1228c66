package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/azure"
)

func init() {
	drivers["azure"] = driver{
		scheme: "azblob",
		// azblob://account/container/key
		locate: func(d destinationConfig, u *url.URL) (destinationConfig, string, error) {
			container, key, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
			if !ok || key == "" {
				return d, "", fmt.Errorf("%s names no blob", u)
			}
			if u.Host != "" {
				d.Account = u.Host
			}
			d.Container = container
			return d, key, nil
		},
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
