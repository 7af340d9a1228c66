// Package manifesttest writes synthetic manifest history, fast, for tests and benchmarks of scale: the
// lines a run writes for recordings archived long ago, which a run today never needs.
package manifesttest

import (
	"bufio"
	"io"
	"strconv"
	"time"
)

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

// ID is the n-th synthetic recording ID, a UUID that no fetchtest recording uses.
func ID(n int) string {
	const hexDigits = "0123456789abcdef"
	b := []byte("a0000000-0000-4000-8000-000000000000")
	for i, v := len(b)-1, uint64(n); v > 0 && i > 23; i, v = i-1, v>>4 {
		b[i] = hexDigits[v&15]
	}
	return string(b)
}

// History writes, for recordings first, first+1, ... first+n-1, the media and details lines a run
// writes when it archives a recording to destination (a URL prefix such as file:///archive), at times
// spread evenly over [from, to), and returns the lines written.
func History(w io.Writer, destination string, first, n int, from, to time.Time) (lines int, err error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	step := to.Sub(from) / time.Duration(max(n, 1))
	var line, sha []byte
	for i := range n {
		at := from.Add(time.Duration(i) * step).UTC()
		id := ID(first + i)
		day := at.Format("2006/01/02")
		for k, f := range [...]struct{ kind, name string }{{"media", "call.mp4"}, {"metadata", "recording.json"}} {
			sha = strconv.AppendUint(append(sha[:0], zeros...), uint64(first+i)<<1|uint64(k), 16)
			line = append(line[:0], `{"recording_id":"`...)
			line = append(line, id...)
			line = append(line, `","kind":"`...)
			line = append(line, f.kind...)
			line = append(line, `","status":"archived","destination":"`...)
			line = append(line, destination...)
			line = append(line, '/')
			line = append(line, day...)
			line = append(line, '/')
			line = append(line, id...)
			line = append(line, '/')
			line = append(line, f.name...)
			line = append(line, `","size":`...)
			line = strconv.AppendInt(line, int64(1000+i), 10)
			line = append(line, `,"sha256":"`...)
			line = append(line, sha[len(sha)-64:]...)
			line = append(line, `","target":"local","file":"`...)
			line = append(line, f.name...)
			line = append(line, `","expiry":"`...)
			line = at.Add(7*24*time.Hour).AppendFormat(line, time.RFC3339)
			line = append(line, `","time":"`...)
			line = at.AppendFormat(line, time.RFC3339Nano)
			line = append(line, "\"}\n"...)
			if _, err := bw.Write(line); err != nil {
				return lines, err
			}
			lines++
		}
	}
	return lines, bw.Flush()
}
