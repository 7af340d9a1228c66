package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHelpGolden(t *testing.T) {
	for _, cmd := range []string{"run", "verify", "demo"} {
		t.Run(cmd, func(t *testing.T) {
			c := newCLI(t) // its environment holds an account, a token and a manifest: none may show
			code, out, errOut := c.run(cmd, "--help")
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, v := range []string{c.env["CLOUDFLARE_ACCOUNT_ID"], c.env["CLOUDFLARE_API_TOKEN"], c.env["ARCHIVE_MANIFEST"], c.api.URL} {
				if strings.Contains(out, v) {
					t.Errorf("the help shows %q from the environment", v)
				}
			}
			golden := filepath.Join("..", "..", "testdata", "help-"+cmd+".golden")
			if *update {
				os.WriteFile(golden, []byte(out), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Fatalf("archive %s --help:\n%s\nwant (go test -update to accept):\n%s", cmd, out, want)
			}
			if _, _, again := c.run(cmd, "-h"); again != "" {
				t.Errorf("-h wrote to stderr: %q", again)
			}
		})
	}
}

// TestHelpListsEveryFlagOnce: a flag added to a command must be put in one of its help groups.
func TestHelpListsEveryFlagOnce(t *testing.T) {
	c := newCLI(t)
	for _, cmd := range []string{"run", "verify", "demo"} {
		_, out, _ := c.run(cmd, "--help")
		if strings.Contains(out, "Other flags:") {
			t.Errorf("%s --help has flags in no group:\n%s", cmd, out[strings.Index(out, "Other flags:"):])
		}
		for _, line := range strings.Split(out, "\n") {
			if name, ok := strings.CutPrefix(line, "  --"); ok {
				name, _, _ = strings.Cut(name, " ")
				if n := strings.Count(out, "\n  --"+name+"\n") + strings.Count(out, "\n  --"+name+" "); n != 1 {
					t.Errorf("%s --help lists --%s %d times", cmd, name, n)
				}
			}
		}
	}
}

func TestFlagsTakeOneOrTwoDashes(t *testing.T) {
	env := map[string]string{"CLOUDFLARE_ACCOUNT_ID": "acc", "REALTIMEKIT_APP_ID": "app", "CLOUDFLARE_API_TOKEN": "t"}
	getenv := func(k string) string { return env[k] }
	for _, args := range [][]string{
		{"-concurrency", "7", "-dry-run", "-log-level=error", "-since", "2d"},
		{"--concurrency", "7", "--dry-run", "--log-level=error", "--since", "2d"},
		{"--concurrency=7", "-dry-run", "--log-level", "error", "-since=2d"},
	} {
		o, err := parseRunFlags("run", args, getenv, os.Stdout, time.Now())
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if o.Concurrency != 7 || !o.DryRun || o.LogLevel != "error" || time.Since(o.Since) < 47*time.Hour {
			t.Errorf("%v: %+v", args, o)
		}
	}
	c := newCLI(t)
	if code, out, errOut := c.run("run", "--bogus"); code != 2 || out != "" || !strings.Contains(errOut, "archive run --help") || strings.Contains(errOut, "Selection:") {
		t.Errorf("an unknown flag: exit %d, stdout %q, stderr %q; want 2 and a pointer to --help, not the help", code, out, errOut)
	}
}
