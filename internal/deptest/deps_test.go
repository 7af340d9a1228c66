// Package deptest keeps the packages pointing one way: fetch, manifest and termsafe need only the
// standard library, each sink driver needs only the sink contract, the shared part uploader
// (internal/sinks/parts, itself only the standard library and golang.org/x/sync) and its own SDK.
package deptest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rtk-archive/rtk-archive/"

// deps lists, for every package of the module, the module's own packages and the third-party
// packages it depends on (standard library left out).
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	std := stdPackages(t)
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		var nonStd []string
		for _, d := range fields[1:] {
			if !std[d] {
				nonStd = append(nonStd, d)
			}
		}
		m[strings.TrimPrefix(fields[0], module)] = nonStd
	}
	return m
}

func stdPackages(t *testing.T) map[string]bool {
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		m[p] = true
		m["vendor/"+p] = true
	}
	return m
}

func TestDependenciesPointOneWay(t *testing.T) {
	for pkg, ds := range deps(t) {
		switch {
		case pkg == "internal/fetch" || pkg == "internal/manifest" || pkg == "internal/termsafe":
			if len(ds) > 0 {
				t.Errorf("%s must use only the standard library, but imports %v", pkg, ds)
			}
		case pkg == "internal/sinks/parts":
			for _, d := range ds {
				if !strings.HasPrefix(d, "golang.org/x/sync/") {
					t.Errorf("%s must use only the standard library and golang.org/x/sync, but imports %s", pkg, d)
				}
			}
		case strings.HasPrefix(pkg, "internal/sinks/") && pkg != "internal/sinks/sinktest":
			for _, d := range ds {
				own := strings.TrimPrefix(d, module)
				if own != d && own != "internal/sinks" && own != "internal/sinks/parts" {
					t.Errorf("driver %s may import only the sink contract, the shared part uploader and its SDK, but imports %s", pkg, own)
				}
			}
		case pkg == "internal/sinks":
			if len(ds) > 0 {
				t.Errorf("the sink contract must use only the standard library, but imports %v", ds)
			}
		}
	}
}
