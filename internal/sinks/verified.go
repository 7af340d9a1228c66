package sinks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// Verified wraps the body of a Put. It hashes what passes through and, when the body ends, checks the
// byte count and SHA-256 against opts: on a mismatch the final Read returns an error instead of io.EOF,
// so the driver's upload fails and, by the Put contract, stores nothing. Guard wraps the body of every
// Put in one and hands it to the driver as its Body.
type Verified struct {
	r    io.Reader
	opts PutOptions
	h    hash.Hash
	n    int64
	done bool
}

// NewVerified returns a Verified reading r.
func NewVerified(r io.Reader, opts PutOptions) *Verified {
	return &Verified{r: r, opts: opts, h: sha256.New()}
}

func (v *Verified) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	if n > 0 {
		v.h.Write(p[:n])
		v.n += int64(n)
	}
	if v.opts.Size >= 0 && v.n > v.opts.Size {
		return n, fmt.Errorf("more than the expected %d bytes: %w", v.opts.Size, ErrSizeMismatch)
	}
	if err == io.EOF {
		if err := v.check(); err != nil {
			return n, err
		}
		v.done = true
	}
	return n, err
}

func (v *Verified) check() error {
	if v.opts.Size >= 0 && v.n != v.opts.Size {
		return fmt.Errorf("got %d bytes, expected %d: %w", v.n, v.opts.Size, ErrSizeMismatch)
	}
	if v.opts.SHA256 != "" && v.opts.SHA256 != v.SHA256() {
		return fmt.Errorf("SHA-256 %s, expected %s: %w", v.SHA256(), v.opts.SHA256, ErrChecksumMismatch)
	}
	return nil
}

// Done reports whether the body was read to its end and passed the checks.
func (v *Verified) Done() bool { return v.done }

// N is the number of bytes read so far.
func (v *Verified) N() int64 { return v.n }

// SHA256 is the lowercase hex SHA-256 of the bytes read so far.
func (v *Verified) SHA256() string { return hex.EncodeToString(v.h.Sum(nil)) }

// Object is what a completed Put stored at key. Call it only when Done.
func (v *Verified) Object(key string) (Object, error) {
	if !v.done {
		return Object{}, fmt.Errorf("put %s: body not read to its end (%d bytes read)", key, v.n)
	}
	return Object{Key: key, Size: v.n, SHA256: v.SHA256()}, nil
}
