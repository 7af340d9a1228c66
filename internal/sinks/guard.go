package sinks

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Classifier is implemented by drivers: Kind says whether one of their errors is ErrPermanent or
// ErrTransient, nil when it can't tell. It is asked once, by Guard, where the error leaves the driver.
type Classifier interface {
	Kind(err error) error
}

// Guard wraps a driver in the write protocol (see write) and so that every error it returns carries
// its kind: ErrNotFound and ErrExists as
// the driver reported them, a failure of the body being written (the source's, not the destination's)
// as it was, a cancelled context as it was, and everything else as the driver's Classifier says, or as
// ErrTransient when it can't tell. The result is a Creator and a Checker when the driver is.
func Guard(s Sink) Sink {
	g := guarded{s}
	switch _, creates := s.(Creator); {
	case creates:
		return guardedCreator{g}
	default:
		return g
	}
}

type guarded struct{ s Sink }

type guardedCreator struct{ guarded }

func (g guarded) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error) {
	return g.write(ctx, key, r, opts, g.s.Put)
}

func (g guardedCreator) Create(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error) {
	return g.write(ctx, key, r, opts, g.s.(Creator).Create)
}

// write is the write protocol every driver runs under. The driver reads a Body that stops when ctx
// ends and checks size and SHA-256 at the end (so every such failure is a Read error it aborts on);
// a success counts only when the body was read to its end and the Object the driver reports is what
// was read. A Put whose ctx ended fails with an error that matches ctx.Err().
func (g guarded) write(ctx context.Context, key string, r io.Reader, opts PutOptions, put func(context.Context, string, io.Reader, PutOptions) (Object, error)) (Object, error) {
	source := &watchedReader{r: r}
	body := NewVerified(ContextReader(ctx, source), opts)
	obj, err := put(ctx, key, body, opts)
	if err == nil {
		err = agrees(g.s.URL(key), obj, body)
	}
	if err == nil {
		return obj, nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	err = g.classify(ctx, err, source)
	if obj, ok := g.storedAnyway(ctx, key, body, err); ok {
		return obj, nil
	}
	return Object{}, err
}

// agrees checks a driver's success against the body it was given. A disagreement is a driver bug:
// the object may be at the key, so it is reported, never taken for a success.
func agrees(url string, obj Object, body *Verified) error {
	switch {
	case !body.Done():
		return fmt.Errorf("put %s: the driver reported success after reading %d bytes, not the whole body", url, body.N())
	case obj.Size != body.N():
		return fmt.Errorf("put %s: the driver reported %d bytes, %d were read: %w", url, obj.Size, body.N(), ErrSizeMismatch)
	case obj.SHA256 != body.SHA256():
		return fmt.Errorf("put %s: the driver reported SHA-256 %q, the body's is %s: %w", url, obj.SHA256, body.SHA256(), ErrChecksumMismatch)
	}
	return nil
}

func (g guarded) Stat(ctx context.Context, key string) (Object, error) {
	obj, err := g.s.Stat(ctx, key)
	return obj, g.classify(ctx, err, nil)
}

func (g guarded) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := g.s.Open(ctx, key)
	return rc, g.classify(ctx, err, nil)
}

func (g guarded) URL(key string) string { return g.s.URL(key) }

func (g guarded) Close() error { return g.s.Close() }

// Check asks the driver, when it can tell, whether the destination is usable.
func (g guarded) Check(ctx context.Context) error {
	c, ok := g.s.(Checker)
	if !ok {
		return nil
	}
	return g.classify(ctx, c.Check(ctx), nil)
}

// Unwrap returns the driver, for tests and for driver-specific extras.
func (g guarded) Unwrap() Sink { return g.s }

func (g guarded) classify(ctx context.Context, err error, body *watchedReader) error {
	switch {
	case err == nil, errors.Is(err, ErrPermanent), errors.Is(err, ErrTransient):
		return err
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrExists):
		return err
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return err
	case body != nil && body.err != nil && errors.Is(err, body.err):
		return err // the source failed; the destination did nothing wrong
	case errors.Is(err, ErrInvalidKey):
		return Permanent(err)
	}
	if c, ok := g.s.(Classifier); ok {
		switch kind := c.Kind(err); kind {
		case ErrPermanent:
			return Permanent(err)
		case ErrTransient:
			return Transient(err)
		}
	}
	return Transient(err)
}

// watchedReader remembers the body's own failure, to tell it apart from the destination's.
type watchedReader struct {
	r   io.Reader
	err error
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF && w.err == nil {
		w.err = err
	}
	return n, err
}
