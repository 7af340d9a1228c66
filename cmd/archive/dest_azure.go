package main

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/azure"
)

// azureDestination is destinations.azure: a container of an Azure Storage account.
type azureDestination struct {
	Account   string `yaml:"account"`
	Container string `yaml:"container"`
	Prefix    string `yaml:"prefix"`
	Endpoint  string `yaml:"endpoint"`
	// Archive-grade settings (access_tier, encryption_scope, immutability, legal_hold, tags): the
	// driver owns them.
	Archive azure.Archive `yaml:",inline"`
}

// complete takes the container from storage_config's bucket, which is what Azure's bucket means.
func (d azureDestination) complete(sc *fetch.StorageConfig) destination {
	if sc != nil {
		fill(&d.Container, sc.Bucket)
		fill(&d.Prefix, storagePrefix(sc))
	}
	return d
}

// check cannot see the credentials, which live in the environment: a missing one fails in open.
func (d azureDestination) check(final bool) error {
	if err := validURL("destinations.azure.endpoint", d.Endpoint, "http://127.0.0.1:10000/devstoreaccount1"); err != nil {
		return err
	}
	if err := d.Archive.Check("destinations.azure"); err != nil {
		return err
	}
	if final && d.Container == "" {
		return errors.New("container is required: set destinations.azure.container (or give the recording's storage_config a bucket)")
	}
	return nil
}

func (d azureDestination) open(ctx context.Context, env func(string) string) (sinks.Sink, error) {
	cfg := azure.Config{
		Account:          d.Account,
		Container:        d.Container,
		Endpoint:         d.Endpoint,
		ConnectionString: env("AZURE_STORAGE_CONNECTION_STRING"),
		AccountKey:       env("AZURE_STORAGE_KEY"),
		Archive:          d.Archive,
		Setting:          "destinations.azure",
	}
	if cfg.ConnectionString == "" && cfg.Account == "" {
		return nil, errors.New("no Azure credentials: set AZURE_STORAGE_CONNECTION_STRING, or destinations.azure.account with AZURE_STORAGE_KEY or a Microsoft Entra identity (workload identity, managed identity)")
	}
	return azure.New(cfg)
}

func (d azureDestination) keyPrefix() string { return d.Prefix }

func (d azureDestination) sinkID() destination { d.Prefix = ""; return d }

// locate reads the container of azblob://account/container/key; the account is the credentials'.
func (d azureDestination) locate(u *url.URL) destination {
	container, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	fill(&d.Container, container)
	return d
}
