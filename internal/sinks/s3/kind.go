package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier. S3's error codes say what trying again can change: a missing
// bucket, refused credentials or a malformed request stay so; throttling and server errors pass. A
// checksum the server rejected means bytes were damaged on the way: worth one more try.
func (s *Sink) Kind(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		if isKMSRefusal(api) {
			return sinks.ErrPermanent // the configured key: no retry makes it usable
		}
		switch api.ErrorCode() {
		case "NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled",
			"InvalidBucketName", "AccountProblem", "InvalidToken", "ExpiredToken", "InvalidRequest",
			"MethodNotAllowed", "NotImplemented", "EntityTooLarge", "MissingContentLength", "InvalidStorageClass":
			return sinks.ErrPermanent
		case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "SlowDown", "RequestTimeout",
			"InternalError", "ServiceUnavailable", "RequestTimeTooSkewed":
			return sinks.ErrTransient
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return sinks.KindOfStatus(re.HTTPStatusCode())
	}
	return nil
}

// Check implements sinks.Checker with one HEAD on the bucket: it exists and the credentials may use
// it. (A HEAD cannot prove write permission; a refused write still fails at once, as permanent.)
func (s *Sink) Check(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3sdk.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return s.preflight(ctx) // the archive-grade settings against the bucket (preflight.go)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return sinks.Permanent(fmt.Errorf("bucket s3://%s does not exist: %w", s.bucket, err))
		case http.StatusForbidden, http.StatusUnauthorized, http.StatusBadRequest, http.StatusMovedPermanently:
			return sinks.Permanent(fmt.Errorf("bucket s3://%s refused these credentials (check the key, secret, region and endpoint): %w", s.bucket, err))
		}
	}
	return fmt.Errorf("bucket s3://%s: %w", s.bucket, err)
}

// Close implements sinks.Sink; the SDK client holds nothing that needs releasing.
func (s *Sink) Close() error { return nil }
