// Package gcs stores archived files in a Google Cloud Storage bucket through the JSON API.
//
// A Put streams through one resumable upload (a single request for bodies known to fit in one chunk)
// and commits only when the whole body was read without error: a failed or cancelled Put cancels the
// upload, so nothing new appears at the key and an object already there stays as it was. After the
// commit the object's size and CRC32C as stored by the service are checked against what was read.
// Sinks are safe for concurrent use.
package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"cloud.google.com/go/storage"
	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// Defaults for Config.
const (
	DefaultChunkSize    = 8 << 20
	DefaultBufferBudget = 64 << 20
)

// Config says where a Sink writes.
type Config struct {
	Bucket string
	// Endpoint is the JSON API endpoint of an emulator, e.g. http://127.0.0.1:4443/storage/v1/.
	// Requests to it go unauthenticated. Empty means Google Cloud Storage with Application Default
	// Credentials.
	Endpoint string
	// ChunkSize is the resumable upload chunk: each upload in flight buffers one chunk so that a
	// failed chunk can be resent. DefaultChunkSize when 0.
	ChunkSize int
	// BufferBudget bounds the chunk buffers of all uploads of this sink together (rounded down to
	// whole chunks, at least one); a Put waits for room before it starts. DefaultBufferBudget when 0.
	BufferBudget int64
	// Deadlines bound every request and its retries (sinks.Deadlines' defaults when zero): the SDK
	// would otherwise retry a failing upload for as long as the caller's context lasts.
	Deadlines sinks.Deadlines
	// Archive: storage class, KMS key, retention and hold of every object (options.go).
	Archive Archive
	// Setting is the config path of these settings, for messages (e.g. destinations.gcs).
	Setting string
}

// Sink is a GCS bucket. It holds one client, and so one connection pool, for all its calls.
type Sink struct {
	client    *storage.Client
	bucket    *storage.BucketHandle
	name      string
	chunkSize int
	chunks    *parts.Pool // bounds the chunk buffers of all uploads together
	deadlines sinks.Deadlines
	archive   Archive
	setting   string // config path of the archive settings, for messages
}

var (
	_ sinks.Sink    = (*Sink)(nil)
	_ sinks.Creator = (*Sink)(nil)
)

// New builds a sink on cfg.Bucket. It makes no request: a missing bucket shows on the first call.
func New(ctx context.Context, cfg Config) (*Sink, error) {
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint), option.WithoutAuthentication())
	}
	cfg.Deadlines = cfg.Deadlines.WithDefaults()
	if cfg.Bucket == "" {
		return nil, errors.New("gcs: no bucket")
	}
	if cfg.Setting == "" {
		cfg.Setting = "gcs"
	}
	if err := cfg.Archive.Check(cfg.Setting); err != nil {
		return nil, err
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	if cfg.BufferBudget <= 0 {
		cfg.BufferBudget = DefaultBufferBudget
	}
	// Every attempt of every request is bounded beneath the credentials: a request the service took and
	// never answered is cut, and the SDK's retryer sends it again.
	transport, err := htransport.NewTransport(ctx, &attemptCap{next: sinks.DeadlineTransport(nil, cfg.Deadlines), max: cfg.Deadlines.Attempts}, append(opts, option.WithScopes(storage.ScopeFullControl))...)
	if err != nil {
		return nil, fmt.Errorf("gcs client for bucket %s: %w", cfg.Bucket, err)
	}
	opts = append(opts, option.WithHTTPClient(&http.Client{Transport: transport}))
	client, err := storage.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcs client for bucket %s: %w", cfg.Bucket, err)
	}
	// Every call may be retried, uploads included. The SDK treats an upload without a generation
	// precondition as not idempotent, but a Put only ever rewrites the same verified bytes to the same
	// key, so repeating it is harmless. The SDK retries forever by default: Deadlines.Attempts bounds it.
	client.SetRetry(storage.WithPolicy(storage.RetryAlways), storage.WithMaxAttempts(cfg.Deadlines.Attempts), storage.WithErrorFunc(shouldRetry),
		storage.WithBackoff(gax.Backoff{Initial: min(time.Second, cfg.Deadlines.Backoff()), Max: cfg.Deadlines.Backoff(), Multiplier: 2}))
	chunk := roundChunk(int64(cfg.ChunkSize))
	return &Sink{
		client:    client,
		bucket:    client.Bucket(cfg.Bucket),
		name:      cfg.Bucket,
		chunkSize: chunk,
		chunks:    parts.NewPool(chunk, int(max(cfg.BufferBudget/int64(chunk), 1))),
		deadlines: cfg.Deadlines,
		archive:   cfg.Archive,
		setting:   cfg.Setting,
	}, nil
}

// Close releases the client's connections.
func (s *Sink) Close() error { return s.client.Close() }

// URL implements sinks.Sink: gs://bucket/key.
func (s *Sink) URL(key string) string { return "gs://" + s.name + "/" + key }
