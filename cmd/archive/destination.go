package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// destination is one destinations.<type> entry of the config. Each type owns its struct, in its own
// dest_*.go file: the settings it has, how a recording's storage_config completes them, how they are
// checked, how the sink is opened, and how `archive verify` finds an object again from its URL.
// Secrets are never settings: they come from the environment or from files named in the entry.
type destination interface {
	// complete returns the entry with what it leaves out taken from the recording's storage_config.
	complete(sc *fetch.StorageConfig) destination
	// check validates the entry. Before complete (final false), settings a storage_config may still
	// supply (bucket, region, host, port, username) are not required yet.
	check(final bool) error
	// open builds the sink of a completed, checked entry; env gives the credentials.
	open(ctx context.Context, env func(string) string) (sinks.Sink, error)
	// keyPrefix is the folder inside the sink that keys start with; "" for none.
	keyPrefix() string
	// sinkID is the entry without its prefix: entries that differ only by prefix share one sink. It
	// must be a comparable value.
	sinkID() destination
	// locate completes the entry from a manifest's destination URL, as complete does from a
	// storage_config: only the settings the config leaves open (bucket, host, ...) are taken from it.
	// Whether the URL then names an object of that sink is for the sink's own URLs to say (verify).
	locate(u *url.URL) destination
}

// destinationType is a registered type: the scheme of its URLs and its empty entry, which decoding
// starts from.
type destinationType struct {
	scheme string
	empty  destination
}

// destinationTypes is the one registry of destination types: the storage_config types plus local.
// Adding a type is its dest_*.go file and one line here.
var destinationTypes = map[string]destinationType{
	"aws":          {"s3", s3Destination{typ: "aws"}},
	"digitalocean": {"s3", s3Destination{typ: "digitalocean"}},
	"gcs":          {"gs", gcsDestination{}},
	"azure":        {"azblob", azureDestination{}},
	"sftp":         {"sftp", sftpDestination{}},
	"local":        {"file", localDestination{}},
}

func typeNames() string { return strings.Join(slices.Sorted(mapKeys(destinationTypes)), ", ") }

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// decodeDestination decodes a config entry of type typ strictly (an unknown key is an error: a typo
// must not silently send recordings elsewhere) and checks it as far as the config alone can.
func decodeDestination(typ string, node *yaml.Node) (destination, error) {
	dt, ok := destinationTypes[typ]
	if !ok {
		return nil, fmt.Errorf("unknown destination type %q (known: %s)", typ, typeNames())
	}
	p := reflect.New(reflect.TypeOf(dt.empty))
	p.Elem().Set(reflect.ValueOf(dt.empty))
	if node != nil && node.Kind != 0 {
		raw, err := yaml.Marshal(node)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(p.Interface()); err != nil {
			return nil, err
		}
	}
	d := p.Elem().Interface().(destination)
	if err := d.check(false); err != nil {
		return nil, err
	}
	return d, nil
}

// validURL checks an endpoint setting, naming the setting when it is wrong.
func validURL(setting, raw, example string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("endpoint %q is not an http(s) URL: set %s like %s", raw, setting, example)
	}
	return nil
}

// fill sets *dst to src when the config left it empty.
func fill(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}

// storagePrefix is the key prefix a storage_config path gives.
func storagePrefix(sc *fetch.StorageConfig) string { return strings.Trim(sc.Path, "/") }
