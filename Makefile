# Two commands on a fresh machine: `make lab` and `make test`. Everything else is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := $(VENV)/.apt-installed
APT_PACKAGES := poppler-utils chromium
# axe-core for the accessibility audit of the HTML report (tests/test_export_a11y.py), from npm into a
# tool folder outside the package; nothing is fetched when the tests run.
AXE_VERSION := 4.14.1
TOOLS := .tools
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js

.PHONY: lab test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests need (pdftotext, Chromium for the browser tests).
$(APT_STAMP): | $(BIN)/python
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $@

# npm comes with Node.js; Debian's npm package brings both where neither is installed.
$(AXE):
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm install --prefix $(TOOLS) --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
	test -f $@

lab: $(STAMP)
	$(BIN)/postmortem lab

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(APT_STAMP) $(AXE)
	POSTMORTEM_NO_SKIPS=1 $(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_timeline.py
	$(BIN)/python benchmarks/bench_workspace.py
	$(BIN)/python benchmarks/bench_draft.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_export.py

clean:
	rm -rf $(VENV) $(TOOLS) build dist *.egg-info
