package s3

import (
	"net/http"
	"sync"

	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
)

// requests records every request a sink sends, for assertions on headers no test server checks.
type requests struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *requests) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

type capturingDoer struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	r *requests
}

func (c capturingDoer) Do(req *http.Request) (*http.Response, error) {
	c.r.mu.Lock()
	c.r.reqs = append(c.r.reqs, req.Clone(req.Context()))
	c.r.mu.Unlock()
	return c.next.Do(req)
}

// capture makes s record its requests from now on.
func capture(s *Sink) *requests {
	r := &requests{}
	opts := s.client.Options()
	opts.HTTPClient = capturingDoer{opts.HTTPClient, r}
	s.client = s3sdk.New(opts)
	return r
}
