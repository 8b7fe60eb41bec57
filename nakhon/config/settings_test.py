"""Settings for the test suite: fast hashing, in-memory mail, the same apps and middleware."""

import os
import tempfile

# Tests never write into ./var: each test process (each xdist worker) gets its own data
# directory, so their lakes never meet (workers inherit the controller's environment).
_base = os.environ.get("NAKHON_TEST_DATA_DIR") or tempfile.mkdtemp(prefix="nakhon-test-")
os.environ["NAKHON_TEST_DATA_DIR"] = _base
os.environ["NAKHON_DATA_DIR"] = os.path.join(_base, os.environ.get("PYTEST_XDIST_WORKER", "main"))

from nakhon.config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
# background tasks (ingest and assessment runs, pulls) run at once, inside the test
NAKHON_TASKS_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NAKHON_API_RATE_LIMIT = 0  # crawls read hundreds of addresses; the limit has its own tests
# The test database is created and dropped by pytest-django under another name than
# DATABASE_URL's; the lake's catalog stays a SQLite file in the test's data directory.
if not os.environ.get("NAKHON_LAKE_CATALOG_URL"):
    NAKHON_LAKE_CATALOG_URL = f"sqlite:///{NAKHON_LAKE_DIR / 'catalog.sqlite3'}"  # noqa: F405
