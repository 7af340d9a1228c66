package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to the file named by ARCHIVE_CPUPROFILE, for performance work on
// the real binary (go tool pprof archive FILE). It returns the function that finishes it.
func startProfile(getenv func(string) string) func() {
	path := getenv("ARCHIVE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "archive: ARCHIVE_CPUPROFILE:", err)
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() { pprof.StopCPUProfile(); f.Close() }
}
