// Package termsafe makes untrusted text safe to print on a terminal.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every character that a terminal would act on, instead of showing, written as a
// Go escape: C0 controls (\n, \t, \r and \x00-style), DEL, C1 controls (\u009b, which some terminals take
// as the start of a control sequence), bytes that are not UTF-8, the bidirectional embeddings,
// overrides and isolates (U+202A-U+202E, U+2066-U+2069, which reorder what follows them on screen), and
// the line and paragraph separators U+2028/U+2029 (which end a line in some viewers, so a value
// could forge a line of its own). Everything else, backslashes included, is kept: this is for showing
// text to a person, not for encoding it reversibly.
func String(s string) string {
	if Safe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// Safe reports whether s prints as itself: String(s) == s.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Lines is String applied to each line of s: the line breaks stay, for messages that are meant to
// span lines (a config file's list of errors); everything else is escaped.
func Lines(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = String(lines[i])
	}
	return strings.Join(lines, "\n")
}
