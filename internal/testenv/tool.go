package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of a command the test command installs (promtool, podman). Under that
// command (RTK_REQUIRE_SERVERS=1) a missing one fails the test; in a plain `go test ./...` it skips.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("RTK_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s is not installed: scripts/install-test-servers.sh installs it (run the tests with `make test`)", name)
	}
	t.Skipf("%s is not installed; run `make test` to install it", name)
	return ""
}
