# Cashflow: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UV := $(BIN)/uv

.PHONY: install lock run test lint unit bench notebook clean test-external messages fuzz

# pip installs uv and setuptools from requirements-tools.lock; uv installs the rest.
# Every install checks hashes; only the project itself (editable) has none.
$(UV): requirements-tools.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements-tools.lock
	touch $(UV)

$(STAMP): $(UV) requirements-dev.lock pyproject.toml
	$(UV) pip install -q --python $(BIN)/python --require-hashes -r requirements-dev.lock
	$(UV) pip install -q --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Message catalogs: the .po files are the source (committed); install compiles each to the
# .mo that gettext reads (git-ignored). `make messages` extracts the texts again and merges
# them into every language's .po; translate what it adds, then commit the .po files.
LOCALE := domain/locale
CATALOGS := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

install: $(STAMP) $(COMPILED)

messages: install
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k n_:1,2 --no-location --sort-output \
		--project=cashflow --copyright-holder=cashflow -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d $(LOCALE) --no-wrap \
		--no-fuzzy-matching --ignore-obsolete

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

# schemathesis against a live API with a random seed, printed first; all checks, stateful
# links, FUZZ_SECONDS (default 600). Replay a failure with FUZZ_ARGS="--seed N".
FUZZ_ARGS ?=
fuzz: install
	$(BIN)/python -m tests.fuzzing $(FUZZ_ARGS)

notebook: install
	$(BIN)/jupyter lab notebooks/

# Re-resolve the locks after a change to pyproject.toml or requirements-tools.in. Pins that
# still fit are kept; `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves them.
LOCK_ARGS ?=
LOCK := $(UV) pip compile --quiet --generate-hashes --python $(BIN)/python $(LOCK_ARGS)
# The runtime lock takes the development lock's pins, so the wheel test proves what dev runs.
lock: $(UV)
	$(LOCK) requirements-tools.in -o requirements-tools.lock
	$(LOCK) --extra dev pyproject.toml -o requirements-dev.lock
	$(LOCK) --constraint requirements-dev.lock pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .schemathesis

# The suite against the machine's own PostgreSQL (started when it is down).
EXTERNAL_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
test-external: install
	pg_lsclusters -h 2>/dev/null | awk '$$4 != "online" {print $$1}' | \
		xargs -r -I{} pg_ctlcluster --skip-systemctl-redirect {} main start
	DATABASE_URL=$(EXTERNAL_DATABASE_URL) $(BIN)/pytest
