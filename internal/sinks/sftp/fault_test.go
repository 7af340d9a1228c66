package sftp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// TestConnectionCutMidUpload cuts the SSH connection after a few MB of an upload. The driver must
// redial, resume, and end with the whole object verified at the key and nothing partial anywhere.
func TestConnectionCutMidUpload(t *testing.T) {
	cfg := keyLogin(t)
	tp := toxiproxy.NewClient(testenv.Require(t, "RTK_TEST_TOXIPROXY_URL"))
	proxy, err := tp.CreateProxy("sftp-"+randomName(), "127.0.0.1:0", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Delete() })

	// The host-key check sees the proxy's address: trust the server's key there too.
	host, port, _ := net.SplitHostPort(proxy.Listen)
	cfg.Host = host
	cfg.Port, _ = strconv.Atoi(port)
	cfg.KnownHostsFile = proxyKnownHosts(t, cfg.KnownHostsFile, proxy.Listen)
	cfg.Dir = t.TempDir()
	s := open(t, cfg)

	// limit_data closes the client-to-server direction after 3 MiB; the source removes it once the
	// upload is past the point the first connection could have carried.
	const size = 8 << 20
	if _, err := proxy.AddToxic("cut", "limit_data", "upstream", 1, toxiproxy.Attributes{"bytes": 3 << 20}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, size)
	rand.Read(data)
	sum := sha256.Sum256(data)
	src := &hookReader{r: bytes.NewReader(data), at: 5 << 20, hook: func() {
		if err := proxy.RemoveToxic("cut"); err != nil {
			t.Error(err)
		}
	}}
	obj, err := sinks.Guard(s).Put(context.Background(), "rec/cut.mp4", struct{ io.Reader }{src}, sinks.PutOptions{Size: size, SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatalf("Put through a cut connection: %v", err)
	}
	if s.Dials() < 2 {
		t.Fatalf("the connection was dialled %d times; the cut did not happen", s.Dials())
	}
	got, err := sinks.ReadBack(context.Background(), s, "rec/cut.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != size || got.SHA256 != hex.EncodeToString(sum[:]) || obj.SHA256 != got.SHA256 {
		t.Fatalf("stored %d bytes %s (Put said %+v), want %d bytes %x", got.Size, got.SHA256, obj, size, sum)
	}
	if left := partials(t, cfg.Dir); len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}
}

func proxyKnownHosts(t *testing.T, knownHosts, addr string) string {
	b, err := os.ReadFile(knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		if _, key, ok := strings.Cut(line, " "); ok {
			out.WriteString("[" + host + "]:" + port + " " + key)
		}
	}
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hookReader calls hook once, when the reader has passed byte at.
type hookReader struct {
	r    io.Reader
	n    int64
	at   int64
	hook func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.hook != nil && h.n >= h.at {
		h.hook()
		h.hook = nil
	}
	return n, err
}
