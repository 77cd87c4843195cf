# Chance Tap — developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
WEB := frontend/web
HOST ?= 127.0.0.1
PORT ?= 8000

# `make run` uses the embedded defaults and debug mode unless told otherwise.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
# `make test` runs against the real local PostgreSQL and Redis unless told otherwise, on names of
# its own so two checkouts (or another app) on one machine never touch each other's data: a test
# database and a Redis database number derived from this checkout's path (override either).
CHECKOUT_ID := $(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
TEST_DATABASE_NAME ?= test_chancetap_$(shell expr $(CHECKOUT_ID) % 1000000)
TEST_REDIS_DB ?= $(shell expr $(CHECKOUT_ID) % 14 + 2)
TEST_ENV := DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/chancetap_test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/$(TEST_REDIS_DB)} \
	TEST_DATABASE_NAME=$(TEST_DATABASE_NAME) CHANCETAP_TEST_OWNER="$(CURDIR)"

.PHONY: help
help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "; printf "Chance Tap — make targets\n\n"} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- installing -----------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: venv
venv: $(VENV)/.installed ## Create the Python virtualenv and install pinned dependencies

.PHONY: node
node: $(WEB)/node_modules/.installed ## Install the Mini App's npm packages

.PHONY: frontend
frontend: node ## Build the Mini App into Django static files
	cd $(WEB) && npm run build --silent

.PHONY: install
install: venv frontend ## Install everything (venv, npm packages, frontend build)

# --- running --------------------------------------------------------------------------------
.PHONY: migrate
migrate: venv ## Apply database migrations
	$(RUN_ENV) $(PY) manage.py migrate --noinput

.PHONY: seed
seed: venv ## Seed demo data (idempotent)
	$(RUN_ENV) $(PY) manage.py seed_demo

.PHONY: run
run: install migrate seed ## Install, migrate, seed and start web + worker (+ bot) on 127.0.0.1:8000
	$(RUN_ENV) HOST=$(HOST) PORT=$(PORT) bin/run-all

.PHONY: players
players: venv ## Nine simulated players join the 20-Star tier of the running app (development)
	$(RUN_ENV) $(PY) manage.py simulate_players --rooms 1 --players-per-room 9 --tier 20 --fund \
		--url http://$(HOST):$(PORT)

.PHONY: superuser
superuser: venv ## Create an admin account (asks for a Telegram id and a password)
	$(RUN_ENV) $(PY) manage.py createsuperuser

.PHONY: worker
worker: venv ## Start only the Celery worker (with beat)
	$(RUN_ENV) $(VENV)/bin/celery -A chancetap worker -B --loglevel=INFO

.PHONY: bot
bot: venv ## Start only the Telegram bot (polling; needs TELEGRAM_BOT_TOKEN)
	$(RUN_ENV) $(PY) manage.py runbot

# --- checking -------------------------------------------------------------------------------
.PHONY: services
services: ## Check (and start when installed) the local PostgreSQL and Redis used by tests
	@scripts/ensure-services

# The OpenAPI schema, generated from the views and their serializers, and the WebSocket frames'
# JSON Schema, generated from their TypedDicts (no database or Redis needed; the testing settings
# only supply the secrets the settings refuse to start without).
SCHEMA_ENV := CHANCETAP_TESTING=1 $(TEST_ENV)
SCHEMA_FILE := docs/openapi.yaml
WS_SCHEMA_FILE := docs/ws-frames.json
ERROR_CODES_FILE := docs/error-codes.json

.PHONY: lint
lint: venv node ## ruff lint + format check, import-linter layers, OpenAPI + WebSocket frame schemas + error codes committed, ESLint, Prettier
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(SCHEMA_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
		$(SCHEMA_ENV) $(PY) manage.py spectacular --fail-on-warn --file "$$tmp" && \
		diff -u $(SCHEMA_FILE) "$$tmp" >/dev/null || { \
			diff -u $(SCHEMA_FILE) "$$tmp" | head -40; \
			echo "$(SCHEMA_FILE) is stale: the API changed; run make schema and commit it"; exit 1; }
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
		$(SCHEMA_ENV) $(PY) manage.py ws_schema --file "$$tmp" && \
		diff -u $(WS_SCHEMA_FILE) "$$tmp" >/dev/null || { \
			diff -u $(WS_SCHEMA_FILE) "$$tmp" | head -40; \
			echo "$(WS_SCHEMA_FILE) is stale: a WebSocket frame changed; run make schema and commit it"; exit 1; }
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
		$(SCHEMA_ENV) $(PY) manage.py error_codes --file "$$tmp" && \
		diff -u $(ERROR_CODES_FILE) "$$tmp" >/dev/null || { \
			diff -u $(ERROR_CODES_FILE) "$$tmp" | head -40; \
			echo "$(ERROR_CODES_FILE) is stale: an error code changed; run make schema, commit it and translate new codes"; exit 1; }
	cd $(WEB) && npm run api-types:check --silent
	cd $(WEB) && npm run ws-types:check --silent
	cd $(WEB) && npm run lint --silent && npm run format:check --silent

.PHONY: schema
schema: venv node ## Regenerate docs/openapi.yaml (validated, warnings are errors), docs/ws-frames.json, docs/error-codes.json and the Mini App's API and frame types
	$(SCHEMA_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file $(SCHEMA_FILE)
	$(SCHEMA_ENV) $(PY) manage.py ws_schema --file $(WS_SCHEMA_FILE)
	$(SCHEMA_ENV) $(PY) manage.py error_codes --file $(ERROR_CODES_FILE)
	cd $(WEB) && npm run api-types --silent
	cd $(WEB) && npm run ws-types --silent

.PHONY: typecheck
typecheck: venv node ## mypy (django-stubs) and tsc
	CHANCETAP_TESTING=1 $(TEST_ENV) $(VENV)/bin/mypy .
	cd $(WEB) && npm run typecheck --silent

.PHONY: fmt
fmt: venv node ## Format Python (ruff) and TypeScript (Prettier)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	cd $(WEB) && npm run format --silent

.PHONY: messages
messages: venv ## Russian catalogue of server-side messages (admin forms): extract into locale/, compile
	$(RUN_ENV) $(PY) manage.py makemessages -l ru --no-obsolete --ignore=.venv --ignore='frontend/*' --ignore='var/*'
	cd locale && $(RUN_ENV) ../$(PY) ../manage.py compilemessages -l ru  # needs gettext's msgfmt

.PHONY: test-web
test-web: node ## Vitest unit tests of the Mini App
	cd $(WEB) && npm test --silent

.PHONY: browser
browser: ## Install Debian's Chromium for browser tests when missing
	@scripts/ensure-chromium

.PHONY: pgbackrest
pgbackrest: ## Install Debian's pgBackRest for the point-in-time recovery test when missing
	@scripts/ensure-pgbackrest

.PHONY: test-py
# Parallel workers (pytest-xdist): a test module stays on one worker (its servers and browser are
# module fixtures); each worker has its own test database and Redis database (settings.py).
# PYTEST_WORKERS=0 runs in one process; PYTEST_ARGS adds pytest options (e.g. -k, a path).
PYTEST_WORKERS ?= 2
PYTEST_XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)
test-py: venv frontend services browser pgbackrest ## pytest: every Python suite incl. browser tests (real Postgres + Redis), on PYTEST_WORKERS workers
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

.PHONY: ops-check
ops-check: ## Alert rules (promtool check + unit tests), Prometheus/Alertmanager/HAProxy configs, workflow lint
	scripts/check-ops

.PHONY: test
test: install services browser lint typecheck ops-check test-web test-py ## Lint, type checks and every test suite

# Benchmarks use databases named after this checkout's test database and its Redis database (which
# they empty only when it is empty or theirs, as the tests do), and free ports: two checkouts never
# collide. Warnings, errors and tracebacks show (only info-level JSON log lines are left out); a
# failing section stops `make bench` with its exit status.
BENCH_PG := $${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BENCH_ENV := $(TEST_ENV) LOG_LEVEL=WARNING \
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-$(BENCH_PG)/$(TEST_DATABASE_NAME)_bench} \
	BENCH_LB_DATABASE_URL=$${BENCH_LB_DATABASE_URL:-$(BENCH_PG)/$(TEST_DATABASE_NAME)_lbbench} \
	BENCH_WS_DATABASE_URL=$${BENCH_WS_DATABASE_URL:-$(BENCH_PG)/$(TEST_DATABASE_NAME)_wsbench} \
	BENCH_REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/$(TEST_REDIS_DB)}
BENCH_QUIET := 2>&1 | { grep -v '^{"ts": "[^"]*", "level": "info"' || true; }

.PHONY: bench
bench: venv frontend services ## Benchmarks on production settings (payments, leaderboards at 1M donations, WebSockets)
	set -o pipefail; $(BENCH_ENV) $(PY) -m bench.payments_bench $(BENCH_QUIET)
	set -o pipefail; $(BENCH_ENV) $(PY) -m bench.leaderboards_bench $(BENCH_QUIET)
	cd bench/node && npm ci --no-audit --no-fund --loglevel=error
	set -o pipefail; $(BENCH_ENV) $(PY) -m bench.ws_bench $(BENCH_QUIET)
	cd $(WEB) && node scripts/bundle-size.mjs

.PHONY: restore-drill
restore-drill: venv pgbackrest ## Recovery time: pgBackRest full backup, point-in-time restore and row check of a generated SIZE_MB=1024 database (as root; fails over 300 s)
	ops/pgbackrest/verify-pitr --rto $${SIZE_MB:-1024}

.PHONY: logical-restore-drill
logical-restore-drill: venv services ## Time backup_db + restore_db (the logical dump) of a generated database (SIZE_MB=1024) on a local S3 server
	scripts/restore-drill --size-mb $${SIZE_MB:-1024}

.PHONY: rpo-drill
rpo-drill: venv pgbackrest ## Measure the recovery point: write for WRITE_SECONDS=90, crash the primary, restore the archive's latest point, print the writes lost (as root)
	ops/pgbackrest/verify-pitr --rpo $${WRITE_SECONDS:-90}

.PHONY: clean
clean: ## Remove the virtualenv, node_modules, build output and local state
	rm -rf $(VENV) $(WEB)/node_modules frontend/static/frontend var .mypy_cache .ruff_cache .pytest_cache
