package sinktest

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// testSweepsStaleTemporaries leaves in a folder what a killed run would (a temporary file untouched
// for longer than sinks.StaleTempAge) beside what a live write or the user has there, then writes into
// that folder: only the dead write's leftover may go.
func testSweepsStaleTemporaries(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, 1000)
	// The first write makes the root folder, owned by the server's login.
	if _, err := s.Put(t.Context(), "first.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	root := h.Folder(t, s)
	folder := filepath.Join(root, "rec")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	chownLike(t, folder, root)
	old := time.Now().Add(-sinks.StaleTempAge - time.Minute)
	files := map[string]time.Time{
		sinks.TempPrefix + "killed": old,        // the leftover
		sinks.TempPrefix + "live":   time.Now(), // another write at work
		"notes.txt":                 old,        // not ours
	}
	for name, mod := range files {
		p := filepath.Join(folder, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		chownLike(t, p, root)
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Put(t.Context(), "rec/a.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		_, err := os.Stat(filepath.Join(folder, name))
		if gone := os.IsNotExist(err); gone != (name == sinks.TempPrefix+"killed") {
			t.Errorf("%s: gone = %v after a write into its folder", name, gone)
		}
	}
}

// chownLike gives path the owner of like: the test may run as another user than the server's login
// (root, for sshd's test accounts), and the driver must be able to write and remove there.
func chownLike(t *testing.T, path, like string) {
	t.Helper()
	fi, err := os.Stat(like)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if err := os.Lchown(path, int(st.Uid), int(st.Gid)); err != nil {
		t.Fatal(err)
	}
}
