package main

import (
	"log/slog"
	"net"
	"net/url"
	"strconv"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// newClient builds the RealtimeKit client from the run's options. rate is the client's
// RequestsPerSecond (negative: unpaced) and burst its Burst.
func newClient(opts *runOptions, rate float64, burst int, log *slog.Logger) (*fetch.Client, error) {
	warnPlainAPI(opts.APIURL, log)
	minRate := int64(opts.MinRate)
	if minRate == 0 {
		minRate = -1 // the client's "no minimum"
	}
	return fetch.New(fetch.Config{
		BaseURL: opts.APIURL, AccountID: opts.AccountID, AppID: opts.AppID, Token: opts.Token,
		RequestsPerSecond: rate, Burst: burst, StallTimeout: opts.StallTimeout, Logger: log,
		AllowPrivateDownloads: opts.AllowPrivateDownloads,
		MinRate:               minRate, FileTimeout: opts.FileTimeout, MaxFileSize: int64(opts.MaxFileSize),
	})
}

// warnPlainAPI warns when the API token would cross a network in clear text: plain http is fine to a
// fake API on this machine, nowhere else.
func warnPlainAPI(apiURL string, log *slog.Logger) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Scheme != "http" {
		return
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return
	}
	log.Warn("the API URL is plain http to a host that is not this machine: the API token and the answers travel unencrypted", "api_url", u.Redacted())
}

// envBool reads an on/off environment variable: 1 or true is on; unset or anything else is off.
func envBool(getenv func(string) string, key string) bool {
	b, err := strconv.ParseBool(getenv(key))
	return err == nil && b
}
