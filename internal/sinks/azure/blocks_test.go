package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// TestBlocksCommittedInOrder checks a large Put really goes up as several equal-length-ID blocks.
func TestBlocksCommittedInOrder(t *testing.T) {
	s := newTestSink(t)
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	if _, err := sinks.Guard(s).Put(t.Context(), "big.mp4", struct{ io.Reader }{bytes.NewReader(data)}, sinks.PutOptions{Size: -1}); err != nil {
		t.Fatal(err)
	}
	list, err := s.client.NewBlockBlobClient("big.mp4").GetBlockList(t.Context(), blockblob.BlockListTypeAll, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.CommittedBlocks); n != 4 {
		t.Fatalf("%d committed blocks, want 4 of 1 MiB", n)
	}
	for _, b := range list.CommittedBlocks {
		if len(*b.Name) != len(*list.CommittedBlocks[0].Name) {
			t.Fatalf("block IDs of different lengths: %q, %q", *b.Name, *list.CommittedBlocks[0].Name)
		}
	}
}

// TestFailedPutLeavesOnlyUncommittedBlocks shows where a failure stops: blocks were staged, nothing
// was committed, and the blob is not visible.
func TestFailedPutLeavesOnlyUncommittedBlocks(t *testing.T) {
	s := newTestSink(t)
	data := make([]byte, 3<<20)
	r := io.MultiReader(bytes.NewReader(data), errReader{})
	if _, err := sinks.Guard(s).Put(t.Context(), "failed.mp4", r, sinks.PutOptions{Size: -1}); err == nil {
		t.Fatal("Put succeeded although its reader failed")
	}
	list, err := s.client.NewBlockBlobClient("failed.mp4").GetBlockList(t.Context(), blockblob.BlockListTypeAll, nil)
	if err != nil {
		t.Fatalf("GetBlockList: %v", err)
	}
	if len(list.CommittedBlocks) != 0 || len(list.UncommittedBlocks) == 0 {
		t.Fatalf("%d committed, %d uncommitted blocks; want 0 and some", len(list.CommittedBlocks), len(list.UncommittedBlocks))
	}
	pager := s.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{})
	page, err := pager.NextPage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(page.Segment.BlobItems); n != 0 {
		t.Fatalf("%d blobs listed after a failed Put, want 0", n)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("download dropped") }

// TestScarceBuffers runs more large Puts than the sink has buffers: they must wait, not deadlock.
func TestScarceBuffers(t *testing.T) {
	s := newTestSink(t)
	s.pool = parts.NewPool(1<<20, 2)
	data := make([]byte, 3<<20+5)
	rand.Read(data)
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for i := range 5 {
		wg.Go(func() {
			_, err := sinks.Guard(s).Put(context.Background(), fmt.Sprintf("scarce/%d.mp4", i), bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
