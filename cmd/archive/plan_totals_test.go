package main

import (
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

func TestPlanTotalsPerDestination(t *testing.T) {
	for name, tc := range map[string]struct {
		plans map[string]archiver.PlanTotal
		want  string
	}{
		"nothing": {nil, "would archive nothing\n"},
		"one": {map[string]archiver.PlanTotal{"local": {Recordings: 1, Files: 3, Bytes: 1234, UnknownFiles: 2}},
			"would archive to local: 1 recordings, 3 files, 1234 bytes known (0.0 MB), 2 files of unknown size\n"},
		"two, sorted, with the sum": {map[string]archiver.PlanTotal{
			"sftp": {Recordings: 1, Files: 2, Bytes: 2_000_000, UnknownFiles: 1},
			"aws":  {Recordings: 2, Files: 5, Bytes: 3_000_000, UnknownFiles: 2},
		}, "would archive to aws: 2 recordings, 5 files, 3000000 bytes known (3.0 MB), 2 files of unknown size\n" +
			"would archive to sftp: 1 recordings, 2 files, 2000000 bytes known (2.0 MB), 1 files of unknown size\n" +
			"would archive in all: 3 recordings, 7 files, 5000000 bytes known (5.0 MB), 3 files of unknown size\n"},
	} {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			printPlanTotals(&b, &archiver.Summary{Plans: tc.plans})
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}
