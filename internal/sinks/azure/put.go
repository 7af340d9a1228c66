package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// Put implements sinks.Sink. A body that fits one block goes up in a single Put Blob with its
// Content-MD5; a larger one is staged block by block, each with its MD5, and committed only after the
// whole body was read and verified. Either way the blob is then read back (size and SHA-256 metadata).
func (s *Sink) Put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, false)
}

// Create implements sinks.Creator: Put whose Put Blob or Put Block List carries If-None-Match: *, so
// the service itself refuses to replace a blob. A refused multi-block Create leaves its staged blocks
// uncommitted, as a failed Put does.
func (s *Sink) Create(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, true)
}

func (s *Sink) write(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions, create bool) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	v, err := sinks.BodyOf(r)
	if err != nil {
		return sinks.Object{}, err
	}
	bb := s.client.NewBlockBlobClient(key)
	op := "put"
	if create {
		op = "create"
	}
	src := io.Reader(v)
	buf, err := s.pool.Get(ctx, s.pool.Size())
	if err != nil {
		return sinks.Object{}, fmt.Errorf("%s %s: %w", op, s.URL(key), err)
	}
	n, err := parts.Fill(src, buf)
	var etag *azcore.ETag
	switch {
	case err == io.EOF:
		etag, err = s.putSmall(ctx, bb, v, buf[:n], create)
		s.pool.Put(buf)
	case err == nil:
		etag, err = s.putBlocks(ctx, bb, v, buf, src, create) // takes buf
	default:
		s.pool.Put(buf)
	}
	if err != nil {
		return sinks.Object{}, fmt.Errorf("%s %s: %w", op, s.URL(key), err)
	}
	obj, _ := v.Object(key) // the body ended (Fill saw io.EOF), so v is Done
	if err := s.verify(ctx, bb, obj, etag); err != nil {
		return sinks.Object{}, fmt.Errorf("%s %s: %w", op, s.URL(key), err)
	}
	return obj, nil
}

func (s *Sink) putSmall(ctx context.Context, bb *blockblob.Client, v sinks.Body, body []byte, create bool) (*azcore.ETag, error) {
	sum := md5.Sum(body)
	c := s.archive.creation(time.Now())
	resp, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(body)), &blockblob.UploadOptions{
		TransactionalValidation:      blob.TransferValidationTypeMD5(sum[:]),
		Metadata:                     map[string]*string{sinks.MetadataSHA256: to.Ptr(v.SHA256())},
		AccessConditions:             onlyNew(create),
		Tier:                         c.tier,
		CPKScopeInfo:                 c.scope,
		LegalHold:                    c.legalHold,
		ImmutabilityPolicyMode:       c.mode,
		ImmutabilityPolicyExpiryTime: c.until,
		Tags:                         c.tags,
	})
	if err != nil {
		return nil, mapWriteErr(mapUploadErr(err), create)
	}
	return resp.ETag, nil
}

// onlyNew is the access condition of a Create: If-None-Match: *, which no existing blob meets.
func onlyNew(create bool) *blob.AccessConditions {
	if !create {
		return nil
	}
	return &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to.Ptr(azcore.ETagAny)}}
}

// verify reads back what was committed. The service already checked every byte against its MD5; this
// checks that the blob holds as many bytes as were read and carries their SHA-256. A blob that fails
// is deleted (only if it is still the one we wrote) so nothing unverified stays at the key, except on
// a write-once destination, where Azure refuses the delete (409) and the blob is reported as it is.
func (s *Sink) verify(ctx context.Context, bb *blockblob.Client, obj sinks.Object, etag *azcore.ETag) error {
	props, err := bb.GetProperties(ctx, nil)
	if err != nil {
		return fmt.Errorf("read back: %w", mapErr(err))
	}
	var size int64
	if props.ContentLength != nil {
		size = *props.ContentLength
	}
	var bad error
	switch got := metadataSHA256(props.Metadata); {
	case size != obj.Size:
		bad = fmt.Errorf("stored %d bytes, sent %d: %w", size, obj.Size, sinks.ErrSizeMismatch)
	case got != obj.SHA256:
		bad = fmt.Errorf("stored SHA-256 %q, sent %s: %w", got, obj.SHA256, sinks.ErrChecksumMismatch)
	default:
		return nil
	}
	if s.WriteOnce() {
		return fmt.Errorf("%w (the blob is left in place: the destination locks what it stores)", bad)
	}
	_, err = bb.Delete(ctx, &blob.DeleteOptions{AccessConditions: &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag},
	}})
	return errors.Join(bad, err)
}
