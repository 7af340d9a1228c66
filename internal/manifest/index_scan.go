package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// scanFilter says which lines an index needs: those written at or after since, and every line of the
// recordings in ids (lower-cased), whatever its age. A nil ids keeps no recording for its ID alone.
type scanFilter struct {
	since time.Time
	ids   map[string]bool
}

// scan applies the lines of r, which starts at byte offset from of the manifest, to x: whole lines only
// (a torn last line is left for the writer to repair). It returns the offset after the last whole line
// and the lines it could not read. Lines the filter rejects by their time or ID are passed over without
// decoding them, so a pass over years of history costs about a read of the file.
func (x *Index) scan(r io.Reader, from int64, firstLine int64, f scanFilter) (end int64, lines int64, problems []Problem, err error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	end = from
	for lineNo := firstLine; ; lineNo++ {
		line, tooLong, rerr := readLine(br)
		if rerr == io.EOF {
			return end, lineNo - firstLine, problems, nil // nothing, or a torn last line
		}
		if rerr != nil {
			return end, lineNo - firstLine, problems, rerr
		}
		switch {
		case tooLong:
			problems = append(problems, Problem{int(lineNo), fmt.Sprintf("longer than %d bytes", MaxLine)})
		case len(bytes.TrimSpace(line)) == 0:
			problems = append(problems, Problem{int(lineNo), "empty line"})
		case !f.wants(line):
		default:
			var e Entry
			if err := json.Unmarshal(line, &e); err != nil || e.RecordingID == "" {
				problems = append(problems, Problem{int(lineNo), "not a manifest entry"})
			} else if f.keeps(e) {
				x.add(e)
			}
		}
		end = from + cr.n - int64(br.Buffered())
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// wants is the filter's quick look at a raw line: false only when the line's own time (the writer puts
// it last) is before since and its recording ID (the writer puts it first) is not asked for. Anything it
// can't read that way is decoded.
func (f scanFilter) wants(line []byte) bool {
	if f.since.IsZero() {
		return true
	}
	t, ok := rawTime(line)
	if !ok || !t.Before(f.since) {
		return true
	}
	if f.ids == nil {
		return false
	}
	id, ok := rawID(line)
	return !ok || f.ids[strings.ToLower(id)]
}

// keeps is wants for a decoded entry.
func (f scanFilter) keeps(e Entry) bool {
	return f.since.IsZero() || !e.Time.Before(f.since) || (f.ids != nil && f.ids[strings.ToLower(e.RecordingID)])
}

var (
	timeField = []byte(`"time":"`)
	idPrefix  = []byte(`{"recording_id":"`)
)

func rawTime(line []byte) (time.Time, bool) {
	i := bytes.LastIndex(line, timeField)
	if i < 0 {
		return time.Time{}, false
	}
	rest := line[i+len(timeField):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return t, err == nil
}

func rawID(line []byte) (string, bool) {
	if !bytes.HasPrefix(line, idPrefix) {
		return "", false
	}
	rest := line[len(idPrefix):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}
