package s3

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// wrap names the operation and object and maps "no such object" to sinks.ErrNotFound; the SDK error
// stays reachable with errors.As.
func (s *Sink) wrap(op, key string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%s %s: %w (%w)", op, s.URL(key), sinks.ErrNotFound, err)
	}
	if isPreconditionFailed(err) || (op == "put" && isLockedObject(err)) { // only Create sends a precondition
		return fmt.Errorf("%s %s: %w (%w)", op, s.URL(key), sinks.ErrExists, err)
	}
	return fmt.Errorf("%s %s: %w", op, s.URL(key), err)
}

// isNotFound reports a missing object. A missing bucket is not one: it is a configuration error that
// must not look like "not archived yet".
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "NoSuchBucket":
			return false
		}
		if isKMSRefusal(api) {
			return false // MinIO answers a key it doesn't have with 404 kms:KeyNotFound
		}
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound && (api == nil || api.ErrorCode() != "NoSuchBucket")
}

// isPreconditionFailed reports S3's 412 answer to If-None-Match: * when an object is at the key.
func isPreconditionFailed(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}

// isLockedObject reports a write refused because a locked object is at the key: versitygw answers a
// PutObject onto an object under Object Lock with AccessDenied "...protected by object lock" before it
// looks at If-None-Match. Either way an object is there, and it stays.
func isLockedObject(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "AccessDenied" && strings.Contains(strings.ToLower(api.ErrorMessage()), "object lock")
}

// isKMSRefusal reports the store refusing the KMS key of a write: MinIO's kms:* codes, AWS's KMS.*.
func isKMSRefusal(api smithy.APIError) bool {
	code := api.ErrorCode()
	return strings.HasPrefix(code, "kms:") || strings.HasPrefix(code, "KMS.")
}
