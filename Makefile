# The two commands a new user needs: `make run` starts the service, `make test` runs the tests.
# Both create the virtual environment in .venv on first use and install exactly the locked versions
# (requirements/*.lock, with hashes) into it with uv; see "Dependencies" in the README.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv itself is installed (hash-checked, from requirements/bootstrap.txt) beside the venv's packages,
# so that `uv pip sync` never removes it.
UV := $(abspath $(VENV)/tools/bin/uv)
UV_ENV := UV_PYTHON=$(BIN)/python UV_NO_PROGRESS=1
STAMP := $(VENV)/.installed
LOCKS := requirements/runtime.lock requirements/dev.lock
COMPILE := $(UV) pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make lock"

.DEFAULT_GOAL := help
.PHONY: help run test lint install lock upgrade lock-check

help:
	@echo "make run         start the service on embedded defaults (SQLite, no Redis needed, the sandbox)"
	@echo "make test        install the locked versions into .venv and run lint + the whole test suite"
	@echo "make lock        re-resolve requirements/*.lock after editing pyproject.toml (keeps other pins)"
	@echo "make upgrade     move every dependency to the newest release pyproject.toml allows"

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --isolated --quiet --disable-pip-version-check --no-warn-script-location \
		--root-user-action=ignore --require-hashes --target $(VENV)/tools -r requirements/bootstrap.txt

# Bytecode is compiled at install time (packages and the project's own modules), so that every
# command starts fast even where PYTHONDONTWRITEBYTECODE is set.
$(STAMP): $(LOCKS) pyproject.toml | $(UV)
	$(UV_ENV) $(UV) pip sync --quiet --compile-bytecode requirements/dev.lock
	$(UV_ENV) $(UV) pip install --quiet --no-deps -e . --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q campaigns worker scheduler sandbox
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/campaigns run

lint: install lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# The runtime lock (what the Docker image installs) and the dev lock (runtime + test tools, what .venv
# gets) are resolved together so that they agree on every shared package. $(1): the folder to resolve in.
define resolve
	cd $(1) && $(COMPILE) $(UPGRADE) pyproject.toml -o requirements/runtime.lock
	cd $(1) && $(COMPILE) $(UPGRADE) pyproject.toml --extra dev -c requirements/runtime.lock -o requirements/dev.lock
endef

lock: | $(UV)
	$(call resolve,.)
	$(COMPILE) $(UPGRADE) --no-header requirements/bootstrap.in -o requirements/bootstrap.txt

upgrade:
	$(MAKE) lock UPGRADE=--upgrade

# Fails when pyproject.toml and the locks disagree: re-resolving a copy of the locks (which keeps every
# pin that still fits) must give the same pins and the same "via" lines (hashes aside).
PINS = grep -v -e '--hash=' -e '^\#'
CHECK_DIR := $(VENV)/lock-check
lock-check: | $(UV)
	@rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)/requirements && \
		cp pyproject.toml README.md $(CHECK_DIR)/ && cp requirements/*.lock $(CHECK_DIR)/requirements/
	@$(call resolve,$(CHECK_DIR))
	@for f in runtime dev; do \
		if ! diff <($(PINS) requirements/$$f.lock) <($(PINS) $(CHECK_DIR)/requirements/$$f.lock) >&2; then \
			echo "requirements/$$f.lock does not match pyproject.toml: run 'make lock' and commit it" >&2; \
			exit 1; \
		fi; \
	done
	@echo "requirements/*.lock match pyproject.toml"
