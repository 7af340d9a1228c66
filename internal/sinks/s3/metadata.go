package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// finishMultipart checks a completed multipart object and then records our SHA-256 on it.
//
// S3 takes user metadata only when an upload starts, and the SHA-256 of a streamed body is known only
// at its end, so the object is copied onto itself with the metadata replaced. The copy is server-side
// (no bytes travel again) and guarded by the ETag of our upload, so a concurrent writer's object is
// never stamped with our hash. After it the object's CRC32C is checked again: S3 recomputes a copy's
// checksum as a full-object CRC32C of the bytes it holds, which we know too. No checksum algorithm is
// requested for the copy: versitygw then stores the checksum of an empty body (it hashes nothing on a
// copy onto itself), while S3 keeps the source's algorithm anyway.
//
// Objects over 5 GiB cannot be copied in one request and keep no SHA-256 metadata (Stat then reports
// ""); their integrity rests on the per-part CRC32Cs the server verified and the composite CRC32C
// checked here. A failed copy fails the Put and removes the object (see sinks.ChecksumNotRecorded).
func (s *Sink) finishMultipart(ctx context.Context, key string, obj sinks.Object, w want, etag string) error {
	if _, err := s.verify(ctx, key, w); err != nil {
		s.remove(ctx, key)
		return err
	}
	if obj.Size > maxCopySize {
		return nil
	}
	in := &s3sdk.CopyObjectInput{
		Bucket:            &s.bucket,
		Key:               &key,
		CopySource:        aws.String(s.bucket + "/" + escapeKey(key)),
		CopySourceIfMatch: aws.String(etag),
		MetadataDirective: types.MetadataDirectiveReplace,
		Metadata:          map[string]string{sinks.MetadataSHA256: obj.SHA256},
	}
	if _, err := s.client.CopyObject(ctx, in); err != nil {
		if isPreconditionFailed(err) {
			// Another write replaced our object already: it is not ours to remove.
			return fmt.Errorf("put %s: replaced by another write before its SHA-256 could be recorded: %w", s.URL(key), err)
		}
		return s.wrap("put", key, sinks.ChecksumNotRecorded(err, s.remove(ctx, key)))
	}
	if _, err := s.verify(ctx, key, w); err != nil {
		s.remove(ctx, key)
		return err
	}
	return nil
}

// escapeKey percent-encodes a key for x-amz-copy-source, keeping only unreserved characters and '/'
// as they are (some servers read '+' there as a space).
func escapeKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-_.~/", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
