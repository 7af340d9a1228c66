package azure

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// maxKeyLen is Azure's limit on a blob name, in characters.
const maxKeyLen = 1024

// checkKey refuses names Azure would reject or silently rewrite: blob names are slash-separated paths
// that must not be empty, end in a dot or slash, or hold dot segments (they are resolved away in URLs).
func checkKey(key string) error {
	bad := key == "" || !utf8.ValidString(key) || utf8.RuneCountInString(key) > maxKeyLen ||
		strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.HasSuffix(key, ".") ||
		strings.ContainsFunc(key, unicode.IsControl) || strings.Contains(key, `\`)
	for seg := range strings.SplitSeq(key, "/") {
		bad = bad || seg == "" || seg == "." || seg == ".."
	}
	if bad {
		return fmt.Errorf("blob name %q: %w", key, sinks.ErrInvalidKey)
	}
	return nil
}
