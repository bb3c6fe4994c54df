# notereview: `make demo` runs the main job end to end on generated data; `make test` runs the tests.
# Both create .venv and install everything they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := demo
DEMO_CHILDREN ?= 400

.PHONY: install demo test lint bench serve clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[store,api,models,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/notereview synth --children $(DEMO_CHILDREN) --seed 7 --out $(DEMO)/extract
	$(BIN)/notereview score $(DEMO)/extract --out $(DEMO)/out --report $(DEMO)/report.md \
		--db sqlite:///$(DEMO)/notereview.db

test: $(STAMP)
	$(BIN)/ruff check src tests api
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests api
	$(BIN)/ruff format --check src tests api

serve: $(STAMP)
	test -f $(DEMO)/notereview.db || $(MAKE) demo
	$(BIN)/python -m api --demo-dir $(DEMO)

clean:
	rm -rf $(DEMO) .pytest_cache .ruff_cache .hypothesis
