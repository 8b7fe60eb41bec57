"""Django settings for Nakhon; every value comes from ``nakhon.config.env`` (docs/settings.md)."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url

from nakhon.config.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    is_production,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent  # the `nakhon` package
PRODUCTION = is_production()
DATA_DIR = env_path("NAKHON_DATA_DIR")
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("NAKHON_DEBUG")
if PRODUCTION and DEBUG:
    raise ConfigError("NAKHON_DEBUG must be off in production")

ALLOWED_HOSTS = env_list("NAKHON_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ConfigError(
            "NAKHON_ALLOWED_HOSTS is required in production, e.g. "
            "NAKHON_ALLOWED_HOSTS=data.khonkaen.go.th"
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("NAKHON_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",  # the Django Tasks API (backport of django.tasks, Django 6)
    "django_tasks_db",  # its database backend: the queue table and the worker
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "nakhon.core",
    "nakhon.accounts",
    "nakhon.catalog",
    "nakhon.tax",
    "nakhon.portal",
    "nakhon.participation",
    "nakhon.demo",
    "nakhon.plugins",  # loads the plugins at start-up (docs/plugins.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nakhon.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nakhon.core.public_api.PublicApiMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nakhon.config.urls"
WSGI_APPLICATION = "nakhon.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nakhon.core.context_processors.nakhon_context",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# --- database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ConfigError(f"DATABASE_URL is not a database URL Nakhon understands: {exc}") from exc
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "nakhon.sqlite3"),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # one connection per server thread, not one per request
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling, must be first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:after-login"
LOGOUT_REDIRECT_URL = "portal:index"

AXES_FAILURE_LIMIT = env_int("NAKHON_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env_int("NAKHON_LOGIN_COOLOFF_MINUTES") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 0

NAKHON_LOGIN_LINK_HOURS = env_int("NAKHON_LOGIN_LINK_HOURS")
NAKHON_DEMO_PASSWORD = env_str("NAKHON_DEMO_PASSWORD")
NAKHON_TAX_PUBLISH_MIN_COUNT = env_int("NAKHON_TAX_PUBLISH_MIN_COUNT")
NAKHON_HOST = env_str("NAKHON_HOST")
NAKHON_PORT = env_int("NAKHON_PORT")
NAKHON_SERVER_THREADS = env_int("NAKHON_SERVER_THREADS")
NAKHON_TRUSTED_PROXY = env_str("NAKHON_TRUSTED_PROXY")
NAKHON_API_RATE_LIMIT = env_int("NAKHON_API_RATE_LIMIT")
NAKHON_SQL_TIMEOUT = env_int("NAKHON_SQL_TIMEOUT")
NAKHON_SQL_ROW_CAP = env_int("NAKHON_SQL_ROW_CAP")
NAKHON_SERVE_CACHE_ROWS = env_int("NAKHON_SERVE_CACHE_ROWS")
NAKHON_SERVE_MEMORY_LIMIT = env_str("NAKHON_SERVE_MEMORY_LIMIT")
NAKHON_SERVE_INDEX_ROWS = env_int("NAKHON_SERVE_INDEX_ROWS")
_LOG_LEVEL = env_str("NAKHON_LOG_LEVEL").upper()
if _LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ConfigError(f"NAKHON_LOG_LEVEL={_LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30

# --- internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = env_str("NAKHON_LANGUAGE") or "th"
if LANGUAGE_CODE not in {"th", "en"}:
    raise ConfigError(f"NAKHON_LANGUAGE={LANGUAGE_CODE!r}: expected `th` or `en`")
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default, opted into now
TIME_ZONE = env_str("NAKHON_TIME_ZONE")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigError(
        f"NAKHON_TIME_ZONE={TIME_ZONE!r}: not a time zone (use e.g. Asia/Bangkok)"
    ) from None
LANGUAGE_COOKIE_NAME = "nakhon_language"

# --- static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic needed
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- maps --------------------------------------------------------------------------------------
MAP_TILE_URL = env_str("NAKHON_MAP_TILE_URL")  # empty: no tiles (offline)
MAP_TILE_ATTRIBUTION = env_str("NAKHON_MAP_TILE_ATTRIBUTION")

# --- plugins (docs/plugins.md) -----------------------------------------------------------------
NAKHON_PLUGINS = env_list("NAKHON_PLUGINS")  # module paths, loaded after the installed plugins

# --- mail --------------------------------------------------------------------------------------
_email_url = env_str("NAKHON_EMAIL_URL")
DEFAULT_FROM_EMAIL = env_str("NAKHON_DEFAULT_FROM_EMAIL")
if _email_url:
    _mail = urlsplit(_email_url)
    if _mail.scheme not in {"smtp", "smtps", "submission"}:
        raise ConfigError("NAKHON_EMAIL_URL must start with smtp://, smtps:// or submission://")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "submission"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- logging -----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "waitress.queue": {"level": "ERROR"},
        "pyiceberg": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# --- data lake ---------------------------------------------------------------------------------
NAKHON_LAKE_DIR = Path(env_str("NAKHON_LAKE_DIR") or DATA_DIR / "lake").expanduser().resolve()
NAKHON_LAKE_CATALOG_URL = env_str("NAKHON_LAKE_CATALOG_URL")
if not NAKHON_LAKE_CATALOG_URL:
    if _database_url.startswith(("postgres://", "postgresql://")):
        NAKHON_LAKE_CATALOG_URL = "postgresql+psycopg://" + _database_url.split("://", 1)[1]
    else:
        NAKHON_LAKE_CATALOG_URL = f"sqlite:///{NAKHON_LAKE_DIR / 'catalog.sqlite3'}"
NAKHON_INGEST_MEMORY_LIMIT = env_str("NAKHON_INGEST_MEMORY_LIMIT")
NAKHON_SCHEDULER = env_bool("NAKHON_SCHEDULER")

# --- background tasks (the Django Tasks API; docs/settings.md) ---------------------------------
NAKHON_TASKS_BACKEND = env_str("NAKHON_TASKS_BACKEND").lower()
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if NAKHON_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ConfigError(
        f"NAKHON_TASKS_BACKEND={NAKHON_TASKS_BACKEND!r}: use `database` or `immediate`"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[NAKHON_TASKS_BACKEND], "QUEUES": ["default"]}}
NAKHON_WORKER = env_bool("NAKHON_WORKER")
NAKHON_WORKER_THREADS = env_int("NAKHON_WORKER_THREADS")
if NAKHON_WORKER_THREADS < 1:
    raise ConfigError(f"NAKHON_WORKER_THREADS={NAKHON_WORKER_THREADS}: use 1 or more")
NAKHON_UPLOAD_KEEP_DAYS = env_int("NAKHON_UPLOAD_KEEP_DAYS")
if NAKHON_UPLOAD_KEEP_DAYS < 1:
    raise ConfigError(f"NAKHON_UPLOAD_KEEP_DAYS={NAKHON_UPLOAD_KEEP_DAYS}: use 1 or more")
NAKHON_TASK_RESULT_DAYS = env_int("NAKHON_TASK_RESULT_DAYS")
if NAKHON_TASK_RESULT_DAYS < 1:
    raise ConfigError(f"NAKHON_TASK_RESULT_DAYS={NAKHON_TASK_RESULT_DAYS}: use 1 or more")
NAKHON_REPORT_DIR = DATA_DIR / "reports"
NAKHON_UPLOAD_DIR = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # bigger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
