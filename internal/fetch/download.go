package fetch

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// Errors a download can end with; DownloadError and the validating reader wrap them.
var (
	// ErrExpired means the download host refused a presigned URL (403): expired or revoked.
	ErrExpired = errors.New("download URL expired or refused")
	// ErrTruncated means the body ended before the announced size.
	ErrTruncated = errors.New("body shorter than announced")
	// ErrSizeMismatch means the announced sizes disagree, or the body ran past them.
	ErrSizeMismatch = errors.New("size does not match")
	// ErrNotMedia means the host answered with an HTML page instead of the file.
	ErrNotMedia = errors.New("HTML page instead of media")
)

// DownloadError is a non-2xx answer from a download host. URL has its signature removed.
type DownloadError struct {
	URL     string
	Status  int
	Code    string // S3-style XML error code, e.g. ExpiredRequest
	Message string
}

func (e *DownloadError) Error() string {
	msg := fmt.Sprintf("download %s: HTTP %d", e.URL, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is maps 404 to ErrNotFound and 403 to ErrExpired (an expired presigned URL is a 403 by status alone).
func (e *DownloadError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrExpired:
		return e.Status == http.StatusForbidden
	}
	return false
}

// Retryable reports whether the same URL may work later.
func (e *DownloadError) Retryable() bool { return retryableStatus(e.Status) }

// Media is an open download. Reading it yields the file's bytes and ends in an error, never io.EOF,
// when the body is shorter or longer than announced.
type Media struct {
	io.ReadCloser
	Size         int64 // announced size, -1 when unknown
	ETag         string
	LastModified string
}

// OpenMedia starts downloading a presigned URL. wantSize is the API's file_size (-1 when unknown). No
// credentials are sent: the URL carries its own signature.
func (c *Client) OpenMedia(ctx context.Context, rawURL string, wantSize int64) (*Media, error) {
	safeURL := StripQuery(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", safeURL, err)
	}
	resp, err := c.download.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", safeURL, scrubURLError(err))
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, readDownloadError(safeURL, resp)
	}
	size := resp.ContentLength
	if size >= 0 && wantSize >= 0 && size != wantSize {
		resp.Body.Close()
		return nil, fmt.Errorf("download %s: Content-Length %d but the API's file_size is %d: %w", safeURL, size, wantSize, ErrSizeMismatch)
	}
	if size < 0 {
		size = wantSize
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	head, _ := br.Peek(512)
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "text/html" || looksLikeHTML(head) {
		resp.Body.Close()
		return nil, fmt.Errorf("download %s: %w (%s)", safeURL, ErrNotMedia, excerpt(head))
	}
	return &Media{
		ReadCloser:   &sizedBody{r: br, c: resp.Body, want: size, url: safeURL},
		Size:         size,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

// sizedBody checks the byte count against the announced size as it streams.
type sizedBody struct {
	r    io.Reader
	c    io.Closer
	want int64
	n    int64
	url  string
}

func (b *sizedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.want >= 0 && b.n > b.want {
		return n, fmt.Errorf("download %s: body longer than the announced %d bytes: %w", b.url, b.want, ErrSizeMismatch)
	}
	switch {
	case err == io.EOF && b.want >= 0 && b.n < b.want:
		return n, fmt.Errorf("download %s: got %d of %d bytes: %w", b.url, b.n, b.want, ErrTruncated)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return n, fmt.Errorf("download %s: connection closed after %d bytes: %w", b.url, b.n, ErrTruncated)
	case err != nil && err != io.EOF:
		return n, fmt.Errorf("download %s: after %d bytes: %w", b.url, b.n, scrubURLError(err))
	}
	return n, err
}

func (b *sizedBody) Close() error { return b.c.Close() }

func readDownloadError(safeURL string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &DownloadError{URL: safeURL, Status: resp.StatusCode}
	var s3 struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(body, &s3) == nil && s3.Code != "" {
		e.Code, e.Message = s3.Code, s3.Message
	} else if len(body) > 0 {
		e.Message = excerpt(body)
	}
	return e
}

// scrubURLError drops the URL from net/http's errors, which quote it whole, signature included.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
