# Peilian — two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint bench browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when the dependency pins change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Ralph's LRS (a real xAPI endpoint for the LMS tests) pins versions that clash with ours: its own venv.
RALPH := $(VENV)/ralph-lrs/.installed
$(RALPH): tests/server/lms/ralph-lrs-requirements.txt $(BIN)/python
	$(BIN)/python -m venv $(VENV)/ralph-lrs
	$(VENV)/ralph-lrs/bin/pip install -q -r tests/server/lms/ralph-lrs-requirements.txt
	touch $(RALPH)

install: $(STAMP)

run: install
	$(BIN)/peilian knowledge build --if-stale
	$(BIN)/peilian admin demo
	@echo "打开 http://127.0.0.1:8000 ,用上面的演示账号登录。"
	$(BIN)/peilian serve

test: install $(RALPH)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
