package fetch

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestOrigin(t *testing.T) {
	same := [][2]string{
		{"https://api.example.com/a", "https://API.example.com:443/b"},
		{"http://127.0.0.1/a", "http://127.0.0.1:80/b?x=1"},
	}
	differ := [][2]string{
		{"https://api.example.com/a", "http://api.example.com/a"},
		{"https://api.example.com/a", "https://api.example.com:8443/a"},
		{"https://api.example.com/a", "https://evil.example.com/a"},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a"},
	}
	for _, p := range same {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if origin(a) != origin(b) {
			t.Errorf("%s and %s are one origin, got %s and %s", p[0], p[1], origin(a), origin(b))
		}
	}
	for _, p := range differ {
		a, _ := url.Parse(p[0])
		b, _ := url.Parse(p[1])
		if origin(a) == origin(b) {
			t.Errorf("%s and %s are different origins", p[0], p[1])
		}
	}
}

func TestTheTokenStaysOnTheAPIsOrigin(t *testing.T) {
	var leaked, plainHits atomic.Int32
	okBody := `{"success":true,"data":{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"INVOKED"}}`
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(okBody))
	}))
	defer plain.Close()
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Write([]byte(okBody))
	}))
	defer other.Close()
	var apiHits atomic.Int32
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiHits.Add(1)
		if strings.HasSuffix(r.URL.Path, "/00000000-0000-4000-8000-00000000d0d0") {
			http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
			return
		}
		// Same host name, another port: another origin.
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	// httptest signs every TLS server with one certificate, so api's client trusts other too.
	c, err := New(Config{BaseURL: api.URL, AccountID: "a", AppID: "b", Token: "tok", HTTPClient: api.Client(), RequestsPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recording(t.Context(), "0f0e0d0c-0b0a-4908-8706-050403020100"); err != nil {
		t.Fatalf("redirect to another port: %v", err)
	}
	_, err = c.Recording(t.Context(), "00000000-0000-4000-8000-00000000d0d0")
	if err == nil || !strings.Contains(err.Error(), "https to plain http") {
		t.Fatalf("https -> http redirect: err = %v, want a refusal", err)
	}
	if plainHits.Load() != 0 || leaked.Load() != 0 {
		t.Fatalf("plain http requests %d, requests carrying the token off the API's origin %d", plainHits.Load(), leaked.Load())
	}
	if n := apiHits.Load(); n != 2 {
		t.Fatalf("the API got %d requests; the refused downgrade must not be retried", n)
	}
}
