package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier by the service's status: 4xx (a missing container, refused
// credentials, a bad request) stays so, except 408 and 429; 5xx passes. An MD5 the service rejected
// means bytes damaged on the way: worth one more try.
func (s *Sink) Kind(err error) error {
	if errors.Is(err, sinks.ErrChecksumMismatch) {
		return sinks.ErrTransient
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return nil
	}
	return sinks.KindOfStatus(re.StatusCode)
}

// Check implements sinks.Checker with one request for the container's properties.
func (s *Sink) Check(ctx context.Context) error {
	props, err := s.client.GetProperties(ctx, nil)
	if err == nil {
		return s.preflight(props) // the archive-grade settings against the container (preflight.go)
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return sinks.Permanent(fmt.Errorf("container %s of account %s does not exist: %w", s.container, s.account, err))
	}
	if errors.As(err, &re) && re.StatusCode < 500 {
		return sinks.Permanent(fmt.Errorf("container %s of account %s refused these credentials: %w", s.container, s.account, err))
	}
	return fmt.Errorf("container %s of account %s: %w", s.container, s.account, err)
}

// Close implements sinks.Sink; the SDK client holds nothing that needs releasing.
func (s *Sink) Close() error { return nil }
