package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// A token file and an ID file saved by an editor that starts them with a byte-order mark work as
// without it.
func TestByteOrderMarkInTheTokenAndIDFilesIsIgnored(t *testing.T) {
	rec := uploaded(1, 1000)
	c := newCLI(t, rec)
	tokenFile := filepath.Join(c.dir, "token")
	os.WriteFile(tokenFile, []byte("\ufeff"+c.env["CLOUDFLARE_API_TOKEN"]+"\r\n"), 0o600)
	delete(c.env, "CLOUDFLARE_API_TOKEN")
	idsFile := filepath.Join(c.dir, "ids.txt")
	os.WriteFile(idsFile, []byte("\ufeff"+rec.ID+"\r\n"), 0o600)
	code, stdout, stderr := c.run("run", "--api-token-file", tokenFile, "--ids", idsFile)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.RecordingID != rec.ID || e.Status != manifest.StatusArchived {
			t.Fatalf("manifest line %+v, want %s archived", e, rec.ID)
		}
	}
	if len(entries) == 0 || strings.Contains(stdout, "failed: ") {
		t.Fatalf("nothing archived:\n%s", stdout)
	}
}
