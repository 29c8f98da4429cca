# actrepro: every target a user or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go
# Real annotation files are read from a data root, never copied into the tree.
ACTREPRO_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export ACTREPRO_DATA
SCALE ?= smoke
BIN := bin/actrepro
# Debian's python3 has Jupyter (nbclient, nbconvert, jupyter_kernel_test); a pyenv/venv python3 may not.
PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)

.PHONY: help deps setup build test vet unit quick fuzz reproduce reproduce-full report bench notebooks kernel-ready kernel-test clean

# Only `deps` and `setup` install software (apt-get as root, else they stop
# and print the command); `test` and its parts install nothing.
deps: ## check what `make reproduce` needs (Go, ffmpeg); install ffmpeg from Debian when missing (root), else stop naming it
	@GO=$(GO) ./.ci/deps.sh

setup: deps ## install everything: deps, the Go tools of go.mod, Jupyter from Debian, and the "Go (actrepro)" notebook kernel
	$(GO) install tool
	GO=$(GO) ./kernel/install.sh

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

build: ## build the actrepro command into bin/
	$(GO) build -o $(BIN) ./cmd/actrepro

vet: ## go vet every package
	$(GO) vet ./...

unit: ## unit, example and gradient tests, with real-data ones when ACTREPRO_DATA is set (TESTFLAGS=-short skips the long ones)
	$(GO) test -count=1 -timeout 40m $(TESTFLAGS) ./...

quick: vet ## vet and `go test -short` (a few minutes; no notebooks, no fuzzing)
	$(GO) test -count=1 -short ./...

fuzz: ## run each fuzz target briefly (FUZZTIME=50000x executions each; see .ci/fuzz.sh)
	@./.ci/fuzz.sh

test: vet unit fuzz notebooks slurm-test ## everything the project checks (the README's test command; run `make setup` once before)

.PHONY: slurm-test
slurm-test: ## the Slurm executor against a real one-node Slurm on loopback (installs slurmctld, slurmd, munge from Debian when missing; a few minutes)
	@GO=$(GO) ./.ci/slurm-test.sh

reproduce: deps build ## every spec at smoke scale on the default backend, every table, then results/index.html
	@rc=0; $(BIN) reproduce --scale $(SCALE) || rc=$$?; $(BIN) report || rc=$$((rc ? rc : 1)); exit $$rc

report: build ## results/index.html (and index.md): every table and figure on one page, from the files on disk
	$(BIN) report

reproduce-full: SCALE=full
reproduce-full: reproduce ## every spec at the papers' scale (hours to days on 2 cores)

.PHONY: reproduce-seeds
SEEDS ?= 3
reproduce-seeds: build ## every spec at smoke scale at SEEDS=3 seeds: cells read mean ± 95% t-interval (n), paper values outside marked
	$(BIN) reproduce --scale smoke --seeds $(SEEDS)

bench: ## purego benchmarks: its matrix kernel (GFLOP/s against gonum), then training steps of the ConvLSTM and LRCN at UCF50 full shapes and of the ARTEMIS-sized head (B=8, B=32), each with a PyTorch ratio when python3-torch is installed
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 10m ./gomlx_models/purego/gemm/
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./gomlx_models/purego/

.PHONY: stress
stress: ## every gradient check and determinism test, 30 runs each, 4 test binaries at once (RUNS=30 COPIES=4); prints "N runs, M failures", no retries
	RUNS=$${RUNS:-30} COPIES=$${COPIES:-4} GO=$(GO) ./.ci/stress.sh


# kernel-ready stops with one line when `make setup` has not been run: the
# notebook targets need Jupyter and the kernel, and never install them.
kernel-ready:
	@$(PYTHON) -c 'import nbclient, nbconvert, nbformat, jupyter_kernel_test; from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec("actrepro")' 2>/dev/null \
	  || { echo 'make: the notebooks need Jupyter and the "Go (actrepro)" kernel, which are not installed: run `make setup` once (it installs them from Debian; apt-get needs root)'; exit 1; }

kernel-test: kernel-ready ## Jupyter kernel conformance suite against the installed "actrepro" kernel
	cd notebooks && $(PYTHON) ../kernel/conformance_test.py

notebooks: kernel-test build ## execute every notebook headless at $(SCALE) scale (executed copies + HTML in results/notebooks/), then results/index.html
	@rc=0; ACTREPRO_SCALE=$${ACTREPRO_SCALE:-$(SCALE)} $(PYTHON) kernel/run_notebooks.py || rc=$$?; $(BIN) report || rc=$$((rc ? rc : 1)); exit $$rc

clean: ## remove build outputs (keeps results/)
	rm -rf bin
