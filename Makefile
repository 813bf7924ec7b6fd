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
	@$(MAKE) --no-print-directory browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not browser"
	$(BIN)/python -m pytest -m browser

# Debian's Chromium and a CJK font for the browser tests (Playwright never downloads a browser here).
# Installs only as root (CI); otherwise says how, and the browser tests skip with that reason.
CHROMIUM_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -f $(CHROMIUM_FONT) ]; then \
		echo "browser-deps: /usr/bin/chromium and the CJK font are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; } || \
		echo "browser-deps: apt-get failed; the browser tests will skip"; \
	else \
		echo "browser-deps: chromium or fonts-wqy-microhei missing and not root; skipping the install."; \
		echo "  install with: sudo apt-get install chromium fonts-wqy-microhei (browser tests skip until then)"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
