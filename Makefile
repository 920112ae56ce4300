# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# pytest-xdist workers for make test: one per core; TEST_WORKERS=0 runs the suite in one process
TEST_WORKERS ?= auto

.PHONY: run test install dev catalogues db bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

catalogues: install
	$(FLASK) translate compile

db: install catalogues
	$(FLASK) db upgrade
	$(FLASK) places import
	$(FLASK) courses import
	$(FLASK) procedures import
	$(FLASK) demo

# the site and one queue worker (it runs the periodic jobs too): Ctrl-C stops both
run: db
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: dev catalogues
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: dev catalogues
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance
