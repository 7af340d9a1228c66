package main

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/gcs"
)

// gcsDestination is destinations.gcs: a Google Cloud Storage bucket.
type gcsDestination struct {
	Bucket   string `yaml:"bucket"`
	Prefix   string `yaml:"prefix"`
	Endpoint string `yaml:"endpoint"`
	// Archive-grade settings (storage_class, kms_key_name, retention, temporary_hold): the driver owns them.
	Archive gcs.Archive `yaml:",inline"`
}

func (d gcsDestination) complete(sc *fetch.StorageConfig) destination {
	if sc != nil {
		fill(&d.Bucket, sc.Bucket)
		fill(&d.Prefix, storagePrefix(sc))
	}
	return d
}

func (d gcsDestination) check(final bool) error {
	if err := validURL("destinations.gcs.endpoint", d.Endpoint, "http://127.0.0.1:4443/storage/v1/"); err != nil {
		return err
	}
	if err := d.Archive.Check("destinations.gcs"); err != nil {
		return err
	}
	if final && d.Bucket == "" {
		return errors.New("no bucket: set destinations.gcs.bucket (the recording's storage_config has none)")
	}
	return nil
}

// open builds the sink. Credentials are Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
// gcloud's login, or the metadata server), found by the SDK. An endpoint, from the config or from
// STORAGE_EMULATOR_HOST, names an emulator and is used without credentials.
func (d gcsDestination) open(ctx context.Context, env func(string) string) (sinks.Sink, error) {
	endpoint := d.Endpoint
	if host := env("STORAGE_EMULATOR_HOST"); endpoint == "" && host != "" {
		endpoint = emulatorEndpoint(host)
	}
	return gcs.New(ctx, gcs.Config{Bucket: d.Bucket, Endpoint: endpoint, Archive: d.Archive, Setting: "destinations.gcs"})
}

func (d gcsDestination) keyPrefix() string { return d.Prefix }

func (d gcsDestination) sinkID() destination { d.Prefix = ""; return d }

// locate reads the bucket of gs://bucket/key.
func (d gcsDestination) locate(u *url.URL) destination {
	fill(&d.Bucket, u.Host)
	return d
}

// emulatorEndpoint turns STORAGE_EMULATOR_HOST (host:port, or a URL) into a JSON API endpoint, as the
// SDK itself does.
func emulatorEndpoint(host string) string {
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	return strings.TrimSuffix(host, "/") + "/storage/v1/"
}
