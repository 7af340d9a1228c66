package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

func TestArchiveGradeSettingsAreCheckedByTheirDriver(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, says string }{
		"s3 class":           {"destinations:\n  aws:\n    storage_class: GLACIERR\n", "destinations.aws.storage_class"},
		"s3 lock mode":       {"destinations:\n  aws:\n    object_lock: {mode: STRICT, retain_for: 1y}\n", "destinations.aws.object_lock.mode"},
		"s3 duration":        {"destinations:\n  aws:\n    object_lock: {mode: COMPLIANCE, retain_for: 7 years}\n", "destinations.aws.object_lock.retain_for"},
		"s3 sse":             {"destinations:\n  aws:\n    sse: aes\n", "destinations.aws.sse"},
		"s3 kms without sse": {"destinations:\n  aws:\n    sse_kms_key_id: k\n", "destinations.aws.sse_kms_key_id"},
		"spaces class":       {"destinations:\n  digitalocean:\n    storage_class: COLD\n", "destinations.digitalocean.storage_class"},
		"gcs class":          {"destinations:\n  gcs:\n    storage_class: GLACIER\n", "destinations.gcs.storage_class"},
		"gcs retention":      {"destinations:\n  gcs:\n    retention: {mode: Locked}\n", "destinations.gcs.retention"},
		"gcs kms":            {"destinations:\n  gcs:\n    kms_key_name: mykey\n", "destinations.gcs.kms_key_name"},
		"azure tier":         {"destinations:\n  azure:\n    access_tier: Frozen\n", "destinations.azure.access_tier"},
		"azure until":        {"destinations:\n  azure:\n    immutability: {mode: Locked, retain_until: tomorrow}\n", "destinations.azure.immutability.retain_until"},
		"tags":               {"destinations:\n  aws:\n    tags: [a, b]\n", "tags must be a mapping"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseConfig([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want one naming %s", err, tc.says)
			}
		})
	}
	cfg, err := parseConfig([]byte("destinations:\n  aws:\n    storage_class: DEEP_ARCHIVE\n    object_lock: {mode: COMPLIANCE, retain_for: 7y, legal_hold: true}\n    tags: {team: support}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Destinations["aws"].(s3Destination); d.Archive.ObjectLock.RetainFor != "7y" || d.Archive.Tags != "team=support" {
		t.Fatalf("decoded %+v", d.Archive)
	}
}

func TestOverwriteIsRefusedWithRetention(t *testing.T) {
	c := newCLI(t, uploaded(1, 5000))
	config := filepath.Join(c.dir, "config.yaml")
	os.WriteFile(config, []byte("destinations:\n  gcs:\n    bucket: b\n    retention: {mode: Locked, retain_for: 30d}\n"), 0o644)
	code, _, errOut := c.run("run", "--config", config, "--overwrite")
	if code != 2 || !strings.Contains(errOut, "destinations.gcs.retention") {
		t.Fatalf("exit %d, %s; want 2 naming the retention setting", code, errOut)
	}
	if _, err := os.Stat(c.env["ARCHIVE_MANIFEST"]); err == nil {
		t.Fatal("a manifest was written")
	}
}

// TestAzuriteArchiveTier: Azurite really keeps blobs offline in the Archive tier (Get Blob and any
// overwrite answer 409 BlobArchived). A run archives into it, a re-run (same manifest, then a fresh
// one) proves what is there without reading or rewriting it, and verify proves it without reading;
// verify --read always says a restore is required.
func TestAzuriteArchiveTier(t *testing.T) {
	d := azureDest(t)
	d.config += "    access_tier: Archive\n"
	rec := fetchtest.Recording{ID: fetchtest.UUID(700), Status: "UPLOADED", OutputFileName: "call.mp4", MediaSize: 5<<20 + 3,
		AudioSize: 1000, StorageConfig: d.sc, Invoked: time.Now().Add(-time.Hour)}
	c := newCLI(t, rec)
	for k, v := range d.env {
		c.env[k] = v
	}
	d.setup(t, c)
	config := filepath.Join(c.dir, "config.yaml")
	os.WriteFile(config, []byte("destinations:\n  azure:\n"+d.config), 0o644)
	if code, out, errOut := c.run("run", "--config", config); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	c.stdin = rec.ID + "\n"
	if code, out, errOut := c.run("run", "--config", config, "--ids", "-"); code != 0 {
		t.Fatalf("re-run: %d\n%s\n%s", code, out, errOut)
	}
	fresh := filepath.Join(c.dir, "fresh.jsonl")
	if code, out, errOut := c.run("run", "--config", config, "--ids", "-", "--manifest", fresh); code != 0 {
		t.Fatalf("a run with a fresh manifest: %d\n%s\n%s", code, out, errOut)
	}
	if n := countLines(t, c.env["ARCHIVE_MANIFEST"], `"status":"archived"`); n != 3 {
		t.Errorf("the manifest has %d archived lines, want 3: the re-run rewrote nothing", n)
	}
	if n, p := countLines(t, fresh, `"status":"archived"`), countLines(t, fresh, `"status":"present"`); n != 0 || p != 3 {
		t.Errorf("the fresh manifest has %d archived and %d present lines, want 0 and 3: nothing rewritten", n, p)
	}
	code, out, _ := c.run("verify", "--config", config)
	if code != 0 || !strings.Contains(out, "proven by stored sha256, class Archive") || strings.Contains(out, "proven by read") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	code, out, _ = c.run("verify", "--config", config, "--read", "always")
	if code != 1 || !strings.Contains(out, "restore required") {
		t.Fatalf("verify --read always: %d\n%s", code, out)
	}
}

func countLines(t *testing.T, path, substr string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n
}

// TestDetailsAreWrittenOnce: a later run that keeps another manifest (a backfill in its own) and would
// write different details (here the recording's details changed) leaves recording.json as the first
// run wrote it, so the first manifest still verifies.
func TestDetailsAreWrittenOnce(t *testing.T) {
	r := uploaded(1, 5000)
	c := newCLI(t, r)
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	details := filepath.Join(c.dir, "archive", r.ID, "recording.json")
	first, _ := os.ReadFile(details)
	c.api.Update(r.ID, func(r *fetchtest.Recording) { r.Override = map[string]any{"stop_reason": "RECORDING_STOPPED_BY_HOST"} })
	c.stdin = r.ID + "\n"
	backfill := filepath.Join(c.dir, "backfill.jsonl")
	if code, out, errOut := c.run("run", "--ids", "-", "--manifest", backfill); code != 0 {
		t.Fatalf("backfill: %d\n%s\n%s", code, out, errOut)
	}
	if now, _ := os.ReadFile(details); string(now) != string(first) {
		t.Fatalf("recording.json was rewritten:\n%s\nwas\n%s", now, first)
	}
	if countLines(t, backfill, `"kind":"metadata","status":"present"`) != 1 {
		t.Errorf("the backfill's details line is not present")
	}
	for _, m := range []string{c.env["ARCHIVE_MANIFEST"], backfill} {
		if code, out, _ := c.run("verify", "--manifest", m); code != 0 {
			t.Errorf("verify %s: %d\n%s", m, code, out)
		}
	}
}
