package azure

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

func TestWithEndpoint(t *testing.T) {
	const cs = "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=c2VjcmV0"
	for _, tc := range []struct {
		name, cs, endpoint, account  string
		wantCS, wantAccount, wantErr string
	}{
		{name: "as given", cs: cs, wantCS: cs, wantAccount: "acct"},
		{name: "endpoint added", cs: cs + ";", endpoint: "http://h:1/acct", wantCS: cs + ";BlobEndpoint=http://h:1/acct", wantAccount: "acct"},
		{name: "same endpoint", cs: cs + ";BlobEndpoint=http://h:1/acct/", endpoint: "http://h:1/acct", wantCS: cs + ";BlobEndpoint=http://h:1/acct/", wantAccount: "acct"},
		{name: "other endpoint", cs: cs + ";BlobEndpoint=http://h:1/acct", endpoint: "http://h:2/acct", wantErr: "differs"},
		{name: "other account", cs: cs, account: "other", wantErr: "differs"},
		{name: "no account", cs: "BlobEndpoint=http://h/;SharedAccessSignature=sv=x", wantErr: "set account"},
		{name: "account from config", cs: "BlobEndpoint=http://h/;SharedAccessSignature=sv=x", account: "a", wantCS: "BlobEndpoint=http://h/;SharedAccessSignature=sv=x", wantAccount: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotCS, gotAccount, err := withEndpoint(tc.cs, tc.endpoint, tc.account)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "c2VjcmV0") {
					t.Fatalf("error shows the key: %v", err)
				}
				return
			}
			if err != nil || gotCS != tc.wantCS || gotAccount != tc.wantAccount {
				t.Fatalf("= %q, %q, %v; want %q, %q", gotCS, gotAccount, err, tc.wantCS, tc.wantAccount)
			}
		})
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	cfg := Config{Account: "a", Container: "c", ConnectionString: "AccountKey=topsecret", AccountKey: "topsecret"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "topsecret") {
			t.Fatalf("Config prints its secret: %s", s)
		}
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	for _, cfg := range []Config{
		{Container: "c"},
		{Container: "c", AccountKey: "c2VjcmV0"},          // no account
		{Account: "a", AccountKey: "c2VjcmV0"},            // no container
		{Account: "a", Container: "c", AccountKey: "%%%"}, // not base64
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%v) succeeded", cfg)
		}
	}
	if _, err := New(Config{Account: "a", Container: "c", AccountKey: "c2VjcmV0"}); err != nil {
		t.Fatalf("shared key: %v", err)
	}
}

func TestCheckKey(t *testing.T) {
	for _, key := range []string{"a.mp4", "p/会議 ü/a b.mp4", "x/plus+percent%25hash#amp&q?.mp4"} {
		if err := checkKey(key); err != nil {
			t.Errorf("checkKey(%q) = %v", key, err)
		}
	}
	for _, key := range []string{"", "/a", "a/", "a.", "a//b", "a/../b", "./a", `a\b`, "a\x00b", "a\nb", strings.Repeat("x", 1025)} {
		if err := checkKey(key); !errors.Is(err, sinks.ErrInvalidKey) {
			t.Errorf("checkKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}

func TestURL(t *testing.T) {
	s, err := New(Config{Account: "acct", Container: "rec", AccountKey: "c2VjcmV0"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.URL("p/a b.mp4"), "azblob://acct/rec/p/a%20b.mp4"; got != want {
		t.Fatalf("URL = %s, want %s", got, want)
	}
}

// Without a key or a connection string, the sink uses a Microsoft Entra identity (workload identity
// in a pod): building it makes no request; the destination check before the first upload is what
// finds out whether an identity is there.
func TestNoKeyMeansAnEntraIdentity(t *testing.T) {
	s, err := New(Config{Account: "acct", Container: "rec"})
	if err != nil {
		t.Fatalf("an account without a key: %v", err)
	}
	if got := s.URL("k"); got != "azblob://acct/rec/k" {
		t.Fatalf("URL = %s", got)
	}
	if _, err := New(Config{Container: "rec"}); err == nil || !strings.Contains(err.Error(), "account") {
		t.Fatalf("neither key nor account: %v, want an error naming the account", err)
	}
}
