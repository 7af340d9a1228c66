package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/s3"
)

// s3Destination is destinations.aws or destinations.digitalocean: a bucket of S3 or of an
// S3-compatible store.
type s3Destination struct {
	typ       string // aws or digitalocean, for messages and credentials
	Bucket    string `yaml:"bucket"`
	Region    string `yaml:"region"`
	Prefix    string `yaml:"prefix"`
	Endpoint  string `yaml:"endpoint"`
	PathStyle bool   `yaml:"path_style"`
	// Archive-grade settings (storage_class, sse, object_lock, tags, ...): the driver owns them.
	Archive s3.Archive `yaml:",inline"`
}

func (d s3Destination) complete(sc *fetch.StorageConfig) destination {
	if sc != nil {
		fill(&d.Bucket, sc.Bucket)
		fill(&d.Region, sc.Region)
		fill(&d.Prefix, storagePrefix(sc))
	}
	return d
}

func (d s3Destination) check(final bool) error {
	if err := validURL("destinations."+d.typ+".endpoint", d.Endpoint, "https://host:port"); err != nil {
		return err
	}
	if err := d.Archive.Check("destinations." + d.typ); err != nil {
		return err
	}
	if !final {
		return nil
	}
	if d.Bucket == "" {
		return fmt.Errorf("no bucket: set destinations.%s.bucket (the recording's storage_config has none)", d.typ)
	}
	if d.typ == "digitalocean" && d.Endpoint == "" && d.Region == "" {
		return errors.New("no region: set destinations.digitalocean.region (e.g. nyc3) or destinations.digitalocean.endpoint")
	}
	return nil
}

// open builds the sink. Keys come only from the environment: for digitalocean SPACES_ACCESS_KEY_ID
// and SPACES_SECRET_ACCESS_KEY first; then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (with
// AWS_SESSION_TOKEN); without them the AWS default chain (shared files, SSO, instance roles, ...).
func (d s3Destination) open(ctx context.Context, env func(string) string) (sinks.Sink, error) {
	region := d.Region
	if region == "" && d.typ == "aws" {
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
		Archive:         d.Archive,
		Setting:         "destinations." + d.typ,
	}
	if d.typ == "digitalocean" {
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
	return s3.New(ctx, cfg)
}

func (d s3Destination) keyPrefix() string { return d.Prefix }

func (d s3Destination) sinkID() destination { d.Prefix = ""; return d }

// locate reads the bucket of s3://bucket/key.
func (d s3Destination) locate(u *url.URL) destination {
	fill(&d.Bucket, u.Host)
	return d
}
