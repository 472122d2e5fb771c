# Sodamolek: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
# One uv version everywhere (pyproject's required-version, the Dockerfile's UV_VERSION).
UV_VERSION := 0.13.9
UV ?= $(PYTHON) -m uv
export UV
export SODAMOLEK_DATA_DIR ?= ./data
# Some machines ask Python not to keep compiled bytecode (PYTHONDONTWRITEBYTECODE): then every
# process compiles each module it imports again, and the tests start dozens of them (a server
# took 6.7 s to import instead of 1.7 s). Here Python keeps it, as it does by default.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-js lint uv deps dev-deps browser migrate seed demo wheel image bench bench-tools

# Installs the pinned uv when it is missing or another version.
uv:
	@case "$$($(UV) --version 2>/dev/null)" in \
	  "uv $(UV_VERSION)"|"uv $(UV_VERSION) "*) ;; \
	  *) $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)" ;; \
	esac

deps: uv
	$(UV) sync --frozen --no-dev

dev-deps: uv
	$(UV) sync --frozen

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium tidak ada: jalankan 'sudo apt-get install chromium'" >&2; exit 1; fi; }

# `uv run` adds what is missing and removes nothing, so these keep a developer's dev tools.
migrate: uv
	$(UV) run --frozen --no-dev sodamolek migrate

seed: migrate
	$(UV) run --frozen --no-dev sodamolek seed

demo: migrate
	$(UV) run --frozen --no-dev sodamolek seed --demo

run: deps demo
	$(UV) run --frozen --no-dev sodamolek serve --host 127.0.0.1 --port 8000

# The wheel carries the templates, static files and service worker (dist/sodamolek-*.whl).
wheel: uv
	$(UV) build --wheel --out-dir dist

image:
	docker build --tag sodamolek:$${SODAMOLEK_RELEASE:-latest} .

# Style, the layers of docs/architecture.md (import-linter, contracts in pyproject.toml) and the
# types of backend/ (mypy, zero errors).
lint: dev-deps
	$(UV) run --frozen ruff check backend tests bench
	$(UV) run --frozen lint-imports
	$(UV) run --frozen mypy

# The service worker's pure rules (service_worker/logic.js) under Node's own test runner.
test-js:
	node --test tests/js/

# In parallel (pytest-xdist): one worker per core, each test file's tests on one worker, in order
# (a browser file starts its Chromium and servers once); files handed out in collection order,
# so the slow browser and integration files start first and the many short unit files fill the
# end. `make test PYTEST_PARALLEL=` runs in one process. docs/testing.md.
PYTEST_PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder
PYTEST_REPORT ?= --durations=30

# Every test on SQLite; then, when SODAMOLEK_TEST_POSTGRES_URL is set, every database test
# again on PostgreSQL (one run per engine, as Piccolo's own suite does).
test: dev-deps browser lint test-js
	$(UV) run --frozen pytest $(PYTEST_PARALLEL) $(PYTEST_REPORT)
	@if [ -n "$$SODAMOLEK_TEST_POSTGRES_URL" ]; then \
	  echo "== database tests on PostgreSQL =="; \
	  SODAMOLEK_TEST_DATABASE_URL="$$SODAMOLEK_TEST_POSTGRES_URL" \
	    $(UV) run --frozen pytest -m db $(PYTEST_PARALLEL) $(PYTEST_REPORT); \
	fi

# bench/http_pages.py drives the server with wrk (Debian's package).
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	  else echo "wrk tidak ada: jalankan 'sudo apt-get install wrk'" >&2; exit 1; fi; }

bench: dev-deps bench-tools
	@for script in bench/*.py; do echo "== $$script"; $(UV) run --frozen python $$script || exit 1; done
