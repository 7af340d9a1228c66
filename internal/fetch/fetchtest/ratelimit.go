package fetchtest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// RateLimit is the API token's budget as the fake enforces it, shared by every client that uses the
// token: a bucket of Burst calls, refilled at PerSecond. Cloudflare allows 1,200 calls in 5 minutes
// per token (4 per second) and answers a call beyond it 429 with Retry-After, code 971; so does the
// fake. Downloads are not API calls and are not counted.
type RateLimit struct {
	PerSecond float64 // 0: no limit (the default)
	Burst     int     // calls that may come at once; default 1
}

// limiter is the token bucket behind RateLimit.
type limiter struct {
	RateLimit
	tokens    float64
	last      time.Time
	throttled int
}

// SetRateLimit makes the API enforce l from now on; a zero RateLimit turns the limit off.
func (s *Server) SetRateLimit(l RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.Burst = max(l.Burst, 1)
	s.limit = limiter{RateLimit: l, tokens: float64(l.Burst), last: time.Now()}
}

// Throttled is how many API calls were answered 429 because the token's budget was spent.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit.throttled
}

// throttle takes a call from the token's budget, or answers 429 when there is none left.
func (s *Server) throttle(w http.ResponseWriter) bool {
	s.mu.Lock()
	l := &s.limit
	if l.PerSecond <= 0 {
		s.mu.Unlock()
		return false
	}
	now := time.Now()
	l.tokens = min(float64(l.Burst), l.tokens+now.Sub(l.last).Seconds()*l.PerSecond)
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		s.mu.Unlock()
		return false
	}
	l.throttled++
	wait := int(math.Ceil((1 - l.tokens) / l.PerSecond))
	s.mu.Unlock()
	w.Header().Set("Retry-After", strconv.Itoa(max(wait, 1)))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"success": false,
		"errors": []any{map[string]any{"code": 971, "message": "Please wait and consider throttling your request speed"}}, "messages": []any{}, "result": nil})
	return true
}
