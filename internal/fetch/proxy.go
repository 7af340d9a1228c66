package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
)

// proxyRoute lets downloads go through the operator's proxy (HTTPS_PROXY, NO_PROXY: whatever the base
// transport's Proxy chooses) with the download policy still on. Through a proxy the address dialled
// is the proxy's, so the dial-time check cannot see the target: the target's host is resolved and every
// address it resolves to is checked before the request is handed to the proxy. The proxy itself is
// operator configuration and may well be a private address; it is dialled unchecked. What this cannot
// see: the proxy resolves the name again itself, so a DNS answer that changes between the two
// resolutions (rebinding) reaches wherever the proxy's answer points. Redirects are still checked hop
// by hop, each hop resolved again.
type proxyRoute struct {
	policy         downloadPolicy
	choose         func(*http.Request) (*url.URL, error)                        // the base transport's Proxy
	resolve        func(ctx context.Context, host string) ([]netip.Addr, error) // DNS; replaceable in this package's tests
	checked, plain dialFunc                                                     // the policy's dialer for targets; an unchecked one for the proxy

	mu      sync.Mutex
	proxies map[string]bool // host:port of every proxy chosen so far
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func newProxyRoute(p downloadPolicy, choose func(*http.Request) (*url.URL, error), checked, plain dialFunc) *proxyRoute {
	return &proxyRoute{policy: p, choose: choose, checked: checked, plain: plain, proxies: map[string]bool{}}
}

// proxy is the download transport's Proxy: the base's choice, once the target's addresses pass.
func (r *proxyRoute) proxy(req *http.Request) (*url.URL, error) {
	pu, err := r.choose(req)
	if err != nil || pu == nil {
		return pu, err
	}
	if err := r.checkTarget(req.Context(), req.URL.Hostname()); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.proxies[proxyAddr(pu)] = true
	r.mu.Unlock()
	return pu, nil
}

// checkTarget checks every address host resolves to: the proxy may connect to any of them.
func (r *proxyRoute) checkTarget(ctx context.Context, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return r.policy.checkAddr(ip)
	}
	addrs, err := r.policy.resolve(ctx, host)
	if err != nil {
		return fmt.Errorf("resolve %s before handing it to the proxy: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("resolve %s before handing it to the proxy: no addresses", host)
	}
	for _, a := range addrs {
		if err := r.policy.checkAddr(a); err != nil {
			return fmt.Errorf("%w (%s resolves to it; checked before the proxy)", err, host)
		}
	}
	return nil
}

// dialContext is the download transport's DialContext: a proxy this route chose is dialled as it is,
// anything else under the policy's check of the address dialled.
func (r *proxyRoute) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	r.mu.Lock()
	isProxy := r.proxies[addr]
	r.mu.Unlock()
	if isProxy {
		return r.plain(ctx, network, addr)
	}
	return r.checked(ctx, network, addr)
}

// proxyAddr is the address the transport dials for a proxy URL: its host, and its port or the
// scheme's default.
func proxyAddr(pu *url.URL) string {
	port := pu.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[pu.Scheme]
	}
	return net.JoinHostPort(pu.Hostname(), port)
}
