package fetch

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// connectProxy is a small HTTP CONNECT proxy on 127.0.0.1 that sends every tunnel to upstream, whatever
// host it is asked for (it plays the proxy's own DNS), and remembers what it was asked for.
type connectProxy struct {
	upstream string
	mu       sync.Mutex
	asked    []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	p.mu.Lock()
	p.asked = append(p.asked, r.Host)
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer up.Close()
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
	rw.Flush()
	go io.Copy(up, rw)
	io.Copy(conn, up)
}

func (p *connectProxy) tunnels() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

// Downloads go through the configured proxy with the policy on: a host that resolves to public
// addresses is handed to the proxy (itself on a loopback address, which is the operator's choice), and
// one that resolves to a private address is refused before the proxy hears of it, on every hop.
func TestDownloadsGoThroughTheProxyWithThePolicyOn(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-localhost":
			http.Redirect(w, r, "https://localhost/file", http.StatusFound)
		default:
			w.Write([]byte("media"))
		}
	}))
	defer srv.Close()
	proxy := &connectProxy{upstream: srv.Listener.Addr().String()}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	proxyURL, _ := url.Parse(ps.URL)

	base := srv.Client().Transport.(*http.Transport).Clone()
	base.Proxy = http.ProxyURL(proxyURL) // as HTTPS_PROXY gives it through http.ProxyFromEnvironment
	c, err := New(Config{BaseURL: srv.URL, AccountID: "a", AppID: "b", Token: "t", HTTPClient: &http.Client{Transport: base}})
	if err != nil {
		t.Fatal(err)
	}
	// example.com is in the test certificate; here it resolves to a public address, as a bucket's
	// host would. localhost keeps its real answer from the system's resolver.
	c.policy.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		case "internal.example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.216.35"), netip.MustParseAddr("10.0.0.5")}, nil
		}
		return lookupHost(ctx, host)
	}
	c.download = newDownloadClient(base, c.policy)

	m, err := c.OpenMedia(t.Context(), "https://example.com/file?X-Amz-Signature=SECRET", -1)
	if err != nil {
		t.Fatalf("a download to a public host through the proxy: %v", err)
	}
	body, _ := io.ReadAll(m)
	m.Close()
	if string(body) != "media" {
		t.Fatalf("body %q", body)
	}
	if got := proxy.tunnels(); len(got) != 1 || got[0] != "example.com:443" {
		t.Fatalf("the proxy was asked for %q, want example.com:443", got)
	}

	for u, want := range map[string]string{
		"https://localhost/file":               "is a loopback address",
		"https://internal.example.com/file":    "10.0.0.5 is a private address",
		"https://example.com/to-localhost?s=1": "is a loopback address",
	} {
		_, err := c.OpenMedia(t.Context(), u, -1)
		if !errors.Is(err, ErrRefusedURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want ErrRefusedURL naming %q", u, err, want)
		}
	}
	for _, asked := range proxy.tunnels()[1:] {
		if asked != "example.com:443" { // the redirecting hop itself is public
			t.Errorf("the proxy was asked for %s, which the policy refuses", asked)
		}
	}
}
