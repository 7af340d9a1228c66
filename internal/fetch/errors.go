package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrNotFound means the API or the download host answered 404.
var ErrNotFound = errors.New("not found")

// APIError is a non-2xx answer from the RealtimeKit API, whichever of its error shapes it came in.
type APIError struct {
	Op      string // what was asked, e.g. "get recording 0f…"
	Status  int
	Code    int    // the API's own code when it sent one
	Message string // the API's message, or a short excerpt of a non-JSON body

	tooLarge bool // the body was over the call's cap
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	if e.Code != 0 && e.Code != e.Status {
		msg += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) true for a 404, and errors.Is(err, ErrTooLarge) for an answer
// over the call's size cap.
func (e *APIError) Is(target error) bool {
	return (target == ErrNotFound && e.Status == http.StatusNotFound) || (target == ErrTooLarge && e.tooLarge)
}

// Retryable reports whether the same request may succeed later: 408, 429 and 5xx.
func (e *APIError) Retryable() bool { return retryableStatus(e.Status) }

func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// parseAPIError reads the three error shapes the API uses (RealtimeKit's {"error":{...}}, the Cloudflare
// gateway's {"errors":[...]}, a bare {"message":...}) and falls back to an excerpt of anything else,
// such as an HTML page from the edge.
func parseAPIError(op string, status int, body []byte) *APIError {
	e := &APIError{Op: op, Status: status}
	var shapes struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Errors []struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &shapes) == nil {
		switch {
		case shapes.Error != nil:
			e.Code, e.Message = shapes.Error.Code, shapes.Error.Message
		case len(shapes.Errors) > 0:
			e.Code, e.Message = shapes.Errors[0].Code, shapes.Errors[0].Message
		default:
			e.Message = shapes.Message
		}
		return e
	}
	e.Message = excerpt(body)
	return e
}

// excerpt is a one-line, bounded view of a body that is not the JSON we expected.
func excerpt(body []byte) string {
	body = bytes.TrimSpace(body)
	kind := "non-JSON body"
	if looksLikeHTML(body) {
		kind = "HTML page"
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	if s == "" {
		return "empty body"
	}
	return fmt.Sprintf("%s: %q", kind, s)
}

func looksLikeHTML(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) > 256 {
		b = b[:256]
	}
	lower := bytes.ToLower(b)
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.Contains(lower, []byte("<head>")) || bytes.Contains(lower, []byte("<body"))
}
