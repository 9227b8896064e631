# The two commands: `make demo` runs the product from a fresh clone; `make test` is what CI runs.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= .scorecard
export SCORECARD_HOME ?= $(CURDIR)/$(DATA)
export PREFECT_HOME ?= $(SCORECARD_HOME)/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: demo test lint unit install bench clean

$(BIN)/scorecard: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/scorecard

install: $(BIN)/scorecard

demo: install
	$(BIN)/scorecard demo

# Ruff, the layer contracts (import-linter, [tool.importlinter]) and mypy ([tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Two pytest-xdist workers (this machine has two CPUs; one process left one idle). Each test
# module stays whole on one worker (--dist loadscope, see tests/conftest.py); the generated
# nation and the loaded home are made once per run and copied (tests/helpers/shared.py).
# PREFECT_HOME is unset so each worker's temporary Prefect server has its own database.
test: lint
	env -u PREFECT_HOME $(BIN)/pytest -q -n 2 --dist loadscope --durations=25

unit: install
	$(BIN)/pytest -q tests/unit

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(DATA) .pytest_cache
