# The image is the static binary scripts/build-image.sh cross-compiles with the local Go toolchain
# (CGO off, Mozilla's CA roots embedded), on scratch. Nothing here runs, so the build pulls no base
# image and builds any platform without emulation. Build it with the script, which compiles and then
# calls `podman build` on this file:
#   scripts/build-image.sh ghcr.io/you/rtk-archive:0.1.0          (linux/amd64 and linux/arm64)
# `docker buildx build --platform ... .` works on this file too, after the script has compiled.
FROM scratch
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
LABEL org.opencontainers.image.title="rtk-archive" \
      org.opencontainers.image.description="Archives Cloudflare RealtimeKit recordings into storage you own" \
      org.opencontainers.image.version="${VERSION}"
COPY build/image/${TARGETOS}-${TARGETARCH}/archive /usr/local/bin/archive
# The manifest, its lock and a local archive go here: mount a volume. Nothing is written anywhere
# else, so the root filesystem can be read-only.
WORKDIR /var/lib/rtk-archive
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/archive"]
CMD ["run"]
