package fetchtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// serveDownload serves a presigned file URL: no auth header expected, expiry enforced with the S3-style
// 403 ExpiredRequest, byte ranges and an ETag supported as an object store does.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, rest string) {
	id, escFile, _ := strings.Cut(rest, "/")
	file, _ := url.PathUnescape(escFile)
	route := DownloadRoute(id, file)

	s.mu.Lock()
	if r.Header.Get("Authorization") != "" {
		s.authLeaks++
	}
	s.events = append(s.events, event{kind: "download", id: id})
	size, modified, known := s.object(id, file)
	now := s.now()
	if s.rate > 0 {
		w = &throttled{ResponseWriter: w, rate: s.rate}
	}
	sig := s.signatures["/download/"+id+"/"+url.PathEscape(file)]
	s.mu.Unlock()

	if s.applyFault(w, route) {
		return
	}
	exp, _ := strconv.ParseInt(r.URL.Query().Get("X-Amz-Expires"), 10, 64)
	if !known || sig == "" || r.URL.Query().Get("X-Amz-Signature") != sig {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	if now.After(time.Unix(exp, 0)) {
		s3Error(w, http.StatusForbidden, "ExpiredRequest", "Request has expired")
		return
	}
	if size < 0 {
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", fmt.Sprintf("%q", ContentSHA256Short(id, file, size)))
	if f := s.takeBodyFault(route); f != nil {
		f.serveBody(w, r, newContent(id, file, size), size)
		return
	}
	http.ServeContent(w, r, "", modified, newContent(id, file, size))
}

// object is the size (-1: no such file) and time of a file of a recording or a session; known is
// false when id is neither.
func (s *Server) object(id, file string) (size int64, modified time.Time, known bool) {
	var rec *Recording
	for _, x := range s.recs {
		if x.ID == id {
			rec = x // the last one added wins, as in the listing
		}
	}
	if rec == nil {
		return s.artifactObject(id, file)
	}
	return fileSize(rec, file), rec.Invoked.Add(time.Hour), true
}

// ContentSHA256Short is a cheap stand-in for an ETag: it names the content without hashing all of it.
func ContentSHA256Short(id, file string, size int64) string {
	return fmt.Sprintf("%x-%d", newContent(id, file, 0).seed[:8], size)
}

func fileSize(rec *Recording, file string) int64 {
	switch {
	case file == MediaFile && rec.MediaSize > 0:
		return rec.MediaSize
	case file == AudioFile && rec.AudioSize > 0:
		return rec.AudioSize
	}
	for _, t := range rec.Tracks {
		if TrackFile(t) == file {
			return t.Size
		}
	}
	return -1
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>FAKE</RequestId></Error>`, code, msg)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// throttled writes at most rate bytes per second.
type throttled struct {
	http.ResponseWriter
	rate int64
}

func (t *throttled) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := min(int64(len(p)), max(t.rate/20, 1))
		n, err := t.ResponseWriter.Write(p[:chunk])
		written += n
		if err != nil {
			return written, err
		}
		p = p[chunk:]
		time.Sleep(time.Duration(float64(chunk) / float64(t.rate) * float64(time.Second)))
	}
	return written, nil
}

func (t *throttled) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
