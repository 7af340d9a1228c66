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
	since     time.Time
	sinceText string // since in UTC, to the second, as the writer formats times
	ids       map[string]bool
	idsOnly   bool // keep the lines of ids alone, whatever their time
}

func newScanFilter(since time.Time, ids map[string]bool) scanFilter {
	f := scanFilter{since: since, ids: ids}
	if !since.IsZero() {
		// Truncated to the second: a line in since's own second is decoded and judged exactly.
		f.sinceText = since.UTC().Format("2006-01-02T15:04:05")
	}
	return f
}

// scan applies the lines of r, which starts at byte offset from of the manifest, to x: whole lines only
// (a torn last line is left for the writer to repair). It returns the offset after the last whole line
// and the lines it could not read. Lines the filter rejects by their time or ID are passed over without
// decoding them, so a pass over years of history costs about a read of the file.
func (x *Index) scan(r io.Reader, from int64, firstLine int64, f scanFilter) (end int64, lines int64, problems []Problem, err error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	end = from
	var buf []byte
	for lineNo := firstLine; ; lineNo++ {
		line, tooLong, rerr := readLineInto(br, buf)
		buf = line
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
	if f.idsOnly {
		id, ok := rawID(line)
		return !ok || f.ids[strings.ToLower(id)]
	}
	if f.since.IsZero() || !f.before(line) {
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
	if f.idsOnly {
		return f.ids[strings.ToLower(e.RecordingID)]
	}
	return f.since.IsZero() || !e.Time.Before(f.since) || (f.ids != nil && f.ids[strings.ToLower(e.RecordingID)])
}

var (
	timeField = []byte(`"time":"`)
	idPrefix  = []byte(`{"recording_id":"`)
)

// before reports whether the line's time field is known to be before since. The writer writes UTC
// in RFC 3339: whole seconds compare as text, without parsing; anything else is parsed.
func (f scanFilter) before(line []byte) bool {
	i := bytes.LastIndex(line, timeField)
	if i < 0 {
		return false
	}
	rest := line[i+len(timeField):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return false
	}
	raw := rest[:j]
	const seconds = len("2006-01-02T15:04:05")
	if len(raw) > seconds && raw[len(raw)-1] == 'Z' && raw[10] == 'T' && len(f.sinceText) == seconds {
		return string(raw[:seconds]) < f.sinceText
	}
	t, err := time.Parse(time.RFC3339Nano, string(raw))
	return err == nil && t.Before(f.since)
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
