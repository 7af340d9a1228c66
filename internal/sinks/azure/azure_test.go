package azure

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// newTestSink returns a sink on a fresh container of the Azurite the test command started.
func newTestSink(t *testing.T) *Sink {
	return newTestSinkVia(t, "", sinks.Deadlines{})
}

// newTestSinkVia is newTestSink reaching Azurite through addr (host:port, "" for directly), with d.
func newTestSinkVia(t *testing.T, addr string, d sinks.Deadlines) *Sink {
	t.Helper()
	cs := testenv.Require(t, "RTK_TEST_AZURE_CONNECTION_STRING")
	if addr != "" {
		cs = strings.Replace(cs, azuriteHost(t), addr, 1)
	}
	name := "rtk-" + strings.ToLower(rand.Text()[:20])
	s, err := New(Config{Container: name, ConnectionString: cs, BlockSize: 1 << 20, Buffers: 4, BlocksInFlight: 2, Deadlines: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Create(t.Context(), nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
	t.Cleanup(func() { s.client.Delete(context.Background(), nil) })
	return s
}

// azuriteHost is the host:port of the connection string's BlobEndpoint.
func azuriteHost(t *testing.T) string {
	cs := testenv.Require(t, "RTK_TEST_AZURE_CONNECTION_STRING")
	for part := range strings.SplitSeq(cs, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(k, "BlobEndpoint") {
			u, err := url.Parse(v)
			if err != nil {
				t.Fatal(err)
			}
			return u.Host
		}
	}
	t.Fatal("the connection string has no BlobEndpoint")
	return ""
}

// recorder remembers which keys a successful Put wrote, so Leftovers can tell every other blob apart.
type recorder struct {
	*Sink
	mu   sync.Mutex
	keys []string
}

func (r *recorder) Put(ctx context.Context, key string, body io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return r.record(key)(r.Sink.Put(ctx, key, body, opts))
}

func (r *recorder) Create(ctx context.Context, key string, body io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return r.record(key)(r.Sink.Create(ctx, key, body, opts))
}

func (r *recorder) record(key string) func(sinks.Object, error) (sinks.Object, error) {
	return func(obj sinks.Object, err error) (sinks.Object, error) {
		if err == nil {
			r.mu.Lock()
			r.keys = append(r.keys, key)
			r.mu.Unlock()
		}
		return obj, err
	}
}

func TestConformance(t *testing.T) {
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink { return &recorder{Sink: newTestSink(t)} },
		// Azurite keeps no immutability or legal hold: the settings go on every commit (see
		// TestCommitCarriesTheSettings) and the mode checks the rest.
		WriteOnce: func(t *testing.T) sinks.Sink {
			s := newTestSink(t)
			s.archive = Archive{AccessTier: "Cool", LegalHold: true}
			return s
		},
		Leftovers: leftovers,
		BigSize:   5<<20 + 3, // several 1 MiB blocks and a short last one
		Faults: &sinktest.Faults{
			Upstream: azuriteHost,
			New: func(t *testing.T, addr string) sinks.Sink {
				return newTestSinkVia(t, addr, sinktest.FaultDeadlines)
			},
			Bound: 10 * time.Second,
			HTTP:  true,
		},
		Missing: func(t *testing.T) sinks.Sink {
			s, err := New(Config{Container: "rtk-missing-" + strings.ToLower(rand.Text()[:10]), ConnectionString: testenv.Require(t, "RTK_TEST_AZURE_CONNECTION_STRING")})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

// leftovers lists committed blobs no successful Put wrote. Uncommitted blocks of a failed Put are
// expected: they are invisible and Azure discards them.
func leftovers(t *testing.T, s sinks.Sink) []string {
	r := s.(*recorder)
	var left []string
	pager := r.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{})
	for pager.More() {
		page, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatalf("list blobs: %v", err)
		}
		for _, b := range page.Segment.BlobItems {
			r.mu.Lock()
			ok := slices.Contains(r.keys, *b.Name)
			r.mu.Unlock()
			if !ok {
				left = append(left, fmt.Sprintf("committed blob %q", *b.Name))
			}
		}
	}
	return left
}
