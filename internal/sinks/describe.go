package sinks

import (
	"context"
	"time"
)

// Description is what a destination says of a stored object without reading it: what Stat says, plus
// the store's own checksum, its storage class and whether its body can be read as it is, and its lock.
type Description struct {
	Object
	// Checksum is the store's own checksum of the bytes, which it verified when they were uploaded,
	// as "<algorithm>:<value>" (S3: "crc32c:<base64>", "-N" for a composite of N parts); "" when the
	// store reports none (e.g. without the key of an object under a customer-supplied key).
	Checksum string
	Class    string // storage class or access tier, "" when the store does not say
	// Cold: the body can't be read without a restore first (S3 GLACIER and DEEP_ARCHIVE not restored,
	// Azure Archive). Such an object is proven by its checksums, never read.
	Cold bool
	Lock Lock
}

// Lock is an object's write-once state as the store reports it.
type Lock struct {
	Mode        string    // e.g. COMPLIANCE, GOVERNANCE, Locked, Unlocked; "" when none
	RetainUntil time.Time // zero when none
	Hold        bool      // a legal hold (S3, Azure) or temporary hold (GCS)
}

// Describer is implemented by sinks that can describe an object by its metadata alone (a HEAD).
type Describer interface {
	Describe(ctx context.Context, key string) (Description, error)
}

// WriteOnce is implemented by sinks configured to lock what they write (retention or a hold). Such a
// sink never deletes or rewrites an object, not even one that failed its check after the upload: the
// store would refuse, or only hide it behind a delete marker while its bytes stay billed.
type WriteOnce interface {
	WriteOnce() bool
}

// IsWriteOnce reports whether s, or the driver Guard wraps, locks what it writes.
func IsWriteOnce(s Sink) bool {
	for {
		if w, ok := s.(WriteOnce); ok && w.WriteOnce() {
			return true
		}
		u, ok := s.(interface{ Unwrap() Sink })
		if !ok {
			return false
		}
		s = u.Unwrap()
	}
}

// LockPolicy is implemented by sinks that lock what they write: WantLock is the lock an object written
// at written must carry at least, so verify can fail one whose retention is shorter than configured.
type LockPolicy interface {
	WantLock(written time.Time) Lock
}

// WantLock returns the lock s (or the driver Guard wraps) sets on an object written at written; ok is
// false when it sets none.
func WantLock(s Sink, written time.Time) (l Lock, ok bool) {
	for {
		if p, is := s.(LockPolicy); is {
			l = p.WantLock(written)
			return l, l != (Lock{})
		}
		u, is := s.(interface{ Unwrap() Sink })
		if !is {
			return Lock{}, false
		}
		s = u.Unwrap()
	}
}

// Keyed is implemented by sinks that encrypt with a key the user chose: KeyID names it (a KMS key, an
// encryption scope, the MD5 of a customer-supplied key), never the key itself; "" for the store's default.
type Keyed interface {
	KeyID() string
}

// KeyID is the KeyID of s, or of the driver Guard wraps; "" when it has none.
func KeyID(s Sink) string {
	for {
		if k, ok := s.(Keyed); ok {
			return k.KeyID()
		}
		u, ok := s.(interface{ Unwrap() Sink })
		if !ok {
			return ""
		}
		s = u.Unwrap()
	}
}
