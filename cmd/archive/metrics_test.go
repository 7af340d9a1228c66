package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

func TestMetricsArePushedToARealPushgateway(t *testing.T) {
	gateway := testenv.Require(t, "RTK_TEST_PUSHGATEWAY_URL")
	c := newCLI(t, uploaded(1, 4096), uploaded(2, 4096))
	if code, out, errOut := c.run("run", "--pushgateway", gateway, "--shard", "0/1"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	resp, err := http.Get(gateway + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`rtk_archive_recordings{instance="",job="rtk_archive",shard="all",status="archived"} 2`,
		`rtk_archive_bytes{instance="",job="rtk_archive",shard="all"} `,
		`rtk_archive_last_success_timestamp_seconds{instance="",job="rtk_archive",shard="all"}`,
		`rtk_archive_at_risk{instance="",job="rtk_archive",shard="all"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the Pushgateway does not have %s", want)
		}
	}
	m := regexp.MustCompile(`rtk_archive_bytes\{[^}]*\} (\S+)`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("no rtk_archive_bytes")
	}
	if v, err := strconv.ParseFloat(m[1], 64); err != nil || v < 8192 {
		t.Errorf("rtk_archive_bytes = %s, want at least the 8192 media bytes", m[1])
	}
}
