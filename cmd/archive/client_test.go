package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestPrivateDownloadsNeedTheFlagOrTheEnvironment(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000))
	delete(c.env, "ARCHIVE_ALLOW_PRIVATE_DOWNLOADS")
	if code, _, _ := c.run("run"); code != 1 {
		t.Fatalf("a run downloading from 127.0.0.1 over http without the flag exited %d, want 1", code)
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	var refused bool
	for _, e := range entries {
		refused = refused || strings.Contains(e.Error, "download URL refused") && strings.Contains(e.Error, "--allow-private-downloads")
	}
	if !refused {
		t.Fatalf("no manifest line names the refusal: %+v", entries)
	}
	if code, out, errOut := c.run("run", "--allow-private-downloads"); code != 0 {
		t.Fatalf("with --allow-private-downloads: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestPlainHTTPAPIToAnotherHostIsWarnedAbout(t *testing.T) {
	for u, warn := range map[string]bool{
		"http://api.example.com/client/v4":     true,
		"http://10.0.0.8:8080/client/v4":       true,
		"http://127.0.0.1:8080/client/v4":      false,
		"http://[::1]:8080/client/v4":          false,
		"http://localhost:8080/client/v4":      false,
		"https://api.cloudflare.com/client/v4": false,
	} {
		var buf bytes.Buffer
		warnPlainAPI(u, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := strings.Contains(buf.String(), "level=WARN"); got != warn {
			t.Errorf("%s: warned %v, want %v (%s)", u, got, warn, buf.String())
		}
	}
}

func TestMaxFileSizeReachesTheDownloads(t *testing.T) {
	c := newCLI(t, uploaded(1, 5000))
	if code, _, _ := c.run("run", "--max-file-size", "1KiB"); code != 1 {
		t.Fatalf("a 5000-byte file under --max-file-size 1KiB: exit %d, want 1", code)
	}
	entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	var named bool
	for _, e := range entries {
		named = named || strings.Contains(e.Error, "--max-file-size")
	}
	if !named {
		t.Fatalf("no manifest line names --max-file-size: %+v", entries)
	}
	if code, _, errOut := c.run("run", "--max-file-size", "lots"); code != 2 || !strings.Contains(errOut, "max-file-size") {
		t.Fatalf("a bad --max-file-size: exit %d, %s", code, errOut)
	}
}
