# rumeur: `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export RUMEUR_DATA ?= $(abspath ../shared/data)

.PHONY: demo test lint bench docs models install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "rumeur needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# The tests also load a transformer model from disk: they need the optional extra (torch's CPU
# build, about a minute to install), which `make demo` does not.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,transformers]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rumeur demo

test: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python benchmarks/import_throughput.py
	$(BIN)/python benchmarks/enrichment_throughput.py
	$(BIN)/python benchmarks/search_latency.py
	$(BIN)/python benchmarks/query_matching.py
	$(BIN)/python benchmarks/jetstream_throughput.py

# Trains the shipped models from ../shared/data only (seeded), writes their weights and model
# cards into the package and the validation figures into docs/models.md.
models: $(STAMP)
	$(BIN)/python -m rumeur.nlp.train --data $(RUMEUR_DATA) --out src/rumeur/nlp/models --docs docs/models.md

docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

clean:
	rm -rf $(VENV) .pytest_cache build dist
