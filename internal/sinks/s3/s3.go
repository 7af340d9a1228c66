// Package s3 is the destination for Amazon S3 and S3-compatible stores (DigitalOcean Spaces, MinIO,
// versitygw, ...).
package s3

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

var (
	_ sinks.Sink    = (*Sink)(nil)
	_ sinks.Creator = (*Sink)(nil)
)

// Sink stores objects in one bucket. It is safe for concurrent use: all Puts share one client (and so
// one connection pool) and one bounded pool of part buffers.
//
// A Put that fails or is cancelled leaves nothing new at its key: single-part bodies are sent with one
// PutObject only after the whole body was read and checked, larger ones through a multipart upload that
// is aborted on any failure, so S3 never shows a partial object.
type Sink struct {
	client *s3sdk.Client
	bucket string
	cfg    Config // with defaults applied
	pool   *parts.Pool
	ssec   *customerKey // SSE-C key sent on every request on an object; nil without
}

// Stat reports the object's size and the SHA-256 kept in its metadata ("" when absent, e.g. for a
// streamed multipart upload, whose SHA-256 is known only at its end; see Describe).
func (s *Sink) Stat(ctx context.Context, key string) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	in := &s3sdk.HeadObjectInput{Bucket: &s.bucket, Key: &key}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = s.ssec.headers()
	out, err := s.client.HeadObject(ctx, in)
	if err != nil {
		return sinks.Object{}, s.wrap("stat", key, err)
	}
	return sinks.Object{Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: metadataSHA256(out.Metadata)}, nil
}

// Open streams the object. The SDK does not validate response checksums here (see New): readers such
// as sinks.ReadBack hash what they read themselves.
func (s *Sink) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	in := &s3sdk.GetObjectInput{Bucket: &s.bucket, Key: &key}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = s.ssec.headers()
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return nil, s.wrap("open", key, err)
	}
	return out.Body, nil
}

// URL is s3://bucket/key, the form the AWS CLI takes.
func (s *Sink) URL(key string) string { return "s3://" + s.bucket + "/" + key }

// checkKey refuses keys S3 cannot store: empty, invalid UTF-8 or longer than 1024 bytes.
func checkKey(key string) error {
	if key == "" || !utf8.ValidString(key) || len(key) > 1024 {
		return fmt.Errorf("key %q: %w", key, sinks.ErrInvalidKey)
	}
	return nil
}

// metadataSHA256 returns our SHA-256 from user metadata, or "" when it is absent or malformed.
func metadataSHA256(md map[string]string) string {
	v := md[sinks.MetadataSHA256]
	if b, err := hex.DecodeString(v); err != nil || len(b) != 32 {
		return ""
	}
	return v
}
