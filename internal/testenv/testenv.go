// Package testenv lets tests find the real servers the README's test command starts. Under that command
// (RTK_REQUIRE_SERVERS=1, as in CI) a missing server fails the test; in a plain `go test ./...` it skips.
package testenv

import (
	"os"
	"testing"
)

// Require returns the value of the environment variable that points at a test server.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("RTK_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s is not set: the test server it names did not start (run the tests with `make test`)", name)
	}
	t.Skipf("%s is not set; run `make test` to start the real servers", name)
	return ""
}
