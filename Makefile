.PHONY: test demo build bench image
test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

demo:
	go run ./cmd/archive demo

build:
	go build -tags disable_grpc_modules -o bin/archive ./cmd/archive

image:
	bash scripts/build-image.sh $(IMAGE)
