package sinks

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// RetainPeriod is how long a write-once destination keeps each object: retain_for (a duration from
// the moment of the upload) or retain_until (a fixed RFC 3339 time), as the config gives them. Drivers
// embed it in their retention settings, so every store reads durations the same way.
type RetainPeriod struct {
	RetainFor   string `yaml:"retain_for"`
	RetainUntil string `yaml:"retain_until"`
}

// IsZero reports whether neither is set.
func (p RetainPeriod) IsZero() bool { return p.RetainFor == "" && p.RetainUntil == "" }

// Check validates the pair; setting names it in errors (e.g. destinations.aws.object_lock).
func (p RetainPeriod) Check(setting string) error {
	switch {
	case p.RetainFor != "" && p.RetainUntil != "":
		return fmt.Errorf("%s: set retain_for or retain_until, not both", setting)
	case p.RetainFor == "" && p.RetainUntil == "":
		return fmt.Errorf("%s: set retain_for (e.g. 7y) or retain_until (an RFC 3339 time)", setting)
	case p.RetainFor != "":
		d, err := ParseLongDuration(p.RetainFor)
		if err != nil {
			return fmt.Errorf("%s.retain_for: %w", setting, err)
		}
		if d <= 0 {
			return fmt.Errorf("%s.retain_for: %q must be positive", setting, p.RetainFor)
		}
	default:
		if _, err := time.Parse(time.RFC3339, p.RetainUntil); err != nil {
			return fmt.Errorf("%s.retain_until: %q is not an RFC 3339 time like 2033-12-31T00:00:00Z", setting, p.RetainUntil)
		}
	}
	return nil
}

// Until is the retain-until time of an object written at now. Call it only after Check passed.
func (p RetainPeriod) Until(now time.Time) time.Time {
	if p.RetainUntil != "" {
		t, _ := time.Parse(time.RFC3339, p.RetainUntil)
		return t.UTC()
	}
	d, _ := ParseLongDuration(p.RetainFor)
	// Whole seconds: the stores keep no finer, and a verify compares against this value.
	return now.Add(d).UTC().Truncate(time.Second)
}

// ParseLongDuration reads a duration with days (d, 24h) and years (y, 365 days) as well as Go's units:
// 7y, 30d, 2y180d, 36h.
func ParseLongDuration(s string) (time.Duration, error) {
	orig := s
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == 0 || i == len(s) || (s[i] != 'd' && s[i] != 'y') {
			// The rest must be a plain Go duration.
			d, err := time.ParseDuration(s)
			if err != nil {
				return 0, fmt.Errorf("%q is not a duration like 7y, 30d or 36h", orig)
			}
			return total + d, nil
		}
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration like 7y, 30d or 36h", orig)
		}
		unit := 24 * time.Hour
		if s[i] == 'y' {
			unit *= 365
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	return total, nil
}
