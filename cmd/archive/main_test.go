package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// cli runs the command as main would, returning the exit code and outputs.
type cli struct {
	t     *testing.T
	api   *fetchtest.Server
	dir   string
	env   map[string]string
	stdin string
}

func newCLI(t *testing.T, recs ...fetchtest.Recording) *cli {
	api, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	dir := t.TempDir()
	return &cli{t: t, api: api, dir: dir, env: map[string]string{
		"CLOUDFLARE_ACCOUNT_ID": api.AccountID,
		"REALTIMEKIT_APP_ID":    api.AppID,
		"CLOUDFLARE_API_TOKEN":  api.Token,
		"CLOUDFLARE_API_URL":    api.URL,
		"ARCHIVE_MANIFEST":      filepath.Join(dir, "manifest.jsonl"),
		// The fake serves downloads from 127.0.0.1 over http; every run and the real binary (signal
		// tests) read this environment.
		"ARCHIVE_ALLOW_PRIVATE_DOWNLOADS": "1",
	}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return c.env[k] }
	// Run from the temp dir so the default ./archive lands there.
	wd, _ := os.Getwd()
	os.Chdir(c.dir)
	defer os.Chdir(wd)
	if len(args) > 0 && args[0] == "run" {
		args = append([]string{"run", "--api-rate", "0"}, args[1:]...) // the fake has no rate limit
	}
	err := run(context.Background(), nil, args, getenv, strings.NewReader(c.stdin), &out, &errOut)
	code = exitCode(err, &errOut)
	return code, out.String(), errOut.String()
}

func uploaded(n int, size int64) fetchtest.Recording {
	return fetchtest.Recording{ID: fetchtest.UUID(n), Status: "UPLOADED", OutputFileName: "call.mp4", MediaSize: size,
		Invoked: time.Now().Add(-time.Duration(n) * time.Hour)}
}

func TestBadUsageExits2AndWritesNothing(t *testing.T) {
	cases := map[string]struct {
		args  []string
		unset string
		want  string
		file  string // config file content
	}{
		"missing token":       {args: []string{"run"}, unset: "CLOUDFLARE_API_TOKEN", want: "CLOUDFLARE_API_TOKEN"},
		"missing account":     {args: []string{"run"}, unset: "CLOUDFLARE_ACCOUNT_ID", want: "--account-id"},
		"missing app":         {args: []string{"run"}, unset: "REALTIMEKIT_APP_ID", want: "--app-id"},
		"unknown flag":        {args: []string{"run", "--bogus"}, want: "bogus"},
		"bad since":           {args: []string{"run", "--since", "yesterday"}, want: "--since"},
		"unreadable config":   {args: []string{"run", "--config", "/nonexistent/c.yaml"}, want: "config"},
		"unknown config key":  {args: []string{"run", "--config", "c.yaml"}, file: "destinations:\n  local:\n    dirr: x\n", want: "dirr"},
		"unknown type":        {args: []string{"run", "--config", "c.yaml"}, file: "destinations:\n  dropbox: {}\n", want: "dropbox"},
		"dest without dir":    {args: []string{"run", "--config", "c.yaml"}, file: "destinations:\n  local: {}\n", want: "destinations.local: dir is required"},
		"missing ids file":    {args: []string{"run", "--ids", "/nonexistent/ids.txt"}, want: "--ids"},
		"unknown command":     {args: []string{"archive-everything"}, want: "unknown command"},
		"bad concurrency":     {args: []string{"run", "--concurrency", "0"}, want: "--concurrency"},
		"token as positional": {args: []string{"run", "sometoken"}, want: "unexpected argument"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t, uploaded(1, 100))
			if tc.unset != "" {
				delete(c.env, tc.unset)
			}
			if tc.file != "" {
				os.WriteFile(filepath.Join(c.dir, "c.yaml"), []byte(tc.file), 0o644)
			}
			code, _, stderr := c.run(tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and a message naming %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "manifest.jsonl")); err == nil {
				t.Fatal("a manifest was written on bad usage")
			}
			if _, err := os.Stat(filepath.Join(c.dir, "archive")); err == nil {
				t.Fatal("the archive folder was created on bad usage")
			}
		})
	}
}

func TestRunEndToEndManifestPassesSha256sum(t *testing.T) {
	c := newCLI(t, uploaded(1, 2<<20), uploaded(2, 1<<20), fetchtest.Recording{ID: fetchtest.UUID(3), Status: "RECORDING", Invoked: time.Now().Add(-time.Hour)})
	code, stdout, stderr := c.run("run", "--log-format", "json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "2 archived, 0 present, 0 earlier, 1 pending") || !strings.Contains(stdout, fetchtest.UUID(3)+" expiry unknown: status RECORDING") {
		t.Fatalf("summary: %s", stdout)
	}
	if strings.Contains(stderr, c.api.Token) {
		t.Fatal("the token is in the logs")
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Fatal("sha256sum is needed to check the sidecar the way users do")
	}
	cmd := exec.Command("sha256sum", "-c", "manifest.jsonl.sha256")
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	// The archived files' own checksums, as listed, match the files.
	m, _ := os.ReadFile(filepath.Join(c.dir, "manifest.jsonl"))
	if !strings.Contains(string(m), fetchtest.ContentSHA256(fetchtest.UUID(1), fetchtest.MediaFile, 2<<20)) {
		t.Fatal("the manifest does not list the media's true SHA-256")
	}
	// Second run: the manifest holds both as complete, exit 0, nothing asked of the API but the listing.
	code, stdout, _ = c.run("run")
	if code != 0 || !strings.Contains(stdout, "0 archived, 0 present, 2 earlier") {
		t.Fatalf("re-run exit %d: %s", code, stdout)
	}
}

func TestFailuresExit1AndTheRestGoesOn(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000), uploaded(2, 1000))
	c.stdin = strings.Join([]string{
		"# backfill of last week",
		fetchtest.UUID(1),
		"",
		"not-a-uuid",
		fetchtest.UUID(2) + "   # duplicate below",
		strings.ToUpper(fetchtest.UUID(2)),
		fetchtest.UUID(404),
	}, "\n")
	code, stdout, stderr := c.run("run", "--ids", "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "2 archived") || !strings.Contains(stdout, `line 4 of -: "not-a-uuid" is not a recording ID`) || !strings.Contains(stdout, "not found") {
		t.Fatalf("summary:\n%s", stdout)
	}
	if n := c.api.Requests(fetchtest.DownloadRoute(fetchtest.UUID(2), fetchtest.MediaFile)); n != 1 {
		t.Fatalf("a duplicated ID was downloaded %d times", n)
	}
	// The backfill's one listing knows the two real IDs: only the unknown one costs a detail call.
	if n := c.api.Requests(fetchtest.DetailRoute(fetchtest.UUID(2))) + c.api.Requests(fetchtest.DetailRoute(fetchtest.UUID(1))); n != 0 {
		t.Fatalf("%d detail calls for IDs the listing knew", n)
	}
	if n := c.api.Requests(fetchtest.DetailRoute(fetchtest.UUID(404))); n != 1 {
		t.Fatalf("the ID the listing does not know was fetched %d times, want 1", n)
	}
}

func TestDryRunPrintsThePlanAndWritesNothing(t *testing.T) {
	r := uploaded(1, 1234)
	r.AudioSize = 99
	c := newCLI(t, r, fetchtest.Recording{ID: fetchtest.UUID(2), Status: "ERRORED", Invoked: time.Now().Add(-time.Hour)},
		fetchtest.Recording{ID: fetchtest.UUID(3), Status: "RECORDING", Invoked: time.Now().Add(-time.Hour)})
	code, stdout, stderr := c.run("run", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(c.dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("a dry run wrote %v", names)
	}
	got := strings.ReplaceAll(stdout, c.dir, "$DIR")
	golden := filepath.Join("..", "..", "testdata", "dry-run.golden")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("dry-run output:\n%s\nwant:\n%s", got, want)
	}
}

func TestDemoRuns(t *testing.T) {
	c := newCLI(t)
	code, stdout, stderr := c.run("demo", "--dir", filepath.Join(c.dir, "demo"), "--log-format", "json")
	if code != 0 || !strings.Contains(stdout, "6 archived") || !strings.Contains(stdout, "manifest:") {
		t.Fatalf("demo exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, again, _ := c.run("demo", "--dir", filepath.Join(c.dir, "demo"), "--log-format", "json"); code != 0 || !strings.Contains(again, "0 archived, 1 present, 5 earlier") {
		t.Fatalf("second demo: exit %d\n%s", code, again)
	}
	if regexp.MustCompile(`demo-secret|SIGNATURE-`).MatchString(stdout + stderr) {
		t.Fatal("the demo printed a secret")
	}
}

func TestVersionAndHelp(t *testing.T) {
	c := newCLI(t)
	if code, out, _ := c.run("version"); code != 0 || !strings.HasPrefix(out, "archive ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, _ := c.run("run", "--help"); code != 0 || !strings.Contains(out, "--concurrency") {
		t.Fatalf("run --help: %d %q", code, out)
	}
}

func TestVerifyFindsMissingAndDifferingObjects(t *testing.T) {
	c := newCLI(t, uploaded(1, 5000), uploaded(2, 6000), uploaded(3, 7000))
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := c.run("verify", "--manifest", c.env["ARCHIVE_MANIFEST"]); code != 0 || !strings.Contains(out, "verified 6 of 6 archived objects: 6 ok") {
		t.Fatalf("verify of an intact archive: %d\n%s", code, out)
	}
	if code, out, _ := c.run("verify", "--sample", "10"); code != 0 || !strings.Contains(out, "verified ") {
		t.Fatalf("sampled verify: %d\n%s", code, out)
	}
	gone := filepath.Join(c.dir, "archive", fetchtest.UUID(1), "call.mp4")
	rotten := filepath.Join(c.dir, "archive", fetchtest.UUID(2), "call.mp4")
	os.Remove(gone)
	data, _ := os.ReadFile(rotten)
	data[100] ^= 0xff
	os.WriteFile(rotten, data, 0o644)
	code, out, _ := c.run("verify")
	if code != 1 || !strings.Contains(out, "2 failed") || !strings.Contains(out, fetchtest.UUID(1)+"/call.mp4: missing") || !strings.Contains(out, fetchtest.UUID(2)+"/call.mp4: SHA-256") {
		t.Fatalf("verify of a damaged archive: exit %d\n%s", code, out)
	}
}

func TestJSONSummary(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000), fetchtest.Recording{ID: fetchtest.UUID(2), Status: "ERRORED", Invoked: time.Now().Add(-time.Hour)})
	code, out, _ := c.run("run", "--json")
	var got struct {
		Recordings map[string]int `json:"recordings"`
		Bytes      int64          `json:"bytes"`
		Manifest   string         `json:"manifest"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if got.Recordings["archived"] != 1 || got.Recordings["skipped"] != 1 || got.Bytes < 1000 || got.Manifest == "" {
		t.Fatalf("summary %+v", got)
	}
}

func TestManifestDestinationOutlivesThePod(t *testing.T) {
	r := uploaded(1, 3000)
	c := newCLI(t, r)
	remote := filepath.Join(c.dir, "remote")
	os.WriteFile(filepath.Join(c.dir, "c.yaml"), []byte("destinations:\n  local:\n    dir: archive\nmanifest_destination:\n  type: local\n  dir: "+remote+"\n  prefix: manifests\n"), 0o644)
	if code, out, errOut := c.run("run", "--config", "c.yaml"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	runs, _ := filepath.Glob(filepath.Join(remote, "manifests", "runs", "*", "*.jsonl"))
	if len(runs) != 1 {
		t.Fatalf("run copies: %v", runs)
	}
	check := exec.Command("sha256sum", "-c", filepath.Base(runs[0])+".sha256")
	check.Dir = filepath.Dir(runs[0])
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("the copied manifest fails its checksum: %v\n%s", err, out)
	}
	// A fresh pod: no local manifest. The skip list comes from the state: nothing is downloaded, and the
	// recording costs no detail call either.
	os.Remove(c.env["ARCHIVE_MANIFEST"])
	os.Remove(c.env["ARCHIVE_MANIFEST"] + ".index")
	before := c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
	details := c.api.Requests(fetchtest.DetailRoute(r.ID))
	if code, out, errOut := c.run("run", "--config", "c.yaml"); code != 0 || !strings.Contains(out, "1 earlier") {
		t.Fatalf("second run: %d\n%s\n%s", code, out, errOut)
	}
	if after := c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile)); after != before {
		t.Fatal("the second pod downloaded again what the state lists")
	}
	if c.api.Requests(fetchtest.DetailRoute(r.ID)) != details {
		t.Fatal("the second pod fetched the details of a recording the state holds as complete")
	}
	// The second run wrote no line, so it sent no segment; its state is a new object beside the first.
	if runs, _ := filepath.Glob(filepath.Join(remote, "manifests", "runs", "*", "*.jsonl")); len(runs) != 1 {
		t.Fatalf("run copies after two runs: %v", runs)
	}
	if states, _ := filepath.Glob(filepath.Join(remote, "manifests", "state", "*.index")); len(states) != 2 {
		t.Fatalf("states after two runs: %v", states)
	}
}

func TestProgressIsShown(t *testing.T) {
	c := newCLI(t, uploaded(1, 300_000), uploaded(2, 300_000))
	c.api.SetDownloadRate(400_000) // long enough for a few progress ticks
	_, _, stderr := c.run("run", "--log-format", "json", "--progress-interval", "100ms", "--concurrency", "1")
	if !strings.Contains(stderr, `"msg":"progress"`) || !strings.Contains(stderr, `"recordings":2`) {
		t.Fatalf("no progress log lines when not on a terminal:\n%s", stderr)
	}
	_, _, stderr = c.run("run", "--log-format", "json", "--progress", "always", "--manifest", filepath.Join(c.dir, "m2.jsonl"))
	if !strings.Contains(stderr, "2/2 recordings · ") {
		t.Fatalf("no live progress line with --progress always:\n%s", stderr)
	}
	_, _, stderr = c.run("run", "--log-format", "json", "--progress", "never", "--manifest", filepath.Join(c.dir, "m3.jsonl"))
	if strings.Contains(stderr, "progress") {
		t.Fatal("progress shown with --progress never")
	}
}

func TestBackfillTakesTheEarliestExpiryFirst(t *testing.T) {
	var recs []fetchtest.Recording
	var ids []string
	for i := range 5 {
		r := uploaded(10+i, 1000)
		r.Expiry = time.Now().Add(time.Duration(5-i) * time.Hour) // the last in the file expires first
		recs = append(recs, r)
		ids = append(ids, r.ID)
	}
	c := newCLI(t, recs...)
	c.stdin = strings.Join(ids, "\n")
	if code, out, errOut := c.run("run", "--ids", "-", "--concurrency", "1"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	var order []string
	for _, e := range entries {
		if e.Kind == manifest.KindMedia {
			order = append(order, e.RecordingID)
		}
	}
	for i := range ids {
		if order[i] != ids[len(ids)-1-i] {
			t.Fatalf("archived in order %v, want earliest expiry first %v", order, ids)
		}
	}
}
