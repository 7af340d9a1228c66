package fetch

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// storageConfigKeys are the storage_config fields that are safe to keep. An allowlist, not a denylist:
// a secret field the API adds later must not slip through.
var storageConfigKeys = []string{"type", "bucket", "region", "path", "host", "port", "username", "auth_method"}

// secretKeys are the fields the API documents as secret; they are dropped wherever they occur.
var secretKeys = []string{"access_key", "secret", "password", "private_key"}

// Redacted returns the recording's details as the API sent them, made safe to store next to the media:
// every storage_config keeps only its non-secret fields, the documented secret fields are dropped
// wherever else they occur (a listing's meeting.recording_config may carry a storage_config too), and
// presigned URLs lose their query string, which carries a signature that is as good as a credential
// until it expires. The archiver's own notes (Artifacts) go under rtk_archive, replacing any such key the
// API sent. Keys are matched without case, as encoding/json matches them when decoding: a
// "Storage_Config" is the storage_config for the decoder, so it is for the redaction too.
func (r *Recording) Redacted() (json.RawMessage, error) {
	raw, err := r.raw()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	redact(doc)
	if r.Artifacts != nil {
		doc["rtk_archive"] = map[string]any{"artifacts": r.Artifacts}
	}
	for _, k := range []string{"download_url", "audio_download_url"} {
		if v, ok := doc[k]; ok {
			doc[k] = stripQueries(v)
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// redact removes from v, in place and at any depth, the secret fields and everything but the allowlisted
// fields of a storage_config.
func redact(v any) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			redact(e)
		}
	case map[string]any:
		for k, e := range v {
			if containsFold(secretKeys, k) {
				delete(v, k)
				continue
			}
			if sc, ok := e.(map[string]any); ok && strings.EqualFold(k, "storage_config") {
				for sk := range sc {
					if !containsFold(storageConfigKeys, sk) {
						delete(sc, sk)
					}
				}
			}
			redact(e)
		}
	}
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return strings.EqualFold(e, s) })
}

// stripQueries removes the query of every URL string found in v.
func stripQueries(v any) any {
	switch v := v.(type) {
	case string:
		return StripQuery(v)
	case []any:
		for i := range v {
			v[i] = stripQueries(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = stripQueries(v[k])
		}
	}
	return v
}

// StripQuery returns u without its query and fragment, for logs and errors: a presigned URL's query is a
// credential.
func StripQuery(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	p.RawQuery, p.Fragment, p.User = "", "", nil
	return p.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
