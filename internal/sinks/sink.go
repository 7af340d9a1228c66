// Package sinks is the destination contract: where archived files go. Each driver lives in its own
// package below this one and imports only this contract and its own SDK; sinktest is the conformance
// suite every driver passes against a real server.
package sinks

import (
	"context"
	"errors"
	"io"
)

// Sink stores objects under slash-separated keys. Implementations are safe for concurrent use.
//
// Errors: a missing object matches ErrNotFound; every other failure matches ErrPermanent or
// ErrTransient (see kinds.go), so callers decide whether to try again by kind alone.
//
// Put's promise: it returns nil only after every byte of r was read without error and the destination
// was checked to hold exactly those bytes (size and SHA-256, or the service's own checksum of the same
// bytes). A Put that fails, or whose ctx is cancelled, leaves nothing new at key: an object that was
// there before stays as it was, and no partial object, temporary file or pending upload is left behind
// (Azure's one exception: staged blocks that were never committed cannot be deleted; they are invisible
// and the service discards them within 7 days).
// A reader error (including ErrChecksumMismatch from Verified) is such a failure, and so is a ctx
// that ends before the object is complete: the error then matches ctx.Err().
//
// A store that records our SHA-256 in metadata after the upload (GCS with an unknown SHA-256; S3 never
// does, it keeps the store's own checksum in Object.Checksum instead) may find the object stored but its
// metadata write refused: that Put fails too, and the driver removes the object it wrote (see
// ChecksumNotRecorded); only if that removal fails as well does the object stay, without its
// checksum, and the error says so.
//
// The exception to "nothing new at key": a destination that locks what it writes (see WriteOnce)
// never deletes, so an object that failed its check after it was stored stays, and the error says so.
//
// Drivers keep this promise by running under Guard, which hands their Put a Body (see body.go) and
// checks the Object they report against what was read; a driver's Put called without Guard fails.
type Sink interface {
	// Put streams r to key, replacing any object there. opts.Size is the expected size (-1 unknown).
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error)
	// Stat describes the object at key, or returns an error matching ErrNotFound.
	Stat(ctx context.Context, key string) (Object, error)
	// Open reads the object at key, or returns an error matching ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// URL names key for the manifest, e.g. s3://bucket/key or file:///abs/path.
	URL(key string) string
	// Close releases the sink's connections once no call is in flight; the sink is not used after.
	Close() error
}

// PutOptions describes what a Put is expected to store.
type PutOptions struct {
	Size   int64  // expected size in bytes, -1 when unknown
	SHA256 string // expected lowercase hex SHA-256, "" when unknown; a mismatch fails the Put
}

// Object describes a stored object.
type Object struct {
	Key    string
	Size   int64
	SHA256 string // lowercase hex; "" when the destination does not keep it (Stat only)
	// Checksum is the destination's own checksum of the bytes, as Description.Checksum, when a Put
	// could not record the SHA-256 on the object itself (an S3 multipart upload): the manifest keeps
	// it, so a later run proves the object by it without reading the body. Often "".
	Checksum string
}

// Sentinels drivers map their errors to; the original error stays reachable with errors.As.
var (
	ErrNotFound         = errors.New("object not found")
	ErrChecksumMismatch = errors.New("checksum mismatch")
	ErrSizeMismatch     = errors.New("size mismatch")
	ErrInvalidKey       = errors.New("invalid key")
)

// MetadataSHA256 is the user-metadata name under which object stores keep our SHA-256 of an object.
const MetadataSHA256 = "sha256"

// Creator is implemented by sinks that can store an object only where none exists, in one atomic step
// on the server: it saves the archiver a lookup before every write, and no other writer can slip an
// object in between a check and the write.
type Creator interface {
	// Create is Put, except that when an object is already at key it fails with an error matching
	// ErrExists and leaves that object untouched.
	Create(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error)
}

// ErrExists means Create found an object already at the key.
var ErrExists = errors.New("an object already exists at the key")
