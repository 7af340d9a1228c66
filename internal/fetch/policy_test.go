package fetch

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestClassifyAddr(t *testing.T) {
	cases := map[string]struct {
		ip   string
		want string // "" = allowed
	}{
		"public v4":          {"93.184.216.34", ""},
		"public v6":          {"2606:2800:220:1:248:1893:25c8:1946", ""},
		"just past private":  {"172.32.0.1", ""},
		"just before cgnat":  {"100.63.255.255", ""},
		"loopback":           {"127.0.0.1", "loopback"},
		"loopback other":     {"127.0.0.2", "loopback"},
		"loopback v6":        {"::1", "loopback"},
		"ten":                {"10.1.2.3", "private"},
		"172.16/12":          {"172.31.255.255", "private"},
		"192.168":            {"192.168.0.1", "private"},
		"metadata":           {"169.254.169.254", "link-local"},
		"link-local v6":      {"fe80::1", "link-local"},
		"link-local v6 zone": {"fe80::1%eth0", "link-local"},
		"unique-local":       {"fd00:ec2::254", "unique-local"},
		"cgnat":              {"100.64.0.1", "carrier-grade NAT"},
		"unspecified":        {"0.0.0.0", "unspecified"},
		"unspecified v6":     {"::", "unspecified"},
		"this network":       {"0.1.2.3", "unspecified"},
		"multicast":          {"224.0.0.1", "multicast"},
		"multicast v6":       {"ff02::1", "multicast"},
		"broadcast":          {"255.255.255.255", "reserved"},
		"mapped loopback":    {"::ffff:127.0.0.1", "loopback"},
		"mapped metadata":    {"::ffff:169.254.169.254", "link-local"},
		"mapped private":     {"::ffff:10.0.0.1", "private"},
		"mapped public":      {"::ffff:93.184.216.34", ""},
		"nat64 metadata":     {"64:ff9b::a9fe:a9fe", "link-local"},
		"nat64 public":       {"64:ff9b::5db8:d822", ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := classifyAddr(netip.MustParseAddr(tc.ip))
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("classifyAddr(%s) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
}

func TestDialControlRefusesTheDialledAddress(t *testing.T) {
	p := newDownloadPolicy(false)
	for addr, refused := range map[string]bool{
		"127.0.0.2:443":               true,
		"[::1]:443":                   true,
		"[::ffff:169.254.169.254]:80": true,
		"10.0.0.5:443":                true,
		"93.184.216.34:443":           false,
		"[2606:4700::1111]:443":       false,
	} {
		err := p.control("tcp", addr, nil)
		if refused != (err != nil) || (err != nil && !errors.Is(err, ErrRefusedURL)) {
			t.Errorf("control(%s) = %v, refused want %v", addr, err, refused)
		}
	}
	err := p.control("tcp", "127.0.0.2:443", nil)
	if want := "download URL refused: 127.0.0.2 is a loopback address (use --allow-private-downloads for emulators)"; err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

func TestCheckURLAndRedirects(t *testing.T) {
	on, off := newDownloadPolicy(false), newDownloadPolicy(true)
	for raw, want := range map[string]string{
		"https://bucket.example.com/a.mp4?sig=x": "",
		"http://bucket.example.com/a.mp4":        "plain http",
		"ftp://bucket.example.com/a.mp4":         "not https",
		"https://169.254.169.254/latest/":        "link-local",
		"https://[::ffff:127.0.0.1]/":            "loopback",
		"https://10.0.0.1:9000/":                 "private",
	} {
		u, _ := url.Parse(raw)
		err := on.checkURL(u)
		if (want == "") != (err == nil) || (err != nil && (!errors.Is(err, ErrRefusedURL) || !strings.Contains(err.Error(), want))) {
			t.Errorf("checkURL(%s) = %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "sig=x") {
			t.Errorf("the URL's query leaked into %v", err)
		}
	}
	u, _ := url.Parse("http://127.0.0.1:8080/a.mp4")
	if err := off.checkURL(u); err != nil {
		t.Fatalf("with AllowPrivateDownloads: %v", err)
	}

	req := httptest.NewRequest(http.MethodGet, "http://bucket.example.com/next", nil)
	if err := on.checkRedirect(req, make([]*http.Request, 1)); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("redirect to http: %v", err)
	}
	req = httptest.NewRequest(http.MethodGet, "https://bucket.example.com/next", nil)
	if err := on.checkRedirect(req, make([]*http.Request, 4)); err != nil {
		t.Fatalf("fifth redirect: %v", err)
	}
	for _, p := range []downloadPolicy{on, off} {
		if err := p.checkRedirect(req, make([]*http.Request, 5)); !errors.Is(err, ErrRefusedURL) || !strings.Contains(err.Error(), "more than 5 redirects") {
			t.Fatalf("sixth redirect: %v", err)
		}
	}
}

// TestRedirectsAreCheckedEndToEnd follows real redirects with a policy that lets this test's own
// loopback server through, so that only the redirect targets are judged.
func TestRedirectsAreCheckedEndToEnd(t *testing.T) {
	var hops int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-http":
			http.Redirect(w, r, "http://"+r.Host+"/file", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/loop":
			hops++
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			w.Write([]byte("media"))
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, AccountID: "a", AppID: "b", Token: "t", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	c.policy.classify = func(ip netip.Addr) string {
		if ip == netip.MustParseAddr("127.0.0.1") {
			return ""
		}
		return classifyAddr(ip)
	}
	c.download = newDownloadClient(srv.Client().Transport.(*http.Transport), c.policy)

	for path, want := range map[string]string{"/to-http": "plain http", "/to-metadata": "169.254.169.254 is a link-local address", "/loop": "more than 5 redirects"} {
		_, err := c.OpenMedia(t.Context(), srv.URL+path+"?X-Amz-Signature=SECRET", -1)
		if !errors.Is(err, ErrRefusedURL) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: err = %v, want ErrRefusedURL naming %q", path, err, want)
		}
	}
	if hops != 5 {
		t.Errorf("the redirect loop was followed %d times, want 5", hops)
	}
	m, err := c.OpenMedia(t.Context(), srv.URL+"/file", -1)
	if err != nil {
		t.Fatalf("a plain https download with this test's policy: %v", err)
	}
	m.Close()
}
