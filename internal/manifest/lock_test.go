package manifest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestLockIsExclusiveAndNamesTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "m.jsonl")
	l, err := manifest.Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	// flock(2) locks conflict between open files even within one process.
	_, err = manifest.Acquire(path)
	if !errors.Is(err, manifest.ErrLocked) {
		t.Fatalf("second Acquire: %v, want ErrLocked", err)
	}
	for _, want := range []string{manifest.LockPath(path), fmt.Sprintf("pid=%d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(manifest.LockPath(path)); len(b) != 0 {
		t.Errorf("a released lock file still names a holder: %q", b)
	}
	l2, err := manifest.Acquire(path)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestSymlinksAreRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious.txt")
	const content = "line one\nnot a whole line"
	os.WriteFile(target, []byte(content), 0o644)
	link := filepath.Join(dir, "m.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal("making the symlink the test needs:", err)
	}
	if _, err := manifest.Create(link); !errors.Is(err, manifest.ErrSymlink) || !strings.Contains(err.Error(), link) {
		t.Errorf("Create on a symlink: %v, want ErrSymlink naming %s", err, link)
	}
	if _, err := manifest.Acquire(link); !errors.Is(err, manifest.ErrSymlink) {
		t.Errorf("Acquire on a symlinked manifest: %v, want ErrSymlink", err)
	}
	if b, _ := os.ReadFile(target); string(b) != content {
		t.Fatalf("the link's target was changed to %q", b)
	}

	real := filepath.Join(dir, "real.jsonl")
	os.Symlink(target, manifest.LockPath(real))
	if _, err := manifest.Acquire(real); !errors.Is(err, manifest.ErrSymlink) {
		t.Errorf("Acquire with a symlinked lock file: %v, want ErrSymlink", err)
	}
	if b, _ := os.ReadFile(target); string(b) != content {
		t.Fatalf("the lock file's link target was changed to %q", b)
	}
}

// The sidecar is written to a temporary file and renamed over its name, so a link there is replaced,
// never written through.
func TestSidecarReplacesALinkInsteadOfWritingThroughIt(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious.txt")
	os.WriteFile(target, []byte("keep"), 0o644)
	path := filepath.Join(dir, "m.jsonl")
	if err := os.Symlink(target, path+".sha256"); err != nil {
		t.Fatal("making the symlink the test needs:", err)
	}
	w, err := manifest.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("the sidecar was written through the link: target now %q", b)
	}
	if fi, err := os.Lstat(path + ".sha256"); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("sidecar: %v, %v; want a regular file", fi, err)
	}
}
