"""Settings for the test suite: fast hashing, in-memory mail, the same apps and middleware."""

import os
import tempfile

# Tests never write into ./var: each test process gets its own data directory.
os.environ.setdefault("NAKHON_DATA_DIR", tempfile.mkdtemp(prefix="nakhon-test-"))

from nakhon.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
NAKHON_INGEST_IN_BACKGROUND = False  # runs finish inside the test
