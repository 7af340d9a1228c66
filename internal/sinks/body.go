package sinks

import (
	"errors"
	"io"
)

// Body is the reader a driver's Put or Create is given by Guard: the caller's body, stopped as soon
// as the Put's ctx ends and checked at its end (see Verified), so a cancelled ctx, a wrong size or a
// wrong SHA-256 is an error of a Read that the driver must abort on. The driver takes the SHA-256 it
// stores in metadata from it, and the Object it returns.
type Body interface {
	io.Reader
	// N is the number of bytes read so far.
	N() int64
	// SHA256 is the lowercase hex SHA-256 of the bytes read so far.
	SHA256() string
	// Done reports whether the body was read to its end and passed the checks.
	Done() bool
	// Object is what a Put that read the body to its end stored at key; an error before then.
	Object(key string) (Object, error)
}

var _ Body = (*Verified)(nil)

// errNotGuarded is a driver called directly: only Guard's Body lets it keep the Put contract.
var errNotGuarded = errors.New("a sink driver's Put must be called through sinks.Guard")

// BodyOf returns r as the Body Guard made of it, or an error when the driver was called without Guard.
func BodyOf(r io.Reader) (Body, error) {
	if b, ok := r.(Body); ok {
		return b, nil
	}
	return nil, errNotGuarded
}
