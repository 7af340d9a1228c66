package sinks

import (
	"errors"
	"strings"
	"testing"
)

func TestChecksumNotRecorded(t *testing.T) {
	denied := errors.New("AccessDenied")
	gone := errors.New("connection reset")
	removed := ChecksumNotRecorded(denied, nil)
	if !errors.Is(removed, denied) || !strings.Contains(removed.Error(), "was removed") {
		t.Fatalf("removed: %v", removed)
	}
	left := ChecksumNotRecorded(denied, gone)
	if !errors.Is(left, denied) || !errors.Is(left, gone) || !strings.Contains(left.Error(), "is at the key without its checksum") {
		t.Fatalf("not removed: %v", left)
	}
}
