package sinks

import (
	"context"
	"errors"
	"net/http"
)

// Error kinds. Every driver classifies its failures into one of them where the SDK error arises, so
// the pipeline decides by kind and never by an SDK's types or strings. The SDK's error stays reachable
// with errors.As.
var (
	// ErrPermanent: the destination refused in a way trying again cannot change (no such bucket or
	// container, access denied, a bad key or signature, a bad request). The recording fails at once.
	ErrPermanent = errors.New("refused by the destination")
	// ErrTransient: the destination failed in a way that may pass (5xx, throttling, a reset, a
	// timeout). Worth one more try.
	ErrTransient = errors.New("the destination failed, possibly for a while")
)

// kindError ties an error to its kind without changing its text.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

// Permanent marks err as a permanent refusal; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &kindError{ErrPermanent, err}
}

// Transient marks err as a failure that may pass; nil stays nil.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &kindError{ErrTransient, err}
}

// Checker is implemented by sinks that can tell cheaply, before the first upload, whether the
// destination exists and this process may use it: a wrong bucket, key or host then fails that
// destination's recordings in seconds with one clear error, instead of after every download.
type Checker interface {
	// Check returns nil when the destination looks usable, else an error that matches ErrPermanent
	// when trying again cannot help.
	Check(ctx context.Context) error
}

// KindOfStatus is the kind of an HTTP service's refusal by its status alone: 408, 429 and 5xx may pass,
// any other 4xx stays so; nil for a status that is not an error.
func KindOfStatus(code int) error {
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return ErrTransient
	case code >= 400:
		return ErrPermanent
	}
	return nil
}
