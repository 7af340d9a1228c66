package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// scrape returns the Pushgateway's /metrics.
func scrape(t *testing.T, gateway string) string {
	t.Helper()
	resp, err := http.Get(gateway + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// value is the sample of the series whose name and labels are exactly series, or false.
func value(t *testing.T, metrics, series string) (float64, bool) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v, true
}

// deleteGroup deletes a group the way the README tells people to, with curl's URL.
func deleteGroup(t *testing.T, url string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("DELETE %s: %s", url, resp.Status)
	}
}

const allGroup = `instance="",job="rtk_archive",shard="all"`

func TestMetricsArePushedToARealPushgateway(t *testing.T) {
	gateway := testenv.Require(t, "RTK_TEST_PUSHGATEWAY_URL")
	deleteGroup(t, gateway+"/metrics/job/rtk_archive/shard/all")
	deleteGroup(t, gateway+"/metrics/job/rtk_archive/shard/all/last/success")

	c := newCLI(t, uploaded(1, 4096), uploaded(2, 4096))
	if code, out, errOut := c.run("run", "--pushgateway", gateway, "--shard", "0/1"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	body := scrape(t, gateway)
	for _, want := range []string{
		`rtk_archive_recordings{` + allGroup + `,status="archived"} 2`,
		`rtk_archive_at_risk{` + allGroup + `} 0`,
		`rtk_archive_unarchived{` + allGroup + `} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the Pushgateway does not have %s", want)
		}
	}
	if v, ok := value(t, body, `rtk_archive_bytes{`+allGroup+`}`); !ok || v < 8192 {
		t.Errorf("rtk_archive_bytes = %v, want at least the 8192 media bytes", v)
	}
	for _, stage := range []string{"select", "transfer"} {
		if v, ok := value(t, body, `rtk_archive_stage_duration_seconds{`+allGroup+`,stage="`+stage+`"}`); !ok || v <= 0 {
			t.Errorf("stage %s: duration %v, %v; want a positive one", stage, v, ok)
		}
	}
	success, ok := value(t, body, `rtk_archive_last_success_timestamp_seconds{instance="",job="rtk_archive",last="success",shard="all"}`)
	if !ok {
		t.Fatal("no last success after a run without failures")
	}
	if strings.Contains(body, "rtk_archive_earliest_unarchived_expiry_seconds{") {
		t.Error("an earliest unarchived expiry after a run that archived everything")
	}

	// A run that leaves a recording unarchived: the gauge says how long is left; the last success stays.
	time.Sleep(1100 * time.Millisecond) // a later second, so the success time could tell runs apart
	failing := newCLI(t, uploaded(30, 5000))
	if code, out, errOut := failing.run("run", "--pushgateway", gateway, "--max-file-size", "1KiB"); code != 1 {
		t.Fatalf("a failing run: exit %d\n%s\n%s", code, out, errOut)
	}
	body = scrape(t, gateway)
	left, ok := value(t, body, `rtk_archive_earliest_unarchived_expiry_seconds{`+allGroup+`}`)
	// uploaded(30) was invoked 30 h ago; its media lasts 7 days from then.
	if want := (7*24*time.Hour - 30*time.Hour).Seconds(); !ok || left > want || left < want-60 {
		t.Errorf("earliest unarchived expiry %v (present %v), want about %v", left, ok, want)
	}
	if v, _ := value(t, body, `rtk_archive_recordings{`+allGroup+`,status="failed"}`); v != 1 {
		t.Errorf("failed recordings %v, want 1", v)
	}
	if v, ok := value(t, body, `rtk_archive_last_success_timestamp_seconds{instance="",job="rtk_archive",last="success",shard="all"}`); !ok || v != success {
		t.Errorf("after a failed run the last success is %v (present %v), want the good run's %v", v, ok, success)
	}

	// Everything archived again: the gauge is gone, not left over from the failed run.
	if code, out, errOut := c.run("run", "--pushgateway", gateway); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	if body = scrape(t, gateway); strings.Contains(body, "rtk_archive_earliest_unarchived_expiry_seconds{") {
		t.Error("the earliest unarchived expiry outlived the run that left something unarchived")
	}
}

func TestFinishedBackfillGroupsCanBeDeleted(t *testing.T) {
	gateway := testenv.Require(t, "RTK_TEST_PUSHGATEWAY_URL")
	c := newCLI(t, uploaded(1, 1000), uploaded(2, 1000), uploaded(3, 1000), uploaded(4, 1000))
	for k := range 2 {
		if code, out, errOut := c.run("run", "--pushgateway", gateway, "--shard", fmt.Sprintf("%d/2", k)); code != 0 {
			t.Fatalf("shard %d: %d\n%s\n%s", k, code, out, errOut)
		}
	}
	body := scrape(t, gateway)
	for k := range 2 {
		for _, series := range []string{
			fmt.Sprintf(`rtk_archive_last_run_timestamp_seconds{instance="",job="rtk_archive",shard="%d/2"}`, k),
			fmt.Sprintf(`rtk_archive_last_success_timestamp_seconds{instance="",job="rtk_archive",last="success",shard="%d/2"}`, k),
		} {
			if _, ok := value(t, body, series); !ok {
				t.Errorf("no %s", series)
			}
		}
	}
	// The README's commands: a label value with a slash goes base64-encoded (shard@base64/...).
	for k := range 2 {
		s := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%d/2", k))
		deleteGroup(t, gateway+"/metrics/job/rtk_archive/shard@base64/"+s)
		deleteGroup(t, gateway+"/metrics/job/rtk_archive/shard@base64/"+s+"/last/success")
	}
	if body := scrape(t, gateway); strings.Contains(body, `shard="0/2"`) || strings.Contains(body, `shard="1/2"`) {
		t.Errorf("the backfill's groups are still there:\n%s", body)
	}
}

func TestEarliestUnarchivedExpiry(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	for name, tc := range map[string]struct {
		atRisk []archiver.Failure
		want   time.Time
	}{
		"none":                {nil, time.Time{}},
		"only unknown expiry": {[]archiver.Failure{{RecordingID: "a"}}, time.Time{}},
		"the soonest known":   {[]archiver.Failure{{Expiry: at(9)}, {}, {Expiry: at(3)}, {Expiry: at(5)}}, at(3)},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := earliestUnarchivedExpiry(&archiver.Summary{AtRisk: tc.atRisk})
			if !got.Equal(tc.want) || ok == tc.want.IsZero() {
				t.Errorf("got %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}
