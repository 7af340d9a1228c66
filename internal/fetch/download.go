package fetch

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	// ErrSourceChanged means a resumed download found a different object at the URL: the file must be
	// downloaded again from the start.
	ErrSourceChanged = errors.New("the source changed during the download")
	// ErrStalled means no bytes came for the stall timeout; the download is resumed while it can be.
	ErrStalled = errors.New("download stalled")
	// ErrTooSlow means bytes came, but below the minimum rate; handled like a stall.
	ErrTooSlow = errors.New("download too slow")
	// ErrFileTimeout means one file's download, resumes included, outlasted its deadline.
	ErrFileTimeout = errors.New("download took longer than the file timeout")
	// ErrTooLarge means a file is larger than MaxFileSize, or an API answer larger than its call's cap.
	ErrTooLarge = errors.New("larger than allowed")
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
