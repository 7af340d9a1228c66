package s3

import (
	"context"
	"fmt"

	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// preflight checks, before the first upload, that the bucket can honour the archive settings: Object
// Lock asked of a bucket without it fails the destination at once, naming the setting, before anything
// is downloaded. (The storage class and the encryption settings were checked with the config; whether
// KMS accepts a key shows only on a write, and fails that first write as permanent.)
func (s *Sink) preflight(ctx context.Context) error {
	if s.cfg.Archive.ObjectLock.IsZero() {
		return nil
	}
	setting := s.cfg.Setting + ".object_lock"
	out, err := s.client.GetObjectLockConfiguration(ctx, &s3sdk.GetObjectLockConfigurationInput{Bucket: &s.bucket})
	if err != nil {
		if s.Kind(err) == sinks.ErrTransient {
			return fmt.Errorf("%s: reading the Object Lock configuration of s3://%s: %w", setting, s.bucket, err)
		}
		return sinks.Permanent(fmt.Errorf("%s: bucket s3://%s has no Object Lock configuration (a bucket must be created with Object Lock enabled): %w", setting, s.bucket, err))
	}
	if c := out.ObjectLockConfiguration; c == nil || c.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return sinks.Permanent(fmt.Errorf("%s: bucket s3://%s does not have Object Lock enabled (a bucket must be created with it)", setting, s.bucket))
	}
	return nil
}
