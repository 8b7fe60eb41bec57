"""The CLI against a real PostgreSQL server: demo, check, reset, and the audit triggers.

Skipped cleanly where no PostgreSQL server answers (NAKHON_TEST_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/postgres). The whole Django suite also runs on PostgreSQL
in `.ci/run` (make test-postgres).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run

pytestmark = pytest.mark.postgres
ADMIN_URL = os.environ.get(
    "NAKHON_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = f"nakhon_cli_test_{os.getpid()}"


def _connect(url: str) -> object:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    try:
        admin = _connect(ADMIN_URL)
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL}: {exc}")
    admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    yield ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin.close()


def test_demo_check_and_reset_on_postgres(database_url: str, tmp_path: Path) -> None:
    built = run(tmp_path, "demo", DATABASE_URL=database_url)
    assert built.returncode == 0, built.stderr
    check = run(tmp_path, "check", DATABASE_URL=database_url)
    assert check.returncode == 0, check.stdout + check.stderr
    version = run(
        tmp_path,
        "manage",
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        DATABASE_URL=database_url,
    )
    assert version.stdout.strip().splitlines()[-1] == "postgresql"
    reset = run(tmp_path, "demo", "--reset", "--yes", DATABASE_URL=database_url)
    assert reset.returncode == 0 and "Demo city built" in reset.stdout, reset.stderr


def test_audit_rows_cannot_be_changed_on_postgres(database_url: str, tmp_path: Path) -> None:
    import psycopg

    assert run(tmp_path, "demo", DATABASE_URL=database_url).returncode == 0
    conn = _connect(database_url)
    count = conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0]
    assert count > 0
    for sql in ("UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(sql)
    assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == count
    conn.close()
