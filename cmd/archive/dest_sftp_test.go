package main

import (
	"context"
	"strings"
	"testing"
)

func TestSFTPDestinationSaysWhatToConfigure(t *testing.T) {
	full := destinationConfig{Host: "h", Username: "u", KnownHostsFile: "/kh", Dir: "/d"}
	for name, tc := range map[string]struct {
		edit func(*destinationConfig)
		says string
	}{
		"no host":        {func(d *destinationConfig) { d.Host = "" }, "host is required"},
		"no username":    {func(d *destinationConfig) { d.Username = "" }, "username is required"},
		"no known_hosts": {func(d *destinationConfig) { d.KnownHostsFile = "" }, "known_hosts_file is required"},
	} {
		t.Run(name, func(t *testing.T) {
			d := full
			tc.edit(&d)
			if err := drivers["sftp"].check(d); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("check: %v, want %q", err, tc.says)
			}
		})
	}
	if err := drivers["sftp"].check(full); err != nil {
		t.Fatalf("check of a full entry: %v", err)
	}
	noEnv := func(string) string { return "" }
	if _, err := drivers["sftp"].open(context.Background(), full, noEnv); err == nil || !strings.Contains(err.Error(), "SFTP_PASSWORD") {
		t.Fatalf("open without credentials: %v, want an error naming SFTP_PASSWORD", err)
	}
}
