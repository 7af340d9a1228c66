package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// Set at build time by scripts/build-image.sh with -ldflags "-X main.version=... -X main.commit=...".
// commit is the fallback for builds without VCS stamping (the build script turns it off: a git
// that refuses the checkout, as for a clone owned by another user, would fail the build).
var (
	version = "dev"
	commit  = ""
)

// buildVersion is what `archive version` prints, from the linker flags and the binary's build info.
type buildVersion struct {
	Version  string // the release, or the module version of a `go install`, or "dev"
	Commit   string // the source revision, "unknown" when the build recorded none
	Modified bool   // built from a work tree with uncommitted changes
	Go       string // the Go toolchain that built it
	Platform string // GOOS/GOARCH it was built for
}

func readBuildVersion() buildVersion {
	v := buildVersion{Version: version, Commit: commit}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v.withDefaults()
	}
	v.Go = info.GoVersion
	if v.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v.Version = info.Main.Version
	}
	var goos, goarch string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" {
		v.Platform = goos + "/" + goarch
	}
	return v.withDefaults()
}

func (v buildVersion) withDefaults() buildVersion {
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	if v.Go == "" {
		v.Go = "unknown"
	}
	return v
}

// printVersion writes the version on the first line (what scripts read), then commit, Go and platform.
func printVersion(w io.Writer) {
	v := readBuildVersion()
	fmt.Fprintln(w, "archive", v.Version)
	modified := ""
	if v.Modified {
		modified = " (modified)"
	}
	fmt.Fprintf(w, "commit:   %s%s\n", v.Commit, modified)
	fmt.Fprintf(w, "go:       %s\n", v.Go)
	if v.Platform != "" {
		fmt.Fprintf(w, "platform: %s\n", v.Platform)
	}
}
