package sinks_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// Prove compares what is at a key with what is expected; local keeps no checksum, so it reads back.
func TestProveComparesWhatIsThere(t *testing.T) {
	raw, _ := local.New(t.TempDir())
	s := sinks.Guard(raw)
	body := []byte("the recording")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	if _, err := s.Put(t.Context(), "a/b", bytes.NewReader(body), sinks.PutOptions{Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sinks.Prove(t.Context(), s, "a/none", sinks.Object{Size: -1, SHA256: sha}, sinks.ReadIfUnproven); !errors.Is(err, sinks.ErrNotFound) {
		t.Fatalf("nothing at the key: %v", err)
	}
	if _, _, err := sinks.Prove(t.Context(), s, "a/b", sinks.Object{Size: 99, SHA256: sha}, sinks.ReadIfUnproven); !errors.Is(err, sinks.ErrSizeMismatch) {
		t.Fatalf("another size: %v", err)
	}
	if _, how, err := sinks.Prove(t.Context(), s, "a/b", sinks.Object{Size: -1, SHA256: sha}, sinks.ReadIfUnproven); err != nil || how != sinks.ProvenByRead {
		t.Fatalf("the same bytes (read back, local keeps no checksum): %q %v", how, err)
	}
	if _, _, err := sinks.Prove(t.Context(), s, "a/b", sinks.Object{Size: int64(len(body)), SHA256: "00"}, sinks.ReadIfUnproven); !errors.Is(err, sinks.ErrChecksumMismatch) {
		t.Fatalf("other bytes of the same size: %v", err)
	}
}
