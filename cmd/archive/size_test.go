package main

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"500": 500, "1KiB": 1024, "64KiB": 64 << 10, "16GiB": 16 << 30, "2GB": 2e9, "1.5MiB": 3 << 19, "0": 0, "7 GB": 7e9} {
		var s byteSize
		if err := s.Set(in); err != nil || int64(s) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, s, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "lots", "1XB", "1e30GiB"} {
		var s byteSize
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted as %d", bad, s)
		}
	}
	if s := byteSize(16 << 30); s.String() != "16GiB" {
		t.Errorf("String() = %s", s.String())
	}
}
