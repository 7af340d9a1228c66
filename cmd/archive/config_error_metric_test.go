package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

func TestAConfigurationErrorIsPushed(t *testing.T) {
	gateway := testenv.Require(t, "RTK_TEST_PUSHGATEWAY_URL")
	// A shard of its own: the other metrics tests use "all".
	group := gateway + "/metrics/job/rtk_archive/shard@base64/" + base64.URLEncoding.EncodeToString([]byte("2/3"))
	deleteGroup(t, group+"/last/config_error")
	t.Cleanup(func() { deleteGroup(t, group+"/last/config_error") })
	series := `rtk_archive_config_error_timestamp_seconds{instance="",job="rtk_archive",last="config_error",shard="2/3"}`

	c := newCLI(t, uploaded(1, 4096))
	bad := filepath.Join(c.dir, "bad.yaml")
	os.WriteFile(bad, []byte("destinations: [not, a, map]\n"), 0o600)

	// --dry-run writes nothing anywhere, metrics included.
	if code, _, _ := c.run("run", "--pushgateway", gateway, "--shard", "2/3", "--config", bad, "--dry-run"); code != 2 {
		t.Fatalf("dry run with a bad config: exit %d, want 2", code)
	}
	if _, ok := value(t, scrape(t, gateway), series); ok {
		t.Fatal("a dry run pushed a configuration error")
	}

	before := time.Now().Add(-time.Second).Unix()
	if code, out, errOut := c.run("run", "--pushgateway", gateway, "--shard", "2/3", "--config", bad); code != 2 {
		t.Fatalf("run with a bad config: exit %d, want 2\n%s\n%s", code, out, errOut)
	}
	body := scrape(t, gateway)
	at, ok := value(t, body, series)
	if !ok || at < float64(before) || at > float64(time.Now().Unix()+1) {
		t.Fatalf("%s = %v (present %v), want about now", series, at, ok)
	}
	// The last run's group is left alone: at risk and the earliest expiry stay what the last real run said.
	if strings.Contains(body, `rtk_archive_recordings{instance="",job="rtk_archive",shard="2/3"`) {
		t.Error("a configuration error wrote the run group")
	}
}
