package sinks

import (
	"context"
	"io"
)

// ContextReader returns a reader that stops as soon as ctx ends: a cancelled Put must not go on
// draining a download that nobody will store.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
