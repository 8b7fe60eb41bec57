"""The indexed SQLite serving copy of a published version: built once in the background,
atomically, used when ready, never holding personal columns."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nakhon.lake import query as q
from nakhon.lake import service, serving_index
from nakhon.lake.tests.test_query import mark_personal, markets


@pytest.fixture
def copies(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Copies for every version (1 row is enough), in a folder of this test's own."""
    settings.NAKHON_SERVE_INDEX_ROWS = 1
    settings.DATA_DIR = tmp_path
    serving_index.forget()
    yield tmp_path / "cache" / "serving"
    serving_index.forget()


def engines(monkeypatch: Any) -> list[str]:
    used: list[str] = []
    real_run, real_sqlite = q.run, q.run_sqlite

    def run(*args: Any, **kwargs: Any) -> Any:
        used.append("duckdb")
        return real_run(*args, **kwargs)

    def run_sqlite(*args: Any, **kwargs: Any) -> Any:
        used.append("sqlite")
        return real_sqlite(*args, **kwargs)

    monkeypatch.setattr(q, "run", run)
    monkeypatch.setattr(q, "run_sqlite", run_sqlite)
    return used


SPEC = q.Spec(conditions=[q.Condition("stalls", "gte", 100)], sort=[("stalls", True)], limit=5)


@pytest.mark.django_db
def test_built_once_in_the_background_and_used_when_ready(demo, copies, monkeypatch):
    used = engines(monkeypatch)
    dataset = markets(demo)
    first = service.query(actor=None, dataset=dataset, spec=SPEC)  # DuckDB while it builds
    serving_index.wait()
    files = list(copies.rglob("*"))
    sqlite_files = [f for f in files if f.suffix == ".sqlite"]
    assert len(sqlite_files) == 1
    assert not [f for f in files if f.name.endswith(".tmp")]
    second = service.query(actor=None, dataset=dataset, spec=SPEC)
    assert used == ["duckdb", "sqlite"]
    assert second.result.rows == first.result.rows
    assert second.result.total == first.result.total
    # text search and group-by stay on DuckDB
    service.query(actor=None, dataset=dataset, spec=q.Spec(q="ตลาด"))
    service.query(actor=None, dataset=dataset, spec=q.Spec(group_by=["opens"]))
    assert used[2:] == ["duckdb", "duckdb"]
    # a new process finds the file: no second build
    built_at = sqlite_files[0].stat().st_mtime_ns
    serving_index.forget()
    monkeypatch.setattr(serving_index, "build", lambda *a, **k: pytest.fail("built again"))
    service.query(actor=None, dataset=dataset, spec=SPEC)
    assert used[-1] == "sqlite"
    assert sqlite_files[0].stat().st_mtime_ns == built_at


@pytest.mark.django_db
def test_a_failed_build_leaves_no_file_and_duckdb_answers(demo, copies, monkeypatch):
    used = engines(monkeypatch)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("disk full")

    monkeypatch.setattr(serving_index.sqlite3, "connect", _connect_with(broken))
    dataset = markets(demo)
    service.query(actor=None, dataset=dataset, spec=SPEC)
    serving_index.wait()
    assert not list(copies.rglob("*.sqlite"))
    assert not [f for f in copies.rglob("*") if f.is_file()]  # the partial file is gone
    page = service.query(actor=None, dataset=dataset, spec=SPEC)
    assert used == ["duckdb", "duckdb"]
    assert page.result.rows


def _connect_with(executemany: Any) -> Any:
    """sqlite3.connect whose connections fail at ``executemany`` (mid-build)."""
    connect = sqlite3.connect

    class Failing(sqlite3.Connection):
        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            return executemany(*args, **kwargs)

    def make(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(*args, factory=Failing, **kwargs)

    return make


@pytest.mark.django_db
def test_the_copy_never_holds_personal_columns(demo, copies, monkeypatch):
    from nakhon.core.models import AuditEvent

    used = engines(monkeypatch)
    dataset = markets(demo)
    mark_personal(dataset, "name_th")
    service.query(actor=None, dataset=dataset, spec=SPEC)
    serving_index.wait()
    (path,) = copies.rglob("*.sqlite")
    db = sqlite3.connect(path)
    stored = [row[1] for row in db.execute(f"PRAGMA table_info({serving_index.TABLE})")]
    db.close()
    assert "name_th" not in stored and "stalls" in stored
    public = service.query(actor=None, dataset=dataset, spec=SPEC)
    assert used[-1] == "sqlite"
    assert "name_th" not in public.result.columns and public.hidden == ["name_th"]
    for spec in (
        q.Spec(columns=["name_th"]),
        q.Spec(conditions=[q.Condition("name_th", "eq", "x")]),
        q.Spec(sort=[("name_th", False)]),
    ):
        with pytest.raises(service.InvalidInput):
            service.query(actor=None, dataset=dataset, spec=spec)
    # staff who may see personal data are answered by DuckDB, with the column, and audited
    before = AuditEvent.objects.filter(action="personal_data.read").count()
    staff = service.query(actor=demo.user("kk-admin"), dataset=dataset, spec=SPEC)
    assert used[-1] == "duckdb"
    assert "name_th" in staff.result.columns
    assert AuditEvent.objects.filter(action="personal_data.read").count() == before + 1


@pytest.mark.django_db
def test_small_versions_get_no_copy(demo, copies, settings):
    settings.NAKHON_SERVE_INDEX_ROWS = 10**9
    service.query(actor=None, dataset=markets(demo), spec=SPEC)
    serving_index.wait()
    assert not list(copies.rglob("*.sqlite"))


@pytest.mark.django_db
def test_the_latest_version_is_remembered_only_while_the_dataset_names_it(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dataset = markets(demo)
    first = service._latest_version(dataset)
    assert first is not None and first.snapshot_id == dataset.current_snapshot_id
    with CaptureQueriesContext(connection) as queries:
        again = service._latest_version(dataset)
    assert len(queries) == 0 and again is not None and again.pk == first.pk
    assert again is not first  # each request gets its own instance
    dataset.current_snapshot_id = 123  # a publish this process has not seen
    with CaptureQueriesContext(connection) as queries:
        service._latest_version(dataset)
    assert len(queries) == 1
