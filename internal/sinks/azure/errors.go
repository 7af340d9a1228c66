package azure

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// mapErr ties a service error to the sinks sentinels; the SDK error stays reachable with errors.As.
// A missing container is not "not found": it is a configuration error the caller must see as such.
func mapErr(err error) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	switch {
	case re.ErrorCode == string(bloberror.ContainerNotFound):
		return err
	case re.ErrorCode == string(bloberror.BlobNotFound), re.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", sinks.ErrNotFound, err)
	case re.ErrorCode == string(bloberror.MD5Mismatch):
		return fmt.Errorf("%w: %w", sinks.ErrChecksumMismatch, err)
	}
	return err
}

// mapUploadErr is mapErr for a request that carried a Content-MD5. Azurite refuses a wrong one with the
// generic InvalidOperation (real Azure says Md5Mismatch); in such a request that code means the same.
func mapUploadErr(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.ErrorCode == string(bloberror.InvalidOperation) {
		return fmt.Errorf("%w: %w", sinks.ErrChecksumMismatch, err)
	}
	return mapErr(err)
}

// mapWriteErr adds ErrExists to the refusal of a write made with If-None-Match: *. Azure answers 409
// BlobAlreadyExists; 412 ConditionNotMet is the generic answer to a failed condition, and that request
// carried no other.
func mapWriteErr(err error, create bool) error {
	var re *azcore.ResponseError
	if !create || !errors.As(err, &re) {
		return err
	}
	switch bloberror.Code(re.ErrorCode) {
	case bloberror.BlobAlreadyExists, bloberror.ConditionNotMet:
		return fmt.Errorf("%w: %w", sinks.ErrExists, err)
	}
	return err
}
