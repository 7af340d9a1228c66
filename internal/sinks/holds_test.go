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

func TestHoldsComparesWhatIsThere(t *testing.T) {
	raw, _ := local.New(t.TempDir())
	s := sinks.Guard(raw)
	body := []byte("the recording")
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	if _, err := s.Put(t.Context(), "a/b", bytes.NewReader(body), sinks.PutOptions{Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	asked := 0
	expect := func(v string) func() (string, error) { return func() (string, error) { asked++; return v, nil } }
	if _, _, err := sinks.Holds(t.Context(), s, "a/none", -1, expect(sha)); !errors.Is(err, sinks.ErrNotFound) {
		t.Fatalf("nothing at the key: %v", err)
	}
	if _, same, err := sinks.Holds(t.Context(), s, "a/b", 99, expect(sha)); err != nil || same || asked != 0 {
		t.Fatalf("another size: same %v, err %v, expect asked %d times (want 0: no need to learn the SHA-256)", same, err, asked)
	}
	if obj, same, err := sinks.Holds(t.Context(), s, "a/b", -1, expect(sha)); err != nil || !same || obj.SHA256 != sha {
		t.Fatalf("the same bytes (read back, local keeps no checksum): %+v %v %v", obj, same, err)
	}
	if _, same, err := sinks.Holds(t.Context(), s, "a/b", int64(len(body)), expect("00")); err != nil || same {
		t.Fatalf("other bytes of the same size: same %v, err %v", same, err)
	}
}
