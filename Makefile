# Kundenversteher — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KV := $(BIN)/kundenversteher
STAMP := $(VENV)/.installed
VENDOR_STAMP := src/kundenversteher/workspace/static/workspace/vendor/.built
PG_URL = $(shell scripts/test-postgres.sh url)

.PHONY: run test check install messages makemessages system-deps-run system-deps-test test-sqlite test-postgres \
        postgres-start postgres-stop bench format clean

run: system-deps-run install ## set up and run the platform with demo data (SQLite, one worker)
	scripts/run.sh

test: system-deps-test install check test-sqlite test-postgres ## set up and run the whole suite

install: $(STAMP) $(VENDOR_STAMP)

# Front-end packages from the npm registry (pinned by frontend/package-lock.json), served locally.
$(VENDOR_STAMP): frontend/package-lock.json scripts/build-frontend.sh
	scripts/build-frontend.sh
	touch $(VENDOR_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps-run:
	scripts/system-deps.sh run

system-deps-test:
	scripts/system-deps.sh test

check: install ## formatting, lint, types, layers, migrations
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	KV_SECRET_KEY=check KV_DATA_DIR=$$(mktemp -d) $(BIN)/mypy src
	$(BIN)/lint-imports
	KV_DATA_DIR=$$(mktemp -d) KV_SECRET_KEY=check $(KV) makemigrations --check --dry-run

messages: install ## compile the gettext catalogues (German source, English translation)
	cd src/kundenversteher && KV_SECRET_KEY=build KV_DATA_DIR=$$(mktemp -d) ../../$(KV) compilemessages -v 0

makemessages: install ## refresh the English catalogues from the German source strings (then translate)
	cd src/kundenversteher && for app in */apps.py; do \
	  (cd $${app%/apps.py} && mkdir -p locale && KV_SECRET_KEY=build KV_DATA_DIR=$$(mktemp -d) \
	   ../../../$(KV) makemessages -l en --no-location -v 0) || exit 1; done
	cd src/kundenversteher && KV_SECRET_KEY=build KV_DATA_DIR=$$(mktemp -d) ../../$(KV) makemessages \
	  -l en --no-location -v 0 -i intelligence $$(for app in */apps.py; do echo -i $${app%/apps.py}; done)

test-sqlite: install messages
	$(BIN)/python -m pytest -p no:cacheprovider

test-postgres: install messages postgres-start
	KV_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -p no:cacheprovider

postgres-start:
	scripts/test-postgres.sh start

postgres-stop:
	scripts/test-postgres.sh stop

bench: install ## all benchmarks (long)
	$(BIN)/python benchmarks/understanding.py
	$(BIN)/python benchmarks/foundation.py
	$(BIN)/python benchmarks/intake.py
	$(BIN)/python benchmarks/ui.py
	$(BIN)/python benchmarks/automation.py

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) var/test .pytest_cache .mypy_cache .ruff_cache
