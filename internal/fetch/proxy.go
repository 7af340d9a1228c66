package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// proxyRoute lets downloads go through the operator's proxy (HTTPS_PROXY, NO_PROXY: whatever the base
// transport's Proxy chooses) with the download policy still on. Through a proxy the address dialled
// is the proxy's, so the dial-time check cannot see the target: the target's host is resolved and every
// address it resolves to is checked before the request is handed to the proxy. The proxy itself is
// operator configuration and may well be a private address.
//
// Two transports keep the paths apart: direct dials only targets, each address checked as it is
// dialled; viaProxy dials only proxies, unchecked, and refuses a request its Proxy would send direct.
//
// What this cannot see: the proxy resolves the name again itself, so a DNS answer that changes between
// the two resolutions (rebinding) reaches wherever the proxy's answer points. Redirects are still
// checked hop by hop, each hop resolved again.
type proxyRoute struct {
	policy   downloadPolicy
	choose   func(*http.Request) (*url.URL, error) // the base transport's Proxy
	direct   *http.Transport
	viaProxy *http.Transport
}

// newProxyRoute builds the route from the download transport t, whose DialContext checks every address.
func newProxyRoute(p downloadPolicy, t *http.Transport) *proxyRoute {
	r := &proxyRoute{policy: p, choose: t.Proxy, direct: t.Clone(), viaProxy: t.Clone()}
	r.direct.Proxy = nil
	plain := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	r.viaProxy.DialContext = plain.DialContext
	r.viaProxy.Proxy = r.chosen
	return r
}

// RoundTrip sends a request the base would proxy to the proxy once its target passes the policy, and
// any other request direct.
func (r *proxyRoute) RoundTrip(req *http.Request) (*http.Response, error) {
	pu, err := r.choose(req)
	if err == nil && pu != nil {
		err = r.checkTarget(req.Context(), req.URL.Hostname())
	}
	switch {
	case err != nil:
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	case pu == nil:
		return r.direct.RoundTrip(req)
	}
	return r.viaProxy.RoundTrip(req)
}

// chosen is viaProxy's Proxy: the base's choice again. A request it would now send direct is refused,
// since viaProxy's dialer checks nothing.
func (r *proxyRoute) chosen(req *http.Request) (*url.URL, error) {
	pu, err := r.choose(req)
	if err == nil && pu == nil {
		return nil, fmt.Errorf("%w: the proxy choice for %s changed during the request", ErrRefusedURL, req.URL.Hostname())
	}
	return pu, err
}

// CloseIdleConnections closes both transports' idle connections.
func (r *proxyRoute) CloseIdleConnections() {
	r.direct.CloseIdleConnections()
	r.viaProxy.CloseIdleConnections()
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
