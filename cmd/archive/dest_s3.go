package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/s3"
)

func init() {
	drivers["aws"] = driver{scheme: "s3", check: checkS3("aws"), open: openS3("aws"), locate: locateS3}
	drivers["digitalocean"] = driver{scheme: "s3", check: checkS3("digitalocean"), open: openS3("digitalocean"), locate: locateS3}
}

// locateS3 reads s3://bucket/key.
func locateS3(d destinationConfig, u *url.URL) (destinationConfig, string, error) {
	key := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || key == "" {
		return d, "", fmt.Errorf("%s names no object", u)
	}
	d.Bucket = u.Host
	return d, key, nil
}

// checkS3 validates what the config alone must get right. Bucket and region may still come from a
// recording's storage_config: requireS3 checks them once resolved.
func checkS3(typ string) func(d destinationConfig) error {
	return func(d destinationConfig) error {
		if d.Endpoint == "" {
			return nil
		}
		u, err := url.Parse(d.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("endpoint %q is not an http(s) URL: set destinations.%s.endpoint like https://host:port", d.Endpoint, typ)
		}
		return nil
	}
}

// requireS3 checks a resolved entry.
func requireS3(typ string, d destinationConfig) error {
	if d.Bucket == "" {
		return fmt.Errorf("no bucket: set destinations.%s.bucket (the recording's storage_config has none)", typ)
	}
	if typ == "digitalocean" && d.Endpoint == "" && d.Region == "" {
		return errors.New("no region: set destinations.digitalocean.region (e.g. nyc3) or destinations.digitalocean.endpoint")
	}
	return nil
}

// openS3 builds the sink. Keys come only from the environment: for digitalocean SPACES_ACCESS_KEY_ID
// and SPACES_SECRET_ACCESS_KEY first; then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (with
// AWS_SESSION_TOKEN); without them the AWS default chain (shared files, SSO, instance roles, ...).
func openS3(typ string) func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
	return func(ctx context.Context, d destinationConfig, env func(string) string) (sinks.Sink, error) {
		if err := requireS3(typ, d); err != nil {
			return nil, err
		}
		region := d.Region
		if region == "" && typ == "aws" {
			region = env("AWS_REGION")
		}
		cfg := s3.Config{
			Bucket:          d.Bucket,
			Region:          region,
			Endpoint:        d.Endpoint,
			PathStyle:       d.PathStyle,
			AccessKeyID:     env("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: env("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    env("AWS_SESSION_TOKEN"),
			CAFile:          env("AWS_CA_BUNDLE"),
		}
		if typ == "digitalocean" {
			if cfg.Endpoint == "" {
				cfg.Endpoint = "https://" + d.Region + ".digitaloceanspaces.com"
			}
			if id := env("SPACES_ACCESS_KEY_ID"); id != "" {
				cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken = id, env("SPACES_SECRET_ACCESS_KEY"), ""
			}
			// Spaces has rejected the newer x-amz-checksum-* headers; Content-MD5 it checks.
			cfg.ContentMD5 = true
		}
		if cfg.AccessKeyID != "" && cfg.SecretAccessKey == "" {
			return nil, errors.New("an access key ID is set in the environment but its secret access key is not")
		}
		s, err := s3.New(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}
