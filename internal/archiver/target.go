package archiver

import (
	"context"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Target is where one recording's files go.
type Target struct {
	Name   string     // destination type, for logs: aws, gcs, local, ...
	Sink   sinks.Sink // shared by every recording with the same destination
	Prefix string     // key prefix inside the sink, without slashes at either end; may be empty
}

// Router picks a recording's Target. An error fails that recording only, with the error as its reason.
type Router interface {
	Route(ctx context.Context, rec *fetch.Recording) (Target, error)
}
