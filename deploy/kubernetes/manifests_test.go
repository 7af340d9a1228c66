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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// kustomization is the part of kustomize's Kustomization type the base uses; decoding strictly into it
// catches a misspelt field as the API types do for the rest (kustomize's own types are not a
// dependency of this module).
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// notInBase are the manifests kustomization.yaml leaves out on purpose.
var notInBase = map[string]string{
	"secret.example.yaml": "applying it would replace the real token",
	"backfill-job.yaml":   "a one-off, applied by hand",
}

func TestEveryManifestDecodesStrictly(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	if len(files) < 6 {
		t.Fatalf("expected the CronJob, the backfill Job, the ConfigMap, the ServiceAccount, the Secret example and the kustomization, found %v", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var meta struct {
			Kind     string            `json:"kind"`
			Metadata metav1.ObjectMeta `json:"metadata"`
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
		case "ServiceAccount":
			decode[corev1.ServiceAccount](t, f)
		case "Kustomization":
			decode[kustomization](t, f)
			continue
		default:
			t.Errorf("%s: unexpected kind %q", f, meta.Kind)
		}
		checkLabels(t, f, meta.Metadata.Labels)
	}
}

func TestKustomizationListsTheBase(t *testing.T) {
	k := decode[kustomization](t, "kustomization.yaml")
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml: %s %s", k.APIVersion, k.Kind)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(r); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
		if why, ok := notInBase[r]; ok {
			t.Errorf("kustomization.yaml lists %s, which must stay out of the base: %s", r, why)
		}
	}
	files, _ := filepath.Glob("*.yaml")
	for _, f := range files {
		if _, left := notInBase[f]; !left && f != "kustomization.yaml" && !slices.Contains(k.Resources, f) {
			t.Errorf("%s is neither in kustomization.yaml nor left out on purpose", f)
		}
	}
}

// wantLabels are Kubernetes' recommended labels; every object and pod template carries them all.
var wantLabels = []string{
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
	"app.kubernetes.io/part-of", "app.kubernetes.io/version", "app.kubernetes.io/managed-by",
}

func checkLabels(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	for _, l := range wantLabels {
		if labels[l] == "" {
			t.Errorf("%s: no %s label", name, l)
		}
	}
	if labels["app.kubernetes.io/name"] != "rtk-archive" {
		t.Errorf("%s: app.kubernetes.io/name %q", name, labels["app.kubernetes.io/name"])
	}
}

// checkPod holds what every pod of ours needs: the API token as a file, the IDs from the ConfigMap, no
// Kubernetes API token, limits, non-root, a pinned image, a bounded scratch volume, a grace period
// longer than the archiver's own, and the config mounted. It returns the container's arguments.
func checkPod(t *testing.T, name string, tmpl corev1.PodTemplateSpec) []string {
	t.Helper()
	spec := tmpl.Spec
	checkLabels(t, name+" pod template", tmpl.Labels)
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(spec.Containers))
	}
	c := spec.Containers[0]
	if c.Args[0] != "run" {
		t.Errorf("%s: the container does not run `archive run`", name)
	}

	// The API token: a file from a Secret, passed with --api-token-file, never in the environment.
	tokenFile := ""
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--api-token-file="); ok {
			tokenFile = v
		}
	}
	if tokenFile == "" {
		t.Errorf("%s: the API token must be passed with --api-token-file", name)
	} else if v := volumeFor(spec, c, tokenFile); v == nil || v.Secret == nil {
		t.Errorf("%s: --api-token-file=%s is not on a volume from a Secret", name, tokenFile)
	}
	for _, e := range c.Env {
		if strings.Contains(e.Name, "TOKEN") || strings.Contains(e.Name, "SECRET") {
			t.Errorf("%s: %s is an environment variable; secrets are files here", name, e.Name)
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.SecretRef != nil && (ef.SecretRef.Optional == nil || !*ef.SecretRef.Optional) {
			t.Errorf("%s: the Secret %s in envFrom must be optional: workload identity needs no static keys", name, ef.SecretRef.Name)
		}
	}
	// The account and app are not secret: they come from the ConfigMap.
	for _, want := range []string{"CLOUDFLARE_ACCOUNT_ID", "REALTIMEKIT_APP_ID"} {
		i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == want })
		if i < 0 || c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.ConfigMapKeyRef == nil {
			t.Errorf("%s: %s must come from the ConfigMap", name, want)
		}
	}

	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: automountServiceAccountToken must be false: the job never calls the Kubernetes API", name)
	}
	repo, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
	if !ok || tag == "" || tag == "latest" {
		t.Errorf("%s: image %s must be pinned to a release tag", name, c.Image)
	} else if v := tmpl.Labels["app.kubernetes.io/version"]; v != tag {
		t.Errorf("%s: app.kubernetes.io/version %q is not the image's tag %q (%s)", name, v, tag, repo)
	}
	for _, v := range spec.Volumes {
		if v.EmptyDir != nil && (v.EmptyDir.SizeLimit == nil || v.EmptyDir.SizeLimit.IsZero()) {
			t.Errorf("%s: emptyDir %s needs a sizeLimit", name, v.Name)
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
		t.Errorf("%s: restartPolicy %s; the Job's backoff and podFailurePolicy decide retries", name, spec.RestartPolicy)
	}
	return c.Args
}

// volumeFor is the volume mounted where path lies, or nil.
func volumeFor(spec corev1.PodSpec, c corev1.Container, path string) *corev1.Volume {
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			for i := range spec.Volumes {
				if spec.Volumes[i].Name == m.Name {
					return &spec.Volumes[i]
				}
			}
		}
	}
	return nil
}

func TestServiceAccountMountsNoToken(t *testing.T) {
	sa := decode[corev1.ServiceAccount](t, "serviceaccount.yaml")
	if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Error("the ServiceAccount must set automountServiceAccountToken: false")
	}
	cj := decode[batchv1.CronJob](t, "cronjob.yaml")
	job := decode[batchv1.Job](t, "backfill-job.yaml")
	for _, name := range []string{cj.Spec.JobTemplate.Spec.Template.Spec.ServiceAccountName, job.Spec.Template.Spec.ServiceAccountName} {
		if name != sa.Name {
			t.Errorf("a pod runs as %q, not the ServiceAccount %q", name, sa.Name)
		}
	}
}

func TestConfigMapHoldsTheIDsAndTheConfig(t *testing.T) {
	cm := decode[corev1.ConfigMap](t, "configmap.yaml")
	for _, k := range []string{"account-id", "app-id", "config.yaml"} {
		if cm.Data[k] == "" {
			t.Errorf("configmap.yaml has no %s", k)
		}
	}
	s := decode[corev1.Secret](t, "secret.example.yaml")
	for k := range s.StringData {
		if k != "api-token" {
			t.Errorf("secret.example.yaml holds %s: only the API token is secret", k)
		}
	}
}

func TestCronJob(t *testing.T) {
	cj := decode[batchv1.CronJob](t, "cronjob.yaml")
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Error("runs must never overlap: concurrencyPolicy Forbid")
	}
	if cj.Spec.StartingDeadlineSeconds == nil || cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds == nil {
		t.Fatal("a starting deadline and an active deadline are required")
	}
	if cj.Spec.JobTemplate.Spec.TTLSecondsAfterFinished == nil {
		t.Error("ttlSecondsAfterFinished is required")
	}
	checkLabels(t, "cronjob job template", cj.Spec.JobTemplate.Labels)
	args := checkPod(t, "cronjob", cj.Spec.JobTemplate.Spec.Template)
	if !slices.Contains(args, "--log-format=json") {
		t.Error("logs must be JSON for the collector")
	}
	// Every run lists the default 9 days: RealtimeKit keeps media 7 days after the upload, so a start
	// up to 2 days late still sees everything a punctual one would. A shorter --since would lose
	// recordings to a missed night.
	for _, a := range args {
		if strings.HasPrefix(a, "--since") {
			t.Errorf("the nightly run must use the default 9-day window, not %s", a)
		}
	}
	const day, slack = 24 * 3600, 2 * 24 * 3600
	if d := *cj.Spec.StartingDeadlineSeconds; d < 3600 || d >= day || d >= slack {
		t.Errorf("startingDeadlineSeconds %d: want at least an hour (a late start is fine: the window covers it) and less than the day between runs", d)
	}
	if *cj.Spec.StartingDeadlineSeconds+*cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds > day {
		t.Error("a run started at its deadline could still be going when the next one is due")
	}
	checkFailurePolicy(t, "cronjob", cj.Spec.JobTemplate.Spec.PodFailurePolicy, batchv1.PodFailurePolicyActionFailJob)
}

func TestBackfillJobIsIndexedAndSharded(t *testing.T) {
	job := decode[batchv1.Job](t, "backfill-job.yaml")
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the backfill must use the Indexed completion mode")
	}
	args := checkPod(t, "backfill", job.Spec.Template)
	shards := ""
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--shards="); ok {
			shards = v
		}
	}
	if job.Spec.Completions == nil || shards != strconv.Itoa(int(*job.Spec.Completions)) {
		t.Fatalf("--shards=%s must equal completions", shards)
	}
	if job.Spec.BackoffLimitPerIndex == nil {
		t.Error("backoffLimitPerIndex is required: each shard retries on its own")
	}
	if m := job.Spec.MaxFailedIndexes; m == nil || *m >= *job.Spec.Completions {
		t.Error("maxFailedIndexes must be below completions, or the Job never fails early")
	}
	if job.Spec.TTLSecondsAfterFinished == nil {
		t.Error("ttlSecondsAfterFinished is required")
	}
	checkFailurePolicy(t, "backfill", job.Spec.PodFailurePolicy, batchv1.PodFailurePolicyActionFailIndex)
}

// The exit codes of `archive run`, as the contract has them.
const (
	exitFailed    = 1   // some recordings failed: a retry may get them
	exitUsage     = 2   // bad usage or configuration, nothing done: a retry cannot help
	exitInterrupt = 130 // stopped by SIGTERM/SIGINT after a clean shutdown
)

// checkFailurePolicy evaluates the policy the way the Job controller does (the first matching rule
// decides; none matching counts the failure against the backoff limit) for each way a pod of ours ends.
func checkFailurePolicy(t *testing.T, name string, p *batchv1.PodFailurePolicy, onUsage batchv1.PodFailurePolicyAction) {
	t.Helper()
	if p == nil {
		t.Fatalf("%s: no podFailurePolicy: a bad configuration would be retried until the backoff limit", name)
	}
	for _, tc := range []struct {
		why        string
		exit       int32
		disruption bool
		want       batchv1.PodFailurePolicyAction // "" = counted against the backoff limit
	}{
		{"bad usage or configuration", exitUsage, false, onUsage},
		{"some recordings failed", exitFailed, false, ""},
		{"stopped by a signal", exitInterrupt, false, ""},
		{"evicted or preempted", exitInterrupt, true, batchv1.PodFailurePolicyActionIgnore},
		{"killed while evicted", 137, true, batchv1.PodFailurePolicyActionIgnore},
	} {
		if got := podFailureAction(p, "archive", tc.exit, tc.disruption); got != tc.want {
			t.Errorf("%s: exit %d (%s), disruption %v: action %q, want %q", name, tc.exit, tc.why, tc.disruption, got, tc.want)
		}
	}
}

func podFailureAction(p *batchv1.PodFailurePolicy, container string, exit int32, disruption bool) batchv1.PodFailurePolicyAction {
	for _, r := range p.Rules {
		if e := r.OnExitCodes; e != nil {
			if e.ContainerName != nil && *e.ContainerName != container {
				continue
			}
			in := slices.Contains(e.Values, exit)
			if (e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn) == in {
				return r.Action
			}
		}
		for _, c := range r.OnPodConditions {
			if c.Type == corev1.DisruptionTarget && disruption && (c.Status == "" || c.Status == corev1.ConditionTrue) {
				return r.Action
			}
		}
	}
	return ""
}
