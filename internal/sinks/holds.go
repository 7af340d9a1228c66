package sinks

import (
	"context"
	"fmt"
)

// Holds says whether the object at key is the one expected: size bytes (-1: any size) whose SHA-256
// expect returns. It returns an error matching ErrNotFound when nothing is at key. The SHA-256 is the
// destination's own record when it keeps one, else it is read back, unless the object is cold (a
// restore would be needed first): that fails with ErrRestoreRequired and reads nothing. expect is
// asked only when the size allows a match, so a caller that must download the source to learn its
// SHA-256 does so only then.
func Holds(ctx context.Context, s Sink, key string, size int64, expect func() (string, error)) (Object, bool, error) {
	st, err := s.Stat(ctx, key)
	if err != nil {
		return Object{}, false, err
	}
	if size >= 0 && st.Size != size {
		return st, false, nil
	}
	want, err := expect()
	if err != nil {
		return st, false, err
	}
	if st.SHA256 == "" {
		if d, err := Describe(ctx, s, key); err == nil && d.Cold {
			return st, false, fmt.Errorf("the object already at %s keeps no SHA-256 and can't be read: %w", s.URL(key), ErrRestoreRequired)
		}
		rb, err := ReadBack(ctx, s, key)
		if err != nil {
			return st, false, fmt.Errorf("verifying the object already at %s: %w", s.URL(key), err)
		}
		st.Size, st.SHA256 = rb.Size, rb.SHA256
	}
	return st, want != "" && st.SHA256 == want, nil
}
