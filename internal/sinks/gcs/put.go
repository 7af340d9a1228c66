package gcs

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"mime"
	"net/http"
	"path"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// minChunk is the granularity of resumable upload chunks.
const minChunk = 256 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Put implements sinks.Sink.
func (s *Sink) Put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, false)
}

// Create implements sinks.Creator. The upload carries the precondition ifGenerationMatch=0, which the
// service checks when it commits the object: where one exists by then, it refuses with 412 and
// leaves that object as it was. A commit retried after its answer was lost is refused by the object it
// made; ErrExists then sends the caller to look, and it finds its own bytes.
func (s *Sink) Create(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, true)
}

func (s *Sink) write(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions, create bool) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	chunk := s.chunkFor(opts.Size)
	// The SDK allocates the chunk buffer itself and offers no way to share one: the pool only counts it.
	if err := s.chunks.Reserve(ctx, chunk); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: waiting for an upload buffer: %w", s.URL(key), err)
	}
	defer s.chunks.Release(chunk)

	v, err := sinks.BodyOf(r)
	if err != nil {
		return sinks.Object{}, err
	}
	attrs, crc, err := s.upload(ctx, key, v, chunk, opts.SHA256, create)
	if create && preconditionFailed(err) {
		return sinks.Object{}, fmt.Errorf("create %s: %w: %w", s.URL(key), sinks.ErrExists, err)
	}
	if err != nil {
		return sinks.Object{}, fmt.Errorf("put %s after %d bytes: %w", s.URL(key), v.N(), translate(err))
	}
	want, err := v.Object(key)
	if err != nil {
		return sinks.Object{}, err
	}
	if err := s.verify(ctx, attrs, want, crc); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	return want, nil
}

// upload streams v into a new object at key and commits it only once v ended without error, so a
// failed body or a cancelled ctx leaves nothing; with create, it commits only where no object is. It
// returns the attributes the service reported for the committed object and the CRC32C of the bytes read.
//
// The SDK sends its own CRC32C of the whole body with the final request, and the service refuses
// the object if the bytes it received differ. Writer.SendCRC32C would need the checksum before the
// first byte, which a streamed download does not give.
func (s *Sink) upload(ctx context.Context, key string, v sinks.Body, chunk int, sha string, create bool) (*storage.ObjectAttrs, uint32, error) {
	o := s.bucket.Object(key)
	if create {
		o = o.If(storage.Conditions{DoesNotExist: true})
	}
	// Writer.Close commits; cancelling its context is the only way to abandon the upload.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := o.NewWriter(wctx)
	w.ChunkSize = chunk
	// The SDK's own per-chunk bounds, from the same rule as every other request.
	w.ChunkTransferTimeout = s.deadlines.For(int64(chunk))
	w.ChunkRetryDeadline = time.Duration(s.deadlines.Attempts) * (w.ChunkTransferTimeout + s.deadlines.Backoff())
	w.ContentType = contentType(key)
	s.archive.apply(w, time.Now())
	if sha != "" {
		// Verified fails the body unless it hashes to sha, so it can be stored before it is checked.
		w.Metadata = map[string]string{sinks.MetadataSHA256: sha}
	}
	crc := crc32.New(castagnoli)
	_, err := io.Copy(w, io.TeeReader(v, crc))
	if err == nil {
		// A body that ended after ctx was cancelled must not be committed either.
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		return nil, 0, err
	}
	if err := w.Close(); err != nil {
		return nil, 0, err
	}
	return w.Attrs(), crc.Sum32(), nil
}

// preconditionFailed says whether the service refused a conditional request because its condition
// did not hold.
func preconditionFailed(err error) bool {
	var e *googleapi.Error
	return errors.As(err, &e) && e.Code == http.StatusPreconditionFailed
}

// chunkFor is the chunk size of one upload. A body known to be smaller than a chunk gets a buffer
// just big enough that the SDK sees its end in the first chunk and sends it as one request.
func (s *Sink) chunkFor(size int64) int {
	if size >= 0 && size < int64(s.chunkSize) {
		return roundChunk(size + 1)
	}
	return s.chunkSize
}

// roundChunk rounds n up to a multiple of minChunk, as the SDK would.
func roundChunk(n int64) int {
	return int(max(minChunk, (n+minChunk-1)/minChunk*minChunk))
}

// contentType is what browsers and the console show; without it the SDK would sniff the body.
func contentType(key string) string {
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}
