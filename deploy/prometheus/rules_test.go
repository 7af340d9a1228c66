// Package prometheus holds the alert rules. Its tests run promtool on them (the rules check and the
// unit tests in rtk-archive.rules.test.yml), hold the PrometheusRule equal to the rules file, and check
// each alert's labels, annotations and runbook, and that every metric it reads is one the job pushes.
package prometheus

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

const rulesFile = "rtk-archive.rules.yml"

type ruleGroups struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []rule `json:"rules"`
	} `json:"groups"`
}

type rule struct {
	Record      string            `json:"record"`
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

func readRules(t *testing.T) ruleGroups {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var g ruleGroups
	if err := yaml.UnmarshalStrict(data, &g); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	return g
}

func rules(t *testing.T) []rule {
	var all []rule
	for _, g := range readRules(t).Groups {
		all = append(all, g.Rules...)
	}
	return all
}

func TestPromtoolChecksAndUnitTestsTheRules(t *testing.T) {
	promtool := testenv.RequireTool(t, "promtool")
	for _, args := range [][]string{{"check", "rules", rulesFile}, {"test", "rules", "rtk-archive.rules.test.yml"}} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestThePrometheusRuleIsTheRulesFile(t *testing.T) {
	want, err := exec.Command("bash", "../../scripts/gen-prometheusrule.sh", "-").Output()
	if err != nil {
		t.Fatalf("scripts/gen-prometheusrule.sh: %v", err)
	}
	got, err := os.ReadFile("prometheusrule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("prometheusrule.yaml is not what scripts/gen-prometheusrule.sh makes of the rules file: run the script")
	}
	var pr struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name   string
			Labels map[string]string
		} `json:"metadata"`
		Spec ruleGroups `json:"spec"`
	}
	if err := yaml.UnmarshalStrict(got, &pr); err != nil {
		t.Fatalf("prometheusrule.yaml: %v", err)
	}
	if pr.APIVersion != "monitoring.coreos.com/v1" || pr.Kind != "PrometheusRule" || pr.Metadata.Name == "" {
		t.Errorf("prometheusrule.yaml is a %s %s named %q", pr.APIVersion, pr.Kind, pr.Metadata.Name)
	}
	if !reflect.DeepEqual(pr.Spec, readRules(t)) {
		t.Error("the PrometheusRule's spec is not the rules file's groups")
	}
}

// readme is where each runbook_url points: a heading named after the alert in the README.
const readme = "https://github.com/rtk-archive/rtk-archive/blob/main/README.md#"

func TestEveryAlertHasSeverityAnnotationsAndARunbook(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, r := range rules(t) {
		if r.Alert == "" {
			continue
		}
		alerts++
		switch r.Labels["severity"] {
		case "critical", "warning", "info":
		default:
			t.Errorf("%s: severity %q, want critical, warning or info", r.Alert, r.Labels["severity"])
		}
		for _, a := range []string{"summary", "description", "runbook_url"} {
			if r.Annotations[a] == "" {
				t.Errorf("%s: no %s annotation", r.Alert, a)
			}
		}
		if want := readme + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
			t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
		}
		if !regexp.MustCompile(`(?m)^#+ ` + r.Alert + `$`).Match(doc) {
			t.Errorf("%s: the README has no heading %q for its runbook", r.Alert, r.Alert)
		}
	}
	if alerts < 6 {
		t.Errorf("%d alerts; want at least lost, expiring, at risk, no recent success, metrics absent and config error", alerts)
	}
}

// pushedByThePushgateway are the series the Pushgateway adds to every group.
var pushedByThePushgateway = map[string]bool{"push_time_seconds": true}

func TestEveryMetricTheRulesReadIsPushedByTheJob(t *testing.T) {
	var source strings.Builder
	files, _ := filepath.Glob("../../cmd/archive/*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			data, _ := os.ReadFile(f)
			source.Write(data)
		}
	}
	names := regexp.MustCompile(`\b(rtk_archive_[a-z_]+|push_time_seconds)\b`)
	for _, r := range rules(t) {
		for _, m := range names.FindAllString(r.Expr, -1) {
			if !pushedByThePushgateway[m] && !strings.Contains(source.String(), `"`+m+`"`) {
				t.Errorf("%s reads %s, which cmd/archive does not push", r.Alert+r.Record, m)
			}
		}
	}
}

// The `for:` of the alerts without a timestamp to age cannot read the threshold series: it must say
// the same duration.
func TestForDurationsMatchTheThreshold(t *testing.T) {
	var threshold time.Duration
	for _, r := range rules(t) {
		if r.Record == "rtk_archive:alert_no_success_after_seconds" {
			m := regexp.MustCompile(`^vector\((\d+) \* (\d+)\)$`).FindStringSubmatch(r.Expr)
			if m == nil {
				t.Fatalf("%s: expr %q, want vector(A * B)", r.Record, r.Expr)
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			threshold = time.Duration(a*b) * time.Second
		}
	}
	if threshold == 0 {
		t.Fatal("no rtk_archive:alert_no_success_after_seconds")
	}
	for _, r := range rules(t) {
		if r.Alert == "RtkArchiveNoSuccessYet" || r.Alert == "RtkArchiveMetricsAbsent" {
			if d, err := time.ParseDuration(r.For); err != nil || d != threshold {
				t.Errorf("%s: for %q, want the threshold %v", r.Alert, r.For, threshold)
			}
		}
	}
}
