# Cashflow: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint unit bench notebook clean test-external

$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cashflow run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest

test: lint unit

bench: install
	$(BIN)/python -m benchmarks

notebook: install
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .schemathesis

# The suite against the machine's own PostgreSQL (started when it is down).
EXTERNAL_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
test-external: install
	pg_lsclusters -h 2>/dev/null | awk '$$4 != "online" {print $$1}' | \
		xargs -r -I{} pg_ctlcluster --skip-systemctl-redirect {} main start
	DATABASE_URL=$(EXTERNAL_DATABASE_URL) $(BIN)/pytest
