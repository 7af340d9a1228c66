package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/runner"
)

// runOptions is `archive run`'s flags and environment, validated once.
type runOptions struct {
	AccountID     string
	AppID         string
	Token         string
	APIURL        string
	IDsFile       string
	Since         time.Time
	Until         time.Time
	MeetingID     string
	ConfigFile    string
	Manifest      string
	Concurrency   int
	DryRun        bool
	LogFormat     string
	LogLevel      string
	Overwrite     bool
	ExpiryWindow  time.Duration
	APIRate       float64
	APIBurst      int
	Grace         time.Duration
	Shard         shard
	JSON          bool
	Progress      string
	ProgressEvery time.Duration
	Pushgateway   string
	ManifestEvery time.Duration
	StallTimeout  time.Duration

	AllowPrivateDownloads bool
	MinRate               byteSize // per second; 0 disables
	FileTimeout           time.Duration
	MaxFileSize           byteSize
	Artifacts             []string // session artifact kinds, in the order a run handles them

	now func() time.Time // the clock expiries are judged by; time.Now outside tests
}

// parseRunFlags reads `archive run` flags with their environment fallbacks; --help prints to stdout.
// now anchors --since.
func parseRunFlags(name string, args []string, getenv func(string) string, stdout io.Writer, now time.Time) (*runOptions, error) {
	o := &runOptions{MinRate: 1 << 10, MaxFileSize: 16 << 30, now: time.Now}
	fs := flag.NewFlagSet("archive "+name, flag.ContinueOnError)
	envOr := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var tokenFile, since, until, shardFlag, shards, artifacts string
	fs.StringVar(&o.AccountID, "account-id", getenv("CLOUDFLARE_ACCOUNT_ID"), "Cloudflare account ID (env CLOUDFLARE_ACCOUNT_ID); required")
	fs.StringVar(&o.AppID, "app-id", getenv("REALTIMEKIT_APP_ID"), "RealtimeKit app ID (env REALTIMEKIT_APP_ID); required")
	fs.StringVar(&tokenFile, "api-token-file", "", "read the API token from this file instead of env CLOUDFLARE_API_TOKEN")
	fs.StringVar(&o.APIURL, "api-url", envOr("CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"), "API base URL (env CLOUDFLARE_API_URL); default https://api.cloudflare.com/client/v4")
	fs.StringVar(&o.IDsFile, "ids", "", "backfill: file of recording IDs, one per line; - for stdin")
	fs.StringVar(&since, "since", "", "without --ids: list recordings from now minus this duration (26h, 7d) or from an RFC 3339 time; default 9d, everything RealtimeKit may still keep (7 days after upload, plus up to a day of recording and a day's margin), so a run after missed nights catches up")
	fs.StringVar(&until, "until", "", "end of the listing window: RFC 3339 time or a duration before now; default now")
	fs.StringVar(&o.MeetingID, "meeting-id", "", "restrict the listing to one meeting")
	fs.StringVar(&o.ConfigFile, "config", getenv("ARCHIVE_CONFIG"), "destinations config file, YAML (env ARCHIVE_CONFIG); default: everything to ./archive")
	fs.StringVar(&o.Manifest, "manifest", envOr("ARCHIVE_MANIFEST", "manifest.jsonl"), "manifest path (env ARCHIVE_MANIFEST); an existing one is extended; default manifest.jsonl, or manifest.shard-K-of-N.jsonl when sharded")
	fs.IntVar(&o.Concurrency, "concurrency", 4, "recordings in flight at once")
	fs.BoolVar(&o.DryRun, "dry-run", false, "select and plan, print what would be archived, write nothing")
	fs.StringVar(&o.LogFormat, "log-format", "", "text or json; default text on a terminal, json otherwise")
	fs.StringVar(&o.LogLevel, "log-level", getenv("ARCHIVE_LOG_LEVEL"), "debug, info, warn or error (env ARCHIVE_LOG_LEVEL); default warn for text on a terminal, info otherwise")
	fs.BoolVar(&o.Overwrite, "overwrite", false, "replace a different object found at a destination key instead of failing that recording")
	fs.DurationVar(&o.ExpiryWindow, "expiry-warning", 48*time.Hour, "report recordings not archived that expire within this window")
	fs.Float64Var(&o.APIRate, "api-rate", fetch.DefaultRate, "sustained API requests per second after the burst; 0 = unpaced. With the default burst, at most 1,110 requests in any 5 minutes of the 1,200 Cloudflare allows per token: lower both if other tools share the token. Sharded, these are the whole token's: each shard takes 1/N")
	fs.IntVar(&o.APIBurst, "api-burst", fetch.DefaultBurst, "API requests that may go out at once before --api-rate applies")
	fs.StringVar(&shardFlag, "shard", "", "K/N: archive only shard K of N. A listing is cut by invoked time into N parts of about as many recordings, each shard walking only its own; an ID file is split by a stable hash of the ID. Shards running at once share the token: each paces at 1/N of --api-rate and --api-burst")
	fs.StringVar(&shards, "shards", getenv("ARCHIVE_SHARDS"), "N shards, with K from JOB_COMPLETION_INDEX (env ARCHIVE_SHARDS)")
	fs.BoolVar(&o.JSON, "json", false, "print the run summary as JSON")
	fs.StringVar(&o.Progress, "progress", "auto", "auto, always or never: a live progress line on a terminal, a progress log line otherwise")
	fs.DurationVar(&o.ProgressEvery, "progress-interval", 30*time.Second, "how often progress is logged when not on a terminal")
	fs.StringVar(&o.Pushgateway, "pushgateway", getenv("ARCHIVE_PUSHGATEWAY"), "push the run's metrics to this Prometheus Pushgateway URL at the end (env ARCHIVE_PUSHGATEWAY)")
	fs.DurationVar(&o.ManifestEvery, "manifest-upload-interval", 5*time.Minute, "with manifest_destination in the config: how often the lines written since are sent there during a run")
	fs.DurationVar(&o.StallTimeout, "stall-timeout", 60*time.Second, "a download that sends no bytes for this long is cut and resumed")
	fs.BoolVar(&o.AllowPrivateDownloads, "allow-private-downloads", envBool(getenv, "ARCHIVE_ALLOW_PRIVATE_DOWNLOADS"),
		"accept download URLs over plain http and to loopback, private or link-local addresses, for emulators and tests (env ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1); without it a download must be https to a public address, after every redirect")
	fs.Var(&o.MinRate, "min-rate", "a download slower than this many bytes per second over a --stall-timeout window is cut and resumed like a stall (e.g. 1KiB, 64KiB); 0 disables")
	fs.DurationVar(&o.FileTimeout, "file-timeout", 12*time.Hour, "each file's download and upload, resumes included, end within this time; the default fits a 24 h recording (about 7 GB) at 160 kB/s")
	fs.Var(&o.MaxFileSize, "max-file-size", "largest file accepted, whether its size is announced or not (e.g. 16GiB); RealtimeKit records up to 24 h, about 7 GB")
	fs.StringVar(&artifacts, "artifacts", getenv("ARCHIVE_ARTIFACTS"), "also archive each recording's session artifacts: transcript, summary, chat (comma-separated) or all, once per session, each 1 API call per session (env ARCHIVE_ARTIFACTS); default none")
	fs.DurationVar(&o.Grace, "grace", 20*time.Second, "on SIGTERM/SIGINT/SIGHUP, how long in-flight files may take to finish before they are aborted")
	if err := parseFlags(fs, args, runHelp, stdout); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}

	var err error
	if o.Token, err = readToken(tokenFile, getenv); err != nil {
		return nil, err
	}
	if o.Shard, err = parseShard(shardFlag, shards, getenv); err != nil {
		return nil, err
	}
	if o.Artifacts, err = parseArtifacts(artifacts); err != nil {
		return nil, err
	}
	manifestSet := false
	fs.Visit(func(f *flag.Flag) { manifestSet = manifestSet || f.Name == "manifest" })
	if o.Shard.N > 1 && !manifestSet && getenv("ARCHIVE_MANIFEST") == "" {
		// Each shard keeps its own manifest: pods of one Job must not share a file.
		o.Manifest = fmt.Sprintf("manifest.shard-%d-of-%d.jsonl", o.Shard.K, o.Shard.N)
	}
	switch {
	case o.AccountID == "":
		return nil, usagef("no account: set --account-id or CLOUDFLARE_ACCOUNT_ID")
	case o.AppID == "":
		return nil, usagef("no app: set --app-id or REALTIMEKIT_APP_ID")
	case len(o.AccountID) > 32:
		return nil, usagef("--account-id %q is longer than 32 characters", o.AccountID)
	case len(o.AppID) > 64:
		return nil, usagef("--app-id is longer than 64 characters")
	case o.Concurrency < 1 || o.Concurrency > 256:
		return nil, usagef("--concurrency %d: must be between 1 and 256", o.Concurrency)
	case o.LogFormat != "" && o.LogFormat != "text" && o.LogFormat != "json":
		return nil, usagef("--log-format %q: must be text or json", o.LogFormat)
	case parseLogLevel(o.LogLevel) != nil:
		return nil, parseLogLevel(o.LogLevel)
	case o.Manifest == "":
		return nil, usagef("--manifest is empty")
	case o.APIRate < 0:
		return nil, usagef("--api-rate %v: must be 0 (unpaced) or more", o.APIRate)
	case o.APIBurst < 1:
		return nil, usagef("--api-burst %d: must be at least 1", o.APIBurst)
	case o.Progress != "auto" && o.Progress != "always" && o.Progress != "never":
		return nil, usagef("--progress %q: must be auto, always or never", o.Progress)
	case o.StallTimeout <= 0:
		return nil, usagef("--stall-timeout must be positive")
	case o.ManifestEvery <= 0:
		return nil, usagef("--manifest-upload-interval must be positive")
	case o.ProgressEvery <= 0:
		return nil, usagef("--progress-interval must be positive")
	case o.FileTimeout <= 0:
		return nil, usagef("--file-timeout must be positive")
	case o.MaxFileSize <= 0:
		return nil, usagef("--max-file-size must be positive")
	case o.Grace < 0:
		return nil, usagef("--grace %v: must not be negative", o.Grace)
	}
	if since == "" {
		o.Since = now.Add(-runner.CatchUpWindow)
	} else if o.Since, err = parseWhen(since, now); err != nil {
		return nil, usagef("--since: %v", err)
	}
	if until == "" {
		o.Until = now
	} else if o.Until, err = parseWhen(until, now); err != nil {
		return nil, usagef("--until: %v", err)
	}
	if !o.Since.Before(o.Until) && o.IDsFile == "" {
		return nil, usagef("--since (%s) is not before --until (%s)", o.Since.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	}
	return o, nil
}

// readToken takes the API token from a file or the environment, never from a flag value, so it does
// not show up in `ps` or shell history.
func readToken(file string, getenv func(string) string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usagef("--api-token-file: %v", err)
		}
		if tok := strings.TrimSpace(withoutBOM(strings.TrimSpace(string(b)))); tok != "" {
			return tok, nil
		}
		return "", usagef("--api-token-file %s is empty", file)
	}
	if tok := strings.TrimSpace(getenv("CLOUDFLARE_API_TOKEN")); tok != "" {
		return tok, nil
	}
	return "", usagef("no API token: set CLOUDFLARE_API_TOKEN or --api-token-file")
}

// parseWhen reads an RFC 3339 time, or a duration before now: Go's units plus d for days ("26h", "7d").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := parseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration like 26h or 7d", s)
	}
	return now.Add(-d), nil
}

func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(n * 24 * float64(time.Hour)), nil
	}
	return time.ParseDuration(s)
}
