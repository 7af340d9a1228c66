#!/usr/bin/env bash
# The performance benchmark (a measurement, never a test): starts the S3 server the tests use, then
# archive-bench runs each scenario against it, alternating with rclone when rclone is on the PATH (or
# RTK_BENCH_RCLONE=1 installs it from the Go module proxy, which takes a few minutes).
#   scripts/bench.sh [--runs 3] [--only 1,3]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
if [ "${RTK_BENCH_RCLONE:-0}" = 1 ] && ! command -v rclone >/dev/null && [ ! -x "$RTK_TOOLS_BIN/rclone" ]; then
  GOBIN="$RTK_TOOLS_BIN" go install github.com/rclone/rclone@v1.71.2
fi
start_servers s3
go run ./cmd/archive-bench "$@"
