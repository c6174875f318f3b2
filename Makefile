# WorkHub: `make run` and `make test` work on a fresh machine with Python 3.11, Node 20, make and git.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_LINK_MODE ?= copy

.PHONY: run test install uv lint typecheck unit bench bench-fanout bench-sweep clean

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.9"

install: uv
	$(UV) sync --frozen --all-packages

run: install
	$(UV) run --no-sync workhub dev

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports

typecheck: install
	$(UV) run --no-sync pyright

# The time-sensitive modules run a second time with the clock a year ahead, so no test depends on the day it runs.
YEAR_AHEAD := 31622400

test: lint typecheck
	$(UV) run --no-sync pytest --cov --cov-report=term --cov-report=xml:.coverage.xml -p no:cacheprovider
	WORKHUB_CLOCK_OFFSET=$(YEAR_AHEAD) $(UV) run --no-sync pytest -m time_sensitive -q -p no:cacheprovider

bench: install
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(UV) run --no-sync python -m bench.run $(BENCH_ARGS)

bench-fanout: install
	$(UV) run --no-sync python -m bench.fanout $(BENCH_ARGS)

bench-sweep: install
	$(UV) run --no-sync python -m bench.sweep $(BENCH_ARGS)

clean:
	rm -rf .venv .pytest_cache .coverage .coverage.xml
