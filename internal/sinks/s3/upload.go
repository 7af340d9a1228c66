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
	"hash"
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
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// upload is one multipart upload in progress: parts.Uploader reads the body into pooled parts and
// sends up to PartConcurrency of them at once; each records its CRC32C and ETag here.
type upload struct {
	s   *Sink
	key string
	id  string

	mu    sync.Mutex
	parts []types.CompletedPart
	crcs  []uint32 // each part's CRC32C, by part index: S3's composite checksum is the CRC32C of them

	whole hash.Hash32 // CRC32C of the whole body, for stores that report a full-object checksum

	ifAbsent bool // complete only if no object is at the key
}

// putMultipart uploads first (a full part) and the rest of the body. Any failure aborts the upload, so
// nothing is left; the body's size and SHA-256 are checked before CompleteMultipartUpload.
//
// Everything the object is created with goes on CreateMultipartUpload: its class, encryption, lock and
// tags, and our SHA-256 when the caller knows it before the body (sha). A streamed body's SHA-256 is
// known only at its end, when S3 takes no more metadata: it goes into the manifest instead, beside the
// object's full-object CRC32C (ChecksumType FULL_OBJECT), which S3 checks against the parts' CRC32Cs when
// it completes the upload and reports on every HEAD. The object is never copied onto itself to add the
// SHA-256 later: on GLACIER that copy fails, and under Object Lock it leaves a second locked version.
func (s *Sink) putMultipart(ctx context.Context, key string, body sinks.Body, first []byte, rest io.Reader, sha string, ifAbsent bool) (obj sinks.Object, err error) {
	create := &s3sdk.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key}
	if !s.cfg.ContentMD5 {
		create.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32c
		create.ChecksumType = types.ChecksumTypeFullObject
	}
	if sha != "" {
		create.Metadata = map[string]string{sinks.MetadataSHA256: sha}
	}
	c := s.creation(time.Now())
	create.StorageClass, create.ServerSideEncryption, create.SSEKMSKeyId, create.Tagging = c.StorageClass, c.SSE, c.KMSKeyID, c.Tagging
	create.ObjectLockMode, create.ObjectLockRetainUntilDate, create.ObjectLockLegalHoldStatus = c.LockMode, c.RetainUntil, c.LegalHold
	create.SSECustomerAlgorithm, create.SSECustomerKey, create.SSECustomerKeyMD5 = c.ssec.headers()
	out, err := s.client.CreateMultipartUpload(ctx, create)
	if err != nil {
		s.pool.Put(first)
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	u := &upload{s: s, key: key, id: aws.ToString(out.UploadId), whole: crc32.New(castagnoli), ifAbsent: ifAbsent}
	u.whole.Write(first)
	up := parts.Uploader{Pool: s.pool, Concurrency: s.cfg.PartConcurrency, MaxParts: maxParts, Send: u.send}
	_, err = up.Upload(ctx, first, io.TeeReader(rest, u.whole))
	if err == nil {
		obj, err = body.Object(key)
	}
	var etag string
	if err == nil {
		etag, err = u.complete(ctx)
	}
	if err != nil {
		if aerr := u.abort(ctx); aerr != nil {
			return sinks.Object{}, fmt.Errorf("put %s: %w (and abort failed, the upload may remain: %v)", s.URL(key), err, aerr)
		}
		return sinks.Object{}, s.wrap("put", key, err)
	}
	if err := s.finishMultipart(ctx, key, u.want(obj)); err != nil {
		return sinks.Object{}, err
	}
	if s.cfg.ContentMD5 {
		// No CRC here (Spaces): the multipart ETag, the MD5 of the parts' MD5s the store checked, is
		// what a later HEAD can be compared with.
		obj.Checksum = "etag:" + etag
	} else {
		obj.Checksum = "crc32c:" + b64crc(u.whole.Sum32())
	}
	return obj, nil
}

// send stores part i (part number i+1) with its checksum.
func (u *upload) send(ctx context.Context, i int, data []byte) error {
	number := int32(i + 1)
	crc := crc32.Checksum(data, castagnoli)
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
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = u.s.ssec.headers()
	var opts []func(*s3sdk.Options)
	if in.ChecksumCRC32C != nil {
		// The signed CRC32C header already lets the server refuse a damaged part: hashing the part
		// again with SHA-256 for the signature (which the SDK does on plain http) would double the
		// client's CPU per byte.
		opts = append(opts, func(o *s3sdk.Options) {
			o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		})
	}
	out, err := u.s.client.UploadPart(ctx, in, opts...)
	if err != nil {
		return fmt.Errorf("part %d: %w", number, err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(number), ETag: out.ETag, ChecksumCRC32C: in.ChecksumCRC32C})
	if len(u.crcs) <= i {
		u.crcs = append(u.crcs, make([]uint32, i+1-len(u.crcs))...)
	}
	u.crcs[i] = crc
	return nil
}

func (u *upload) complete(ctx context.Context) (etag string, err error) {
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
	if !u.s.cfg.ContentMD5 {
		// The whole body's CRC32C: S3 combines the parts' CRC32Cs and refuses the upload if they differ.
		in.ChecksumCRC32C = aws.String(b64crc(u.whole.Sum32()))
		in.ChecksumType = types.ChecksumTypeFullObject
	}
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = u.s.ssec.headers()
	out, err := u.s.client.CompleteMultipartUpload(ctx, in)
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
		var crcs []byte // big-endian, in part order
		for _, c := range u.crcs {
			crcs = binary.BigEndian.AppendUint32(crcs, c)
		}
		composite := crc32.Checksum(crcs, castagnoli)
		w.crc32c = []string{b64crc(composite) + "-" + strconv.Itoa(len(u.crcs)), b64crc(u.whole.Sum32())}
	}
	return w
}

func b64crc(c uint32) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, c))
}
