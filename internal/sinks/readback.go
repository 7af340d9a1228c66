package sinks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// ReadBack reads the whole object at key and returns its true size and SHA-256. It is the check of
// last resort for destinations that keep no checksum of their own.
func ReadBack(ctx context.Context, s Sink, key string) (Object, error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return Object{}, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return Object{}, fmt.Errorf("read back %s: %w", s.URL(key), err)
	}
	return Object{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
