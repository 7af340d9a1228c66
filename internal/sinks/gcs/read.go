package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"cloud.google.com/go/storage"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Stat implements sinks.Sink. SHA256 is our metadata entry, "" on objects we did not write.
func (s *Sink) Stat(ctx context.Context, key string) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	a, err := s.bucket.Object(key).Attrs(ctx)
	if err != nil {
		return sinks.Object{}, fmt.Errorf("stat %s: %w", s.URL(key), translate(err))
	}
	return sinks.Object{Key: key, Size: a.Size, SHA256: a.Metadata[sinks.MetadataSHA256]}, nil
}

// Open implements sinks.Sink. The SDK checks the CRC32C of a full read as it reaches the end.
func (s *Sink) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	r, err := s.bucket.Object(key).NewReader(ctx)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.URL(key), translate(err))
	}
	return r, nil
}

// translate maps SDK errors to the sinks sentinels, keeping the SDK error reachable.
func translate(err error) error {
	if errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("%w: %w", sinks.ErrNotFound, err)
	}
	return err
}

// checkKey refuses names GCS does not accept: empty, over 1024 bytes, not UTF-8, with CR or LF, or
// "." and "..".
func checkKey(key string) error {
	if key == "" || len(key) > 1024 || !utf8.ValidString(key) || strings.ContainsAny(key, "\r\n") || key == "." || key == ".." {
		return fmt.Errorf("gcs object name %q: %w", key, sinks.ErrInvalidKey)
	}
	return nil
}
