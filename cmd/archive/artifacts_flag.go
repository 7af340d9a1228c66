package main

import (
	"slices"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// parseArtifacts reads --artifacts: session artifact kinds, comma-separated, or all; empty is none.
// The kinds come back in the order a run handles them, each once.
func parseArtifacts(s string) ([]string, error) {
	var chosen []string
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		switch {
		case w == "":
		case w == "all":
			chosen = append(chosen, manifest.ArtifactKinds...)
		case manifest.IsArtifact(w):
			chosen = append(chosen, w)
		default:
			return nil, usagef("--artifacts: unknown artifact %q: must be transcript, summary, chat (comma-separated) or all", w)
		}
	}
	var kinds []string
	for _, k := range manifest.ArtifactKinds {
		if slices.Contains(chosen, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}
