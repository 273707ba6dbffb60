# email-analytics-elt. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
export WAREHOUSE ?= duckdb
export WAREHOUSE_PATH ?= $(CURDIR)/warehouse.duckdb
export DBT_PROFILES_DIR ?= $(CURDIR)
SANDBOX_HOST ?= 127.0.0.1
SANDBOX_PORT ?= 8765
DBT := cd dbt_project && ../$(BIN)/dbt
# The sandbox is a development and test tool: `make load` reads .dlt/ (the real providers'
# defaults) and never the sandbox; `make load-sandbox` points every source at a running sandbox
# (`python -m sandbox env` prints its SOURCES__* settings; they win over .dlt/).
SANDBOX_ENV = exports=$$($(BIN)/python -m sandbox env --check --host $(SANDBOX_HOST) --port $(SANDBOX_PORT)) && eval "$$exports"
# pipelines check reads DBT_ARGS from the environment (any quoting survives).
export DBT_ARGS

.PHONY: help setup demo load load-sandbox transform freshness report test-data-full sandbox test test-postgres postgres postgres-stop bench bench-reader lint format docs constraints clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found"; exit 1; }
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 required, found {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,postgres,dagster]'
	@touch $@

profiles.yml:
	cp profiles.example.yml profiles.yml

.dlt/secrets.toml:
	cp .dlt/secrets.toml.example .dlt/secrets.toml

setup: $(BIN)/.installed profiles.yml .dlt/secrets.toml ## create .venv, install pinned dependencies, copy config templates

demo: setup ## sandbox + load + transform into demo.duckdb (never your warehouse), print the campaign report, write demo-report.html
	$(BIN)/python -m sandbox.demo --host $(SANDBOX_HOST) --port $(SANDBOX_PORT)

sandbox: setup ## run the provider simulators in the foreground on $(SANDBOX_HOST):$(SANDBOX_PORT)
	$(BIN)/python -m sandbox --host $(SANDBOX_HOST) --port $(SANDBOX_PORT)

load: setup ## load every provider into the warehouse (args: PROVIDERS="apsis_one", LOAD_ARGS="--since 2026-01-01")
	$(BIN)/python -m pipelines load $(PROVIDERS) $(LOAD_ARGS)

load-sandbox: setup ## like load, from the sandbox running on $(SANDBOX_HOST):$(SANDBOX_PORT) (make sandbox) instead of .dlt/'s accounts
	$(SANDBOX_ENV) && $(BIN)/python -m pipelines load $(PROVIDERS) $(LOAD_ARGS)

transform: setup ## the daily dbt build (seeds, models, data tests; unit tests run in make test) on the warehouse, a short summary; dbt's log in dbt_project/logs/ (args: DBT_ARGS="--vars '{maxemail_enabled: false}'")
	$(BIN)/python -m pipelines check --dbt-args "$$DBT_ARGS"
	$(BIN)/python -m pipelines transform $(DBT_ARGS)

# `make report REPORT=path.html`; default: <warehouse name>-report.html beside WAREHOUSE_PATH
REPORT ?=

report: setup ## write the offline HTML report of the warehouse's marts (arg: REPORT=file.html; default warehouse-report.html beside the warehouse)
	$(BIN)/python -m pipelines report $(if $(REPORT),--out "$(REPORT)")

freshness: setup ## dbt source freshness: has each provider's loader succeeded lately? (thresholds: vars freshness_warn_after_hours, freshness_error_after_hours, e.g. DBT_ARGS="--vars '{freshness_error_after_hours: 50}'")
	$(DBT) source freshness $(DBT_ARGS)

test-data-full: setup ## every dbt data test over all history (a daily build tests what it changed); run by CI (args: DBT_ARGS)
	$(BIN)/python -m pipelines check --dbt-args "$$DBT_ARGS"
	$(BIN)/python -m pipelines transform --data-tests-full $(DBT_ARGS)

test: setup ## run the test suite in one shard per CPU (TEST_JOBS=1: one process) (unit, sources against the sandbox, end to end; PostgreSQL too when its server is installed, always under CI=true)
	scripts/test.sh $(BIN)/python $(PYTEST_ARGS)

test-postgres: setup ## install (Debian package) and start a local PostgreSQL, then prove every mart identical to DuckDB
	EMAIL_ELT_POSTGRES=1 $(BIN)/python -m pytest -m postgres $(PYTEST_ARGS)

postgres: ## start a throwaway local PostgreSQL on 127.0.0.1:55432 (installs Debian's package if missing); prints its settings
	scripts/postgres.sh start
	@scripts/postgres.sh env

postgres-stop: ## stop the local PostgreSQL started by `make postgres`
	scripts/postgres.sh stop

# World sizes of `make bench` in APSIS One events; several ("1000000 3000000 10000000") also draw
# bench/results/latest.png.
BENCH_EVENTS ?= 1000000

bench: setup ## the whole path side by side at BENCH_EVENTS events (default 1000000): sandbox world, each load vs DuckDB's own, dbt full and incremental, marts vs truth; writes bench/results/latest.csv
	$(BIN)/python -m bench --events "$(BENCH_EVENTS)" $(if $(BENCH_PROVIDERS),--providers "$(BENCH_PROVIDERS)")

bench-reader: setup ## the export file reader's memory stays flat as the file grows (bench/streaming.py)
	$(BIN)/python -m bench.streaming $(BENCH_ARGS)

lint: setup ## ruff, mypy, dbt parse and MetricFlow's checks of the semantic layer (mf validate-configs)
	$(BIN)/ruff check pipelines sandbox tests bench
	$(BIN)/ruff format --check pipelines sandbox tests bench
	$(BIN)/mypy pipelines sandbox tests bench
	$(DBT) parse --quiet
	@# the semantic models and metrics (dbt_project/models/semantic) against MetricFlow's rules; the
	@# checks against built tables run in tests/test_semantic_layer.py. mf reads target/ of the
	@# parse above and opens a throwaway in-memory DuckDB, never your warehouse.
	cd dbt_project && WAREHOUSE=duckdb WAREHOUSE_PATH=:memory: ../$(BIN)/mf validate-configs --skip-dw

format: setup ## apply ruff formatting and fixes
	$(BIN)/ruff check --fix pipelines sandbox tests
	$(BIN)/ruff format pipelines sandbox tests

docs: setup ## generate and serve the dbt docs site on port 8080
	$(DBT) docs generate
	$(DBT) docs serve --port 8080

constraints: ## re-pin constraints.txt from the current .venv
	{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt

clean: ## remove the warehouse, the demo's files, dbt artifacts and the venv
	rm -rf $(VENV) warehouse.duckdb warehouse.duckdb.wal warehouse-report.html demo.duckdb demo.duckdb.wal demo-report.html .demo dbt_project/target dbt_project/logs
