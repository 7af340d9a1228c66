#!/usr/bin/env bash
# Installs the real servers the test suite runs against, at pinned versions, into a per-user cache so a
# second run on the same machine costs nothing. Prints the bin folder on stdout.
# Everything comes from the Go module proxy, npm and Debian's apt: nothing else is reachable in CI.
set -euo pipefail

VERSITYGW=v1.8.0
FAKE_GCS=v1.56.1
AZURITE=3.35.0
TOXIPROXY=v2.12.0
PUSHGATEWAY=v1.11.0
# MinIO's repository is archived without tags: a pinned pseudo-version. About 4.5 minutes to build
# cold (once per machine; cached after), for the S3 features versitygw lacks (bucket default
# retention stamped on objects, versions, SSE-KMS, SSE-C).
MINIO=v0.0.0-20260212201848-7aac2a2c5b7c
# From Debian 12's apt (its release is fixed: only security fixes change a package there); checked
# after the install, so a machine with other versions fails here, not in a confusing test.
PROMTOOL=2.42.   # package prometheus: `promtool check rules` / `promtool test rules`
PODMAN=4.3.      # package podman, with runc: the container image test

cache="${RTK_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rtk-archive/tools}"
bin="$cache/bin"
mkdir -p "$bin"

log() { echo "install-test-servers: $*" >&2; }

go_tool() { # name version module
  local name=$1 version=$2 module=$3
  local target="$bin/$name-$version"
  [ -x "$target" ] && return
  log "go install $module@$version"
  local tmp; tmp=$(mktemp -d)
  GOBIN="$tmp" GOFLAGS=-mod=mod go install "$module@$version" >&2
  mv "$tmp"/* "$target"
  rmdir "$tmp"
}

go_tool versitygw "$VERSITYGW" github.com/versity/versitygw/cmd/versitygw &
go_tool fake-gcs-server "$FAKE_GCS" github.com/fsouza/fake-gcs-server &
go_tool toxiproxy-server "$TOXIPROXY" github.com/Shopify/toxiproxy/v2/cmd/server &
go_tool minio "$MINIO" github.com/minio/minio &

# `go install` of the Pushgateway is refused by the proxy (no version list): build it from a throwaway
# module that requires it instead.
pushgateway() {
  local target="$bin/pushgateway-$PUSHGATEWAY"
  [ -x "$target" ] && return
  log "go build github.com/prometheus/pushgateway@$PUSHGATEWAY"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && go mod init throwaway >/dev/null 2>&1 &&
    printf 'package main\nimport _ "github.com/prometheus/pushgateway"\n' > tools.go &&
    go mod edit -require "github.com/prometheus/pushgateway@$PUSHGATEWAY" &&
    GOFLAGS=-mod=mod go mod tidy >&2 && go build -o "$target" github.com/prometheus/pushgateway >&2)
  rm -rf "$tmp"
}
pushgateway &

if [ ! -x "$cache/azurite-$AZURITE/node_modules/.bin/azurite-blob" ]; then
  log "npm install azurite@$AZURITE"
  mkdir -p "$cache/azurite-$AZURITE"
  npm install --prefix "$cache/azurite-$AZURITE" --no-audit --no-fund --loglevel=error "azurite@$AZURITE" >&2 &
fi

# Debian packages, in one apt run: the SFTP server, promtool and podman with runc (podman's default
# runtime, crun, fails on this kind of machine's hybrid cgroup setup). Installing starts no daemon.
apt_missing=()
[ -x /usr/sbin/sshd ] || apt_missing+=(openssh-server)
[ -x /usr/bin/promtool ] || apt_missing+=(prometheus)
[ -x /usr/bin/podman ] || apt_missing+=(podman)
[ -x /usr/sbin/runc ] || apt_missing+=(runc)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${apt_missing[@]}" >&2
fi
check_version() { # name want-prefix output-of-version
  if ! grep -q "version $2" <<<"$3"; then
    log "$1: want version $2x, found: $(head -1 <<<"$3")"
    exit 1
  fi
}
check_version promtool "$PROMTOOL" "$(promtool --version 2>&1)"
check_version podman "$PODMAN" "$(podman --version 2>&1)"

for job in $(jobs -p); do wait "$job"; done
ln -sfn "azurite-$AZURITE/node_modules/.bin" "$cache/azurite-bin"
echo "$bin"
