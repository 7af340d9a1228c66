package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// deadlineClient is the SDK's HTTP client with every request bounded.
type deadlineClient sinks.Do

func (c deadlineClient) Do(req *http.Request) (*http.Response, error) { return c(req) }

// Config describes one bucket and how to reach it.
type Config struct {
	Bucket    string
	Region    string // signing region; may be empty with Endpoint (S3-compatible stores ignore it)
	Endpoint  string // optional base URL of an S3-compatible store; "" means AWS
	PathStyle bool   // address buckets as endpoint/bucket instead of bucket.endpoint

	// Static credentials; with AccessKeyID empty the AWS default chain (environment, shared files,
	// SSO, instance roles, ...) is used.
	AccessKeyID, SecretAccessKey, SessionToken string
	// CAFile names extra PEM roots to trust, for a store with a private CA; "" keeps the system roots.
	CAFile string
	// ContentMD5 makes uploads carry Content-MD5 instead of x-amz-checksum-crc32c/-sha256, for stores
	// without the newer checksum headers (DigitalOcean Spaces). MD5 costs more CPU.
	ContentMD5 bool

	// PartSize is the buffer size (default 12 MiB, at least 5 MiB): bodies up to it take one
	// PutObject (much cheaper for client and server than a multipart upload), longer ones are sent in
	// parts of this size.
	PartSize        int64
	Buffers         int // part buffers shared by all uploads of the sink (default 3): the memory bound
	PartConcurrency int // parts of one upload in flight at once (default 3)
	MaxAttempts     int // attempts per API call, the SDK retryer's budget (default Deadlines.Attempts, 5)

	// Deadlines bound each request: an attempt gets Floor + its bytes at MinRate to be answered
	// (sinks.Deadlines' defaults when zero).
	Deadlines sinks.Deadlines

	// Archive: storage class, encryption, Object Lock and tags of every object (options.go).
	Archive Archive
	// Setting is the config path of these settings, for messages (e.g. destinations.aws).
	Setting string
}

const (
	minPartSize = 5 << 20 // S3's minimum for every part but the last
	maxParts    = 10_000  // S3's maximum part count
)

func (c *Config) defaults() error {
	if c.Bucket == "" {
		return errors.New("bucket is empty")
	}
	if c.PartSize == 0 {
		c.PartSize = 12 << 20
	}
	if c.PartSize < minPartSize {
		return fmt.Errorf("part size %d is below S3's minimum of %d", c.PartSize, minPartSize)
	}
	if c.Buffers <= 0 {
		c.Buffers = 3
	}
	if c.PartConcurrency <= 0 {
		c.PartConcurrency = 3
	}
	c.Deadlines = c.Deadlines.WithDefaults()
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = c.Deadlines.Attempts
	}
	if c.Setting == "" {
		c.Setting = "s3"
	}
	if err := c.Archive.Check(c.Setting); err != nil {
		return err
	}
	if c.Region == "" && c.Endpoint != "" {
		c.Region = "us-east-1"
	}
	return nil
}

// New builds the sink's client. It makes no request: a wrong bucket or credentials show on first use.
func New(ctx context.Context, cfg Config) (*Sink, error) {
	if err := cfg.defaults(); err != nil {
		return nil, fmt.Errorf("s3 destination: %w", err)
	}
	ssec, err := loadCustomerKey(cfg.Setting, cfg.Archive.SSECustomerKeyFile)
	if err != nil {
		return nil, fmt.Errorf("s3 destination: %w", err)
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("s3 destination: endpoint %q is not an http(s) URL", cfg.Endpoint)
		}
		if ssec != nil && u.Scheme != "https" {
			// S3 refuses SSE-C over plain http, and the key would travel in the clear.
			return nil, fmt.Errorf("%s.sse_customer_key_file: the key is sent with every request, which needs an https endpoint, not %s", cfg.Setting, cfg.Endpoint)
		}
	}
	// Uploads run several parts at once per file and several files at once: keep enough idle
	// connections that they are reused rather than redialled.
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = 64
	})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cfg.MaxAttempts
				o.MaxBackoff = cfg.Deadlines.Backoff()
				// The attempts bound every call; a quota shared by the whole run would let one stalled
				// destination's timeouts take the retries of every other file.
				o.RateLimiter = ratelimit.None
			})
		}),
		// Every upload sets its checksum header itself, and readers hash what they read; the SDK's
		// automatic CRCs would only add aws-chunked trailers that S3-compatible stores reject.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	if cfg.CAFile != "" {
		f, err := os.Open(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("s3 destination: CA file: %w", err)
		}
		defer f.Close()
		opts = append(opts, config.WithCustomCABundle(f))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 destination: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("s3 destination: no region: set the destination's region or AWS_REGION")
	}
	client := s3sdk.NewFromConfig(awsCfg, func(o *s3sdk.Options) {
		// Every attempt of every call is bounded (see sinks.WithDeadlines): a request the store took and
		// never answered is cut, and the retryer sends it again.
		o.HTTPClient = deadlineClient(sinks.WithDeadlines(awsCfg.HTTPClient.Do, cfg.Deadlines))
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
	})
	return &Sink{
		client: client,
		bucket: cfg.Bucket,
		cfg:    cfg,
		pool:   parts.NewPool(int(cfg.PartSize), cfg.Buffers),
		ssec:   ssec,
	}, nil
}
