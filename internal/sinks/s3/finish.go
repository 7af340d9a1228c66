package s3

import (
	"context"
	"fmt"
)

// finishMultipart checks a completed multipart object: the size, and the full-object CRC32C S3
// reports (or, from a store that still reports a composite of the part checksums, that). Our SHA-256
// is not added to the object afterwards (see putMultipart): the Put returns the CRC32C, and the
// manifest keeps it beside the SHA-256.
func (s *Sink) finishMultipart(ctx context.Context, key string, w want) error {
	if _, err := s.verify(ctx, key, w); err != nil {
		return s.discard(ctx, key, err)
	}
	return nil
}

// discard handles an object that failed its check after it was stored. It is removed, so a corrupt
// object never stays at the key, except on a write-once destination: there the store would keep the
// bytes anyway (under Object Lock a delete only adds a delete marker) and a removal would hide them. The
// object is left as it is and the error says so.
func (s *Sink) discard(ctx context.Context, key string, bad error) error {
	if s.WriteOnce() {
		return fmt.Errorf("%w (the object is left in place: the destination locks what it stores)", bad)
	}
	s.remove(ctx, key)
	return bad
}
