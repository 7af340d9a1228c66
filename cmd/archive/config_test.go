package main

import (
	"strings"
	"testing"
)

func TestConfigEntriesAreDecodedByTheirOwnType(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, says string }{
		"a key another type has":    {"destinations:\n  gcs:\n    bucket: b\n    container: c\n", "field container not found"},
		"a typo":                    {"destinations:\n  aws:\n    buckt: b\n", "field buckt not found"},
		"an unknown type":           {"destinations:\n  dropbox:\n    dir: x\n", `unknown destination type "dropbox"`},
		"sftp without known_hosts":  {"destinations:\n  sftp:\n    host: h\n", "known_hosts_file is required"},
		"a bad endpoint":            {"destinations:\n  azure:\n    endpoint: 127.0.0.1:10000\n", "destinations.azure.endpoint"},
		"a default without entry":   {"default: aws\n", `"aws" has no entry`},
		"manifest_destination type": {"manifest_destination:\n  type: ftp\n  dir: x\n", `type: "ftp" is not one of`},
		"manifest_destination typo": {"manifest_destination:\n  type: local\n  dri: x\n", "field dri not found"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseConfig([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want one saying %q", err, tc.says)
			}
		})
	}
	cfg, err := parseConfig([]byte("default: aws\ndestinations:\n  aws:\n    region: eu-west-1\n    prefix: rec/\nmanifest_destination:\n  type: local\n  dir: /m\n  prefix: p\n"))
	if err != nil {
		t.Fatal(err)
	}
	aws := cfg.Destinations["aws"].(s3Destination)
	if aws.typ != "aws" || aws.Region != "eu-west-1" || cfg.ManifestDestination.keyPrefix() != "p" {
		t.Fatalf("decoded %+v, manifest %+v", aws, cfg.ManifestDestination)
	}
}
