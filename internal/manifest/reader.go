package manifest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// Read returns every entry of the manifest at path; a missing file is an empty manifest. A torn last
// line (a crash mid-write) is ignored; a malformed line anywhere else is an error, since it means the
// file is not a manifest of ours.
func Read(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	var entries []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	lineNo := 0
	var pendingErr error
	for sc.Scan() {
		lineNo++
		if pendingErr != nil {
			return nil, pendingErr
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.RecordingID == "" {
			pendingErr = fmt.Errorf("manifest %s: line %d is not a manifest entry", path, lineNo)
			continue
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return entries, nil
}

// Index is what earlier runs archived, by destination URL: the last entry that says the file is done.
type Index map[string]Entry

// NewIndex indexes the done entries among entries; a later entry for the same destination wins.
func NewIndex(entries []Entry) Index {
	idx := Index{}
	for _, e := range entries {
		if e.Destination == "" {
			continue
		}
		if e.Done() {
			idx[e.Destination] = e
		} else if e.Status == StatusFailed {
			delete(idx, e.Destination)
		}
	}
	return idx
}
