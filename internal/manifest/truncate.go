package manifest

import "unicode/utf8"

// MaxErrorBytes bounds a line's error text. An error can carry text from a remote service (an API
// error body, a destination's message); its start says what went wrong, and a bound keeps every line
// readable by every later run.
const MaxErrorBytes = 1024

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "… (truncated)"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
