package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// Put reads the first part into a pooled buffer. A body that ends within it is sent with one
// PutObject; a longer one goes through a multipart upload (upload.go). Either way nothing is sent
// that has not been read into memory, so every request body is a seekable bytes.Reader the SDK can
// sign, checksum and retry.
func (s *Sink) Put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.put(ctx, key, r, opts, false)
}

// Create is Put with If-None-Match: * on the request that makes the object appear (the PutObject, or
// CompleteMultipartUpload): S3 refuses it with 412 when an object is already at the key, atomically.
func (s *Sink) Create(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.put(ctx, key, r, opts, true)
}

func (s *Sink) put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions, ifAbsent bool) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	slots, err := s.slotsPerPart(opts.Size)
	if err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	body, err := sinks.BodyOf(r)
	if err != nil {
		return sinks.Object{}, err
	}
	src := io.Reader(body)
	size := int(s.cfg.PartSize) * slots
	if opts.Size >= 0 && opts.Size <= smallBody {
		// A tiny file takes a buffer of its own size, not a whole part's.
		size = int(opts.Size) + 1 // one byte more sees the end
	}
	buf, err := s.pool.Get(ctx, size)
	if err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	n, err := parts.Fill(src, buf)
	if err == nil {
		// The buffer is full: one byte more tells a body of exactly one buffer (one PutObject) from
		// a longer one, without holding a second buffer while waiting for it.
		var probe [1]byte
		switch _, err = io.ReadFull(src, probe[:]); {
		case err == nil && size == int(opts.Size)+1:
			err = fmt.Errorf("body longer than %d bytes: %w", opts.Size, sinks.ErrSizeMismatch)
		case err == nil:
			return s.putMultipart(ctx, key, body, buf, io.MultiReader(bytes.NewReader(probe[:]), src), opts.SHA256, ifAbsent)
		}
	}
	defer s.pool.Put(buf)
	if err != io.EOF {
		return sinks.Object{}, fmt.Errorf("put %s: read body: %w", s.URL(key), err)
	}
	obj, err := body.Object(key)
	if err != nil {
		return sinks.Object{}, err
	}
	return obj, s.putSingle(ctx, key, buf[:n], obj, ifAbsent)
}

// smallBody is the largest known size sent from a buffer of its own size rather than a part buffer.
const smallBody = 1 << 20

// slotsPerPart sizes parts: one pool buffer, or several when a known size would need more than
// S3's 10,000 parts. An unknown size uses one buffer and fails at the part limit.
func (s *Sink) slotsPerPart(size int64) (int, error) {
	slots := 1
	for size > int64(slots)*s.cfg.PartSize*maxParts {
		slots++
	}
	if slots > s.cfg.Buffers {
		return 0, fmt.Errorf("%d bytes need parts of %d MiB, more than the sink's %d buffers of %d MiB", size, int64(slots)*s.cfg.PartSize>>20, s.cfg.Buffers, s.cfg.PartSize>>20)
	}
	return slots, nil
}

// putSingle stores data, already read to its end and checked, with one PutObject carrying a CRC32C
// the server verifies and our SHA-256 as metadata. The payload goes unsigned under the signed CRC32C
// header: a signed payload would make both ends hash the body with SHA-256 once more (on plain http),
// for no integrity the CRC32C and TLS do not already give.
func (s *Sink) putSingle(ctx context.Context, key string, data []byte, obj sinks.Object, ifAbsent bool) error {
	in := &s3sdk.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		Metadata:      map[string]string{sinks.MetadataSHA256: obj.SHA256},
	}
	c := s.creation(time.Now())
	in.StorageClass, in.ServerSideEncryption, in.SSEKMSKeyId, in.Tagging = c.StorageClass, c.SSE, c.KMSKeyID, c.Tagging
	in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus = c.LockMode, c.RetainUntil, c.LegalHold
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = c.ssec.headers()
	if ifAbsent {
		in.IfNoneMatch = aws.String("*")
	}
	w := want{size: obj.Size, sha256: obj.SHA256}
	opts := payloadOptions(obj.SHA256)
	if s.cfg.ContentMD5 {
		m := md5.Sum(data)
		in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(m[:]))
	} else {
		in.ChecksumCRC32C = aws.String(b64crc(crc32.Checksum(data, castagnoli)))
		w.crc32c = []string{*in.ChecksumCRC32C}
		opts = func(o *s3sdk.Options) {
			o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		}
	}
	out, err := s.client.PutObject(ctx, in, opts)
	if err != nil {
		return s.wrap("put", key, err)
	}
	if in.ChecksumCRC32C != nil && aws.ToString(out.ChecksumCRC32C) == *in.ChecksumCRC32C {
		// The server answers with the CRC32C of what it stored, and it is the one we sent and it
		// checked: the service's own checksum of the same bytes. A HEAD would report that same stored
		// checksum and the size the signed Content-Length already held the request to, so it proves
		// nothing more. Only a server that reports no checksum (or another) is asked with a HEAD.
		return nil
	}
	if _, err := s.verify(ctx, key, w); err != nil {
		return s.discard(ctx, key, err)
	}
	return nil
}

// payloadOptions gives the SigV4 signer the body's SHA-256 we already computed, so a plain-http
// request is not hashed a second time (over TLS the SDK sends the payload unsigned anyway: the
// checksum header the server verifies is signed, and TLS protects the bytes).
func payloadOptions(sha256Hex string) func(*s3sdk.Options) {
	return func(o *s3sdk.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("rtkKnownPayloadHash",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					return next.HandleFinalize(v4.SetPayloadHash(ctx, sha256Hex), in)
				}), "ComputePayloadHash", middleware.Before)
		})
	}
}
