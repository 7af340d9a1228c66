package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// errInsecureRedirect is an API redirect from https to plain http.
var errInsecureRedirect = errors.New("the API redirected from https to plain http")

// origin is scheme, host and port, with the scheme's default port spelled out: the unit the API token
// is bound to.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// apiRedirects is the API client's CheckRedirect: the token goes only to the API's own origin.
//
// A downgrade from https to http is refused outright rather than followed without the token: it exposes
// the request and, worse, the answer, which decides what gets archived, to anyone on the path, and a
// genuine API never asks for it. Any other change of host or port is followed without the token, as a
// redirect to a CDN or a regional host may be legitimate and needs no credential of ours.
func apiRedirects(base *url.URL) func(*http.Request, []*http.Request) error {
	home := origin(base)
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if strings.EqualFold(base.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return fmt.Errorf("%w (%s)", errInsecureRedirect, StripQuery(req.URL.String()))
		}
		if origin(req.URL) != home {
			req.Header.Del("Authorization")
		}
		return nil
	}
}
