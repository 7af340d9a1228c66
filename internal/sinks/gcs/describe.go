package gcs

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var _ sinks.Describer = (*Sink)(nil)

// Describe implements sinks.Describer from the object's attributes: size, our SHA-256, the CRC32C the
// service computed over the bytes, the class and the lock (per-object retention, or the bucket policy's
// expiration, and the holds). Every GCS class is online, so nothing is cold; reading ARCHIVE or
// COLDLINE is billed per GB, which is why verify proves these by attributes by default.
func (s *Sink) Describe(ctx context.Context, key string) (sinks.Description, error) {
	if err := checkKey(key); err != nil {
		return sinks.Description{}, err
	}
	a, err := s.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return sinks.Description{}, fmt.Errorf("describe %s: %w", s.URL(key), translate(err))
	}
	d := sinks.Description{
		Object: sinks.Object{Key: key, Size: a.Size, SHA256: a.Metadata[sinks.MetadataSHA256]},
		Class:  a.StorageClass,
		Lock:   sinks.Lock{Hold: a.TemporaryHold || a.EventBasedHold, RetainUntil: a.RetentionExpirationTime},
	}
	if hasChecksum(a) {
		d.Checksum = "crc32c:" + base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, a.CRC32C))
	}
	if r := a.Retention; r != nil {
		d.Lock.Mode, d.Lock.RetainUntil = r.Mode, r.RetainUntil.UTC()
	}
	return d, nil
}
