# AgentWatch — every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_WORKERS ?= 3
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck schema bench browser clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) ## create .venv and install AgentWatch with its dev tools

run: $(STAMP) ## serve on SQLite (./agentwatch.db) with the demo agents (HOST=127.0.0.1 PORT=8000)
	$(BIN)/agentwatch serve --host $(HOST) --port $(PORT)

browser: ## install Debian's chromium for the browser tests (needs root; skipped otherwise)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

test: $(STAMP) browser ## the whole suite: SQLite, PostgreSQL, WebSockets, browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict on code and tests
	$(BIN)/mypy .

schema: $(STAMP) ## re-export schema.graphql from the code
	$(BIN)/agentwatch export-schema -o schema.graphql

bench: $(STAMP) ## run the benchmarks (by hand; prints figures)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.ingest_batch
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.push

clean: ## remove .venv and local databases
	rm -rf $(VENV) agentwatch.db agentwatch.db-wal agentwatch.db-shm
