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

# A short pass of every fuzz target: go test -fuzz takes one target per run. Add a target as one line,
# "package target"; the seeds under each package's testdata/fuzz/ run in the go test above as well.
fuzz_targets=(
	"./internal/archiver FuzzSafeName"
	"./internal/archiver FuzzPlanKeys"
	"./internal/fetch FuzzRecordingDecode"
	"./cmd/archive FuzzReadIDs"
	"./internal/manifest FuzzReadManifest"
	"./internal/manifest FuzzIndexAgreesWithTheManifest"
	"./internal/fetch FuzzListPage"
)
for t in "${fuzz_targets[@]}"; do
	read -r pkg target <<<"$t"
	# A count, not a duration: go1.26's fuzz coordinator can report its own -fuzztime deadline as
	# "context deadline exceeded", a failure with no input behind it (golang/go#75804, fixed in go1.27).
	# 20,000 inputs is about what 5 s gave each target here.
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-20000x}" "$pkg"
done
