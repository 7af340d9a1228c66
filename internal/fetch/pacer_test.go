package fetch

import (
	"testing"
	"time"
)

func TestPacerSpendsABurstThenTheSustainedRate(t *testing.T) {
	p := newPacer(10, 5) // 100 ms per request after a burst of 5
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var waits []time.Duration
	for range 8 {
		waits = append(waits, p.reserve(t0))
	}
	want := []time.Duration{0, 0, 0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	// After a quiet second the bucket has refilled, to the burst and no further.
	later := t0.Add(10 * time.Second)
	for i := range 5 {
		if w := p.reserve(later); w != 0 {
			t.Fatalf("request %d after a pause waited %v", i, w)
		}
	}
	if w := p.reserve(later); w != 100*time.Millisecond {
		t.Fatalf("the sixth request after a pause waited %v, want 100ms: the burst must not grow past 5", w)
	}
}

func TestPacerBudgetOverAnyFiveMinutes(t *testing.T) {
	// The default rate and burst stay inside Cloudflare's 1,200 requests per 5 minutes per token.
	p := newPacer(DefaultRate, DefaultBurst)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sent := 0
	for {
		w := p.reserve(t0)
		if w > 5*time.Minute {
			break
		}
		sent++
	}
	if sent > 1200 || sent < 1000 {
		t.Fatalf("%d requests fit in the first 5 minutes; want the default to use most of 1,200 but never more", sent)
	}
}
