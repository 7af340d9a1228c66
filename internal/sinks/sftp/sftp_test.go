package sftp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sftp"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// server is the sshd that scripts/servers/sftp.sh started.
func server(t *testing.T) sftp.Config {
	host, port, ok := strings.Cut(testenv.Require(t, "RTK_TEST_SFTP_ADDR"), ":")
	if !ok {
		t.Fatal("RTK_TEST_SFTP_ADDR is not host:port")
	}
	p, _ := strconv.Atoi(port)
	return sftp.Config{Host: host, Port: p, KnownHostsFile: testenv.Require(t, "RTK_TEST_SFTP_KNOWN_HOSTS")}
}

func keyLogin(t *testing.T) sftp.Config {
	cfg := server(t)
	cfg.Username = testenv.Require(t, "RTK_TEST_SFTP_USER")
	cfg.PrivateKeyFile = testenv.Require(t, "RTK_TEST_SFTP_KEY")
	return cfg
}

func open(t *testing.T, cfg sftp.Config) *sftp.Sink {
	t.Helper()
	s, err := sftp.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "t-" + hex.EncodeToString(b)
}

// conformance runs the suite with sinks from cfg; folder returns a fresh server dir and the local path
// of the same folder (sshd runs on this machine), which the leftovers check walks.
// With faults, the suite's fault cases run too: once is enough, the login changes nothing in them.
func conformance(t *testing.T, cfg sftp.Config, faults bool, folder func(t *testing.T) (remote, local string)) {
	var locals sync.Map // sink -> local folder
	h := sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			c := cfg
			var local string
			c.Dir, local = folder(t)
			s := open(t, c)
			locals.Store(s, local)
			return s
		},
		Leftovers: func(t *testing.T, s sinks.Sink) []string {
			root, _ := locals.Load(s)
			return partials(t, root.(string))
		},
		Folder: func(t *testing.T, s sinks.Sink) string {
			root, _ := locals.Load(s)
			return root.(string)
		},
		Faults: &sinktest.Faults{
			Upstream: func(t *testing.T) string { return net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)) },
			New: func(t *testing.T, addr string) sinks.Sink {
				c := viaProxy(t, cfg, addr)
				c.Dir, _ = folder(t)
				return open(t, c)
			},
			// Found dead within (3+1) x 300 ms, redialled for 2 s (a dial gets 1 s), for the upload, then
			// for the removal of its temporary file and for the look at the key.
			Bound: 15 * time.Second,
		},
	}
	if !faults {
		h.Faults = nil
	}
	sinktest.Run(t, h)
}

// viaProxy is cfg reaching the server through addr, with the small link settings of the fault cases.
func viaProxy(t *testing.T, cfg sftp.Config, addr string) sftp.Config {
	host, port, _ := net.SplitHostPort(addr)
	cfg.KnownHostsFile = proxyKnownHosts(t, cfg.KnownHostsFile, addr)
	cfg.Host = host
	cfg.Port, _ = strconv.Atoi(port)
	cfg.KeepAlive, cfg.KeepAliveMissed, cfg.Outage = 300*time.Millisecond, 3, 2*time.Second
	cfg.Deadlines = sinktest.FaultDeadlines
	return cfg
}

func partials(t *testing.T, root string) []string {
	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), sinks.TempPrefix) {
			left = append(left, p)
		}
		return nil
	})
	return left
}

func TestConformanceKeyLogin(t *testing.T) {
	conformance(t, keyLogin(t), true, func(t *testing.T) (string, string) {
		dir := t.TempDir()
		return dir, dir
	})
}

func TestConformancePasswordLogin(t *testing.T) {
	cfg := server(t)
	cfg.Username = testenv.Require(t, "RTK_TEST_SFTP_PASSWORD_USER")
	cfg.Password = testenv.Require(t, "RTK_TEST_SFTP_PASSWORD")
	base := testenv.Require(t, "RTK_TEST_SFTP_PASSWORD_DIR")
	conformance(t, cfg, false, func(t *testing.T) (string, string) {
		// The folder does not exist yet: the driver creates it as the password user.
		dir := path.Join(base, randomName())
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir, dir
	})
}

func TestConformanceChroot(t *testing.T) {
	cfg := server(t)
	cfg.Username = testenv.Require(t, "RTK_TEST_SFTP_CHROOT_USER")
	cfg.PrivateKeyFile = testenv.Require(t, "RTK_TEST_SFTP_KEY")
	jail := testenv.Require(t, "RTK_TEST_SFTP_CHROOT_DIR")
	conformance(t, cfg, false, func(t *testing.T) (string, string) {
		name := randomName()
		local := filepath.Join(jail, "upload", name)
		t.Cleanup(func() { os.RemoveAll(local) })
		return "/upload/" + name, local
	})
}

func TestEncryptedKey(t *testing.T) {
	cfg := keyLogin(t)
	cfg.Dir = t.TempDir()
	cfg.PrivateKeyFile = testenv.Require(t, "RTK_TEST_SFTP_KEY_ENCRYPTED")
	if _, err := sftp.New(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "SFTP_KEY_PASSPHRASE") {
		t.Fatalf("encrypted key without passphrase: %v, want an error naming SFTP_KEY_PASSPHRASE", err)
	}
	cfg.KeyPassphrase = testenv.Require(t, "RTK_TEST_SFTP_KEY_PASSPHRASE")
	s := open(t, cfg)
	if _, err := sinks.Guard(s).Put(t.Context(), "a.mp4", strings.NewReader("hello"), sinks.PutOptions{Size: 5}); err != nil {
		t.Fatal(err)
	}
}

func TestHostKeyRefused(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ file, says string }{
		"wrong key":    {testenv.Require(t, "RTK_TEST_SFTP_KNOWN_HOSTS_WRONG"), "differs from known_hosts_file"},
		"unknown host": {empty, "is not in known_hosts_file"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := keyLogin(t)
			cfg.Dir = t.TempDir()
			cfg.KnownHostsFile = tc.file
			_, err := sftp.New(t.Context(), cfg)
			if !errors.Is(err, sftp.ErrHostKey) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("New: %v, want ErrHostKey saying %q", err, tc.says)
			}
		})
	}
}

func TestWrongPasswordKeepsItSecret(t *testing.T) {
	cfg := server(t)
	cfg.Username = testenv.Require(t, "RTK_TEST_SFTP_PASSWORD_USER")
	cfg.Password = "not-the-password-" + randomName()
	cfg.Dir = "/tmp"
	_, err := sftp.New(t.Context(), cfg)
	if err == nil || strings.Contains(err.Error(), cfg.Password) || !strings.Contains(err.Error(), "SFTP_PASSWORD") {
		t.Fatalf("wrong password: %v, want a refusal naming SFTP_PASSWORD without the password", err)
	}
}

func TestKeysCannotLeaveTheFolder(t *testing.T) {
	cfg := keyLogin(t)
	dir := t.TempDir()
	cfg.Dir = filepath.Join(dir, "root")
	s := open(t, cfg)
	for _, key := range []string{"../escape.mp4", "a/../../escape.mp4", "/etc/passwd", "", ".", "a/..", `a\..\..\b`, "a/\x00b"} {
		_, err := sinks.Guard(s).Put(t.Context(), key, strings.NewReader("x"), sinks.PutOptions{Size: 1})
		if !errors.Is(err, sinks.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.mp4")); err == nil {
		t.Fatal("a file escaped the destination folder")
	}
}

func TestURL(t *testing.T) {
	cfg := keyLogin(t)
	cfg.Dir = t.TempDir()
	s := open(t, cfg)
	want := "sftp://" + cfg.Username + "@" + cfg.Host + ":" + strconv.Itoa(cfg.Port) + cfg.Dir + "/rec/a%20b.mp4"
	if got := s.URL("rec/a b.mp4"); got != want {
		t.Fatalf("URL = %s, want %s", got, want)
	}
}

func TestRelativeDirStartsAtLogin(t *testing.T) {
	cfg := server(t)
	cfg.Username = testenv.Require(t, "RTK_TEST_SFTP_CHROOT_USER")
	cfg.PrivateKeyFile = testenv.Require(t, "RTK_TEST_SFTP_KEY")
	jail := testenv.Require(t, "RTK_TEST_SFTP_CHROOT_DIR")
	name := randomName()
	t.Cleanup(func() { os.RemoveAll(filepath.Join(jail, "upload", name)) })
	cfg.Dir = "upload/" + name + "/not/yet" // the chrooted login starts at the jail's /
	s := open(t, cfg)
	if _, err := sinks.Guard(s).Put(t.Context(), "a.mp4", strings.NewReader("hello"), sinks.PutOptions{Size: 5}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(s.URL("a.mp4"), ":"+strconv.Itoa(cfg.Port)+"/upload/"+name+"/not/yet/a.mp4") {
		t.Fatalf("URL = %s", s.URL("a.mp4"))
	}
	if b, err := os.ReadFile(filepath.Join(jail, "upload", name, "not/yet/a.mp4")); err != nil || string(b) != "hello" {
		t.Fatalf("file in the jail: %q, %v", b, err)
	}
}

// A destination folder below a regular file can never be made: the check says so before any upload.
func TestCheckRefusesAFolderBelowAFile(t *testing.T) {
	cfg := keyLogin(t)
	remote := t.TempDir() // the key login's user is this machine's, so its folders are ours
	local := remote
	if err := os.WriteFile(filepath.Join(local, "a-file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = remote + "/a-file/archive"
	s := sinks.Guard(open(t, cfg))
	if err := s.(sinks.Checker).Check(t.Context()); !errors.Is(err, sinks.ErrPermanent) {
		t.Fatalf("Check: %v, want ErrPermanent", err)
	}
}
