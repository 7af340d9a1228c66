package s3

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var _ sinks.Describer = (*Sink)(nil)

// Describe implements sinks.Describer with one HEAD (checksum mode on, the SSE-C key when there is
// one): size, our SHA-256, the stored CRC32C, the class and whether the body needs a restore, and the
// object's lock. A HEAD works on GLACIER and DEEP_ARCHIVE objects, which a GET refuses.
func (s *Sink) Describe(ctx context.Context, key string) (sinks.Description, error) {
	if err := checkKey(key); err != nil {
		return sinks.Description{}, err
	}
	in := &s3sdk.HeadObjectInput{Bucket: &s.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = s.ssec.headers()
	out, err := s.client.HeadObject(ctx, in)
	if err != nil {
		return sinks.Description{}, s.wrap("describe", key, err)
	}
	d := sinks.Description{
		Object: sinks.Object{Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: metadataSHA256(out.Metadata)},
		Class:  string(out.StorageClass),
		Cold:   cold(out.StorageClass, aws.ToString(out.Restore)),
		Lock: sinks.Lock{
			Mode: string(out.ObjectLockMode),
			Hold: out.ObjectLockLegalHoldStatus == types.ObjectLockLegalHoldStatusOn,
		},
	}
	switch c, etag := aws.ToString(out.ChecksumCRC32C), aws.ToString(out.ETag); {
	case c != "":
		d.Checksum = "crc32c:" + c
	case strings.Contains(etag, "-"):
		// A multipart ETag, where the store keeps no CRC (Spaces): what the upload recorded.
		d.Checksum = "etag:" + etag
	}
	if out.ObjectLockRetainUntilDate != nil {
		d.Lock.RetainUntil = out.ObjectLockRetainUntilDate.UTC()
	}
	return d, nil
}

// cold reports whether a GET would be refused with InvalidObjectState: GLACIER and DEEP_ARCHIVE
// objects without a finished restore (x-amz-restore: ongoing-request="false", expiry-date=...).
// GLACIER_IR is read at once, like STANDARD.
func cold(class types.StorageClass, restore string) bool {
	switch class {
	case types.StorageClassGlacier, types.StorageClassDeepArchive:
		return !strings.Contains(restore, `ongoing-request="false"`)
	}
	return false
}
