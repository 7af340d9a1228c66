package fetch_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// hostileClient is a client for a download host under test: the API is never called.
func hostileClient(t *testing.T, cfg fetch.Config) *fetch.Client {
	t.Helper()
	cfg.BaseURL, cfg.AccountID, cfg.AppID, cfg.Token = "https://api.invalid/client/v4", "a", "b", "tok"
	c, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDownloadsToThePodsNetworkAreRefused(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("internal secrets"))
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{HTTPClient: srv.Client()})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{
		srv.URL + "/a.mp4",                    // an address literal: refused before dialling
		"https://localhost" + port + "/a.mp4", // a name: refused at dial time, on the resolved address
		"http://localhost" + port + "/a.mp4",  // plain http
	} {
		_, err := c.OpenMedia(t.Context(), u, -1)
		if !errors.Is(err, fetch.ErrRefusedURL) || !strings.Contains(err.Error(), "--allow-private-downloads") {
			t.Errorf("%s: err = %v, want ErrRefusedURL with the way around it", u, err)
		}
		if !strings.Contains(u, "http://") && !strings.Contains(err.Error(), "is a loopback address") {
			t.Errorf("%s: %v does not name the loopback rule", u, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("the internal host got %d requests", n)
	}

	open := hostileClient(t, fetch.Config{HTTPClient: srv.Client(), AllowPrivateDownloads: true})
	m, err := open.OpenMedia(t.Context(), srv.URL+"/a.mp4", -1)
	if err != nil {
		t.Fatalf("with AllowPrivateDownloads: %v", err)
	}
	m.Close()
}
