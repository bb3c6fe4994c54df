# notereview: `make demo` runs the main job end to end on generated data; `make test` runs the tests.
# Both create .venv and install everything they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO := demo
DEMO_CHILDREN ?= 400
CHROMIUM ?= /usr/bin/chromium

.PHONY: install compiled demo test lint bench serve clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[store,api,models,transformer,spark,dev,browser,compiled]"
	$(MAKE) compiled
	touch $(STAMP)

# The annotation hot path compiled with mypyc (notereview._compiled), about 2 minutes; rerun
# after editing one of its modules (until then that module runs as Python, never stale).
compiled:
	$(BIN)/python -c 'import sys; from notereview._compiled import main; sys.exit(main(["build"]))' \
		|| echo "notereview: no compiled build; the same modules run as Python"

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/notereview synth --children $(DEMO_CHILDREN) --seed 7 --out $(DEMO)/extract \
		--annex-a $(DEMO)/AnnexA.xlsx
	$(BIN)/notereview score $(DEMO)/extract --annex-a $(DEMO)/AnnexA.xlsx \
		--out $(DEMO)/out --report $(DEMO)/report.md \
		--db sqlite:///$(DEMO)/notereview.db

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

# The browser tests (tests/test_web_browser.py) drive Debian's Chromium: installed here when
# missing if we are root (as CI is); otherwise say how, and those tests are skipped.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "no $(CHROMIUM): 'sudo apt-get install chromium' (browser tests are skipped)"; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests

# The batch benchmark (issue 6): extracts of 1,000, 10,000 and 100,000 children, the rules path
# end to end on BENCH_WORKERS cores, reference floors; writes bench/results.json.
BENCH_SIZES ?= 1000,10000,100000
BENCH_WORKERS ?= 2
bench: $(STAMP)
	$(BIN)/python -m bench.run --sizes $(BENCH_SIZES) --workers $(BENCH_WORKERS) --nightly

serve: $(STAMP)
	test -f $(DEMO)/notereview.db || $(MAKE) demo
	$(BIN)/python -m notereview_api --demo-dir $(DEMO)

clean:
	rm -rf $(DEMO) .pytest_cache .ruff_cache .hypothesis
