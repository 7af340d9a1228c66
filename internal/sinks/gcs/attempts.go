package gcs

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"

	"cloud.google.com/go/storage"
)

// The SDK's uploads retry "up to the context deadline": storage.WithMaxAttempts does not reach the
// request that carries an upload's bytes. The SDK numbers every attempt of a call in a header it sends
// (gccl-attempt-count, counted afresh for each chunk after progress); attemptCap refuses an attempt past
// the cap there, and shouldRetry tells the SDK's retryer to stop on that refusal. So the SDK's own
// retryer stays the one layer, and its attempts are capped as every other store's are.
type attemptCap struct {
	next http.RoundTripper
	max  int
	last sync.Map // invocation ID -> what its latest attempt got
}

var attemptCount = regexp.MustCompile(`gccl-invocation-id/(\S+) gccl-attempt-count/(\d+)`)

func (c *attemptCap) RoundTrip(req *http.Request) (*http.Response, error) {
	m := attemptCount.FindStringSubmatch(req.Header.Get("X-Goog-Api-Client"))
	if m == nil {
		return c.next.RoundTrip(req)
	}
	id := m[1]
	if n, _ := strconv.Atoi(m[2]); n > c.max {
		last, _ := c.last.LoadAndDelete(id)
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &attemptsSpent{n: c.max, last: last.(error)}
	}
	resp, err := c.next.RoundTrip(req)
	switch {
	case err != nil:
		c.last.Store(id, err)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		c.last.Store(id, fmt.Errorf("%s %s: %s", req.Method, req.URL.Host, resp.Status))
	default:
		c.last.Delete(id)
	}
	return resp, err
}

// attemptsSpent is the end of a call whose attempts are used up: the last attempt's failure, kept
// reachable, and transient.
type attemptsSpent struct {
	n    int
	last error
}

func (e *attemptsSpent) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.n, e.last)
}
func (e *attemptsSpent) Unwrap() []error { return []error{e.last} }

// shouldRetry is the SDK's own rule, except that a call whose attempts are spent ends.
func shouldRetry(err error) bool {
	var spent *attemptsSpent
	if errors.As(err, &spent) {
		return false
	}
	return storage.ShouldRetry(err)
}
