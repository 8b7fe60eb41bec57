"""Settings from the environment: one registry, tiny strict helpers, safe development defaults.

Every setting Nakhon reads is declared once in ``REGISTRY`` with its help text, so that
``nakhon config`` and ``docs/settings.md`` can list them all (a test keeps the docs true).
Secrets may also come from a file: ``SECRET_KEY_FILE=/run/secrets/key`` (like Docker secrets).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["str", "bool", "int", "list", "secret", "path", "url"]


class ConfigError(Exception):
    """A setting has a value Nakhon cannot use; the message names the variable and the fix."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: str
    help: str


REGISTRY: tuple[Setting, ...] = (
    Setting(
        "NAKHON_ENV",
        "str",
        "development",
        "`development` (safe local defaults) or `production` (refuses to start without "
        "SECRET_KEY and NAKHON_ALLOWED_HOSTS; secure cookies; no demo logins).",
    ),
    Setting(
        "SECRET_KEY",
        "secret",
        "",
        "Django's signing key. Required in production (or SECRET_KEY_FILE). In development a "
        "random key is generated once and kept in NAKHON_DATA_DIR/secret_key.",
    ),
    Setting(
        "DATABASE_URL",
        "url",
        "",
        "Operational database, e.g. postgres://user:pass@host:5432/nakhon. Empty: SQLite "
        "(WAL mode) at NAKHON_DATA_DIR/nakhon.sqlite3.",
    ),
    Setting(
        "NAKHON_DATA_DIR",
        "path",
        "./var",
        "Where Nakhon keeps its local state: the SQLite database, the development secret key, "
        "uploads (media/).",
    ),
    Setting(
        "NAKHON_LAKE_DIR",
        "path",
        "",
        "Where the data lake keeps its Parquet data and Iceberg metadata files. Empty: "
        "NAKHON_DATA_DIR/lake.",
    ),
    Setting(
        "NAKHON_LAKE_CATALOG_URL",
        "url",
        "",
        "SQLAlchemy URL of the Iceberg catalog (which snapshot of each table is current). "
        "Empty: the operational PostgreSQL database when DATABASE_URL is PostgreSQL, else "
        "SQLite at NAKHON_LAKE_DIR/catalog.sqlite3.",
    ),
    Setting(
        "NAKHON_INGEST_MEMORY_LIMIT",
        "str",
        "768MB",
        "Memory DuckDB may use for one ingest before it spills to disk (e.g. 512MB, 2GB).",
    ),
    Setting(
        "NAKHON_SCHEDULER",
        "bool",
        "true",
        "Whether `nakhon serve` also runs the scheduler in a thread: every minute it queues "
        "the URL pulls that are due and sends overdue notices. Turn it off when several "
        "servers run and one `nakhon worker --scheduler` (or `nakhon scheduler`) runs elsewhere.",
    ),
    Setting(
        "NAKHON_TASKS_BACKEND",
        "str",
        "database",
        "Where background tasks (ingest runs, assessment runs, scheduled pulls) go: `database` "
        "(a queue in the operational database, run by a worker) or `immediate` (run at once "
        "by the caller, as in the tests; no worker).",
    ),
    Setting(
        "NAKHON_WORKER",
        "bool",
        "true",
        "Whether `nakhon serve` also runs a task worker in its own process. Turn it off when "
        "`nakhon worker` runs as a service of its own.",
    ),
    Setting(
        "NAKHON_WORKER_THREADS",
        "int",
        "2",
        "How many tasks one worker (`nakhon worker` or the one in `nakhon serve`) runs at once.",
    ),
    Setting(
        "NAKHON_UPLOAD_KEEP_DAYS",
        "int",
        "7",
        "Days a validated, unpublished upload stays publishable before it is deleted.",
    ),
    Setting(
        "NAKHON_TASK_RESULT_DAYS",
        "int",
        "30",
        "Days a finished task's row stays in the task queue table before the scheduler prunes it.",
    ),
    Setting(
        "NAKHON_ALLOWED_HOSTS",
        "list",
        "",
        "Comma-separated host names this site answers to. Development default: "
        "localhost,127.0.0.1,[::1],testserver. Required in production.",
    ),
    Setting(
        "NAKHON_CSRF_TRUSTED_ORIGINS",
        "list",
        "",
        "Comma-separated origins (https://data.example.go.th) trusted for form posts behind "
        "a proxy.",
    ),
    Setting(
        "NAKHON_DEBUG",
        "bool",
        "false",
        "Django debug mode (tracebacks in the browser). Off by default even in development; "
        "never allowed in production.",
    ),
    Setting("NAKHON_TIME_ZONE", "str", "Asia/Bangkok", "Time zone for display and scheduling."),
    Setting(
        "NAKHON_LANGUAGE",
        "str",
        "th",
        "Default user-interface language: `th` (Thai) or `en` (English).",
    ),
    Setting("NAKHON_HOST", "str", "127.0.0.1", "Address `nakhon serve` listens on by default."),
    Setting("NAKHON_PORT", "int", "8000", "Port `nakhon serve` listens on by default."),
    Setting(
        "NAKHON_TRUSTED_PROXY",
        "str",
        "",
        "Address of the reverse proxy in front of `nakhon serve` (e.g. 127.0.0.1). Its "
        "X-Forwarded-For/-Proto/-Host headers are then trusted, so audit entries and sign-in "
        "throttling see the client's address and HTTPS is recognised. Empty: no proxy trusted.",
    ),
    Setting(
        "NAKHON_API_RATE_LIMIT",
        "int",
        "300",
        "Requests a minute one address may make to the public APIs (/api/v1, CKAN, DCAT, "
        "downloads) without an API key; beyond it, 429 with Retry-After. 0: no limit.",
    ),
    Setting(
        "NAKHON_SQL_TIMEOUT",
        "int",
        "10",
        "Seconds a staff SQL query over the lake may run before it is stopped.",
    ),
    Setting(
        "NAKHON_SQL_ROW_CAP",
        "int",
        "5000",
        "Most rows a staff SQL query returns (the rest is reported as cut).",
    ),
    Setting(
        "NAKHON_SERVE_CACHE_ROWS",
        "int",
        "5000000",
        "Rows of recently read dataset versions kept in memory for fast reads (all versions "
        "together); a bigger version is read from the lake each time. 0: keep none.",
    ),
    Setting(
        "NAKHON_SERVE_MEMORY_LIMIT",
        "str",
        "1GB",
        "Memory limit of the in-memory database that keeps those versions (DuckDB syntax).",
    ),
    Setting(
        "NAKHON_SERVE_INDEX_ROWS",
        "int",
        "100000",
        "Versions with at least this many rows get an indexed SQLite copy (without personal "
        "columns) under NAKHON_DATA_DIR/cache/serving/ for fast filtered, sorted pages; built "
        "in the background at the first query. 0: none.",
    ),
    Setting(
        "NAKHON_SERVER_THREADS",
        "int",
        "4",
        "Worker threads of the built-in WSGI server (waitress).",
    ),
    Setting(
        "NAKHON_LOGIN_FAILURE_LIMIT",
        "int",
        "5",
        "Failed sign-ins (per user name and address) before the account is locked out.",
    ),
    Setting(
        "NAKHON_LOGIN_COOLOFF_MINUTES",
        "int",
        "15",
        "How long a lock-out after too many failed sign-ins lasts.",
    ),
    Setting(
        "NAKHON_LOGIN_LINK_HOURS",
        "int",
        "24",
        "How long a one-time sign-in link printed by `nakhon` or `nakhon login-link` is valid.",
    ),
    Setting(
        "NAKHON_DEMO_PASSWORD",
        "secret",
        "nakhon-demo",
        "Password of the demo city's users (development only; `nakhon demo` refuses to run "
        "in production).",
    ),
    Setting(
        "NAKHON_TAX_PUBLISH_MIN_COUNT",
        "int",
        "3",
        "The open figures of local revenue (`nakhon tax publish`): a cell counting fewer "
        "taxpayers than this is merged with others or left blank, so that nobody is "
        "recognisable in it (docs/tax.md, Open figures).",
    ),
    Setting(
        "NAKHON_EMAIL_URL",
        "url",
        "",
        "Outgoing mail, e.g. smtp://user:pass@mail.example.go.th:587. Empty: mail is "
        "written to the console log.",
    ),
    Setting(
        "NAKHON_DEFAULT_FROM_EMAIL",
        "str",
        "nakhon@localhost",
        "Sender address of mail Nakhon sends.",
    ),
    Setting("NAKHON_LOG_LEVEL", "str", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    Setting(
        "NAKHON_MAP_TILE_URL",
        "str",
        "",
        "Tile layer under the dataset maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
        "or your own tile server. Empty: no tiles; maps draw the city boundary and the data on "
        "a plain background (works offline).",
    ),
    Setting(
        "NAKHON_MAP_TILE_ATTRIBUTION",
        "str",
        "© OpenStreetMap contributors",
        "Attribution shown on the map when NAKHON_MAP_TILE_URL is set.",
    ),
    Setting(
        "NAKHON_PLUGINS",
        "list",
        "",
        "Plugin modules to load, comma-separated module paths (e.g. `khonkaen_rules.plugin`), "
        "after the installed plugins (entry point group `nakhon`). A module that cannot be "
        "imported stops Nakhon at start-up with a message naming it. See docs/plugins.md.",
    ),
)

_BY_NAME = {s.name: s for s in REGISTRY}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str:
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a declared Nakhon setting (add it to REGISTRY)")
    setting = _BY_NAME[name]
    file_var = f"{name}_FILE"
    if setting.kind == "secret" and os.environ.get(file_var):
        path = Path(os.environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{file_var}={path}: cannot read the file ({exc.strerror})") from exc
    return os.environ.get(name, setting.default)


def env_str(name: str) -> str:
    return _raw(name).strip()


def env_bool(name: str) -> bool:
    value = _raw(name).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r}: expected one of true/false, yes/no, 1/0, on/off")


def env_int(name: str) -> int:
    value = _raw(name).strip()
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a whole number") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in _raw(name).split(",") if item.strip()]


def env_path(name: str) -> Path:
    return Path(_raw(name).strip() or _BY_NAME[name].default).expanduser().resolve()


def is_production() -> bool:
    value = env_str("NAKHON_ENV").lower()
    if value not in {"development", "production"}:
        raise ConfigError(f"NAKHON_ENV={value!r}: expected `development` or `production`")
    return value == "production"


def secret_key(data_dir: Path) -> str:
    """The configured key; in development a random key kept in the data directory."""
    key = env_str("SECRET_KEY")
    if key:
        if is_production() and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        return key
    if is_production():
        raise ConfigError(
            "SECRET_KEY (or SECRET_KEY_FILE) is required in production: "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def describe() -> list[dict[str, str]]:
    """Every setting with its current value (secrets masked), default and help."""
    rows = []
    for setting in REGISTRY:
        from_file = setting.kind == "secret" and bool(os.environ.get(f"{setting.name}_FILE"))
        is_set = setting.name in os.environ or from_file
        value = os.environ.get(setting.name, setting.default)
        if setting.kind == "secret" and (value or from_file):
            value = f"******** (from {setting.name}_FILE)" if from_file else "********"
        if setting.kind == "url" and "@" in value:
            scheme, _, rest = value.partition("://")
            value = f"{scheme}://********@{rest.rpartition('@')[2]}"
        rows.append(
            {
                "name": setting.name,
                "value": value,
                "default": setting.default,
                "source": "environment" if is_set else "default",
                "help": setting.help,
            }
        )
    return rows
