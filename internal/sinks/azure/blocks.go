package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
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

// maxBlocks is Azure's limit of committed blocks per blob.
const maxBlocks = 50_000

// putBlocks stages the body as blocks, s.inFlight at a time, starting with first (a full block from
// the pool) and going on with rest, and commits them once the body ended and v verified it (with
// create, only if no blob is at the key then). Any failure before that returns without committing, so
// the blob at key is untouched. Every buffer, first included, goes back to the pool.
func (s *Sink) putBlocks(ctx context.Context, bb *blockblob.Client, v sinks.Body, first []byte, rest io.Reader, create bool) (*azcore.ETag, error) {
	upload, err := newUploadID()
	if err != nil {
		s.pool.Put(first)
		return nil, err
	}
	up := parts.Uploader{Pool: s.pool, Concurrency: s.inFlight, MaxParts: maxBlocks,
		Send: func(ctx context.Context, i int, block []byte) error {
			sum := md5.Sum(block)
			_, err := bb.StageBlock(ctx, blockID(upload, i), streaming.NopCloser(bytes.NewReader(block)), &blockblob.StageBlockOptions{
				TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
				CPKScopeInfo:            s.archive.scope(),
			})
			if err != nil {
				return fmt.Errorf("stage block %d bytes: %w", len(block), mapUploadErr(err))
			}
			return nil
		}}
	n, err := up.Upload(ctx, first, rest)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = blockID(upload, i)
	}
	c := s.archive.creation(time.Now())
	resp, err := bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
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
		return nil, fmt.Errorf("commit %d blocks: %w", len(ids), mapWriteErr(mapErr(err), create))
	}
	return resp.ETag, nil
}

// newUploadID makes block IDs unique to one Put, so concurrent or earlier failed Puts of the same key
// cannot mix their blocks into ours.
func newUploadID() ([12]byte, error) {
	var id [12]byte
	_, err := rand.Read(id[:])
	return id, err
}

// blockID is upload ID + index, base64: every ID of a blob has the same length, as Azure requires.
func blockID(upload [12]byte, i int) string {
	var b [16]byte
	copy(b[:], upload[:])
	binary.BigEndian.PutUint32(b[12:], uint32(i))
	return base64.StdEncoding.EncodeToString(b[:])
}
