// Package kubernetes holds the deployment manifests; its test decodes them strictly with the official
// Kubernetes API types, so a typo or a field the API does not have fails here, not in a cluster.
package kubernetes

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func decode[T any](t *testing.T, file string) *T {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := yaml.UnmarshalStrict(data, &v); err != nil {
		t.Fatalf("%s does not decode as %T: %v", file, v, err)
	}
	return &v
}

func TestEveryManifestDecodesStrictly(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	if len(files) < 4 {
		t.Fatalf("expected the CronJob, the backfill Job, the ConfigMap and the Secret example, found %v", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var meta struct {
			Kind string `json:"kind"`
		}
		yaml.Unmarshal(data, &meta)
		switch meta.Kind {
		case "CronJob":
			decode[batchv1.CronJob](t, f)
		case "Job":
			decode[batchv1.Job](t, f)
		case "ConfigMap":
			decode[corev1.ConfigMap](t, f)
		case "Secret":
			decode[corev1.Secret](t, f)
		default:
			t.Errorf("%s: unexpected kind %q", f, meta.Kind)
		}
	}
}

// checkPod holds what every pod of ours needs: secrets from a Secret, limits, non-root, a grace period
// longer than the archiver's own, and the config mounted.
func checkPod(t *testing.T, name string, spec corev1.PodSpec) []string {
	t.Helper()
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(spec.Containers))
	}
	c := spec.Containers[0]
	if len(c.EnvFrom) == 0 || c.EnvFrom[0].SecretRef == nil {
		t.Errorf("%s: credentials must come from a Secret", name)
	}
	for _, e := range c.Env {
		if strings.Contains(e.Name, "TOKEN") && e.Value != "" {
			t.Errorf("%s: %s given as a literal value", name, e.Name)
		}
	}
	if c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("%s: resource requests and limits are required", name)
	}
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot {
		t.Errorf("%s: must run as non-root", name)
	}
	if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds <= 20 {
		t.Errorf("%s: terminationGracePeriodSeconds must exceed --grace (20 s)", name)
	}
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("%s: restartPolicy %s; the Job's backoff decides retries", name, spec.RestartPolicy)
	}
	if c.Args[0] != "run" {
		t.Errorf("%s: the container does not run `archive run`", name)
	}
	return c.Args
}

func TestCronJob(t *testing.T) {
	cj := decode[batchv1.CronJob](t, "cronjob.yaml")
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Error("runs must never overlap: concurrencyPolicy Forbid")
	}
	if cj.Spec.StartingDeadlineSeconds == nil || cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds == nil {
		t.Error("a starting deadline and an active deadline are required")
	}
	args := checkPod(t, "cronjob", cj.Spec.JobTemplate.Spec.Template.Spec)
	if !slices.Contains(args, "--log-format=json") {
		t.Error("logs must be JSON for the collector")
	}
}

func TestBackfillJobIsIndexedAndSharded(t *testing.T) {
	job := decode[batchv1.Job](t, "backfill-job.yaml")
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the backfill must use the Indexed completion mode")
	}
	args := checkPod(t, "backfill", job.Spec.Template.Spec)
	shards := ""
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--shards="); ok {
			shards = v
		}
	}
	if job.Spec.Completions == nil || shards != strconv.Itoa(int(*job.Spec.Completions)) {
		t.Fatalf("--shards=%s must equal completions", shards)
	}
}
