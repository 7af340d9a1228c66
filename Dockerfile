# A static binary on a minimal, non-root base that carries CA certificates.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/archive ./cmd/archive

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/archive /usr/local/bin/archive
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/archive"]
CMD ["run"]
