package azure

import (
	"bytes"
	"crypto/md5"
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// TestServerRefusesWrongMD5 proves the per-block and per-blob MD5 Put sends are really checked by the
// server, and that the refusal maps to ErrChecksumMismatch.
func TestServerRefusesWrongMD5(t *testing.T) {
	s := newTestSink(t)
	data := []byte("the bytes the server receives")
	wrong := md5.Sum([]byte("other bytes"))
	bb := s.client.NewBlockBlobClient("md5/wrong.mp4")

	_, err := bb.StageBlock(t.Context(), blockID([12]byte{}, 0), streaming.NopCloser(bytes.NewReader(data)),
		&blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeMD5(wrong[:])})
	if !errors.Is(mapUploadErr(err), sinks.ErrChecksumMismatch) {
		t.Fatalf("StageBlock with a wrong MD5: %v, want a checksum mismatch", err)
	}

	_, err = bb.Upload(t.Context(), streaming.NopCloser(bytes.NewReader(data)),
		&blockblob.UploadOptions{TransactionalValidation: blob.TransferValidationTypeMD5(wrong[:])})
	if !errors.Is(mapUploadErr(err), sinks.ErrChecksumMismatch) {
		t.Fatalf("Upload with a wrong MD5: %v, want a checksum mismatch", err)
	}
	if _, err := s.Stat(t.Context(), "md5/wrong.mp4"); !errors.Is(err, sinks.ErrNotFound) {
		t.Fatalf("after refused uploads, Stat: %v, want ErrNotFound", err)
	}

	// The right MD5 is accepted: the refusals above are about the checksum, not the request.
	right := md5.Sum(data)
	if _, err := bb.StageBlock(t.Context(), blockID([12]byte{}, 0), streaming.NopCloser(bytes.NewReader(data)),
		&blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeMD5(right[:])}); err != nil {
		t.Fatalf("StageBlock with the right MD5: %v", err)
	}
}
