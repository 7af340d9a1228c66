package gcs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/storage"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// verify checks the committed object against what was read, then records our SHA-256 on it if the
// upload could not carry it. When that fails, the generation written is removed (see
// sinks.ChecksumNotRecorded).
//
// The SHA-256 of a streamed body is known only after its last byte, and a resumable upload takes
// its metadata when it starts, so it is set by a metadata update of exactly the generation written
// (metageneration-matched, so a concurrent update is not overwritten). That update touches no data.
func (s *Sink) verify(ctx context.Context, a *storage.ObjectAttrs, want sinks.Object, crc uint32) error {
	if err := matches(a, want, crc); err != nil {
		return fmt.Errorf("stored object differs from the body: %w", errors.Join(err, s.discard(ctx, a)))
	}
	if a.Metadata[sinks.MetadataSHA256] == want.SHA256 {
		return nil
	}
	o := s.bucket.Object(a.Name).Generation(a.Generation).If(storage.Conditions{MetagenerationMatch: a.Metageneration})
	u, err := o.Update(ctx, storage.ObjectAttrsToUpdate{Metadata: map[string]string{sinks.MetadataSHA256: want.SHA256}})
	if err != nil {
		return sinks.ChecksumNotRecorded(err, s.discard(ctx, a))
	}
	if err := matches(u, want, crc); err != nil {
		return fmt.Errorf("object after its metadata update: %w", errors.Join(err, s.discard(ctx, a)))
	}
	if got := u.Metadata[sinks.MetadataSHA256]; got != want.SHA256 {
		err := fmt.Errorf("metadata %s is %q after the update, want %s: %w", sinks.MetadataSHA256, got, want.SHA256, sinks.ErrChecksumMismatch)
		return sinks.ChecksumNotRecorded(err, s.discard(ctx, a))
	}
	return nil
}

// matches compares the service's size and CRC32C of an object with the body read.
func matches(a *storage.ObjectAttrs, want sinks.Object, crc uint32) error {
	if a == nil {
		return errors.New("the service reported no object")
	}
	if !hasChecksum(a) {
		// Not a mismatch: GCS leaves crc32c and md5Hash out of an object under a customer-supplied
		// key when the request lacks the key. Comparing 0 with the body's CRC32C would condemn
		// good bytes.
		return fmt.Errorf("generation %d: the service reported no CRC32C or MD5 for it (an object under a customer-supplied encryption key shows none without the key), so it can't be checked", a.Generation)
	}
	if a.Size != want.Size {
		return fmt.Errorf("generation %d holds %d bytes, %d were sent: %w", a.Generation, a.Size, want.Size, sinks.ErrSizeMismatch)
	}
	if a.CRC32C != crc {
		return fmt.Errorf("generation %d has CRC32C %08x, the body %08x: %w", a.Generation, a.CRC32C, crc, sinks.ErrChecksumMismatch)
	}
	return nil
}

// discard deletes the generation just written when it does not hold the body. It runs even when ctx
// is cancelled: wrong bytes must not stay at the key.
//
// A write-once destination (retention or a hold) keeps it: GCS would refuse the delete with 403, and
// the object is reported as it is instead. So does an object whose checksum was not reported at all:
// nothing shows its bytes are wrong.
func (s *Sink) discard(ctx context.Context, a *storage.ObjectAttrs) error {
	if a == nil {
		return nil
	}
	if s.WriteOnce() || !hasChecksum(a) {
		return fmt.Errorf("generation %d is left in place", a.Generation)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := s.bucket.Object(a.Name).Generation(a.Generation).Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("removing generation %d: %w", a.Generation, err)
	}
	return nil
}

// hasChecksum reports whether the service reported a checksum of the object's bytes. A CRC32C of 0
// is possible, so only both absent means none.
func hasChecksum(a *storage.ObjectAttrs) bool { return a.CRC32C != 0 || len(a.MD5) > 0 }
