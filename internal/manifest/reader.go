package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLine is the longest line the reader accepts. The writer bounds every field that can grow (error
// text is cut to MaxErrorBytes), so a longer line is damage, not data.
const MaxLine = 1 << 20

// Problem is a line of the manifest that could not be read; it is skipped, never fatal, so one damaged
// line cannot stop every later run.
type Problem struct {
	Line   int
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// Read returns every readable entry of the manifest at path; a missing file is an empty manifest.
// Damaged lines are skipped (ReadChecked reports them).
func Read(path string) ([]Entry, error) {
	entries, _, err := ReadChecked(path)
	return entries, err
}

// ReadChecked is Read that also reports the lines it skipped. A torn last line (a crash mid-write,
// repaired by the next writer) is skipped without a report. Only failing to read the file is an error.
func ReadChecked(path string) ([]Entry, []Problem, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	entries, problems, err := decodeLines(f)
	if err != nil {
		return nil, nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return entries, problems, nil
}

// decodeLines reads JSON lines from r, skipping the ones that are not entries.
func decodeLines(r io.Reader) ([]Entry, []Problem, error) {
	var entries []Entry
	problems, err := eachLine(r, func(e Entry, _ int64) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return entries, problems, nil
}

// readLineInto returns the next line without its newline, read into line's array (reused by a caller
// that does not keep lines); a line over MaxLine is drained and reported as tooLong, never buffered
// whole. err is io.EOF for a last line without a newline.
func readLineInto(br *bufio.Reader, line []byte) (_ []byte, tooLong bool, err error) {
	line = line[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > MaxLine+1 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return line, tooLong, err
		}
	}
}
