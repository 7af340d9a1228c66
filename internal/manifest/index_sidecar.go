package manifest

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// digestOn carries the SHA-256 state of the manifest's first from bytes (nil: unknown) on to end,
// reading only the bytes between. An unknown state stays unknown unless from is 0; a state that can't
// be carried is dropped (the sidecar is then hashed from the file, as without an index).
func digestOn(f io.ReaderAt, state []byte, from, end int64) []byte {
	h := sha256.New()
	if from > 0 {
		if state == nil || h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state) != nil {
			return nil
		}
	}
	if end > from {
		if _, err := io.Copy(h, io.NewSectionReader(f, from, end-from)); err != nil {
			return nil
		}
	}
	out, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil
	}
	return out
}

// WriteSidecar writes the manifest's sha256sum sidecar (see WriteSidecar) from the digest the index
// carries, when the index holds the whole closed manifest at path; otherwise by hashing the file.
func (x Index) WriteSidecar(path string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != x.stamp.Offset || x.stamp.Digest == nil || x.partial {
		return WriteSidecar(path)
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(x.stamp.Digest); err != nil {
		return WriteSidecar(path)
	}
	line := fmt.Sprintf("%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(path))
	return writeFileAtomic(path+".sha256", []byte(line))
}
