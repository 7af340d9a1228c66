// Package azure stores archived files as block blobs in an Azure Storage container.
package azure

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/parts"
)

// Sink is a container of an Azure Storage account. It is safe for concurrent use: every Put shares one
// client (and its connection pool) and one bounded pool of block buffers.
//
// A Put stages blocks and commits them only once the whole body was read and verified, so a failed or
// cancelled Put leaves the blob at key as it was. Its staged blocks stay uncommitted and Azure discards
// them after a week; they are never visible as a blob.
type Sink struct {
	account   string
	container string
	client    *container.Client
	pool      *parts.Pool
	inFlight  int // blocks staged concurrently by one Put
	download  policy.RetryOptions
	archive   Archive
	setting   string // config path of the archive settings, for messages
}

var (
	_ sinks.Sink    = (*Sink)(nil)
	_ sinks.Creator = (*Sink)(nil)
)

// New returns a sink on cfg.Container. It does not contact the service.
func New(cfg Config) (*Sink, error) {
	cfg = cfg.withDefaults()
	if cfg.Container == "" {
		return nil, fmt.Errorf("azure: container is required")
	}
	if err := cfg.Archive.Check(cfg.Setting); err != nil {
		return nil, err
	}
	client, account, err := newClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("azure container %s: %w", cfg.Container, err)
	}
	return &Sink{
		account:   account,
		container: cfg.Container,
		client:    client,
		pool:      parts.NewPool(cfg.BlockSize, cfg.Buffers),
		inFlight:  cfg.BlocksInFlight,
		download:  downloadRetry(cfg),
		archive:   cfg.Archive,
		setting:   cfg.Setting,
	}, nil
}

// URL implements sinks.Sink.
func (s *Sink) URL(key string) string {
	u := url.URL{Scheme: "azblob", Host: s.account, Path: "/" + s.container + "/" + key}
	return u.String()
}

// Stat implements sinks.Sink. SHA256 is the digest Put stored in the blob's metadata, "" for blobs
// written by something else.
func (s *Sink) Stat(ctx context.Context, key string) (sinks.Object, error) {
	if err := checkKey(key); err != nil {
		return sinks.Object{}, err
	}
	props, err := s.client.NewBlobClient(key).GetProperties(ctx, nil)
	if err != nil {
		return sinks.Object{}, fmt.Errorf("stat %s: %w", s.URL(key), mapErr(err))
	}
	obj := sinks.Object{Key: key, SHA256: metadataSHA256(props.Metadata)}
	if props.ContentLength != nil {
		obj.Size = *props.ContentLength
	}
	return obj, nil
}

// Open implements sinks.Sink.
func (s *Sink) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	// A download of several GB must not be cut by the per-try timeout meant for API calls.
	ctx = policy.WithRetryOptions(ctx, s.download)
	resp, err := s.client.NewBlobClient(key).DownloadStream(ctx, &blob.DownloadStreamOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.URL(key), mapErr(err))
	}
	return resp.Body, nil
}

// metadataSHA256 finds our digest whatever case the service or HTTP stack gave the metadata name.
func metadataSHA256(md map[string]*string) string {
	for k, v := range md {
		if strings.EqualFold(k, sinks.MetadataSHA256) && v != nil {
			return *v
		}
	}
	return ""
}
