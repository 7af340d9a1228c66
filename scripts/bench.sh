#!/usr/bin/env bash
# The performance benchmark (a measurement, never a test): starts the S3 server the tests use, then
# archive-bench runs each scenario against it, alternating with rclone (copyurl of the same presigned
# URLs, and copy from an HTTP folder of the same bytes) when rclone is installed. RTK_BENCH_RCLONE=1
# installs the pinned rclone from the Go module proxy first, which takes a few minutes.
#   scripts/bench.sh [--runs 3] [--only 1,3]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
RCLONE=v1.76.0 # keep in step with rcloneVersion in cmd/archive-bench
if [ "${RTK_BENCH_RCLONE:-0}" = 1 ] && [ ! -x "$RTK_TOOLS_BIN/rclone-$RCLONE" ]; then
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install "github.com/rclone/rclone@$RCLONE"
  mv "$tmp/rclone" "$RTK_TOOLS_BIN/rclone-$RCLONE"
  rmdir "$tmp"
fi
start_servers s3
go run ./cmd/archive-bench "$@"
