# Two commands from a fresh clone: `make run` (try Sathi) and `make test` (run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install lint catalogs bench bench-triage bench-bot bench-api

run: install
	$(BIN)/sathi knowledge import
	$(BIN)/sathi run

test: install
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

lint: install
	$(BIN)/ruff check .

catalogs: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k pgettext:1c,2 -c Translators: -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales
	$(BIN)/pybabel compile -d locales --statistics

bench: install
	$(BIN)/python benchmarks/search_bench.py

bench-triage: install
	$(BIN)/python benchmarks/triage_bench.py

bench-bot: install
	$(BIN)/python benchmarks/bot_bench.py

bench-api: install
	$(BIN)/python benchmarks/api_bench.py
