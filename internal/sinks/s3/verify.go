package s3

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// want is what the stored object must show after an upload. Checksums the server does not report are
// not compared; the size always is.
type want struct {
	size           int64
	sha256         string   // hex; compared with our metadata when present
	checksumSHA256 string   // base64 x-amz-checksum-sha256 the server must report, if it reports one
	crc32c         []string // acceptable x-amz-checksum-crc32c values (composite "...-N" or full object)
}

// verify asks the server what it stored at key and compares it with w, before a Put reports success.
func (s *Sink) verify(ctx context.Context, key string, w want) (*s3sdk.HeadObjectOutput, error) {
	in := &s3sdk.HeadObjectInput{Bucket: &s.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = s.ssec.headers()
	out, err := s.client.HeadObject(ctx, in)
	if err != nil {
		return nil, s.wrap("verify", key, err)
	}
	if got := aws.ToInt64(out.ContentLength); got != w.size {
		return nil, fmt.Errorf("verify %s: server holds %d bytes, sent %d: %w", s.URL(key), got, w.size, sinks.ErrSizeMismatch)
	}
	if got := aws.ToString(out.ChecksumSHA256); got != "" && w.checksumSHA256 != "" && got != w.checksumSHA256 {
		return nil, fmt.Errorf("verify %s: server SHA-256 %s, sent %s: %w", s.URL(key), got, w.checksumSHA256, sinks.ErrChecksumMismatch)
	}
	if got := aws.ToString(out.ChecksumCRC32C); got != "" && len(w.crc32c) > 0 && !slices.Contains(w.crc32c, got) {
		return nil, fmt.Errorf("verify %s: server CRC32C %s, sent %v: %w", s.URL(key), got, w.crc32c, sinks.ErrChecksumMismatch)
	}
	if got := metadataSHA256(out.Metadata); got != "" && got != w.sha256 {
		return nil, fmt.Errorf("verify %s: metadata SHA-256 %s, sent %s: %w", s.URL(key), got, w.sha256, sinks.ErrChecksumMismatch)
	}
	return out, nil
}

// remove deletes an object that failed verification, so a corrupt object never stays at the key. It
// runs even when ctx is cancelled: that may be why the Put is failing.
func (s *Sink) remove(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, err := s.client.DeleteObject(ctx, &s3sdk.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	return err
}
