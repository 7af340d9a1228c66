package azure

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// apiRetry is the SDK's one retry layer for every call: Deadlines.Attempts tries, each bounded by
// TryTimeout, sized to the largest request a Put sends (one block), and by the transport's deadlines
// (sinks.WithDeadlines), which size each request to its own bytes.
func apiRetry(cfg Config) policy.RetryOptions {
	d := cfg.Deadlines
	return policy.RetryOptions{
		MaxRetries:    int32(d.Attempts - 1),
		TryTimeout:    d.For(int64(cfg.BlockSize)) + d.Floor, // a backstop: the transport's deadline, sized alike, ends a stalled try first and says so
		RetryDelay:    min(time.Second, d.Backoff()),
		MaxRetryDelay: d.Backoff(),
	}
}

// downloadRetry is apiRetry without the per-try timeout, which would also bound reading the body (the
// transport still cuts a body that pauses for longer than Deadlines.Floor).
func downloadRetry(cfg Config) policy.RetryOptions {
	r := apiRetry(cfg)
	r.TryTimeout = 0
	return r
}

// newClient builds the one client of a sink and names its account.
func newClient(cfg Config) (*container.Client, string, error) {
	opts := &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry:     apiRetry(cfg),
		Transport: &http.Client{Transport: sinks.DeadlineTransport(nil, cfg.Deadlines)},
	}}
	if cfg.ConnectionString != "" {
		cs, account, err := withEndpoint(cfg.ConnectionString, cfg.Endpoint, cfg.Account)
		if err != nil {
			return nil, "", err
		}
		c, err := container.NewClientFromConnectionString(cs, cfg.Container, &container.ClientOptions{ClientOptions: opts.ClientOptions})
		if err != nil {
			// The SDK's message names the malformed part, never the key.
			return nil, "", fmt.Errorf("connection string: %w", err)
		}
		return c, account, nil
	}
	if cfg.Account == "" {
		return nil, "", errors.New("no credentials: set AZURE_STORAGE_CONNECTION_STRING, or account (with AZURE_STORAGE_KEY, or with a Microsoft Entra identity such as workload identity)")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://" + cfg.Account + ".blob.core.windows.net"
	}
	containerURL, err := url.JoinPath(endpoint, url.PathEscape(cfg.Container))
	if err != nil {
		return nil, "", fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	copts := &container.ClientOptions{ClientOptions: opts.ClientOptions}
	var c *container.Client
	if cfg.AccountKey != "" {
		cred, err := azblob.NewSharedKeyCredential(cfg.Account, cfg.AccountKey)
		if err != nil {
			return nil, "", errors.New("AZURE_STORAGE_KEY is not a valid base64 account key")
		}
		c, err = container.NewClientWithSharedKeyCredential(containerURL, cred, copts)
		if err != nil {
			return nil, "", err
		}
		return c, cfg.Account, nil
	}
	// No key: a Microsoft Entra identity, found the SDK's standard way (workload identity from
	// AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE, a managed identity, the Azure CLI's
	// login). The destination check before the first upload says at once when none is there.
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, "", fmt.Errorf("no AZURE_STORAGE_KEY and no Microsoft Entra identity: %w", err)
	}
	if c, err = container.NewClient(containerURL, cred, copts); err != nil {
		return nil, "", err
	}
	return c, cfg.Account, nil
}

// withEndpoint adds the configured endpoint to a connection string that has none, and works out the
// account name the sink's URLs show.
func withEndpoint(cs, endpoint, account string) (string, string, error) {
	fields := map[string]string{}
	for part := range strings.SplitSeq(cs, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
			fields[strings.ToLower(k)] = v
		}
	}
	switch have := strings.TrimRight(fields["blobendpoint"], "/"); {
	case endpoint == "":
	case have == "":
		cs = strings.TrimRight(cs, ";") + ";BlobEndpoint=" + endpoint
	case have != strings.TrimRight(endpoint, "/"):
		return "", "", fmt.Errorf("endpoint %s differs from the connection string's BlobEndpoint %s", endpoint, have)
	}
	named := fields["accountname"]
	switch {
	case account == "" && named == "":
		return "", "", errors.New("the connection string names no AccountName: set account")
	case account == "":
		account = named
	case named != "" && named != account:
		return "", "", fmt.Errorf("account %s differs from the connection string's AccountName %s", account, named)
	}
	return cs, account, nil
}
