package main

import (
	"log/slog"
	"strconv"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// newClient builds the RealtimeKit client from the run's options. rate is the client's
// RequestsPerSecond (negative: unpaced).
func newClient(opts *runOptions, rate float64, log *slog.Logger) (*fetch.Client, error) {
	return fetch.New(fetch.Config{
		BaseURL: opts.APIURL, AccountID: opts.AccountID, AppID: opts.AppID, Token: opts.Token,
		RequestsPerSecond: rate, StallTimeout: opts.StallTimeout, Logger: log,
		AllowPrivateDownloads: opts.AllowPrivateDownloads,
	})
}

// envBool reads an on/off environment variable: 1 or true is on; unset or anything else is off.
func envBool(getenv func(string) string, key string) bool {
	b, err := strconv.ParseBool(getenv(key))
	return err == nil && b
}
