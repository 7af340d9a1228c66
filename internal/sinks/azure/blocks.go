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
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// maxBlocks is Azure's limit of committed blocks per blob.
const maxBlocks = 50_000

// putBlocks stages the body as blocks, s.inFlight at a time, starting with first[:n], and commits them
// once the body ended and v verified it (with create, only if no blob is at the key then). Any failure before that returns without committing, so the
// blob at key is untouched. It returns every buffer to the pool, first included.
func (s *Sink) putBlocks(ctx context.Context, bb *blockblob.Client, v *sinks.Verified, first []byte, n int, create bool) (*azcore.ETag, error) {
	upload, err := newUploadID()
	if err != nil {
		s.pool.put(first)
		return nil, err
	}
	st := &stager{bb: bb, sem: make(chan struct{}, s.inFlight)}
	stageCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st.cancel = cancel

	var ids []string
	buf, readErr := first, error(nil)
	for {
		if n > 0 {
			if len(ids) == maxBlocks {
				s.pool.put(buf)
				readErr = fmt.Errorf("larger than %d blocks of %d bytes", maxBlocks, len(first))
				break
			}
			id := blockID(upload, len(ids))
			ids = append(ids, id)
			if err := st.stage(stageCtx, id, buf[:n], s.pool); err != nil {
				readErr = err
				break
			}
		} else {
			s.pool.put(buf)
		}
		if readErr == io.EOF {
			break
		}
		// The body may keep coming after ctx is cancelled; stop reading it.
		if err := context.Cause(stageCtx); err != nil {
			readErr = err
			break
		}
		if buf, readErr = s.pool.get(stageCtx); readErr != nil {
			break
		}
		n, readErr = fill(v, buf)
		if readErr != nil && readErr != io.EOF {
			s.pool.put(buf)
			break
		}
	}
	if readErr != io.EOF {
		cancel(readErr)
	}
	if err := st.wait(); err != nil {
		return nil, err
	}
	if readErr != io.EOF {
		return nil, readErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := bb.CommitBlockList(ctx, ids, &blockblob.CommitBlockListOptions{
		Metadata:         map[string]*string{sinks.MetadataSHA256: to.Ptr(v.SHA256())},
		AccessConditions: onlyNew(create),
	})
	if err != nil {
		return nil, fmt.Errorf("commit %d blocks: %w", len(ids), mapWriteErr(mapErr(err), create))
	}
	return resp.ETag, nil
}

// stager runs the StageBlock calls of one Put, at most cap(sem) at once, and keeps the first error.
type stager struct {
	bb     *blockblob.Client
	sem    chan struct{}
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

// stage starts staging block id and gives buf back to pool when done. It waits for a free slot first
// and fails only when ctx ends, in which case buf is returned at once.
func (st *stager) stage(ctx context.Context, id string, block []byte, pool *bufPool) error {
	select {
	case st.sem <- struct{}{}:
	case <-ctx.Done():
		pool.put(block)
		return context.Cause(ctx)
	}
	st.wg.Go(func() {
		defer func() { pool.put(block); <-st.sem }()
		sum := md5.Sum(block)
		_, err := st.bb.StageBlock(ctx, id, streaming.NopCloser(bytes.NewReader(block)), &blockblob.StageBlockOptions{
			TransactionalValidation: blob.TransferValidationTypeMD5(sum[:]),
		})
		if err != nil {
			st.once.Do(func() { st.err = fmt.Errorf("stage block %d bytes: %w", len(block), mapUploadErr(err)) })
			st.cancel(st.err)
		}
	})
	return nil
}

// wait waits for every started block and returns the first staging error.
func (st *stager) wait() error {
	st.wg.Wait()
	return st.err
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
