package fetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Media is an open download of one file. Reading it yields the file's bytes as served (no content
// decoding); an interrupted body (connection reset, truncation, a stall with no bytes for StallTimeout,
// a trickle below MinRate) is continued with a Range request from the bytes already read, as long as the
// host says it is the same object, so the reader's consumer never sees the interruption. Reading ends in
// an error, never io.EOF, when the bytes cannot be completed, disagree with the announced size, pass
// MaxFileSize, or outlast FileTimeout.
type Media struct {
	Size         int64 // announced size, -1 when unknown
	ETag         string
	LastModified string
	Resumes      int // Range requests made so far

	c       *Client
	ctx     context.Context
	rawURL  string
	safeURL string

	mu        sync.Mutex
	cancelReq context.CancelFunc
	body      io.ReadCloser
	r         io.Reader
	watchdog  *time.Timer
	stalled   bool // the watchdog cut the current body
	rate      rateWindow
	deadline  context.CancelFunc // ends the file's FileTimeout
	n         int64
	pending   error // an error met after returning the bytes read with it
	err       error // sticky: the download is over
}

// OpenMedia starts downloading a presigned URL. wantSize is the API's file_size (-1 when unknown). No
// credentials are sent: the URL carries its own signature.
func (c *Client) OpenMedia(ctx context.Context, rawURL string, wantSize int64) (*Media, error) {
	safeURL := StripQuery(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w: unparseable URL", safeURL, ErrRefusedURL)
	}
	if err := c.policy.checkURL(u); err != nil {
		return nil, fmt.Errorf("download %s: %w", safeURL, err)
	}
	timeout := fmt.Errorf("%w (%v)", ErrFileTimeout, c.cfg.FileTimeout)
	ctx, deadline := context.WithTimeoutCause(ctx, c.cfg.FileTimeout, timeout)
	m := &Media{c: c, ctx: ctx, deadline: deadline, rawURL: rawURL, safeURL: safeURL, Size: -1,
		rate: rateWindow{min: c.cfg.MinRate, window: c.cfg.StallTimeout}}
	resp, err := m.get(0)
	if err != nil {
		deadline()
		return nil, err
	}
	fail := func(err error) (*Media, error) {
		m.closeBody(resp.Body)
		m.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return fail(readDownloadError(m.safeURL, resp))
	}
	size := resp.ContentLength
	if size >= 0 && wantSize >= 0 && size != wantSize {
		return fail(fmt.Errorf("download %s: Content-Length %d but the API's file_size is %d: %w", m.safeURL, size, wantSize, ErrSizeMismatch))
	}
	if size < 0 {
		size = wantSize
	}
	if size > c.cfg.MaxFileSize {
		return fail(fmt.Errorf("download %s: announced size %d bytes is over the %d-byte maximum file size (--max-file-size): %w", m.safeURL, size, c.cfg.MaxFileSize, ErrTooLarge))
	}
	m.Size, m.ETag, m.LastModified = size, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	// The buffer only needs to hold the peek: reads larger than it go straight to the body, and a
	// small one is not allocated and cleared again for each of thousands of small files.
	br := bufio.NewReaderSize(resp.Body, 4<<10)
	m.attach(resp.Body, br) // before the peek: a host can stop after the headers or a few bytes
	head, _ := br.Peek(512)
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "text/html" || looksLikeHTML(head) {
		return fail(fmt.Errorf("download %s: %w (%s)", m.safeURL, ErrNotMedia, excerpt(head)))
	}
	return m, nil
}

// get sends one GET, from offset on when offset > 0, guarded by If-Range so that a changed object
// answers 200 with the whole new object instead of a range of it.
func (m *Media) get(offset int64) (*http.Response, error) {
	rctx, cancel := context.WithCancel(m.ctx)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, m.rawURL, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("download %s: %w", m.safeURL, err)
	}
	// The bytes as stored: no compressed transfer for Go to unpack, and a host that compresses anyway
	// gets its encoded bytes archived as served.
	req.Header.Set("Accept-Encoding", "identity")
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		if m.ETag != "" {
			req.Header.Set("If-Range", m.ETag)
		} else if m.LastModified != "" {
			req.Header.Set("If-Range", m.LastModified)
		}
	}
	resp, err := m.c.download.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("download %s: %w", m.safeURL, scrubURLError(err))
	}
	m.mu.Lock()
	m.cancelReq = cancel
	m.mu.Unlock()
	return resp, nil
}

// attach makes body the one being read, with a watchdog that cuts it when no bytes come for the
// configured stall time: a black-holed connection must not hang a worker forever.
func (m *Media) attach(body io.ReadCloser, r io.Reader) {
	m.body, m.r = body, r
	m.rate.reset()
	m.mu.Lock()
	m.stalled = false
	m.mu.Unlock()
	if m.watchdog == nil {
		m.watchdog = time.AfterFunc(m.c.cfg.StallTimeout, m.cut)
	} else {
		m.watchdog.Reset(m.c.cfg.StallTimeout)
	}
}

func (m *Media) cut() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stalled = true
	if m.cancelReq != nil {
		m.cancelReq()
	}
}

func (m *Media) closeBody(b io.ReadCloser) {
	b.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cancelReq != nil {
		m.cancelReq()
		m.cancelReq = nil
	}
}

func (m *Media) Read(p []byte) (int, error) {
	for {
		if m.err != nil {
			return 0, m.err
		}
		var n int
		err := m.pending
		m.pending = nil
		var slow error
		if err == nil {
			start := time.Now()
			n, err = m.r.Read(p)
			slow = m.rate.add(n, time.Since(start))
			if err != nil && m.cutByWatchdog() {
				err = fmt.Errorf("no bytes for %v: %w", m.c.cfg.StallTimeout, ErrStalled)
			}
		}
		if slow != nil && err == nil {
			err = slow
		}
		if n > 0 {
			m.n += int64(n)
			m.watchdog.Reset(m.c.cfg.StallTimeout)
			if m.Size >= 0 && m.n > m.Size {
				m.err = fmt.Errorf("download %s: body longer than the announced %d bytes: %w", m.safeURL, m.Size, ErrSizeMismatch)
				return n, m.err
			}
			if m.n > m.c.cfg.MaxFileSize {
				m.err = fmt.Errorf("download %s: body of unknown size passed the %d-byte maximum file size (--max-file-size): %w", m.safeURL, m.c.cfg.MaxFileSize, ErrTooLarge)
				return n, m.err
			}
		}
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF && (m.Size < 0 || m.n == m.Size):
			return n, io.EOF
		case err == io.EOF:
			err = fmt.Errorf("got %d of %d bytes: %w", m.n, m.Size, ErrTruncated)
		case errors.Is(err, io.ErrUnexpectedEOF):
			err = fmt.Errorf("connection closed after %d bytes: %w", m.n, ErrTruncated)
		}
		if n > 0 {
			m.pending = err // hand over the bytes first; deal with the error on the next Read
			return n, nil
		}
		if rerr := m.resume(err); rerr != nil {
			m.err = rerr
			return 0, rerr
		}
	}
}

// resume continues the download after cause, or says why it cannot.
func (m *Media) resume(cause error) error {
	giveUp := func(err error) error { return fmt.Errorf("download %s: after %d bytes: %w", m.safeURL, m.n, err) }
	m.watchdog.Stop() // the next body gets a fresh one; headers have ResponseHeaderTimeout
	for {
		if m.ctx.Err() != nil {
			return giveUp(context.Cause(m.ctx))
		}
		if m.Size < 0 || m.Resumes >= m.c.cfg.MaxResumes {
			return giveUp(scrubURLError(cause))
		}
		m.Resumes++
		m.closeBody(m.body)
		m.c.log.Warn("download interrupted, resuming", "url", m.safeURL, "offset", m.n, "attempt", m.Resumes, "error", scrubURLError(cause))
		if sleep(m.ctx, backoff(m.Resumes, m.c.cfg.MinBackoff, m.c.cfg.MaxBackoff)) != nil {
			return giveUp(context.Cause(m.ctx))
		}
		resp, err := m.get(m.n)
		if errors.Is(err, ErrRefusedURL) {
			return giveUp(err)
		}
		if err != nil {
			cause = err
			continue
		}
		switch resp.StatusCode {
		case http.StatusPartialContent:
			if err := m.sameObject(resp); err != nil {
				m.closeBody(resp.Body)
				return giveUp(err)
			}
			m.attach(resp.Body, resp.Body)
			return nil
		case http.StatusOK:
			m.closeBody(resp.Body)
			return giveUp(fmt.Errorf("the host sent the whole object instead of the rest: %w", ErrSourceChanged))
		default:
			derr := readDownloadError(m.safeURL, resp)
			m.closeBody(resp.Body)
			var de *DownloadError
			if errors.As(derr, &de) && de.Retryable() {
				cause = derr
				continue
			}
			return giveUp(derr)
		}
	}
}

// sameObject checks that a 206 continues the object we started: same ETag, same total size, and the
// range starting where we stopped.
func (m *Media) sameObject(resp *http.Response) error {
	if etag := resp.Header.Get("ETag"); m.ETag != "" && etag != "" && etag != m.ETag {
		return fmt.Errorf("ETag changed from %s to %s: %w", m.ETag, etag, ErrSourceChanged)
	}
	cr := resp.Header.Get("Content-Range") // bytes START-END/TOTAL
	rest, ok := strings.CutPrefix(cr, "bytes ")
	span, total, ok2 := strings.Cut(rest, "/")
	startStr, _, ok3 := strings.Cut(span, "-")
	start, err1 := strconv.ParseInt(startStr, 10, 64)
	size, err2 := strconv.ParseInt(total, 10, 64)
	if !ok || !ok2 || !ok3 || err1 != nil || err2 != nil {
		return fmt.Errorf("unreadable Content-Range %q: %w", cr, ErrSourceChanged)
	}
	if start != m.n || size != m.Size {
		return fmt.Errorf("Content-Range %q does not continue byte %d of %d: %w", cr, m.n, m.Size, ErrSourceChanged)
	}
	return nil
}

// cutByWatchdog reports whether the watchdog cut the current body.
func (m *Media) cutByWatchdog() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stalled
}

// Close ends the download.
func (m *Media) Close() error {
	if m.watchdog != nil {
		m.watchdog.Stop()
	}
	if m.body != nil {
		m.closeBody(m.body)
	}
	m.deadline()
	return nil
}
