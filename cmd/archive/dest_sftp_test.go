package main

import (
	"context"
	"strings"
	"testing"
)

func TestSFTPDestinationSaysWhatToConfigure(t *testing.T) {
	full := sftpDestination{Host: "h", Username: "u", KnownHostsFile: "/kh", Dir: "/d"}
	for name, tc := range map[string]struct {
		edit func(*sftpDestination)
		says string
	}{
		"no host":        {func(d *sftpDestination) { d.Host = "" }, "host is required"},
		"no username":    {func(d *sftpDestination) { d.Username = "" }, "username is required"},
		"no known_hosts": {func(d *sftpDestination) { d.KnownHostsFile = "" }, "known_hosts_file is required"},
	} {
		t.Run(name, func(t *testing.T) {
			d := full
			tc.edit(&d)
			if err := d.check(true); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("check: %v, want %q", err, tc.says)
			}
		})
	}
	if err := full.check(true); err != nil {
		t.Fatalf("check of a full entry: %v", err)
	}
	noEnv := func(string) string { return "" }
	if _, err := full.open(context.Background(), noEnv); err == nil || !strings.Contains(err.Error(), "SFTP_PASSWORD") {
		t.Fatalf("open without credentials: %v, want an error naming SFTP_PASSWORD", err)
	}
}
