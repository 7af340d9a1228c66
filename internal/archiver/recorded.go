package archiver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// recorded proves the object an earlier run archived at f's key by what that run recorded: the size,
// the SHA-256 and the store's checksum. The destination's own records are asked first (a HEAD); the
// body is read only when nothing they keep proves it, and never when it is cold: a GLACIER or Archive
// object is not read, and not rewritten. nil means the key is free.
func (a *archiver) recorded(ctx context.Context, t Target, f file, prev manifest.Entry) (*sinks.Object, error) {
	want := sinks.Object{Key: f.Key, Size: prev.Size, SHA256: prev.SHA256, Checksum: prev.Checksum}
	d, _, err := sinks.Prove(ctx, t.Sink, f.Key, want, sinks.ReadIfUnproven)
	switch {
	case errors.Is(err, sinks.ErrNotFound):
		return nil, nil
	case err == nil:
		obj := want
		return &obj, nil
	case errors.Is(err, sinks.ErrSizeMismatch), errors.Is(err, sinks.ErrChecksumMismatch):
		if a.cfg.Overwrite && !sinks.IsWriteOnce(t.Sink) {
			return nil, nil
		}
		return nil, fmt.Errorf("a different object (%d bytes) is at the destination where an earlier run archived this file (%v); refusing to overwrite it: move it away or run with --overwrite", d.Size, err)
	}
	return nil, fmt.Errorf("checking the destination: %w", err)
}

// writeOnce stores a small document at key unless an object is already there, which is then left as it
// is and described: the same bytes, or an earlier version the document's later changes don't replace.
// fresh says this run archived the recording's files, so the key is most likely free: write first.
func writeOnce(ctx context.Context, s sinks.Sink, key string, doc []byte, fresh bool) (sinks.Object, manifest.Status, error) {
	sum := sha256.Sum256(doc)
	opts := sinks.PutOptions{Size: int64(len(doc)), SHA256: hex.EncodeToString(sum[:])}
	creator, creates := s.(sinks.Creator)
	if !fresh || !creates {
		got, err := describeExisting(ctx, s, key)
		switch {
		case err == nil:
			return got, manifest.StatusPresent, nil
		case !errors.Is(err, sinks.ErrNotFound):
			return sinks.Object{}, "", fmt.Errorf("checking the destination: %w", err)
		}
	}
	var obj sinks.Object
	var err error
	if creates {
		obj, err = creator.Create(ctx, key, bytes.NewReader(doc), opts)
	} else {
		obj, err = s.Put(ctx, key, bytes.NewReader(doc), opts)
	}
	if errors.Is(err, sinks.ErrExists) {
		got, derr := describeExisting(ctx, s, key)
		if derr != nil {
			return sinks.Object{}, "", fmt.Errorf("checking the destination: %w", derr)
		}
		return got, manifest.StatusPresent, nil
	}
	if err != nil {
		return sinks.Object{}, "", err
	}
	return obj, manifest.StatusArchived, nil
}

// describeExisting returns the size and SHA-256 of what is at key: the stored SHA-256, else read back
// (a small document, on a destination that keeps no checksum of its own).
func describeExisting(ctx context.Context, s sinks.Sink, key string) (sinks.Object, error) {
	st, err := s.Stat(ctx, key)
	if err != nil || st.SHA256 != "" {
		return st, err
	}
	return sinks.ReadBack(ctx, s, key)
}
