# Shared by scripts/test.sh and scripts/bench.sh: install the pinned servers and start them on
# 127.0.0.1 in the background, each stopped again when the calling script exits.
# Sourced; sets RTK_TOOLS_BIN and RTK_STATE and defines the helpers scripts/servers/*.sh use.

RTK_TOOLS_BIN=$(bash "$(dirname "${BASH_SOURCE[0]}")/install-test-servers.sh")
export RTK_TOOLS_BIN
RTK_STATE=$(mktemp -d "${TMPDIR:-/tmp}/rtk-servers.XXXXXX")
export RTK_STATE

stop_servers() {
  disown -a 2>/dev/null || true # no "Killed" job notices in the test output
  if [ -f "$RTK_STATE/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$RTK_STATE/pids"
    for _ in $(seq 1 20); do
      alive=0
      while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$RTK_STATE/pids"
      [ $alive = 0 ] && break
      sleep 0.1
    done
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
  echo "$name did not become ready; its log:" >&2
  cat "$RTK_STATE/$name.log" >&2 || true
  return 1
}

# start_servers [NAME...]: every scripts/servers/*.sh, or just the named ones.
start_servers() {
  local dir f
  dir="$(dirname "${BASH_SOURCE[0]}")/servers"
  if [ $# -eq 0 ]; then
    for f in "$dir"/*.sh; do
      # shellcheck source=/dev/null
      source "$f"
    done
  else
    for f in "$@"; do
      # shellcheck source=/dev/null
      source "$dir/$f.sh"
    done
  fi
}
