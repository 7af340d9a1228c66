#!/usr/bin/env bash
# The whole test suite: installs the pinned test servers, starts each on 127.0.0.1, runs every Go test
# against them (a missing server is a failure here, never a skip), and stops them again.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(bash scripts/install-test-servers.sh)
export RTK_TOOLS_BIN="$bin"
export RTK_REQUIRE_SERVERS=1
RTK_STATE=$(mktemp -d "${TMPDIR:-/tmp}/rtk-test.XXXXXX")
export RTK_STATE

stop_servers() {
  if [ -f "$RTK_STATE/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$RTK_STATE/pids"
    sleep 0.2
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$RTK_STATE/pids"
  fi
  rm -rf "$RTK_STATE" 2>/dev/null || true
}
trap stop_servers EXIT

# free_port asks the kernel for a free loopback port.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# remember PID: stop_servers kills it at exit.
remember() { echo "$1" >> "$RTK_STATE/pids"; }
# wait_for NAME CMD...: retry CMD for up to 30 s.
wait_for() {
  local name=$1; shift
  for _ in $(seq 1 300); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "test.sh: $name did not become ready; its log:" >&2
  cat "$RTK_STATE/$name.log" >&2 || true
  return 1
}

# Each file starts one server and exports the variables its tests read (see internal/testenv).
for f in scripts/servers/*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  source "$f"
done

go vet ./...
go test -count=1 -timeout 20m "$@" ./...
