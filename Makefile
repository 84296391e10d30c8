# rumeur: `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export RUMEUR_DATA ?= $(abspath ../shared/data)

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint bench docs models screenshots install clean chromium

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

# `make demo` ends by serving the web app; NO_SERVE=1 stops after the summary (for scripts).
demo: $(STAMP)
	$(BIN)/rumeur demo $(if $(NO_SERVE),,--serve)

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
chromium:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(TEST_STAMP) chromium
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports

# WRITE_RATE_ARGS="--posts 200000" for a shorter run than the million posts by default;
# WORKER_BENCH_ARGS="--posts 3000" for a shorter run than the whole airline set.
bench: $(STAMP)
	$(BIN)/python benchmarks/import_throughput.py
	$(BIN)/python benchmarks/write_rate.py $(WRITE_RATE_ARGS)
	$(BIN)/python benchmarks/enrichment_throughput.py
	$(BIN)/python benchmarks/search_latency.py
	$(BIN)/python benchmarks/query_matching.py
	$(BIN)/python benchmarks/jetstream_throughput.py
	$(BIN)/python benchmarks/web_latency.py
	$(BIN)/python benchmarks/author_stats.py
	$(BIN)/python benchmarks/alert_latency.py
	$(BIN)/python benchmarks/inbox_routing.py
	$(BIN)/python benchmarks/sender_rate.py
	$(BIN)/python benchmarks/publish_expand.py
	$(BIN)/python benchmarks/worker_throughput.py $(WORKER_BENCH_ARGS)

# Trains the shipped models from ../shared/data only (seeded), writes their weights and model
# cards into the package and the validation figures into docs/models.md.
models: $(STAMP)
	$(BIN)/python -m rumeur.nlp.train --data $(RUMEUR_DATA) --out src/rumeur/nlp/models --docs docs/models.md

docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

# What a user sees: the demo's dashboard and a post's detail, shot in Chromium into docs/.
screenshots: $(TEST_STAMP) chromium
	$(BIN)/python scripts/screenshots.py --out docs/images

clean:
	rm -rf $(VENV) .pytest_cache build dist
