package gcs

import (
	"fmt"

	"cloud.google.com/go/storage"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// preflight checks, before the first upload, that the bucket can honour the archive settings: a
// per-object retention asked of a bucket without object retention enabled fails the destination at
// once, naming the setting, before anything is downloaded. (The storage class was checked with the
// config; whether Cloud KMS lets the service agent use a key shows only on a write, and fails it as
// permanent.)
func (s *Sink) preflight(b *storage.BucketAttrs) error {
	if s.archive.Retention.IsZero() {
		return nil
	}
	if b.ObjectRetentionMode != "Enabled" {
		return sinks.Permanent(fmt.Errorf("%s.retention: bucket gs://%s does not have object retention enabled (gcloud storage buckets create --enable-per-object-retention)", s.setting, s.name))
	}
	return nil
}
