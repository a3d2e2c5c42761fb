# The two commands a fresh machine needs (see README):
#   make dev    set everything up, then run the local runtime with the examples
#   make test   set everything up, then run every check and test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= ../shared

.PHONY: setup dev test lint typecheck unit functional conformance bench clean

setup: $(STAMP)

# requirements.lock: what sdw needs at run time; requirements-dev.lock: tests, checks, benches.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

dev: setup
	$(BIN)/sdw dev

lint: setup
	$(BIN)/ruff check sdw tests bench admin_tools scripts functions flows
	$(BIN)/python scripts/check_layers.py

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest tests/unit

test: lint typecheck
	$(BIN)/pytest -n 2 tests
	$(BIN)/python scripts/check_conformance.py --shared $(SHARED)

bench: setup
	$(BIN)/python bench/asl.py
	$(BIN)/python bench/gateway.py

clean:
	rm -rf $(VENV) .sdw .pytest_cache .mypy_cache .ruff_cache
