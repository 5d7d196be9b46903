# pravda-archive. `make demo` runs the whole system offline against the simulated network;
# `make test` runs the test suite. Both need only Go (1.26).
GO      ?= go
BIN     := bin/pravda
DATA    ?= data
ARGS    ?=

.PHONY: all build test test-short race bench demo run sim fmt vet lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pravda

# The suite runs everything against the simulator or local fixtures, never the internet.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...

test-short:
	$(GO) test -short -count=1 ./...

race:
	$(GO) test -race -short -count=1 ./...

# Benchmarks print tables of ratios against a peer measured in the same run.
bench: build
	$(GO) test -run "^$$" -bench . -benchtime 2x ./extract ./catalog
	./$(BIN) bench $(ARGS)

# The main job on embedded defaults: simulator + crawl + archive + catalog, in-process.
demo: build
	./$(BIN) demo $(ARGS)

# Crawl the live network (on a machine with internet access) into $(DATA).
run: build
	./$(BIN) crawl --data $(DATA) --sites japan $(ARGS)

# Serve the simulated network on 127.0.0.1:8443 (see README: "The simulator").
sim: build
	./$(BIN) sim --listen 127.0.0.1:8443 --ca-out sim-ca.pem --truth truth.jsonl $(ARGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin demo-data
