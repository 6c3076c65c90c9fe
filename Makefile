# Two entry points for a fresh machine: `make demo` and `make test`. Each builds the
# virtualenv on first use (and again when pyproject.toml changes), so nothing is assumed
# to be installed beyond Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo datasette test lint bench

# pip's own progress is shown: the first install takes about a minute.
$(STAMP): pyproject.toml
	@echo "Building $(VENV) (first time only, about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/healthqa demo

# Browse the demo archive (http://127.0.0.1:8001); `source .venv/bin/activate` puts
# `healthqa` and `datasette` on PATH for everything else.
datasette: $(STAMP)
	$(BIN)/datasette data/archive.sqlite --metadata datasette/metadata.json

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark at a small size (a few minutes; not part of make test or CI). Each prints
# its ratio against the baseline it measures in the same run; docs/benchmarks.md has the
# full-size commands and figures.
bench: $(STAMP)
	$(BIN)/python bench/parse.py --rounds 3 --repeat 3
	$(BIN)/python bench/storage.py --records 2000 --backends sqlite
	$(BIN)/python bench/export.py --records 2000 --rounds 1
	$(BIN)/python bench/search.py --records 2000 --queries 60
	$(BIN)/python bench/reparse.py --pages 200 --rounds 1
	$(BIN)/python bench/import_warc.py --pages 200
	$(BIN)/python bench/crawl.py --pages 500
