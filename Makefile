# Longsheng Care — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Where `make run` serves: `make run PORT=8100`, `make run HOST=0.0.0.0` (a phone on the LAN).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint check pytest e2e screenshots migrate seed messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,redis]"
	touch $@

install: $(VENV)/.installed

# 1. Set up, migrate the embedded SQLite database, seed the demo data and serve.
run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "门户已启动 / Portal running at http://$(HOST):$(PORT)  (Ctrl+C 停止 / to stop)"
	@# The background-job worker (exports, workbooks, imports) runs beside the server and
	@# stops with it.
	DEBUG=1 $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# 2. Every check: lint (ruff, the import contracts), Django checks, migrations in step, and the
#    whole test suite.
#    With DATABASE_URL=postgres://… it runs against that PostgreSQL server.
test: install lint check pytest

# ruff, then the import contracts of pyproject.toml: the layers of docs/architecture.md, imports
# inside functions included.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check: install
	SECRET_KEY=check-only $(PY) manage.py check --fail-level WARNING
	SECRET_KEY=check-only $(PY) manage.py makemigrations --check --dry-run

pytest: install
	@if [ -x /usr/bin/chromium ]; then \
		echo "Chromium found: browser tests (tests/e2e) will run."; \
	else \
		echo "NOTE: /usr/bin/chromium not found: browser tests (tests/e2e) are SKIPPED."; \
		echo "      Install it with: sudo apt-get install chromium fonts-noto-cjk"; \
	fi
	$(PY) -m pytest -n 2 -q -p no:randomly $(PYTEST_ARGS)

# Browser tests alone (needs Debian's chromium).
e2e: install
	$(PY) -m pytest tests/e2e -q $(PYTEST_ARGS)

# The README's screenshots (docs/screenshots/), from the demo data, phone and desktop size.
screenshots: install
	SCREENSHOTS=1 $(PY) -m pytest tests/e2e/test_screenshots.py -q -p no:randomly

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: install
	DEBUG=1 $(PY) manage.py seed_demo

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: install
	cd accounts && ../$(PY) ../manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache test-artifacts
