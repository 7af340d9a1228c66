#!/usr/bin/env bash
# The whole test suite: installs the pinned test servers, starts each on 127.0.0.1, runs every Go test
# against them (a missing server is a failure here, never a skip), and stops them again.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
start_servers
export RTK_REQUIRE_SERVERS=1
# The release build leaves out the GCS SDK's gRPC transport (we use its JSON API): test what ships.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-tags=disable_grpc_modules"

go vet ./...
go test -race -count=1 -timeout 20m "$@" ./...
