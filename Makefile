# dmskafka — every task has a name here; README, CI and developers call these.
# `make help` lists them.

PY      ?= python3
VENV    ?= .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run generate test test-rust test-python lint fmt bench fuzz clean

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Bytecode and the built module live under python/ too; they are outputs, not sources.
SOURCES := pyproject.toml Cargo.toml Cargo.lock $(shell find src python -type f -not -path '*/__pycache__/*' -not -name '*.so' 2>/dev/null)

$(VPY):
	$(PY) -m venv $(VENV)

$(STAMP): $(VPY) $(SOURCES)
	$(VPY) -m pip install --quiet -e .
	touch $@

$(STAMP)-test: $(VPY) $(SOURCES)
	$(VPY) -m pip install --quiet -e ".[test]"
	touch $@ $(STAMP)

install: $(STAMP) ## build the Rust core (release) and install dmskafka into .venv

run: install ## the quickstart: enable Smart Connect and run a dump task on the local emulator, no account needed
	$(VPY) examples/quickstart.py

generate: $(STAMP) ## write the models (from spec/models.json) and the client methods (from the operation table)
	$(VPY) scripts/generate.py

test-rust: ## cargo tests of the core and the emulator (no Python)
	cargo test --features emulator

test-python: $(STAMP)-test ## pytest: real HTTP on 127.0.0.1, the emulator, the official SDK as oracle
	$(VPY) -m pytest

test: test-rust test-python ## every test

lint: $(STAMP)-test ## rustfmt and clippy, ruff check and format, mypy --strict, stubtest, generated models fresh: no file is changed
	cargo fmt --check
	cargo clippy --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check python tests examples bench scripts
	$(VENV)/bin/ruff format --check python tests examples bench scripts
	$(VPY) -m mypy --strict examples tests/typing_usage.py
	$(VPY) -m mypy.stubtest dmskafka --allowlist .mypy-stubtest-allowlist
	$(VPY) scripts/generate.py --check

fmt: $(STAMP)-test ## format the Rust and Python code in place (cargo fmt, ruff format)
	cargo fmt
	$(VENV)/bin/ruff format python tests examples bench scripts

bench: install ## benchmarks vs the official SDK and the raw Rust limit (release build; < 5 min): bench/results/latest.md
	$(VPY) bench/run.py

fuzz: ## fuzz one target for 10 minutes: make fuzz TARGET=error_body (see fuzz/README.md)
	RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz $(TARGET) -- -max_total_time=600 -jobs=1 -workers=1

clean: ## remove build outputs and the virtualenv
	rm -rf target $(VENV) .pytest_cache .hypothesis
