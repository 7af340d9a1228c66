package archiver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// unrecorded checks an object no run on record archived at f's key (a lost manifest, a backfill in a
// manifest of its own, another instance): nil when the key is free, the object when it is the file
// we would archive, an error when something else is there (unless Overwrite) or the check fails.
//
// The source is downloaded to learn its SHA-256 and CRC32C, but only when the size allows a match, and
// the object is compared by what the destination keeps: our SHA-256 in its metadata, else the store's
// full-object CRC32C (a streamed S3 multipart upload keeps no SHA-256). Only where the destination
// keeps neither is the object read back, and never when it is cold.
func (a *archiver) unrecorded(ctx context.Context, t Target, f file) (*sinks.Object, error) {
	d, err := sinks.Describe(ctx, t.Sink, f.Key)
	switch {
	case errors.Is(err, sinks.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("checking the destination: %w", err)
	}
	same := false
	if f.Size < 0 || d.Size == f.Size {
		src, err := a.sourceSums(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("an object already exists at the destination and the source could not be read to compare: %w", err)
		}
		switch {
		case d.SHA256 != "":
			same = d.SHA256 == src.SHA256
		case wholeCRC32C(d.Checksum):
			same = d.Checksum == src.Checksum
		case d.Cold:
			return nil, fmt.Errorf("checking the object already at the destination: it keeps no SHA-256 or whole-object checksum: %w", sinks.ErrRestoreRequired)
		default:
			rb, err := sinks.ReadBack(ctx, t.Sink, f.Key)
			if err != nil {
				return nil, fmt.Errorf("verifying the object already at %s: %w", t.Sink.URL(f.Key), err)
			}
			same = rb.SHA256 == src.SHA256 && rb.Size == src.Size
		}
		if same {
			return &sinks.Object{Key: f.Key, Size: src.Size, SHA256: src.SHA256, Checksum: d.Checksum}, nil
		}
	}
	if a.cfg.Overwrite && !sinks.IsWriteOnce(t.Sink) {
		return nil, nil
	}
	return nil, fmt.Errorf("a different object (%d bytes) is already at the destination; refusing to overwrite it: move it away or run with --overwrite", d.Size)
}

// wholeCRC32C reports a store checksum that is the CRC32C of the whole object (not S3's composite of
// part checksums, "...-N"), so the source's own CRC32C can be compared with it.
func wholeCRC32C(checksum string) bool {
	return strings.HasPrefix(checksum, "crc32c:") && !strings.Contains(checksum, "-")
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sourceSums downloads f only to learn its size, SHA-256 and CRC32C (as "crc32c:<base64>").
func (a *archiver) sourceSums(ctx context.Context, f file) (sinks.Object, error) {
	media, err := a.cfg.Client.OpenMedia(ctx, f.URL, f.Size)
	if err != nil {
		return sinks.Object{}, err
	}
	defer media.Close()
	h, c := sha256.New(), crc32.New(castagnoli)
	n, err := io.Copy(io.MultiWriter(h, c), media)
	if err != nil {
		return sinks.Object{}, err
	}
	crc := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, c.Sum32()))
	return sinks.Object{Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Checksum: "crc32c:" + crc}, nil
}
