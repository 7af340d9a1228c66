// Package fetch is the RealtimeKit recordings client: the API calls the archiver makes and the download
// of a recording's files from their presigned URLs.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// DefaultBaseURL is the Cloudflare API the client talks to unless told otherwise.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

// Pacing defaults: in any 5 minutes at most DefaultBurst + 300 s x DefaultRate = 1,110 requests, of the
// 1,200 Cloudflare allows per token for its whole API (RealtimeKit's own limits are higher).
const (
	DefaultRate  = 3.5
	DefaultBurst = 60
)

// Config says which app to talk to and how patiently.
type Config struct {
	BaseURL   string // default DefaultBaseURL
	AccountID string
	AppID     string
	Token     string // sent only to BaseURL's host, never to a download host

	HTTPClient        *http.Client  // default: a client of its own; downloads clone its *http.Transport to add the download policy
	AttemptTimeout    time.Duration // per API attempt; default 30 s
	MaxAttempts       int           // per API call; default 6
	MinBackoff        time.Duration // default 500 ms
	MaxBackoff        time.Duration // default 30 s
	RequestsPerSecond float64       // API calls paced to this sustained rate; default 3.5; < 0 disables
	Burst             int           // calls that may go out at once before the rate applies; default 60
	StallTimeout      time.Duration // a download with no bytes for this long is cut and resumed; default 60 s
	MaxResumes        int           // Range requests per download after interruptions; default 5
	MinRate           int64         // bytes/s a download must average over each StallTimeout window; default 1 KiB/s; < 0 disables
	FileTimeout       time.Duration // deadline of one file's download, resumes included; default 12 h
	MaxFileSize       int64         // largest file accepted, announced or counted; default 16 GiB
	MaxRetryAfter     time.Duration // a server's Retry-After is cut to this; default 5 min
	// AllowPrivateDownloads lets download URLs use plain http and reach loopback, private and link-local
	// addresses: for emulators and tests. Off, a download must be https to a public address, after
	// every redirect, checked on the address actually dialled.
	AllowPrivateDownloads bool
	Logger                *slog.Logger
}

// Client calls the RealtimeKit API. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     *url.URL
	api      *http.Client
	download *http.Client
	policy   downloadPolicy
	pause    pauseGate
	pace     pacer
	log      *slog.Logger
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	switch {
	case cfg.AccountID == "":
		return nil, errors.New("account ID is empty")
	case cfg.AppID == "":
		return nil, errors.New("app ID is empty")
	case cfg.Token == "":
		return nil, errors.New("API token is empty")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an http(s) URL", cfg.BaseURL)
	}
	base = base.JoinPath("accounts", cfg.AccountID, "realtime", "kit", cfg.AppID)
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond = DefaultRate
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = 60 * time.Second
	}
	if cfg.MaxResumes <= 0 {
		cfg.MaxResumes = 5
	}
	cfg.setLimits()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: newTransport(cfg.StallTimeout)}
	}
	api := *hc
	api.CheckRedirect = apiRedirects(base)
	var dt *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		dt = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		dt = t
	default:
		return nil, fmt.Errorf("HTTPClient's transport is a %T: downloads need an *http.Transport to enforce the download policy", t)
	}
	policy := newDownloadPolicy(cfg.AllowPrivateDownloads)
	c := &Client{cfg: cfg, base: base, api: &api, download: newDownloadClient(dt, policy), policy: policy, log: cfg.Logger}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	c.pace = newPacer(cfg.RequestsPerSecond, cfg.Burst)
	return c, nil
}

// newTransport keeps enough idle connections for every worker to reuse its own (the default keeps two
// per host, so concurrent downloads would dial again and again), and gives up on a host that accepts a
// request but sends no response headers.
func newTransport(headerTimeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.ResponseHeaderTimeout = headerTimeout
	return t
}

// envelope is the success shape of every recordings route.
type envelope struct {
	Success bool            `json:"success"`
	Data    json.RawMessage `json:"data"`
	Paging  *struct {
		TotalCount  *int `json:"total_count"`
		StartOffset *int `json:"start_offset"`
		EndOffset   *int `json:"end_offset"`
	} `json:"paging"`
}

// getJSON GETs path under the app's base URL with retries on connection errors, 408, 429 and 5xx.
func (c *Client) getJSON(ctx context.Context, op string, path []string, query url.Values) (*envelope, error) {
	u := c.base.JoinPath(path...)
	u.RawQuery = query.Encode()
	var lastErr error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		if err := c.slot(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w (last error: %v)", op, err, lastErr)
		}
		env, wait, err := c.attempt(ctx, op, u.String())
		if err == nil {
			return env, nil
		}
		lastErr = err
		var apiErr *APIError
		if errors.As(err, &apiErr) && !apiErr.Retryable() {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if attempt == c.cfg.MaxAttempts {
			break
		}
		d := max(wait, backoff(attempt, c.cfg.MinBackoff, c.cfg.MaxBackoff))
		c.log.Debug("retrying API call", "op", op, "attempt", attempt, "wait", d, "error", err)
		if err := sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("%s: %w (last error: %v)", op, err, lastErr)
		}
	}
	return nil, fmt.Errorf("gave up after %d attempts: %w", c.cfg.MaxAttempts, lastErr)
}

// attempt makes one request. wait is the server's Retry-After when it sent one.
func (c *Client) attempt(ctx context.Context, op, u string) (env *envelope, wait time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.api.Do(req)
	if errors.Is(err, errInsecureRedirect) && resp != nil { // the same answer next time: no retry
		return nil, 0, &APIError{Op: op, Status: resp.StatusCode, Message: scrubURLError(err).Error()}
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	limit := bodyLimit(req.URL.Path)
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: reading response: %w", op, err)
	}
	if int64(len(body)) > limit && resp.StatusCode == http.StatusOK { // the same body next time: no retry
		return nil, 0, &APIError{Op: op, Status: resp.StatusCode, Message: "response body larger than the " + mib(limit) + " allowed for this call", tooLarge: true}
	}
	if resp.StatusCode != http.StatusOK {
		wait = c.serverWait(op, resp.Header)
		if resp.StatusCode == http.StatusTooManyRequests {
			c.pause.pauseFor(max(wait, c.cfg.MinBackoff))
		}
		return nil, wait, parseAPIError(op, resp.StatusCode, body)
	}
	env = new(envelope)
	if err := json.Unmarshal(body, env); err != nil {
		// A 200 with a body we cannot read is a broken edge or proxy, not an answer: retry it.
		return nil, 0, fmt.Errorf("%s: HTTP 200 with undecodable body (%s): %w", op, excerpt(body), errRetryableBody)
	}
	if !env.Success && len(env.Data) == 0 {
		return nil, 0, parseAPIError(op, resp.StatusCode, body)
	}
	return env, 0, nil
}

var errRetryableBody = errors.New("unexpected response body")
