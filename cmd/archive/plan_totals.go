package main

import (
	"fmt"
	"io"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

// printPlanTotals ends a dry run's plan with what it would write to each destination.
func printPlanTotals(w io.Writer, s *archiver.Summary) {
	dests := s.PlanDestinations()
	if len(dests) == 0 {
		fmt.Fprintln(w, "would archive nothing")
		return
	}
	var all archiver.PlanTotal
	for _, d := range dests {
		p := s.Plans[d]
		fmt.Fprintf(w, "would archive to %s: %s\n", d, planTotalText(p))
		all.Recordings += p.Recordings
		all.Files += p.Files
		all.Bytes += p.Bytes
		all.UnknownFiles += p.UnknownFiles
	}
	if len(dests) > 1 {
		fmt.Fprintf(w, "would archive in all: %s\n", planTotalText(all))
	}
}

func planTotalText(p archiver.PlanTotal) string {
	return fmt.Sprintf("%d recordings, %d files, %d bytes known (%.1f MB), %d files of unknown size",
		p.Recordings, p.Files, p.Bytes, float64(p.Bytes)/1e6, p.UnknownFiles)
}
