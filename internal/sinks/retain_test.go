package sinks

import (
	"strings"
	"testing"
	"time"
)

func TestParseLongDuration(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]time.Duration{"7y": 7 * 365 * day, "30d": 30 * day, "2y180d": (730 + 180) * day, "36h": 36 * time.Hour, "1d12h": 36 * time.Hour} {
		if got, err := ParseLongDuration(in); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "7", "7 years", "y", "1w", "-1y"} {
		if _, err := ParseLongDuration(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestRetainPeriod(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	if got := (RetainPeriod{RetainFor: "1y"}).Until(now); !got.Equal(time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("1y from %s = %s", now, got)
	}
	if got := (RetainPeriod{RetainUntil: "2033-12-31T00:00:00Z"}).Until(now); got.Year() != 2033 {
		t.Errorf("retain_until = %s", got)
	}
	for p, says := range map[RetainPeriod]string{
		{}:                                  "x: set retain_for",
		{RetainFor: "1y", RetainUntil: "x"}: "not both",
		{RetainFor: "0d"}:                   "positive",
		{RetainUntil: "2033-12-31"}:         "x.retain_until",
	} {
		if err := p.Check("x"); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%+v: %v, want %q", p, err, says)
		}
	}
}

func TestTags(t *testing.T) {
	var tags Tags
	if err := tags.UnmarshalYAML(func(v any) error {
		*(v.(*map[string]string)) = map[string]string{"team": "support", "a b": "c&d"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if tags != "a+b=c%26d&team=support" || tags.Map()["a b"] != "c&d" {
		t.Errorf("tags %q, map %v", tags, tags.Map())
	}
}
