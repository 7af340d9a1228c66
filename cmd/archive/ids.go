package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// readIDs reads a backfill file: one recording ID per line, blank lines and # comments ignored,
// duplicates kept once. A line that is not a UUID becomes a job that fails with the line number, so one
// typo does not stop a backfill of thousands.
func readIDs(name string, stdin io.Reader) ([]archiver.Job, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("--ids: %v", err)
		}
		defer f.Close()
		r = f
	}
	seen := map[string]bool{}
	var jobs []archiver.Job
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			text = withoutBOM(strings.TrimSpace(text))
		}
		line, _, _ := strings.Cut(text, "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id := strings.ToLower(line)
		if seen[id] {
			continue
		}
		seen[id] = true
		job := archiver.Job{ID: id}
		if !uuidRE.MatchString(line) {
			job = archiver.Job{ID: line, Reject: fmt.Sprintf("line %d of %s: %q is not a recording ID (a UUID)", n, name, line)}
		}
		jobs = append(jobs, job)
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--ids %s: %v", name, err)
	}
	return jobs, nil
}
