package fetch

import (
	"encoding/json"
	"net/url"
	"slices"
)

// storageConfigKeys are the storage_config fields that are safe to keep. An allowlist, not a denylist:
// a secret field the API adds later must not slip through.
var storageConfigKeys = []string{"type", "bucket", "region", "path", "host", "port", "username", "auth_method"}

// Redacted returns the recording's details as the API sent them, made safe to store next to the media:
// storage_config keeps only its non-secret fields, and presigned URLs lose their query string, which
// carries a signature that is as good as a credential until it expires.
func (r *Recording) Redacted() (json.RawMessage, error) {
	var doc map[string]any
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		return nil, err
	}
	if sc, ok := doc["storage_config"].(map[string]any); ok {
		for k := range sc {
			if !slices.Contains(storageConfigKeys, k) {
				delete(sc, k)
			}
		}
	}
	for _, k := range []string{"download_url", "audio_download_url"} {
		if v, ok := doc[k]; ok {
			doc[k] = stripQueries(v)
		}
	}
	return json.MarshalIndent(doc, "", "  ")
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
