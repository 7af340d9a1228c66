package parts

import "io"

// Fill reads from r into buf until buf is full or r ends. It returns:
//   - nil when buf is full and r has not said it ended (the body may go on, or its next Read may
//     be io.EOF with no bytes);
//   - io.EOF when r returned io.EOF: the body ended and buf[:n] is its last part (n may be 0, or
//     len(buf) when the end came with the last bytes);
//   - any other error of r as r returned it, never dropped even when it came with the last bytes.
//
// Unlike io.ReadFull, io.EOF always means the end of the body, whatever n is.
func Fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
