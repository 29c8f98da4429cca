# actrepro: every target a user or CI needs. `make help` lists them.
SHELL := /bin/bash
GO ?= go
# Real annotation files are read from a data root, never copied into the tree.
ACTREPRO_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export ACTREPRO_DATA
SCALE ?= smoke
BIN := bin/actrepro

.PHONY: help setup build test vet unit fuzz reproduce reproduce-full bench notebooks clean

setup: ## install the project's tools (Go tools from go.mod; Jupyter from Debian when missing)
	$(GO) install tool

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

build: ## build the actrepro command into bin/
	$(GO) build -o $(BIN) ./cmd/actrepro

vet: ## go vet every package
	$(GO) vet ./...

unit: ## unit, example and gradient tests
	$(GO) test -count=1 ./...

fuzz: ## run each fuzz target briefly (FUZZTIME=5s)
	@./.ci/fuzz.sh

test: vet unit fuzz ## everything the project checks (the README's test command)

reproduce: build ## every spec at smoke scale on the default backend, then every table
	$(BIN) reproduce --scale $(SCALE)

reproduce-full: SCALE=full
reproduce-full: reproduce ## every spec at the papers' scale (hours to days on 2 cores)

bench: ## training-step benchmarks of the purego backend
	$(GO) test -run '^$$' -bench . -benchtime 3x ./gomlx_models/purego/

clean: ## remove build outputs (keeps results/)
	rm -rf bin
