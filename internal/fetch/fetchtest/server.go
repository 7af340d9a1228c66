// Package fetchtest is a fake RealtimeKit API over HTTP, faithful to ../shared/realtimekit-api.md, warts
// included (three error shapes, download_url as string/null/array, file_size as string, both timestamp
// forms), with knobs for faults. It also serves the presigned download URLs, generating media on the fly.
// Tests use it, and so does `archive demo`.
package fetchtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is the fake. Its exported fields may be set before the first request.
type Server struct {
	AccountID string
	AppID     string
	Token     string

	URL string // base of the API, e.g. http://127.0.0.1:PORT/client/v4
	// DownloadHost, when set, is the host:port download URLs name instead of the one the API request
	// came to: a test can put a different proxy in front of downloads than in front of the API.
	DownloadHost string
	srv          *http.Server
	ln           net.Listener

	mu         sync.Mutex
	recs       []*Recording
	faults     map[string][]Fault
	shift      map[int]*Recording // after serving page N, insert the recording at the front
	requests   map[string]int
	authLeaks  int
	now        func() time.Time
	signatures map[string]string // per URL path: the fake signature a download must carry
	rate       int64             // download bytes per second per request; 0 = unlimited
	events     []event           // list pages answered and download requests, in order (order.go)
	paging     Paging
	sessions   map[string]*Session // by ID; see sessions.go
	limit      limiter             // the token's budget; see ratelimit.go
}

// SetDownloadRate slows every download to bytesPerSecond (0: unlimited), to have runs in flight long
// enough to interrupt them.
func (s *Server) SetDownloadRate(bytesPerSecond int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate = bytesPerSecond
}

// New starts a fake on a free port of 127.0.0.1 serving recs.
func New(recs ...Recording) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		AccountID:  "acc0123456789abcdef0123456789ab",
		AppID:      "app-demo",
		Token:      "test-token-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		ln:         ln,
		faults:     map[string][]Fault{},
		shift:      map[int]*Recording{},
		requests:   map[string]int{},
		now:        time.Now,
		signatures: map[string]string{},
	}
	for i := range recs {
		s.recs = append(s.recs, s.withInvoked(recs[i]))
	}
	slices.SortStableFunc(s.recs, func(a, b *Recording) int { return a.Invoked.Compare(b.Invoked) })
	s.URL = "http://" + ln.Addr().String() + "/client/v4"
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Add serves another recording.
func (s *Server) Add(r Recording) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, s.withInvoked(r))
	slices.SortStableFunc(s.recs, func(a, b *Recording) int { return a.Invoked.Compare(b.Invoked) })
}

// withInvoked is a copy of r to serve, invoked two hours ago unless it says when.
func (s *Server) withInvoked(r Recording) *Recording {
	if r.Invoked.IsZero() {
		r.Invoked = s.now().Add(-2 * time.Hour)
	}
	return &r
}

// Update changes a served recording in place (e.g. its status).
func (s *Server) Update(id string, change func(r *Recording)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.ID == id {
			change(r)
		}
	}
}

// SetNow replaces the fake's clock (expiry checks).
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// ShiftAfterPage makes the listing shift while it is walked: after page n is served, r appears at the
// front, pushing every later item one place down.
func (s *Server) ShiftAfterPage(n int, r Recording) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shift[n] = &r
}

// Requests returns how many requests a route got: ListRoute, DetailRoute(id), DownloadRoute(id, file).
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[route]
}

// AuthLeaks is the number of download requests that carried an Authorization header: must stay 0.
func (s *Server) AuthLeaks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authLeaks
}

// Routes, as counted by Requests and targeted by Inject.
const ListRoute = "list"

// DetailRoute names the detail route of a recording.
func DetailRoute(id string) string { return "detail/" + id }

// DownloadRoute names the download of one file of a recording (MediaFile, AudioFile or TrackFile).
func DownloadRoute(id, file string) string { return "download/" + id + "/" + file }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if after, ok := strings.CutPrefix(r.URL.Path, "/download/"); ok {
		s.serveDownload(w, r, after)
		return
	}
	if s.throttle(w) {
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, s.kitPath()+"/sessions/"); ok {
		s.serveSession(w, r, rest)
		return
	}
	prefix := fmt.Sprintf("/client/v4/accounts/%s/realtime/kit/%s/recordings", s.AccountID, s.AppID)
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "errors": []any{map[string]any{"code": 7003, "message": "Could not route to " + r.URL.Path}}, "messages": []any{}, "result": nil})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "errors": []any{map[string]any{"code": 10000, "message": "Authentication error"}}, "messages": []any{}, "result": nil})
		return
	}
	switch {
	case rest == "" || rest == "/":
		if s.applyFault(w, ListRoute) {
			return
		}
		s.serveList(w, r)
	default:
		id := strings.TrimPrefix(rest, "/")
		if s.applyFault(w, DetailRoute(id)) {
			return
		}
		s.serveDetail(w, r, id)
	}
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page_no"))
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = 20
	}
	since, _ := time.Parse(time.RFC3339, q.Get("start_time"))
	until, _ := time.Parse(time.RFC3339, q.Get("end_time"))
	meeting := q.Get("meeting_id")

	s.mu.Lock()
	s.events = append(s.events, event{kind: "list"})
	var match []*Recording
	for _, rec := range s.recs {
		if s.paging.inWindow(rec.Invoked, since, until) && (meeting == "" || rec.MeetingID == meeting) {
			match = append(match, rec)
		}
	}
	start, end := s.paging.window(page, perPage, len(match))
	items := make([]any, 0, end-start)
	for _, rec := range match[start:end] {
		items = append(items, s.render(rec, r, false))
	}
	if extra := s.shift[page]; extra != nil {
		delete(s.shift, page)
		extra.Invoked = match[0].Invoked.Add(-time.Second)
		s.recs = append([]*Recording{extra}, s.recs...)
	}
	total := len(match)
	if s.paging.TotalDrift != nil {
		total += s.paging.TotalDrift(page)
	}
	noPaging := s.paging.NoPaging
	s.mu.Unlock()

	body := map[string]any{"success": true, "data": items}
	if !noPaging {
		body["paging"] = map[string]any{"total_count": total, "start_offset": start + 1, "end_offset": end}
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) serveDetail(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	var found any
	for _, rec := range s.recs {
		if rec.ID == id {
			found = s.render(rec, r, true)
		}
	}
	s.mu.Unlock()
	if found == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": map[string]any{"code": 404, "message": "Recording not found"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": found})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// downloadURL signs a file's URL the way a presigned S3 URL looks: the query carries an expiry and a
// signature that must never show up in logs, the manifest or the metadata.
func (s *Server) downloadURL(r *http.Request, rec *Recording, file string) string {
	return s.signedURL(r, rec.ID, file, rec.expiry())
}

// signedURL is the presigned URL of a file of a recording or a session (id), valid until expiry.
func (s *Server) signedURL(r *http.Request, id, file string, expiry time.Time) string {
	p := "/download/" + id + "/" + url.PathEscape(file)
	sig, ok := s.signatures[p]
	if !ok {
		sig = fmt.Sprintf("SIGNATURE-%x", time.Now().UnixNano())
		s.signatures[p] = sig
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.FormatInt(expiry.Unix(), 10))
	q.Set("X-Amz-Signature", sig)
	host := r.Host
	if s.DownloadHost != "" {
		host = s.DownloadHost
	}
	return "http://" + host + p + "?" + q.Encode()
}
