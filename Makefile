# WorkHub: `make run` and `make test` work on a fresh machine with Python 3.11, Node 20, make and git.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
NPM := npm --prefix src/dashboard
export UV_LINK_MODE ?= copy

.PHONY: run test install uv lint typecheck unit bench bench-fanout bench-sweep clean \
	dashboard dashboard-install dashboard-types dashboard-check chromium nginx deploy-lint wheel bench-drag

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.9"

install: uv
	$(UV) sync --frozen --all-packages

# The dashboard's packages, installed again only when package-lock.json changed.
src/dashboard/node_modules/.installed: src/dashboard/package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

dashboard-install: src/dashboard/node_modules/.installed

# Build the dashboard into the Python package (src/workhub/static), which serves it at /.
dashboard: dashboard-install
	$(NPM) run build

# Regenerate the dashboard's API types from the backend's OpenAPI schema (commit the result).
dashboard-types: install dashboard-install
	mkdir -p src/dashboard/node_modules/.cache
	$(UV) run --no-sync workhub openapi -o src/dashboard/node_modules/.cache/workhub-openapi.json
	$(NPM) run api:types

# The dashboard's checks: API types in step with the backend, vue-tsc, ESLint, translations, Vitest.
dashboard-check: install dashboard-install
	mkdir -p src/dashboard/node_modules/.cache
	$(UV) run --no-sync workhub openapi -o src/dashboard/node_modules/.cache/workhub-openapi.json
	$(NPM) run api:check
	$(NPM) run typecheck
	$(NPM) run lint
	$(NPM) run i18n:check
	$(NPM) test

# Debian's chromium for the end-to-end tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Debian's nginx for the deployment tests, which run nginx/ in front of WorkHub (tests/integration/deploy).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)

run: install dashboard
	$(UV) run --no-sync workhub dev

lint: install
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports

# The deployment files: compose.yaml and .gitlab-ci.yml against the schemas check-jsonschema ships
# (no download), the Dockerfile with hadolint. tests/integration/deploy checks what they say.
deploy-lint: install
	$(UV) run --no-sync check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
	$(UV) run --no-sync check-jsonschema --builtin-schema vendor.gitlab-ci .gitlab-ci.yml
	$(UV) run --no-sync hadolint Dockerfile

typecheck: install
	$(UV) run --no-sync pyright

# The time-sensitive modules run a second time with the clock a year ahead, so no test depends on the day it runs.
YEAR_AHEAD := 31622400

test: lint typecheck deploy-lint dashboard-check dashboard chromium nginx
	WORKHUB_E2E_STATIC_DIR=$(CURDIR)/src/workhub/static \
		$(UV) run --no-sync pytest --cov --cov-report=term --cov-report=xml:.coverage.xml -p no:cacheprovider
	WORKHUB_CLOCK_OFFSET=$(YEAR_AHEAD) WORKHUB_E2E_STATIC_DIR=$(CURDIR)/src/workhub/static \
		$(UV) run --no-sync pytest -m time_sensitive -q -p no:cacheprovider

# A wheel with the built dashboard inside.
wheel: install dashboard
	$(UV) build --wheel

bench: install
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(UV) run --no-sync python -m bench.run $(BENCH_ARGS)

bench-fanout: install
	$(UV) run --no-sync python -m bench.fanout $(BENCH_ARGS)

bench-sweep: install
	$(UV) run --no-sync python -m bench.sweep $(BENCH_ARGS)

bench-drag: install dashboard chromium
	$(UV) run --no-sync python -m bench.board_drag $(BENCH_ARGS)

clean:
	rm -rf .venv .pytest_cache .coverage .coverage.xml src/dashboard/node_modules src/workhub/static test-artifacts
