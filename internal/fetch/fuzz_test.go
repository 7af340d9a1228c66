package fetch_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// secretKeys are the storage_config fields the API documents as secret.
var secretKeys = []string{"access_key", "secret", "password", "private_key"}

func FuzzRecordingDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"r1","status":"UPLOADED","download_url":"https://h/m.mp4?X-Amz-Signature=SIG","file_size":1.5e3,"storage_config":{"type":"aws","bucket":"b","access_key":"AKIAFUZZSECRET","secret":"FUZZSECRETVALUE"}}`,
		`{"id":"r2","download_url":[{"layer_name":"a","download_urls":{"v.webm":{"download_url":"https://h/v?sig=1"}}}],"file_size":"12"}`,
		`{"id":"r3","file_size":1e19}`,
		`{"id":"r4","file_size":-0.5,"storage_config":null}`,
		`{"id":"r5","Storage_Config":{"type":"sftp","password":"PASSWORDSECRET1","private_key":"PRIVATEKEYSECRET"}}`,
		`{"id":"r6","storage_config":{"type":"gcs","Secret":"CASEDSECRET123"},"storage_config":{"type":"aws"}}`,
		`{"id":"r7","meeting":{"recording_config":{"storage_config":{"type":"aws","secret":"NESTEDSECRET1"}}}}`,
		`{"id":"r8","started_time":"2026-01-02 03:04:05.000Z","recording_duration":"x","storage_config":{"type":"aws","port":"22"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var rec fetch.Recording
		if err := json.Unmarshal(in, &rec); err != nil {
			return
		}
		if rec.FileSize < -1 {
			t.Fatalf("FileSize %d", rec.FileSize)
		}
		if rec.Duration < 0 {
			t.Fatalf("Duration %d", rec.Duration)
		}
		if rec.StorageConfig != nil && (rec.StorageConfig.Port < 0 || rec.StorageConfig.Port > 65535) {
			t.Fatalf("port %d", rec.StorageConfig.Port)
		}
		out, err := rec.Redacted()
		if err != nil {
			return
		}
		var doc any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("Redacted is not JSON: %v\n%s", err, out)
		}
		var input any
		json.Unmarshal(in, &input)
		var secrets, public []string
		walkStrings(input, false, func(s string, secret bool) {
			if secret {
				secrets = append(secrets, s)
			} else {
				public = append(public, s)
			}
		})
		walkStrings(doc, false, func(s string, _ bool) {
			for _, secret := range secrets {
				// A short value, or one that also appears outside a secret field, is not the secret's to leak.
				if len(secret) >= 8 && strings.Contains(s, secret) && !containsAny(public, secret) {
					t.Fatalf("the secret %q survives in Redacted:\n%s", secret, out)
				}
			}
		})
	})
}

// walkStrings calls fn with every string in v, keys included, and whether it is under a secret key
// (at any depth, in any case).
func walkStrings(v any, secret bool, fn func(s string, secret bool)) {
	switch v := v.(type) {
	case string:
		fn(v, secret)
	case []any:
		for _, e := range v {
			walkStrings(e, secret, fn)
		}
	case map[string]any:
		for k, e := range v {
			fn(k, secret)
			walkStrings(e, secret || isSecretKey(k), fn)
		}
	}
}

func isSecretKey(k string) bool {
	for _, s := range secretKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

func containsAny(haystacks []string, needle string) bool {
	for _, h := range haystacks {
		if strings.Contains(h, needle) {
			return true
		}
	}
	return false
}
