"""Fast reads of published versions for the portal and the APIs.

Every read used to open the Iceberg catalog, load the table's metadata, plan its files and
scan Parquet — tens of milliseconds before the first row. A published version never changes
(it is an Iceberg snapshot), so a copy of it is valid forever: this module keeps recently read
versions as tables of one process-wide in-memory DuckDB database, least recently used first
out, within ``NAKHON_SERVE_CACHE_ROWS`` rows in all. A version bigger than that is read from the
lake each time, as before. Each request then runs on its own cursor of that database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import duckdb
from django.conf import settings

from nakhon.lake import duck
from nakhon.lake.diff import quote

_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None
# key -> (name, rows, column types)
_tables: OrderedDict[Any, tuple[str, int, dict[str, str]]] = OrderedDict()
_loading: dict[Any, threading.Event] = {}


_db_lock = threading.Lock()


def _db() -> duckdb.DuckDBPyConnection:
    global _database
    if _database is None:
        # once: requests arriving together at a fresh process would otherwise each open a
        # database of their own, and tables loaded into one are missing from the others
        with _db_lock:
            if _database is None:
                _database = duck.connect(memory_limit=settings.NAKHON_SERVE_MEMORY_LIMIT)
    return _database


def _evict(budget: int) -> None:
    """Drop the least recently used tables until ``budget`` rows fit (lock held)."""
    total = sum(rows for _name, rows, _types in _tables.values())
    while _tables and total > budget:
        _key, (name, rows, _types) = _tables.popitem(last=False)
        _db().execute(f"DROP TABLE IF EXISTS {quote(name)}")
        total -= rows


def cached_table(ref: Any, snapshot_id: int, scan: Any) -> str | None:
    """The name of the in-memory copy of ``ref`` at ``snapshot_id``, loading it with
    ``scan(con)`` (a relation of the version on ``con``) when it is not there yet; None when
    the version is too big to keep."""
    found = cached(ref, snapshot_id, scan)
    return found[0] if found else None


def cached(key: Any, snapshot_id: int, scan: Any) -> tuple[str, dict[str, str]] | None:
    """``cached_table`` with the copy's column types (name -> DuckDB type). ``key`` names the
    table (its ref, or anything hashable that stands for it only, such as a dataset id)."""
    budget = settings.NAKHON_SERVE_CACHE_ROWS
    if budget <= 0:
        return None
    key = (str(key), snapshot_id)
    while True:
        with _lock:
            if key in _tables:
                _tables.move_to_end(key)
                name, _rows, types = _tables[key]
                return name, types
            waiting = _loading.get(key)
            if waiting is None:
                _loading[key] = threading.Event()
                break
        waiting.wait(timeout=120)  # another request is loading this version
    name = f"v_{snapshot_id & 0x7FFFFFFFFFFFFFFF}_{abs(hash(key[0])) % 10**8}"
    try:
        cursor = _db().cursor()
        relation = scan(cursor)
        counted = relation.aggregate("count(*)").fetchone()
        rows = int(counted[0]) if counted else 0
        if rows > budget:
            cursor.close()
            return None
        types = {c: str(t) for c, t in zip(relation.columns, relation.types, strict=True)}
        relation.create(name)
        cursor.close()
        with _lock:
            _tables[key] = (name, rows, types)
            _evict(budget)
            return (name, types) if key in _tables else None
    finally:
        with _lock:
            _loading.pop(key).set()


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor of the serving database, for one request (close it after)."""
    return _db().cursor()


def clear() -> None:
    """Forget every cached version (tests; a restore of the lake from a backup)."""
    with _lock:
        for name, _rows, _types in _tables.values():
            _db().execute(f"DROP TABLE IF EXISTS {quote(name)}")
        _tables.clear()
