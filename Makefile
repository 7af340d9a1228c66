.PHONY: test demo build
test:
	bash scripts/test.sh

demo:
	go run ./cmd/archive demo

build:
	go build -o bin/archive ./cmd/archive
