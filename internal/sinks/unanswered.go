package sinks

import (
	"context"
	"errors"
	"time"
)

// checkTimeout bounds the look at what an unanswered write may have stored; each of its requests is
// bounded by the driver's own Deadlines as well.
const checkTimeout = 2 * time.Minute

// storedAnyway looks at key after a write that failed for a while (transient), once the whole body was
// read: the request that carried its end may have been carried out though its answer never came. It
// reports the object when key holds exactly the bytes read, so the caller neither writes them again nor
// reports a failure that did not happen; anything else (nothing there, other bytes, no answer to the
// look either) leaves the failure as it was.
func (g guarded) storedAnyway(ctx context.Context, key string, body *Verified, err error) (Object, bool) {
	if !errors.Is(err, ErrTransient) || !body.Done() || ctx.Err() != nil {
		return Object{}, false
	}
	if errors.Is(err, ErrChecksumMismatch) || errors.Is(err, ErrSizeMismatch) {
		return Object{}, false // the destination answered, and its answer was that it holds other bytes
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	want := Object{Key: key, Size: body.N(), SHA256: body.SHA256()}
	if _, _, err := Prove(ctx, g.s, key, want, ReadIfUnproven); err != nil {
		return Object{}, false
	}
	return want, true
}
