package termsafe_test

import (
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

func TestString(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain":             {"3f2b8c1e-0000-4000-8000-000000000001", "3f2b8c1e-0000-4000-8000-000000000001"},
		"unicode kept":      {"Sitzung Übung 会议.mp4", "Sitzung Übung 会议.mp4"},
		"backslash kept":    {`a\b`, `a\b`},
		"escape sequence":   {"x\x1b[2J\x1b]0;pwned\x07y", `x\x1b[2J\x1b]0;pwned\x07y`},
		"forged line":       {"boom\nrecordings: 9 archived", `boom\nrecordings: 9 archived`},
		"carriage return":   {"ok\r\x1b[K", `ok\r\x1b[K`},
		"tab":               {"a\tb", `a\tb`},
		"nul and del":       {"a\x00b\x7f", `a\x00b\x7f`},
		"C1 CSI":            {"a\u009b2Jb", `a\u009b2Jb`},
		"raw 8-bit CSI":     {"a\x9b2J", `a\x9b2J`},
		"invalid UTF-8":     {"a\xff\xfeb", `a\xff\xfeb`},
		"bidi override":     {"invoice\u202egnp.exe", `invoice\u202egnp.exe`},
		"bidi embeddings":   {"\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		"bidi isolates":     {"\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		"line separators":   {"a\u2028b\u2029c", `a\u2028b\u2029c`},
		"zero-width joiner": {"👩\u200d💻", "👩\u200d💻"},
		"empty":             {"", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := termsafe.String(tc.in)
			if got != tc.want {
				t.Fatalf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !termsafe.Safe(got) {
				t.Fatalf("the escaped %q is not safe itself", got)
			}
			if termsafe.Safe(tc.in) != (tc.in == tc.want) {
				t.Fatalf("Safe(%q) = %v", tc.in, termsafe.Safe(tc.in))
			}
		})
	}
}

func TestLinesKeepsLineBreaksOnly(t *testing.T) {
	in := "yaml: unmarshal errors:\n  line 3: field \x1b[31mdirr\u202e not found"
	want := "yaml: unmarshal errors:\n  line 3: field \\x1b[31mdirr\\u202e not found"
	if got := termsafe.Lines(in); got != want {
		t.Fatalf("Lines(%q) = %q, want %q", in, got, want)
	}
}
