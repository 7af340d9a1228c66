package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/gcs"
)

func init() {
	drivers["gcs"] = driver{scheme: "gs", check: checkGCS, open: openGCS, locate: locateGCS}
}

// locateGCS reads gs://bucket/key.
func locateGCS(d destinationConfig, u *url.URL) (destinationConfig, string, error) {
	key := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || key == "" {
		return d, "", fmt.Errorf("%s names no object", u)
	}
	d.Bucket = u.Host
	return d, key, nil
}

// checkGCS validates a gcs entry. The bucket may come from the recording's storage_config.
func checkGCS(d destinationConfig) error {
	if d.Bucket == "" {
		return errors.New("no bucket: set destinations.gcs.bucket (the recording's storage_config has none)")
	}
	if d.Endpoint != "" {
		u, err := url.Parse(d.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("endpoint %q is not an http(s) URL: set destinations.gcs.endpoint like http://127.0.0.1:4443/storage/v1/", d.Endpoint)
		}
	}
	return nil
}

// openGCS builds the sink. Credentials are Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
// gcloud's login, or the metadata server), found by the SDK. An endpoint, from the config or from
// STORAGE_EMULATOR_HOST, names an emulator and is used without credentials.
func openGCS(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
	endpoint := d.Endpoint
	if host := env("STORAGE_EMULATOR_HOST"); endpoint == "" && host != "" {
		endpoint = emulatorEndpoint(host)
	}
	return gcs.New(ctx, gcs.Config{Bucket: d.Bucket, Endpoint: endpoint})
}

// emulatorEndpoint turns STORAGE_EMULATOR_HOST (host:port, or a URL) into a JSON API endpoint, as the
// SDK itself does.
func emulatorEndpoint(host string) string {
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	return strings.TrimSuffix(host, "/") + "/storage/v1/"
}
