// Package container tests the container image as users build it: scripts/build-image.sh with the
// repository's Dockerfile, for linux/amd64 and linux/arm64 in one command, then runs it with podman the
// way the Kubernetes manifests do (its own non-root user, a read-only root filesystem, no capabilities,
// state only on a volume): `archive version`, `archive demo`, and one `archive run` into the S3 test
// server over TLS.
package container

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// podmanFlags are what podman needs on this kind of machine: crun, its default runtime, fails on a
// hybrid cgroup setup, and systemd does not manage cgroups here.
var podmanFlags = []string{"--runtime", "runc", "--cgroup-manager", "cgroupfs"}

const repo = "../.."

func TestImageBuildsForBothPlatformsAndRunsTheJob(t *testing.T) {
	podman := testenv.RequireTool(t, "podman")
	testenv.RequireTool(t, "runc")
	s3Endpoint := testenv.Require(t, "RTK_TEST_S3_HTTPS_ENDPOINT")
	s3CA := testenv.Require(t, "RTK_TEST_S3_CA_FILE")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")

	// A name of its own: test runs in other work trees share podman's image store.
	suffix := strings.ToLower(rand.Text()[:8])
	image, version := "localhost/rtk-archive-test:"+suffix, "0.0.0-test."+suffix
	start := time.Now()
	build := exec.Command("bash", "scripts/build-image.sh", image)
	build.Dir = repo
	build.Env = append(os.Environ(), "PODMAN="+podman+" "+strings.Join(podmanFlags, " "), "VERSION="+version,
		"PLATFORMS=linux/amd64,linux/arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-image.sh: %v\n%s", err, out)
	}
	t.Logf("built both platforms in %v", time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() {
		exec.Command(podman, "manifest", "rm", image).Run()
		exec.Command(podman, "rmi", image+"-amd64", image+"-arm64").Run()
	})

	t.Run("binaries", func(t *testing.T) { checkBinaries(t, version) })
	t.Run("manifest list", func(t *testing.T) { checkManifestList(t, podman, image) })

	c := &container{t: t, podman: podman, image: image + "-" + runtime.GOARCH}
	if user := c.inspect("{{.Config.User}}"); user != "65532:65532" {
		t.Errorf("the image runs as %q, want 65532:65532", user)
	}
	t.Run("version", func(t *testing.T) {
		out := c.run(nil, "version")
		want := regexp.MustCompile(`^archive ` + regexp.QuoteMeta(version) + `\ncommit: +(\S+)\ngo: +go1\.\d+\S*\nplatform: +linux/` + runtime.GOARCH + `\n$`)
		m := want.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("archive version printed\n%s\nwant the version, commit, Go version and platform", out)
		}
		if head, err := exec.Command("git", "-C", repo, "rev-parse", "HEAD").Output(); err == nil && m[1] != strings.TrimSpace(string(head)) {
			t.Errorf("commit %s, want the checkout's %s", m[1], head)
		}
	})
	t.Run("demo", func(t *testing.T) {
		state := c.volume()
		out := c.run([]string{"--network", "none", "-v", state + ":/var/lib/rtk-archive"}, "demo", "--log-format", "json")
		if !strings.Contains(out, "6 archived") {
			t.Fatalf("archive demo in the container:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(state, "archive-demo", "manifest.jsonl")); err != nil {
			t.Errorf("the demo's manifest is not on the volume: %v", err)
		}
	})
	t.Run("run into S3", func(t *testing.T) { runIntoS3(t, c, s3Endpoint, s3CA, key, secret) })
}

// container runs the image as the Kubernetes manifests do: the image's user, a read-only root with
// no tmpfs anywhere (a write outside the volume fails the run), no capabilities.
type container struct {
	t      *testing.T
	podman string
	image  string
}

func (c *container) run(flags []string, args ...string) string {
	c.t.Helper()
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	// podman's default open-files limit is refused here: ask for no more than the hard limit.
	nofile := min(lim.Max, 4096)
	cmd := append(append([]string{}, podmanFlags...), "run", "--rm", "--read-only", "--read-only-tmpfs=false",
		"--cap-drop", "all", "--security-opt", "no-new-privileges",
		"--ulimit", fmt.Sprintf("nofile=%d:%d", nofile, nofile), "--ulimit", "nproc=1024:1024")
	cmd = append(append(cmd, flags...), c.image)
	start := time.Now()
	out, err := exec.Command(c.podman, append(cmd, args...)...).CombinedOutput()
	c.t.Logf("archive %s in the container: %v", args[0], time.Since(start).Round(time.Millisecond))
	if err != nil {
		c.t.Fatalf("podman run ... %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// volume is a folder for the container's state, owned by the image's user as an fsGroup would make it.
func (c *container) volume() string {
	dir := c.t.TempDir()
	if err := os.Chown(dir, 65532, 65532); err != nil {
		c.t.Fatal(err)
	}
	return dir
}

func (c *container) inspect(format string) string {
	out, err := exec.Command(c.podman, "image", "inspect", "--format", format, c.image).Output()
	if err != nil {
		c.t.Fatalf("podman image inspect: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// checkBinaries: each platform's binary is a static ELF for its machine, built without cgo, with the
// version and the CA roots in it.
func checkBinaries(t *testing.T, version string) {
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		path := filepath.Join(repo, "build/image/linux-"+arch+"/archive")
		f, err := elf.Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer f.Close()
		if f.Machine != machine {
			t.Errorf("%s is for %v, want %v", path, f.Machine, machine)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s asks for a dynamic loader: it would not start on scratch", path)
			}
		}
		info, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if settings["CGO_ENABLED"] != "0" || settings["GOARCH"] != arch {
			t.Errorf("%s was built with %v", path, settings)
		}
		// -trimpath keeps the linker flags out of the build info: look for the version itself.
		if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte(version)) {
			t.Errorf("%s does not carry the version %s", path, version)
		}
		roots := false
		for _, d := range info.Deps {
			roots = roots || d.Path == "golang.org/x/crypto/x509roots/fallback"
		}
		if !roots {
			t.Errorf("%s carries no CA roots (golang.org/x/crypto/x509roots/fallback): TLS would fail on scratch", path)
		}
	}
}

func checkManifestList(t *testing.T, podman, image string) {
	out, err := exec.Command(podman, "manifest", "inspect", image).Output()
	if err != nil {
		t.Fatalf("podman manifest inspect %s: %v", image, err)
	}
	var list struct {
		Manifests []struct {
			Platform struct{ OS, Architecture string }
		}
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list.Manifests {
		got = append(got, m.Platform.OS+"/"+m.Platform.Architecture)
	}
	if strings.Join(got, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("the manifest list holds %v, want linux/amd64 and linux/arm64", got)
	}
}

// runIntoS3 runs `archive run` as the CronJob does (config and token as read-only files, state on the
// volume) against the fake RealtimeKit API in this process, into the S3 test server over TLS: the
// test server's CA comes in through SSL_CERT_FILE, as a private CA would.
func runIntoS3(t *testing.T, c *container, endpoint, caFile, key, secret string) {
	api, err := fetchtest.New(
		fetchtest.Recording{ID: fetchtest.UUID(1), Status: "UPLOADED", OutputFileName: "one.mp4", MediaSize: 300_000, Invoked: time.Now().Add(-2 * time.Hour)},
		fetchtest.Recording{ID: fetchtest.UUID(2), Status: "UPLOADED", OutputFileName: "two.mp4", MediaSize: 7 << 20, Invoked: time.Now().Add(-3 * time.Hour)},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	bucket := "image-" + strings.ToLower(rand.Text()[:10])
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), HTTPClient: httpsClient(t, caFile)})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}

	etc := t.TempDir()
	config := fmt.Sprintf("default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    prefix: recordings/\n    endpoint: %s\n    path_style: true\n", bucket, endpoint)
	os.WriteFile(filepath.Join(etc, "config.yaml"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(etc, "api-token"), []byte(api.Token), 0o644)
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(etc, "ca.pem"), ca, 0o644)
	state := c.volume()

	out := c.run([]string{"--network", "host", "-v", etc + ":/etc/rtk-archive:ro", "-v", state + ":/var/lib/rtk-archive",
		"-e", "CLOUDFLARE_ACCOUNT_ID=" + api.AccountID, "-e", "REALTIMEKIT_APP_ID=" + api.AppID, "-e", "CLOUDFLARE_API_URL=" + api.URL,
		"-e", "AWS_ACCESS_KEY_ID=" + key, "-e", "AWS_SECRET_ACCESS_KEY=" + secret, "-e", "SSL_CERT_FILE=/etc/rtk-archive/ca.pem",
		"-e", "ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1"},
		"run", "--config=/etc/rtk-archive/config.yaml", "--api-token-file=/etc/rtk-archive/api-token", "--api-rate=0", "--log-format=json")
	if !strings.Contains(out, "2 archived") {
		t.Fatalf("archive run in the container:\n%s", out)
	}
	listed, err := client.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range listed.Contents {
		keys = append(keys, *o.Key)
	}
	if !strings.Contains(strings.Join(keys, "\n"), "one.mp4") || !strings.Contains(strings.Join(keys, "\n"), "two.mp4") {
		t.Errorf("the bucket holds %v, want both recordings", keys)
	}
	manifest, err := os.ReadFile(filepath.Join(state, "manifest.jsonl"))
	if err != nil || strings.Count(string(manifest), `"status":"archived"`) < 2 {
		t.Errorf("the manifest on the volume: %v\n%s", err, manifest)
	}
}

func httpsClient(t *testing.T, caFile string) *http.Client {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}
