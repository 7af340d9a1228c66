package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier by the JSON API's status: 4xx stays so, except 408 and 429; 5xx
// passes (the SDK has retried it already).
func (s *Sink) Kind(err error) error {
	if errors.Is(err, storage.ErrBucketNotExist) {
		return sinks.ErrPermanent
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return nil
	}
	return sinks.KindOfStatus(ge.Code)
}

// Check implements sinks.Checker with one request for the bucket's attributes.
func (s *Sink) Check(ctx context.Context) error {
	attrs, err := s.bucket.Attrs(ctx)
	var ge *googleapi.Error
	switch {
	case err == nil:
		return s.preflight(attrs) // the archive-grade settings against the bucket (preflight.go)
	case errors.Is(err, storage.ErrBucketNotExist):
		return sinks.Permanent(fmt.Errorf("bucket gs://%s does not exist: %w", s.name, err))
	case errors.As(err, &ge) && ge.Code >= 400 && ge.Code < 500 && ge.Code != http.StatusTooManyRequests:
		return sinks.Permanent(fmt.Errorf("bucket gs://%s refused these credentials: %w", s.name, err))
	}
	return fmt.Errorf("bucket gs://%s: %w", s.name, err)
}
