# actrepro: every target a user or CI needs. `make help` lists them.
SHELL := /bin/bash
GO ?= go
# Real annotation files are read from a data root, never copied into the tree.
ACTREPRO_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export ACTREPRO_DATA
SCALE ?= smoke
BIN := bin/actrepro
# Debian's python3 has Jupyter (nbclient, nbconvert, jupyter_kernel_test); a pyenv/venv python3 may not.
PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)

.PHONY: help setup build test vet unit fuzz reproduce reproduce-full bench notebooks kernel-test clean

setup: ## install the project's tools (Go tools from go.mod; Jupyter from Debian when missing) and the "Go (actrepro)" kernel
	$(GO) install tool
	GO=$(GO) ./kernel/install.sh

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

test: vet unit fuzz notebooks ## everything the project checks (the README's test command)

reproduce: build ## every spec at smoke scale on the default backend, then every table
	$(BIN) reproduce --scale $(SCALE)

reproduce-full: SCALE=full
reproduce-full: reproduce ## every spec at the papers' scale (hours to days on 2 cores)

bench: ## purego benchmarks: its matrix kernel (GFLOP/s against gonum), then training steps of the ConvLSTM and LRCN at UCF50 full shapes and of the ARTEMIS-sized head (B=8, B=32), each with a PyTorch ratio when python3-torch is installed
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 10m ./gomlx_models/purego/gemm/
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./gomlx_models/purego/

kernel-test: setup ## Jupyter kernel conformance suite against the installed "actrepro" kernel
	cd notebooks && $(PYTHON) ../kernel/conformance_test.py

notebooks: kernel-test ## execute every notebook headless at $(SCALE) scale; executed copies + HTML in results/notebooks/
	ACTREPRO_SCALE=$${ACTREPRO_SCALE:-$(SCALE)} $(PYTHON) kernel/run_notebooks.py

clean: ## remove build outputs (keeps results/)
	rm -rf bin
