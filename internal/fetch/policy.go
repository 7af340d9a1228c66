package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrRefusedURL means a download URL, or a redirect it led to, breaks the download policy: plain http,
// an address inside the pod's network, or too many redirects. Trying again cannot help.
var ErrRefusedURL = errors.New("download URL refused")

// maxDownloadRedirects bounds a download's redirect chain; an object store redirects once or not at all.
const maxDownloadRedirects = 5

// privateHint tells the operator the one way around the policy, in every refusal about addresses or
// schemes, since that is what a test or emulator setup runs into first.
const privateHint = " (use --allow-private-downloads for emulators)"

// addressRules are the networks a download may never reach: the pod's own host, the cluster, the cloud
// metadata service (169.254.169.254 is link-local), and addresses that are not one host. A presigned
// URL from the API, or any redirect after it, naming one of these is an attempt to use the job as a
// proxy into its network.
var addressRules = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata lives here)"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // includes the broadcast address
}

// nat64 is the well-known NAT64 prefix: its last 32 bits are an IPv4 address that a NAT64 gateway
// reaches for us, so they are judged as that address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// classifyAddr says why ip may not be dialled for a download, or "" when it may.
func classifyAddr(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if nat64.Contains(ip) {
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:]))
		if why := classifyAddr(v4); why != "" {
			return why + " behind NAT64"
		}
		return ""
	}
	for _, r := range addressRules {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	return ""
}

// downloadPolicy decides which URLs and addresses a download may use.
type downloadPolicy struct {
	allowPrivate bool
	classify     func(netip.Addr) string // classifyAddr; replaceable in this package's tests
	// resolve is DNS, for a target handed to a proxy (proxyRoute); replaceable in this package's tests.
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

func newDownloadPolicy(allowPrivate bool) downloadPolicy {
	return downloadPolicy{allowPrivate: allowPrivate, classify: classifyAddr, resolve: lookupHost}
}

func lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// checkURL checks what can be known before dialling: the scheme, and the host when it is an IP literal
// (so the error names the address without a connection attempt). Hostnames are checked at dial time,
// on the address actually dialled, so that DNS cannot answer differently for the check and the dial.
func (p downloadPolicy) checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.allowPrivate:
	case u.Scheme == "http":
		return fmt.Errorf("%w: %s is plain http, only https is allowed%s", ErrRefusedURL, StripQuery(u.String()), privateHint)
	default:
		return fmt.Errorf("%w: scheme %q is not https", ErrRefusedURL, u.Scheme)
	}
	if p.allowPrivate {
		return nil
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		return p.checkAddr(ip)
	}
	return nil
}

func (p downloadPolicy) checkAddr(ip netip.Addr) error {
	if why := p.classify(ip); why != "" {
		return fmt.Errorf("%w: %s is %s%s", ErrRefusedURL, ip, why, privateHint)
	}
	return nil
}

// control is the download dialer's Control hook: it sees the resolved address of every connection,
// after DNS and before connect, which is the only point where the check cannot be raced.
func (p downloadPolicy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read the dialled address %q", ErrRefusedURL, address)
	}
	return p.checkAddr(ap.Addr())
}

// checkRedirect applies the policy to every hop of a download's redirects.
func (p downloadPolicy) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxDownloadRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRefusedURL, maxDownloadRedirects)
	}
	return p.checkURL(req.URL)
}

// newDownloadClient builds the client downloads go through: base's settings, a dialer that enforces the
// policy on each address dialled, and no transparent gzip (Go would otherwise ask for gzip and unpack
// it, and we would archive bytes the host never served under the name we store). With the policy on,
// base's proxy (HTTPS_PROXY, NO_PROXY) is still used, through proxyRoute: the target's addresses are
// checked before the request goes to the proxy, and only the proxy is dialled unchecked.
func newDownloadClient(base *http.Transport, p downloadPolicy) *http.Client {
	t := base.Clone()
	t.DisableCompression = true
	var rt http.RoundTripper = t
	if !p.allowPrivate {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: p.control}
		t.DialContext = d.DialContext
		if t.Proxy != nil {
			rt = newProxyRoute(p, t)
		}
	}
	return &http.Client{Transport: rt, CheckRedirect: p.checkRedirect}
}
