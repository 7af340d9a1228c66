package sinks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// ErrNoAnswer is the error of a request that Deadlines cut: the destination took it and did not answer
// in time. It is transient, and it says it is a timeout and temporary, so every SDK's retryer tries the
// request again (within its attempts) instead of taking it for the caller's cancellation.
type ErrNoAnswer struct {
	Method, Host string
	After        time.Duration
	Reading      bool // cut while reading the answer's body, after its headers
}

func (e *ErrNoAnswer) Error() string {
	if e.Reading {
		return fmt.Sprintf("%s %s: the answer stopped for %v", e.Method, e.Host, e.After)
	}
	return fmt.Sprintf("%s %s: no answer within %v", e.Method, e.Host, e.After)
}

func (e *ErrNoAnswer) Timeout() bool   { return true }
func (e *ErrNoAnswer) Temporary() bool { return true }
func (e *ErrNoAnswer) Unwrap() error   { return ErrTransient }

// Do sends one HTTP request, as http.Client.Do or http.RoundTripper.RoundTrip do.
type Do func(*http.Request) (*http.Response, error)

// WithDeadlines bounds each request sent through do: its answer's headers must come within
// d.For(the request's Content-Length), and then its body must not pause for longer than d.Floor. A
// request cut so fails with *ErrNoAnswer. The caller's context still ends it at any time, as itself.
func WithDeadlines(do Do, d Deadlines) Do {
	d = d.WithDefaults()
	return func(req *http.Request) (*http.Response, error) {
		ctx, cancel := context.WithCancel(req.Context())
		w := &watch{cancel: cancel, err: &ErrNoAnswer{Method: req.Method, Host: req.URL.Host, After: d.For(req.ContentLength)}}
		w.timer = time.AfterFunc(w.err.After, w.fire)
		resp, err := do(req.WithContext(ctx))
		if err != nil {
			w.stop()
			if w.fired() {
				return nil, w.err
			}
			return nil, err
		}
		// From the headers on, the body is watched for pauses: a long download is fine, a stalled one is not.
		w.rearm(d.Floor, &ErrNoAnswer{Method: req.Method, Host: req.URL.Host, After: d.Floor, Reading: true})
		resp.Body = &watchedBody{rc: resp.Body, w: w, idle: d.Floor}
		return resp, nil
	}
}

// DeadlineTransport is WithDeadlines for an http.RoundTripper (nil: a clone of http.DefaultTransport).
func DeadlineTransport(base http.RoundTripper, d Deadlines) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	return roundTripper(WithDeadlines(base.RoundTrip, d))
}

type roundTripper Do

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// watch cancels one request's context when its timer fires, and remembers why.
type watch struct {
	cancel context.CancelFunc
	timer  *time.Timer
	mu     sync.Mutex
	err    *ErrNoAnswer
	cut    bool
}

func (w *watch) fire() {
	w.mu.Lock()
	w.cut = true
	w.mu.Unlock()
	w.cancel()
}

func (w *watch) fired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cut
}

func (w *watch) stop() {
	w.timer.Stop()
	w.cancel()
}

func (w *watch) rearm(after time.Duration, err *ErrNoAnswer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cut {
		return
	}
	w.timer.Stop()
	w.err = err
	w.timer.Reset(after)
}

type watchedBody struct {
	rc   io.ReadCloser
	w    *watch
	idle time.Duration
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF && b.w.fired() {
		return n, b.w.err
	}
	if n > 0 {
		b.w.rearm(b.idle, b.w.err)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	b.w.stop()
	return err
}
