# The README's two commands are `make run` and `make test`; everything they need is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# pytest-xdist workers for make test: one per CPU (each gets its own databases and Redis database).
TEST_WORKERS ?= auto
# More pytest arguments (CI's PostgreSQL run leaves out the checks of what the browser draws).
PYTEST_ARGS ?=
# WeasyPrint draws PDFs with Pango; the fonts make Indonesian text render the same everywhere.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

.PHONY: run test lint bench setup setup-dev worker clean

run: setup
	bash scripts/ensure-system-packages.sh $(PDF_PACKAGES)
	$(BIN)/flask --app wsgi serve --port $(PORT)

test: setup-dev
	bash scripts/ensure-system-packages.sh chromium $(PDF_PACKAGES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=8 $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup-dev
	$(BIN)/python -m bench

worker: setup
	$(BIN)/flask --app wsgi worker

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
