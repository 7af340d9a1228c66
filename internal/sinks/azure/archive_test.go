package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// shimmed returns a sink with arch on a fresh container, reached through a proxy in front of Azurite
// that records every request and lets change alter the answers.
func shimmed(t *testing.T, arch Archive, change func(*http.Response)) (*Sink, func() []*http.Request) {
	t.Helper()
	cs := testenv.Require(t, "RTK_TEST_AZURE_CONNECTION_STRING")
	m := regexp.MustCompile(`BlobEndpoint=(http://[^/;]+)`).FindStringSubmatch(cs)
	if m == nil {
		t.Fatalf("no BlobEndpoint in the connection string")
	}
	target, _ := url.Parse(m[1])
	proxy := httputil.NewSingleHostReverseProxy(target)
	if change != nil {
		proxy.ModifyResponse = func(r *http.Response) error { change(r); return nil }
	}
	var mu sync.Mutex
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Clone(context.Background()))
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	name := "rtk-" + strings.ToLower(rand.Text()[:20])
	s, err := New(Config{Container: name, ConnectionString: strings.Replace(cs, m[1], srv.URL, 1), BlockSize: 1 << 20, Buffers: 4,
		Archive: arch, Setting: "destinations.azure"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Create(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	return s, func() []*http.Request { mu.Lock(); defer mu.Unlock(); return append([]*http.Request(nil), reqs...) }
}

// TestCommitCarriesTheSettings: the tier, encryption scope, legal hold, immutability policy and tags
// go on the Put Blob or Put Block List that creates the blob (Azurite keeps only the tier, so the
// requests are checked), the scope on every staged block too; and nothing is set afterwards.
func TestCommitCarriesTheSettings(t *testing.T) {
	arch := Archive{AccessTier: "Cold", EncryptionScope: "scope1", LegalHold: true, Tags: "team=support",
		Immutability: Immutability{Mode: "Unlocked", RetainPeriod: sinks.RetainPeriod{RetainFor: "1d"}}}
	s, requests := shimmed(t, arch, nil)
	for name, size := range map[string]int{"small": 100, "blocks": 2<<20 + 5} {
		data := make([]byte, size)
		rand.Read(data)
		// Azurite may refuse what it doesn't implement: the requests are what is checked.
		sinks.Guard(s).(sinks.Creator).Create(t.Context(), name, bytes.NewReader(data), sinks.PutOptions{Size: -1})
	}
	creating := 0
	for _, r := range requests() {
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodPut && q.Get("comp") == "block":
			if r.Header.Get("X-Ms-Encryption-Scope") != "scope1" {
				t.Errorf("Put Block without the encryption scope")
			}
		case r.Method == http.MethodPut && (q.Get("comp") == "blocklist" || q.Get("comp") == "" && q.Get("restype") == ""):
			creating++
			for h, want := range map[string]string{"X-Ms-Access-Tier": "Cold", "X-Ms-Encryption-Scope": "scope1", "X-Ms-Legal-Hold": "true",
				"X-Ms-Tags": "team=support", "X-Ms-Immutability-Policy-Mode": "Unlocked"} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s %s: %s = %q, want %q", r.Method, r.URL, h, got, want)
				}
			}
			if r.Header.Get("X-Ms-Immutability-Policy-Until-Date") == "" {
				t.Errorf("%s: no immutability expiry", r.URL)
			}
		case r.Method == http.MethodPut && q.Get("comp") != "":
			t.Errorf("a second write to set %s: %s", q.Get("comp"), r.URL)
		}
	}
	if creating < 2 {
		t.Fatalf("%d creating requests, want a Put Blob and a Put Block List", creating)
	}
}

// TestPreflightRefusesImmutabilityWithoutSupport: Azurite has no version-level immutability, so a
// destination asking for it fails its check, naming the setting.
func TestPreflightRefusesImmutabilityWithoutSupport(t *testing.T) {
	s, _ := shimmed(t, Archive{Immutability: Immutability{Mode: "Locked", RetainPeriod: sinks.RetainPeriod{RetainFor: "7y"}}}, nil)
	err := sinks.Guard(s).(sinks.Checker).Check(t.Context())
	if !errors.Is(err, sinks.ErrPermanent) || !strings.Contains(err.Error(), "destinations.azure.immutability") {
		t.Fatalf("Check = %v, want a permanent error naming destinations.azure.immutability", err)
	}
}

// TestWrongBlobIsLeftUnderLegalHold: a blob that fails its check after the commit (a shim reports
// another SHA-256 in its properties) is reported and left on a write-once destination, where Azure
// would answer the delete with 409: no DELETE is sent.
func TestWrongBlobIsLeftUnderLegalHold(t *testing.T) {
	s, requests := shimmed(t, Archive{LegalHold: true}, func(r *http.Response) {
		if r.Request.Method == http.MethodHead && r.Header.Get("X-Ms-Meta-Sha256") != "" {
			r.Header.Set("X-Ms-Meta-Sha256", strings.Repeat("0", 64))
		}
	})
	_, err := sinks.Guard(s).Put(t.Context(), "wrong.mp4", bytes.NewReader([]byte("the recording")), sinks.PutOptions{Size: 13})
	if !errors.Is(err, sinks.ErrChecksumMismatch) || !strings.Contains(err.Error(), "left in place") {
		t.Fatalf("Put = %v, want a mismatch saying the blob is left in place", err)
	}
	for _, r := range requests() {
		if r.Method == http.MethodDelete {
			t.Fatalf("DELETE %s of a blob under a legal hold", r.URL)
		}
	}
}
