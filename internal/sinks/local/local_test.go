package local_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
)

func TestConformance(t *testing.T) {
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			s, err := local.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Leftovers: func(t *testing.T, s sinks.Sink) []string {
			root := strings.TrimPrefix(s.URL("x"), "file://")
			var left []string
			filepath.WalkDir(filepath.Dir(root), func(p string, d os.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), sinks.TempPrefix) {
					left = append(left, p)
				}
				return nil
			})
			return left
		},
		Folder: func(t *testing.T, s sinks.Sink) string {
			return filepath.Dir(strings.TrimPrefix(s.URL("x"), "file://"))
		},
		Missing: func(t *testing.T) sinks.Sink {
			// A root below a regular file can never be made.
			file := filepath.Join(t.TempDir(), "a-file")
			os.WriteFile(file, nil, 0o644)
			s, err := local.New(filepath.Join(file, "archive"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func TestKeysCannotLeaveTheFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := local.New(filepath.Join(dir, "root"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../escape.mp4", "a/../../escape.mp4", "/etc/passwd", "", `a\..\..\b`, "a/\x00b"} {
		if _, err := sinks.Guard(s).Put(t.Context(), key, strings.NewReader("x"), sinks.PutOptions{Size: 1}); err == nil {
			t.Errorf("Put(%q) succeeded", key)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.mp4")); err == nil {
		t.Fatal("a file escaped the destination folder")
	}
}
