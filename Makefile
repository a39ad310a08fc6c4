# Kartoteka — the two commands are `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export KARTOTEKA_VAR_DIR ?= $(CURDIR)/var

.PHONY: run worker test fuzz install install-dev lint messages clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --python $(BIN)/python -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/uv pip install --python $(BIN)/python -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up (venv, install, migrate, demo data, admin) and serve on http://$(HOST):$(PORT)
run: install
	DEBUG=true $(BIN)/kartoteka migrate --noinput -v0
	DEBUG=true $(BIN)/kartoteka demo
	DEBUG=true $(BIN)/kartoteka ensureadmin --password-file $(KARTOTEKA_VAR_DIR)/admin-password.txt
	@echo "Kartoteka: http://$(HOST):$(PORT)/"
	DEBUG=true $(BIN)/kartoteka runserver $(HOST):$(PORT)

## make test: install what the tests need and run the whole suite on SQLite and on PostgreSQL
test: install-dev
	bash scripts/test.sh

## make fuzz: the API contract gate alone, on PostgreSQL, with FUZZ_EXAMPLES (default 10) times the cases
FUZZ_EXAMPLES ?= 10
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ONLY_POSTGRESQL=true bash scripts/test.sh \
		kartoteka/api/tests/test_contract.py kartoteka/api/tests/test_object_authorization.py

lint: install-dev
	$(BIN)/ruff check kartoteka

## make messages: extract and compile translations (needs gettext)
messages: install
	cd kartoteka && DEBUG=true ../$(BIN)/kartoteka makemessages -l ru -l en --no-obsolete --no-location
	cd kartoteka && DEBUG=true ../$(BIN)/kartoteka compilemessages

clean:
	rm -rf $(VENV) var

## make worker: the background job consumer (reminders, escalations, e-mail); `make run` works without it
worker: install
	DEBUG=true $(BIN)/kartoteka worker

## make bench [SCALE=0.1] [DB=sqlite]: generate a base (1M contacts at SCALE=1) and measure the app served by
## gunicorn beside its floors; writes bench/results.json and bench/results.md (docs/benchmark.md)
SCALE ?= 1
override DB := $(if $(filter sqlite,$(DB)),sqlite,postgresql)
BENCH_ARGS ?=
bench: install-dev
	$(BIN)/python -m bench.run --scale $(SCALE) --db $(DB) $(BENCH_ARGS)
