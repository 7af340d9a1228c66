#!/usr/bin/env bash
# Builds the container image, the one recipe users and the test suite share: cross-compiles a static
# `archive` per platform with the local Go toolchain into build/image/OS-ARCH/, then `podman build`s the
# Dockerfile, which only COPYs that binary into scratch. No registry is reached (nothing is pulled)
# and no platform needs emulation (nothing RUNs).
#
#   scripts/build-image.sh [IMAGE]     default IMAGE rtk-archive:dev
#
# One platform gives an image named IMAGE; several give a manifest list named IMAGE over the images
# IMAGE-ARCH, one per platform (`podman manifest inspect IMAGE`). Settings, from the environment:
#   PLATFORMS  comma-separated, default linux/amd64,linux/arm64
#   VERSION    what `archive version` and the image label say; default `git describe`, else dev
#   PUSH=1     push IMAGE afterwards (all platforms), e.g. to ghcr.io/OWNER/rtk-archive:0.1.0
#   PODMAN     the podman command, default `podman`; on hosts where crun fails on a hybrid cgroup
#              setup: PODMAN="podman --runtime runc --cgroup-manager cgroupfs"
#   COMPILE_ONLY=1  stop after compiling (no podman needed)
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-rtk-archive:dev}
platforms=${PLATFORMS:-linux/amd64,linux/arm64}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=$(git rev-parse HEAD 2>/dev/null || true)
read -ra podman <<<"${PODMAN:-podman}"

log() { echo "build-image: $*" >&2; }

IFS=, read -ra list <<<"$platforms"
rm -rf build/image
for p in "${list[@]}"; do
  os=${p%%/*} arch=${p#*/}
  log "go build $os/$arch"
  # -buildvcs=false: a git that refuses the checkout (another user's clone) would fail the build;
  # the commit goes in through the linker flag instead. disable_grpc_modules: the GCS SDK's gRPC
  # transport is unused (its JSON API is what we speak) and costs ~13 MiB of resident memory.
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -tags disable_grpc_modules -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$version -X main.commit=$commit" \
    -o "build/image/$os-$arch/archive" ./cmd/archive
done
[ "${COMPILE_ONLY:-}" = 1 ] && exit 0

# One `podman build` per platform, each its own image (IMAGE-ARCH when there are several), then a
# manifest list over them. (`podman build --manifest` with several platforms leaves podman 4.3 with a
# list whose instances it cannot find again: `podman images` then fails.) --layers=false: no
# intermediate images left behind.
"${podman[@]}" manifest rm "$image" >/dev/null 2>&1 || true
"${podman[@]}" rmi "$image" >/dev/null 2>&1 || true
build() { # platform tag; prints the image ID
  "${podman[@]}" build --quiet --layers=false --platform "$1" --build-arg "VERSION=$version" -t "$2" -f Dockerfile .
}
if [ "${#list[@]}" = 1 ]; then
  build "${list[0]}" "$image" >/dev/null
else
  "${podman[@]}" manifest create "$image" >/dev/null
  for p in "${list[@]}"; do
    "${podman[@]}" rmi "$image-${p#*/}" >/dev/null 2>&1 || true
    id=$(build "$p" "$image-${p#*/}")
    "${podman[@]}" manifest add "$image" "containers-storage:$id" >/dev/null
  done
fi
log "built $image ($platforms, version $version)"

if [ "${PUSH:-}" = 1 ]; then
  if [ "${#list[@]}" = 1 ]; then
    "${podman[@]}" push "$image" "docker://$image"
  else
    "${podman[@]}" manifest push --all "$image" "docker://$image"
  fi
fi
