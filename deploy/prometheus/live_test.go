package prometheus

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// The rules on a real Prometheus (scripts/servers/prometheus.sh) that scrapes, with honor_labels, a
// Pushgateway the real `archive` pushes to: what the promtool tests assume about metric names and
// labels is what a run gives.
func TestRulesFireOnWhatRealRunsPush(t *testing.T) {
	prom := testenv.Require(t, "RTK_TEST_PROMETHEUS_URL")
	gateway := testenv.Require(t, "RTK_TEST_ALERTS_PUSHGATEWAY_URL")
	archive := filepath.Join(t.TempDir(), "archive")
	if out, err := exec.Command("go", "build", "-o", archive, "../../cmd/archive").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	run := func(api *fetchtest.Server, args ...string) int {
		cmd := exec.Command(archive, append([]string{"run", "--api-rate=0", "--pushgateway=" + gateway, "--manifest=manifest.jsonl"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CLOUDFLARE_ACCOUNT_ID="+api.AccountID, "REALTIMEKIT_APP_ID="+api.AppID,
			"CLOUDFLARE_API_TOKEN="+api.Token, "CLOUDFLARE_API_URL="+api.URL, "ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1")
		out, _ := cmd.CombinedOutput()
		t.Logf("archive run %s: exit %d\n%s", strings.Join(args, " "), cmd.ProcessState.ExitCode(), lastLines(string(out), 4))
		return cmd.ProcessState.ExitCode()
	}
	week := 7 * 24 * time.Hour
	// A recording whose media expires in 20 h and that fails (too large for --max-file-size), and one
	// whose media expired a day ago, before any run.
	failing := fetchtest.Recording{ID: fetchtest.UUID(1), Status: "UPLOADED", OutputFileName: "big.mp4", MediaSize: 5000, Invoked: time.Now().Add(20*time.Hour - week)}
	lost := fetchtest.Recording{ID: fetchtest.UUID(2), Status: "UPLOADED", OutputFileName: "gone.mp4", MediaSize: 5000, Invoked: time.Now().Add(-24*time.Hour - week)}
	api := fakeAPI(t, failing, lost)
	if code := run(api, "--max-file-size=1KiB"); code != 1 {
		t.Fatalf("a run with a failure and a loss exits %d, want 1", code)
	}
	waitForAlerts(t, prom, "RtkArchiveRecordingExpiring", "RtkArchiveRecordingsAtRisk", "RtkArchiveRecordingsLost", "RtkArchiveRunFailed")

	// Exit 2, a second later than that run's end (the timestamps are whole seconds).
	time.Sleep(1100 * time.Millisecond)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("destinations: [not, a, map]\n"), 0o600)
	if code := run(api, "--config="+bad); code != 2 {
		t.Fatalf("a run with a bad config exits %d, want 2", code)
	}
	waitForAlerts(t, prom, "RtkArchiveConfigError", "RtkArchiveRecordingExpiring", "RtkArchiveRecordingsAtRisk", "RtkArchiveRecordingsLost", "RtkArchiveRunFailed")

	// Fixed: a run that archives the recording at risk. The loss is known now and not counted again.
	time.Sleep(1100 * time.Millisecond)
	if code := run(api); code != 0 {
		t.Fatalf("a good run exits %d, want 0", code)
	}
	waitForAlerts(t, prom)
}

func fakeAPI(t *testing.T, recs ...fetchtest.Recording) *fetchtest.Server {
	api, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	return api
}

// waitForAlerts waits until exactly these alerts fire (no other rtk-archive alert is firing), each with
// the labels a Pushgateway scraped with honor_labels gives: job rtk_archive, the shard, the severity.
func waitForAlerts(t *testing.T, prom string, want ...string) {
	t.Helper()
	slices.Sort(want)
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got = nil
		for _, a := range firing(t, prom) {
			if a.Labels["job"] != "rtk_archive" || a.Labels["shard"] != "all" || a.Labels["severity"] == "" || len(a.Labels) != 4 {
				t.Fatalf("%s fires with labels %v, want alertname, job=rtk_archive, shard=all and severity", a.Labels["alertname"], a.Labels)
			}
			got = append(got, a.Labels["alertname"])
		}
		slices.Sort(got)
		if slices.Equal(got, want) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("firing: %v, want %v", got, want)
}

type alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func firing(t *testing.T, prom string) []alert {
	t.Helper()
	resp, err := http.Get(prom + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct{ Alerts []alert } `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("Prometheus alerts: %v", err)
	}
	var out []alert
	for _, a := range body.Data.Alerts {
		if a.State == "firing" {
			out = append(out, a)
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
