package parts

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestFill(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		r    io.Reader
		size int
		n    int
		err  error
	}{
		{"full, more to come", bytes.NewReader(make([]byte, 10)), 4, 4, nil},
		{"short: the end", bytes.NewReader(make([]byte, 3)), 4, 3, io.EOF},
		{"nothing left", bytes.NewReader(nil), 4, 0, io.EOF},
		{"exactly full, end not seen yet", bytes.NewReader(make([]byte, 4)), 4, 4, nil},
		{"end comes with the last bytes", iotest.DataErrReader(bytes.NewReader(make([]byte, 4))), 4, 4, io.EOF},
		{"error is returned", io.MultiReader(bytes.NewReader(make([]byte, 2)), iotest.ErrReader(boom)), 4, 2, boom},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(make([]byte, 6))), 4, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Fill(tc.r, make([]byte, tc.size))
			if n != tc.n || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("Fill = %d, %v; want %d, %v", n, err, tc.n, tc.err)
			}
		})
	}
}

type lastBytesErr struct{ err error }

func (l *lastBytesErr) Read(p []byte) (int, error) { return copy(p, "ab"), l.err }

func TestFillKeepsAnErrorThatComesWithTheLastBytes(t *testing.T) {
	boom := errors.New("boom")
	if n, err := Fill(&lastBytesErr{boom}, make([]byte, 2)); n != 2 || err != boom {
		t.Fatalf("Fill = %d, %v; want 2, boom (io.ReadFull would drop it)", n, err)
	}
}
