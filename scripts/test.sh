#!/usr/bin/env bash
# The whole test suite: installs the pinned test servers, starts each on 127.0.0.1, runs every Go test
# against them (a missing server is a failure here, never a skip), and stops them again.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
start_servers
export RTK_REQUIRE_SERVERS=1

go vet ./...
go test -race -count=1 -timeout 20m "$@" ./...
