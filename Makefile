# Nakhon: the two commands of the README, and a few helpers.
#   make run   installs everything and runs the demo city on http://127.0.0.1:8000
#   make test  installs everything and runs the whole test suite
# Needs only Python 3.11 or 3.12 with pip; everything else comes from PyPI (and, for the
# browser tests, Debian's chromium package, installed when we may).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-postgres install uv browser lint messages screenshots vendor-check clean

run: install
	$(BIN)/nakhon

test: install browser
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The Django suite again on PostgreSQL (DATABASE_URL must point at a server; pytest-django
# creates and drops its own test_* database there). CLI and browser tests run on SQLite.
test-postgres: install
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL=postgres://…" >&2; exit 2; }
	$(BIN)/pytest -n 2 nakhon tests/test_postgres.py $(PYTEST_ARGS)

install: uv
	$(UV) sync --frozen --python $(PYTHON) --quiet

uv:
	@$(UV) --version 2>/dev/null | grep -q "uv $(UV_VERSION)" || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Debian's Chromium for the headless-browser tests (skipped, not failed, where it is absent).
browser:
	@scripts/ensure-chromium.sh

lint: install
	$(BIN)/ruff check nakhon tests conftest.py
	$(BIN)/ruff format --check nakhon tests conftest.py
	$(BIN)/mypy nakhon tests

# Extract UI strings into the Thai catalogue and compile it (commit both .po and .mo).
messages: install
	cd nakhon && DJANGO_SETTINGS_MODULE=nakhon.config.settings_test ../$(BIN)/django-admin makemessages -l th --no-obsolete
	cd nakhon/locale/th/LC_MESSAGES && msgfmt --check --statistics -o django.mo django.po

# Re-take the README screenshots with the browser test.
screenshots: install browser
	NAKHON_SCREENSHOTS=docs $(BIN)/pytest tests/test_browser.py tests/test_browser_open_data.py -q

vendor-check:
	scripts/vendor-assets.sh --check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-results
