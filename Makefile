# Two entry points: `make demo` and `make test`. Both create .venv with the core, every
# plugin and the dev tools; the install is redone only when a pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: install demo test fuzz lint bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml core/pyproject.toml $(wildcard plugins/*/pyproject.toml) demo/pyproject.toml
	cd $(CURDIR) && $(BIN)/python -m pip install --quiet --group dev \
		-e 'core[export,postgres]' $(addprefix -e ,$(PLUGIN_DIRS)) -e demo
	touch $(STAMP)

# `make demo DEMO_ARGS=--no-wait` exits after the story instead of serving.
demo: $(STAMP)
	$(BIN)/pontes demo $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fuzz tests at length: 10,000 hostile deliveries per webhook trigger (`make test`
# runs a few per trigger), and contact_sync's property test at 1,000 steps with random
# seeds. Set PONTES_TEST_POSTGRES_URL to fuzz PostgreSQL as well.
fuzz: $(STAMP)
	$(BIN)/python -m pytest core/tests/fuzz --hypothesis-profile=fuzz $(PYTEST_ARGS)
	CONTACT_SYNC_PROFILE=fuzz $(BIN)/python -m pytest tests/test_contact_sync_property.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check core plugins tests bench demo

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV)
