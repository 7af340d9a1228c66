package s3

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// preflight checks, before the first upload, that the bucket can honour the archive settings: Object
// Lock asked of a bucket without it, or a KMS key the store refuses, fails the destination at once,
// naming the setting, before anything is downloaded. (The storage class and the other encryption
// settings were checked with the config.)
func (s *Sink) preflight(ctx context.Context) error {
	if err := s.kmsPreflight(ctx); err != nil {
		return err
	}
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

// kmsPreflight asks the store to start, and at once abort, a multipart upload under the configured KMS
// key: S3 (and MinIO) ask KMS for the upload's data key when it starts, so a key that doesn't exist or
// that the credentials may not use is refused here. An aborted upload leaves no object, so nothing is
// locked or billed, even in a bucket with Object Lock and a default retention.
func (s *Sink) kmsPreflight(ctx context.Context) error {
	if s.cfg.Archive.SSE != string(types.ServerSideEncryptionAwsKms) {
		return nil
	}
	setting := s.cfg.Setting + ".sse_kms_key_id"
	key := ".rtk-preflight/" + rand.Text()
	c := s.creation(time.Now())
	out, err := s.client.CreateMultipartUpload(ctx, &s3sdk.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key,
		ServerSideEncryption: c.SSE, SSEKMSKeyId: c.KMSKeyID})
	if err != nil {
		if s.Kind(err) == sinks.ErrTransient {
			return fmt.Errorf("%s: trying the KMS key on s3://%s: %w", setting, s.bucket, err)
		}
		return sinks.Permanent(fmt.Errorf("%s: s3://%s refuses to encrypt with the KMS key %q: %w", setting, s.bucket, s.cfg.Archive.SSEKMSKeyID, err))
	}
	u := &upload{s: s, key: key, id: aws.ToString(out.UploadId)}
	if err := u.abort(ctx); err != nil {
		return fmt.Errorf("%s: aborting the upload that tried the KMS key (s3://%s/%s): %w", setting, s.bucket, key, err)
	}
	return nil
}
