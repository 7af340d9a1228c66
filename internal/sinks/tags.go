package sinks

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Tags are the object tags of a destination, as the config's mapping gives them ({team: support}). They
// are kept as their URL-encoded form (S3's x-amz-tagging header), sorted by key, so a config entry that
// holds them stays a comparable value.
type Tags string

// UnmarshalYAML reads a mapping of strings. (The callback form keeps drivers free of a YAML import.)
func (t *Tags) UnmarshalYAML(unmarshal func(any) error) error {
	var m map[string]string
	if err := unmarshal(&m); err != nil {
		return fmt.Errorf("tags must be a mapping of names to strings: %w", err)
	}
	v := url.Values{}
	for _, k := range slices.Sorted(mapKeys(m)) {
		if k == "" {
			return fmt.Errorf("tags: a tag has an empty name")
		}
		v.Set(k, m[k])
	}
	*t = Tags(v.Encode())
	return nil
}

// Map returns the tags as a map; nil when there are none.
func (t Tags) Map() map[string]string {
	if t == "" {
		return nil
	}
	v, _ := url.ParseQuery(string(t))
	m := make(map[string]string, len(v))
	for k, vs := range v {
		m[k] = strings.Join(vs, "")
	}
	return m
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
