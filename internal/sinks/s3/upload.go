package s3

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// upload is one multipart upload in progress. The Put goroutine reads parts into pool buffers in order
// (and checksums them: CRC32C is cheap); up to PartConcurrency of them are sent at once, each by its
// own goroutine, which gives its buffer back when the part is stored.
type upload struct {
	s      *Sink
	key    string
	id     string
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	slots  chan struct{} // parts of this upload in flight

	mu    sync.Mutex
	parts []types.CompletedPart
	err   error

	crcs  []byte // the parts' CRC32Cs, big-endian, in order: S3's composite checksum is their CRC32C
	whole uint32 // CRC32C of the whole body, for stores that report a full-object checksum

	ifAbsent bool // complete only if no object is at the key
}

// putMultipart uploads first (a full part) and the rest of src. Any failure aborts the upload, so
// nothing is left; the body's size and SHA-256 are checked before CompleteMultipartUpload.
func (s *Sink) putMultipart(ctx context.Context, key string, body *sinks.Verified, src io.Reader, first []byte, carry byte, ifAbsent bool) (obj sinks.Object, err error) {
	create := &s3sdk.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key}
	if !s.cfg.ContentMD5 {
		create.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c
	}
	out, err := s.client.CreateMultipartUpload(ctx, create)
	if err != nil {
		s.pool.put(first)
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	u := &upload{s: s, key: key, id: aws.ToString(out.UploadId), slots: make(chan struct{}, s.cfg.PartConcurrency), ifAbsent: ifAbsent}
	u.ctx, u.cancel = context.WithCancelCause(ctx)
	defer u.cancel(nil)

	err = u.feed(src, first, carry)
	u.wg.Wait()
	if err == nil {
		err = u.err
	}
	if err == nil {
		obj, err = body.Object(key)
	}
	var etag string
	if err == nil {
		etag, err = u.complete()
	}
	if err != nil {
		if aerr := u.abort(ctx); aerr != nil {
			return sinks.Object{}, fmt.Errorf("put %s: %w (and abort failed, the upload may remain: %v)", s.URL(key), err, aerr)
		}
		return sinks.Object{}, s.wrap("put", key, err)
	}
	return obj, s.finishMultipart(ctx, key, obj, u.want(obj), etag)
}

// feed reads the body part by part and hands each part to a sender. It returns on the first error,
// its own or a sender's.
func (u *upload) feed(src io.Reader, buf []byte, carry byte) error {
	n, pre := len(buf), 1
	for number := int32(1); ; number++ {
		u.send(number, buf[:n])
		if n < len(buf) {
			return nil // a short part is the last one
		}
		select {
		case u.slots <- struct{}{}:
		case <-u.ctx.Done():
			return context.Cause(u.ctx)
		}
		next, err := u.s.pool.get(u.ctx, len(buf)/u.s.pool.size)
		if err != nil {
			<-u.slots
			return err
		}
		if pre == 1 {
			next[0] = carry // the byte Put read to learn the body goes on
		}
		var last bool
		n, last, err = fill(src, next, pre)
		pre = 0
		if err != nil {
			err = fmt.Errorf("read body: %w", err)
		} else if n > 0 && number == maxParts {
			err = fmt.Errorf("body is larger than %d parts of %d bytes", maxParts, len(buf))
		}
		if err != nil || (last && n == 0) {
			u.s.pool.put(next)
			<-u.slots
			return err
		}
		buf = next
	}
}

// send checksums a part and starts its upload; the caller holds one of u.slots for it (the first part
// takes its own).
func (u *upload) send(number int32, data []byte) {
	if number == 1 {
		u.slots <- struct{}{}
	}
	crc := crc32.Checksum(data, castagnoli)
	u.crcs = binary.BigEndian.AppendUint32(u.crcs, crc)
	u.whole = crc32.Update(u.whole, castagnoli, data)
	u.wg.Go(func() {
		defer func() { <-u.slots }()
		defer u.s.pool.put(data[:cap(data)])
		in := &s3sdk.UploadPartInput{
			Bucket:        &u.s.bucket,
			Key:           &u.key,
			UploadId:      &u.id,
			PartNumber:    aws.Int32(number),
			Body:          bytes.NewReader(data),
			ContentLength: aws.Int64(int64(len(data))),
		}
		if u.s.cfg.ContentMD5 {
			m := md5.Sum(data)
			in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(m[:]))
		} else {
			in.ChecksumCRC32C = aws.String(b64crc(crc))
		}
		var opts []func(*s3sdk.Options)
		if in.ChecksumCRC32C != nil {
			// The signed CRC32C header already lets the server refuse a damaged part: hashing the
			// part again with SHA-256 for the signature (which the SDK does on plain http) would
			// double the client's CPU per byte.
			opts = append(opts, func(o *s3sdk.Options) {
				o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
			})
		}
		out, err := u.s.client.UploadPart(u.ctx, in, opts...)
		u.mu.Lock()
		defer u.mu.Unlock()
		if err != nil {
			if u.err == nil {
				u.err = fmt.Errorf("part %d: %w", number, err)
				u.cancel(u.err)
			}
			return
		}
		u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(number), ETag: out.ETag, ChecksumCRC32C: in.ChecksumCRC32C})
	})
}

func (u *upload) complete() (etag string, err error) {
	slices.SortFunc(u.parts, func(a, b types.CompletedPart) int { return cmp.Compare(*a.PartNumber, *b.PartNumber) })
	in := &s3sdk.CompleteMultipartUploadInput{
		Bucket:          &u.s.bucket,
		Key:             &u.key,
		UploadId:        &u.id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
	}
	if u.ifAbsent {
		in.IfNoneMatch = aws.String("*")
	}
	out, err := u.s.client.CompleteMultipartUpload(u.ctx, in)
	if err != nil {
		return "", fmt.Errorf("complete: %w", err)
	}
	return aws.ToString(out.ETag), nil
}

// abort drops the upload and its stored parts. It runs even when ctx is cancelled, since that may be
// why the Put is failing.
func (u *upload) abort(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, err := u.s.client.AbortMultipartUpload(ctx, &s3sdk.AbortMultipartUploadInput{Bucket: &u.s.bucket, Key: &u.key, UploadId: &u.id})
	var nsu *types.NoSuchUpload
	if errors.As(err, &nsu) {
		return nil
	}
	return err
}

// want is what the completed object must show: its CRC32C either as S3's composite of the part
// checksums or as a full-object checksum.
func (u *upload) want(obj sinks.Object) want {
	w := want{size: obj.Size, sha256: obj.SHA256}
	if !u.s.cfg.ContentMD5 {
		composite := crc32.Checksum(u.crcs, castagnoli)
		w.crc32c = []string{b64crc(composite) + "-" + strconv.Itoa(len(u.crcs)/4), b64crc(u.whole)}
	}
	return w
}

func b64crc(c uint32) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, c))
}
