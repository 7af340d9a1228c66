package fetchtest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is one misbehaviour of the fake, used once by the next request to its route.
type Fault struct {
	Status      int    // answer with this status instead (e.g. 429, 503, 500)
	RetryAfter  string // Retry-After header with Status
	Body        string // body with Status; a JSON gateway error when empty
	ContentType string // of Body; application/json when empty
	Delay       time.Duration

	// Body faults, for downloads: the headers promise the whole file, then
	TruncateAfter int64 // the connection drops after this many bytes, or
	StallAfter    int64 // no more bytes come after this many, until the client gives up, or
	HTMLPage      bool  // a 200 HTML error page comes instead of media.
	// Body faults apply to Range requests too, counted from the range's start.
}

// Inject queues faults for a route (ListRoute, DetailRoute, DownloadRoute); each is used once, in order.
func (s *Server) Inject(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], faults...)
}

func (s *Server) nextFault(route string, body bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[route]++
	q := s.faults[route]
	if len(q) == 0 {
		return nil
	}
	f := q[0]
	if f.isBodyFault() != body {
		return nil
	}
	s.faults[route] = q[1:]
	return &f
}

func (f *Fault) isBodyFault() bool { return f.TruncateAfter > 0 || f.StallAfter > 0 || f.HTMLPage }

// applyFault answers with a status fault when one is queued for route.
func (s *Server) applyFault(w http.ResponseWriter, route string) bool {
	f := s.nextFault(route, false)
	if f == nil {
		return false
	}
	time.Sleep(f.Delay)
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body, ct := f.Body, f.ContentType
	if body == "" {
		code := 10000 + f.Status
		if f.Status == http.StatusTooManyRequests {
			code = 971
		}
		body = `{"success":false,"errors":[{"code":` + itoa(int64(code)) + `,"message":"injected fault"}],"messages":[],"result":null}`
		ct = "application/json"
	}
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	io.WriteString(w, body)
	return true
}

// takeBodyFault returns a queued body fault for route, counting the request either way.
func (s *Server) takeBodyFault(route string) *Fault {
	s.mu.Lock()
	q := s.faults[route]
	s.mu.Unlock()
	if len(q) == 0 || !q[0].isBodyFault() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[route][0]
	s.faults[route] = s.faults[route][1:]
	return &f
}

func (f *Fault) serveBody(w http.ResponseWriter, r *http.Request, body io.ReadSeeker, size int64) {
	if f.HTMLPage {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Error</title></head><body>Something went wrong at the edge.</body></html>")
		return
	}
	var start int64
	if v, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
		start, _ = strconv.ParseInt(strings.TrimSuffix(v, "-"), 10, 64)
	}
	body.Seek(start, io.SeekStart)
	w.Header().Set("Content-Length", itoa(size-start))
	if start > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, size-1, size))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	io.CopyN(w, body, max(f.TruncateAfter, f.StallAfter))
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	if f.StallAfter > 0 {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	// Dropping the connection mid-body is what a reset looks like to the client.
	panic(http.ErrAbortHandler)
}
