package main

import (
	"regexp"
	"strings"
	"testing"
)

var lowerUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func FuzzReadIDs(f *testing.F) {
	for _, s := range []string{
		"3F2B8C1E-0000-4000-8000-000000000001\n3f2b8c1e-0000-4000-8000-000000000001 # again\n",
		"# comment\n\n  3f2b8c1e-0000-4000-8000-000000000002\r\nnot-a-uuid\nnot-a-uuid\n",
		"3f2b8c1e-0000-4000-8000-00000000000\n3f2b8c1e-0000-4000-8000-0000000000011\n",
		"\x1b[2J\n\u202e3f2b8c1e-0000-4000-8000-000000000003\n\xff\n",
		"\ufeff3f2b8c1e-0000-4000-8000-000000000005\n\ufeff3f2b8c1e-0000-4000-8000-000000000006\n",
		"3f2b8c1e-0000-4000-8000-000000000004#x\n\t3f2b8c1e-0000-4000-8000-000000000004\t\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		jobs, err := readIDs("-", strings.NewReader(in))
		if err != nil {
			return // a line too long for the scanner: bad usage, reported as such
		}
		seen := map[string]bool{}
		for _, j := range jobs {
			if j.Reject != "" {
				continue
			}
			if !lowerUUID.MatchString(j.ID) {
				t.Fatalf("accepted %q, which is not a lowercase UUID", j.ID)
			}
			if seen[j.ID] {
				t.Fatalf("%q accepted twice", j.ID)
			}
			seen[j.ID] = true
		}
	})
}
