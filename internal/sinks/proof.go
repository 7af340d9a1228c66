package sinks

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ReadMode says when Prove may read an object's body.
type ReadMode int

const (
	// ReadNever proves by the destination's records alone (`verify --read never`).
	ReadNever ReadMode = iota
	// ReadIfUnproven reads a readable body only when no record proves it (re-runs): a cold one is
	// never read.
	ReadIfUnproven
	// ReadAuto reads every readable body and proves cold ones by their records (`verify --read auto`).
	ReadAuto
	// ReadAlways reads every body; a cold one fails with ErrRestoreRequired (`verify --read always`).
	ReadAlways
)

// ErrRestoreRequired means an object's body can't be read before the store restores it (S3 GLACIER
// or DEEP_ARCHIVE, Azure Archive).
var ErrRestoreRequired = errors.New("restore required: the object is in a cold tier")

// ErrUnproven means nothing the destination keeps proves the object, and reading it was not allowed.
var ErrUnproven = errors.New("no stored checksum proves it")

// How an object was proven, as Prove reports it.
const (
	ProvenByRead     = "read"                   // its body was read and hashed
	ProvenBySHA256   = "stored sha256"          // the SHA-256 in its metadata, set when it was written
	ProvenByChecksum = "stored checksum"        // the store's own checksum, recorded when it was written
	ProvenByBoth     = "stored sha256+checksum" // both
)

// Prove checks that the object at key is want: want.Size bytes (-1: any) with SHA-256 want.SHA256,
// and, when want.Checksum is set, the store's checksum recorded when it was written. It returns what
// the destination says of the object and how it was proven. A mismatch matches ErrSizeMismatch or
// ErrChecksumMismatch; a missing object ErrNotFound.
//
// Records are compared first: our SHA-256 in the object's metadata, else the store's checksum against
// the one recorded. A body is read only as mode allows, and never when it is cold.
func Prove(ctx context.Context, s Sink, key string, want Object, mode ReadMode) (Description, string, error) {
	d, err := Describe(ctx, s, key)
	if err != nil {
		return d, "", err
	}
	if want.Size >= 0 && d.Size != want.Size {
		return d, "", fmt.Errorf("%d bytes, %d recorded: %w", d.Size, want.Size, ErrSizeMismatch)
	}
	proof := ""
	if d.SHA256 != "" {
		if d.SHA256 != want.SHA256 {
			return d, "", fmt.Errorf("SHA-256 %s (stored in its metadata), %s recorded: %w", d.SHA256, want.SHA256, ErrChecksumMismatch)
		}
		proof = ProvenBySHA256
	}
	if want.Checksum != "" && d.Checksum != "" && algorithm(want.Checksum) == algorithm(d.Checksum) {
		if d.Checksum != want.Checksum {
			return d, "", fmt.Errorf("stored checksum %s, %s recorded: %w", d.Checksum, want.Checksum, ErrChecksumMismatch)
		}
		proof = map[string]string{"": ProvenByChecksum, ProvenBySHA256: ProvenByBoth}[proof]
	}
	read := mode == ReadAlways || (mode == ReadAuto && !d.Cold) || (mode == ReadIfUnproven && proof == "")
	if !read {
		if proof == "" {
			if d.Cold {
				return d, "", fmt.Errorf("%w, and %w", ErrUnproven, ErrRestoreRequired)
			}
			return d, "", ErrUnproven
		}
		return d, proof, nil
	}
	if d.Cold {
		return d, "", ErrRestoreRequired
	}
	rb, err := ReadBack(ctx, s, key)
	switch {
	case err != nil:
		return d, "", err
	case rb.Size != d.Size && want.Size >= 0:
		return d, "", fmt.Errorf("read %d bytes, %d recorded: %w", rb.Size, want.Size, ErrSizeMismatch)
	case rb.SHA256 != want.SHA256:
		return d, "", fmt.Errorf("SHA-256 %s (read back), %s recorded: %w", rb.SHA256, want.SHA256, ErrChecksumMismatch)
	}
	return d, ProvenByRead, nil
}

// algorithm is the "<algorithm>:" part of a checksum: two of different algorithms say nothing of
// each other.
func algorithm(checksum string) string {
	a, _, _ := strings.Cut(checksum, ":")
	return a
}
