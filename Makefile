# The two commands a new user needs: `make run` starts the service, `make test` runs the tests.
# Both create the virtual environment in .venv on first use and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help run test lint install

help:
	@echo "make run    start the service on embedded defaults (SQLite, no Redis needed, the sandbox)"
	@echo "make test   install everything into .venv and run lint + the whole test suite"

$(BIN)/campaigns: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/campaigns

run: install
	$(BIN)/campaigns run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest
