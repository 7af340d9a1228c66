package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// EachObject calls fn, in manifest order, with the latest archived or present line of every object
// the manifest at path records (what verify proves) and when the object was uploaded: the time of its
// first archived line (a later present line's time is when a run found it), zero when no line says. It
// reads the file twice and keeps about 50 bytes per object, never the lines, so a manifest of years can
// be verified whole. count is called before the first fn with how many objects there are; an error fn
// returns ends the walk and is returned as it is. The problems are the lines that could not be read.
// A missing manifest is ErrNotExist.
func EachObject(path string, count func(int), fn func(e Entry, uploaded time.Time) error) ([]Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type seen struct {
		latest   int64 // offset of its latest done line
		uploaded int64 // Unix nanoseconds of its first archived line; 0 for none
	}
	objects := map[hashKey]seen{}
	problems, err := eachLine(f, func(e Entry, at int64) error {
		if e.Destination == "" || !e.Done() {
			return nil
		}
		k := objectKey(e.Destination, e.Kind)
		o := objects[k]
		o.latest = at
		if e.Status == StatusArchived && !e.Time.IsZero() && (o.uploaded == 0 || e.Time.UnixNano() < o.uploaded) {
			o.uploaded = e.Time.UnixNano()
		}
		objects[k] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	count(len(objects))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var fnErr error
	_, err = eachLine(f, func(e Entry, at int64) error {
		if e.Destination == "" || !e.Done() {
			return nil
		}
		if o := objects[objectKey(e.Destination, e.Kind)]; o.latest == at {
			var uploaded time.Time
			if o.uploaded != 0 {
				uploaded = time.Unix(0, o.uploaded).UTC()
			}
			fnErr = fn(e, uploaded)
		}
		return fnErr
	})
	switch {
	case fnErr != nil:
		return problems, fnErr
	case err != nil:
		return problems, fmt.Errorf("manifest %s: %w", path, err)
	}
	return problems, nil
}

// eachLine calls fn with every readable entry of r and the offset its line starts at. A line too long,
// empty or not an entry is skipped and reported; a torn last line (no newline: a crash mid-write) is
// skipped silently.
func eachLine(r io.Reader, fn func(Entry, int64) error) ([]Problem, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	var problems []Problem
	var buf []byte
	for lineNo := 1; ; lineNo++ {
		at := cr.n - int64(br.Buffered())
		line, tooLong, err := readLineInto(br, buf)
		buf = line
		if err == io.EOF {
			return problems, nil // nothing more, or a torn last line
		}
		if err != nil {
			return problems, err
		}
		switch {
		case tooLong:
			problems = append(problems, Problem{lineNo, fmt.Sprintf("longer than %d bytes", MaxLine)})
		case len(bytes.TrimSpace(line)) == 0:
			problems = append(problems, Problem{lineNo, "empty line"})
		default:
			var e Entry
			if err := json.Unmarshal(line, &e); err != nil || e.RecordingID == "" {
				problems = append(problems, Problem{lineNo, "not a manifest entry"})
				continue
			}
			if err := fn(e, at); err != nil {
				return problems, err
			}
		}
	}
}
