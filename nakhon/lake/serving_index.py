"""An indexed SQLite copy of each big published version, for the row queries of the APIs.

DuckDB answers a filter + sort + page by scanning every row of the version: ~30 ms of one core
for a million rows, whatever the filter (it does not use its indexes for selective filters).
A city portal's typical question — one tambon, a range of dates or amounts, sorted, a page of
100 — touches a few thousand rows, which a B-tree index finds in about a millisecond. That is
what Datasette does with SQLite, and what this module adds: a published version never changes
(an Iceberg snapshot), so a SQLite file of it, with an index on each column that can usefully
be filtered or sorted on, is valid forever.

* One file per version and set of columns, under ``NAKHON_DATA_DIR/cache/serving/``: built
  once, in a background thread, the first time a version of at least
  ``NAKHON_SERVE_INDEX_ROWS`` rows is queried (DuckDB answers until it is ready); written to a
  temporary name and renamed into place, so a reader sees a whole file or none; read-only
  afterwards (``immutable=1``: no locks), one connection per thread.
* It holds only the columns that are **not personal**: personal data never reaches this cache,
  and an actor who may see personal columns of such a dataset is answered by DuckDB.
* What is kept how (``nakhon.lake.query.sqlite_kind``): text as text, integers, doubles,
  booleans as 0/1, dates as ISO text, decimals of up to 18 digits as integers in units of
  their scale (exact). A version with any other column type (timestamps, lists …), with
  a NaN in a floating-point column, or with a column named like SQLite's ``rowid`` gets no
  copy.
* Indexed columns: every numeric, date and boolean column, and every text column whose longest
  value is at most ``MAX_INDEXED_TEXT`` characters (codes, names, categories — not free text),
  in column order, at most ``MAX_INDEXES``. Besides, for each *category* (an indexed text column
  of at most ``MAX_CATEGORY_VALUES`` distinct values, such as a tambon) an index of it with each
  indexed numeric or date column, at most ``MAX_PAIR_INDEXES``: a tambon sorted by income then
  reads one page of the index instead of every row of the tambon.
* Which questions it answers: ``nakhon.lake.query.sqlite_answers`` — filters and the first
  sort column on indexed columns, no text search, no group-by. DuckDB stays the analytical
  engine (group-by, text search, the SQL sandbox, downloads, diffs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from nakhon.lake import serving
from nakhon.lake.diff import quote
from nakhon.lake.query import sqlite_kind

log = logging.getLogger(__name__)

FORMAT = 1
TABLE = "data"
MAX_INDEXES = 32
MAX_INDEXED_TEXT = 100
MAX_CATEGORY_VALUES = 1_000
MAX_PAIR_INDEXES = 16
_RESERVED = {"rowid", "_rowid_", "oid"}


@dataclass(frozen=True)
class Copy:
    path: Path
    types: dict[str, str]  # column -> DuckDB type, in the version's order
    rows: int
    indexed: frozenset[str]


_lock = threading.Lock()
_known: dict[Path, Copy | None] = {}  # None: no copy for this version (see the module doc)
_building: dict[Path, threading.Thread] = {}
_local = threading.local()


def directory() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "serving"


def path_for(key: str, snapshot_id: int, types: dict[str, str]) -> Path:
    """The copy's file: per ``key`` (a dataset), snapshot and columns (with their types), so
    marking a column personal later never serves a file that holds it."""
    digest = hashlib.sha256(json.dumps([FORMAT, list(types.items())]).encode()).hexdigest()
    return directory() / key / f"{snapshot_id}-{digest[:16]}.sqlite"


def eligible(types: dict[str, str]) -> bool:
    return bool(types) and all(
        sqlite_kind(kind) is not None and name.lower() not in _RESERVED
        for name, kind in types.items()
    )


def copy_for(
    key: str, snapshot_id: int, types: dict[str, str], source: Callable[[], Callable[[Any], Any]]
) -> Copy | None:
    """The ready copy of the version, or None: then DuckDB answers, and the copy is built in
    the background if the version should have one. ``types`` are the columns to keep (never
    personal ones); ``source()`` — called in this thread, only when a build starts — gives a
    function of a serving-database cursor that returns the version's rows as a relation."""
    minimum = settings.NAKHON_SERVE_INDEX_ROWS
    if minimum <= 0:
        return None
    path = path_for(key, snapshot_id, types)
    with _lock:
        if path in _known:
            return _known[path]
        if path in _building:
            return None
    if path.exists():  # built by an earlier process, or another one
        found = _open(path)
        with _lock:
            _known[path] = found
        return found
    if not eligible(types):
        with _lock:
            _known[path] = None
        return None
    scan = source()
    with _lock:
        if path in _known or path in _building:
            return _known.get(path)
        thread = threading.Thread(
            target=_build_quietly,
            args=(path, types, scan, minimum),
            name=f"nakhon-serving-copy-{snapshot_id}",
            daemon=True,
        )
        _building[path] = thread
    thread.start()
    return None


def connection(found: Copy) -> sqlite3.Connection:
    """This thread's read-only connection to the copy."""
    connections: dict[Path, sqlite3.Connection] | None = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    db = connections.get(found.path)
    if db is None:
        db = sqlite3.connect(f"{found.path.as_uri()}?mode=ro&immutable=1", uri=True)
        db.execute("PRAGMA mmap_size=268435456")
        connections[found.path] = db
    return db


def wait(timeout: float = 120) -> None:
    """Wait for the copies being built (tests, the benchmark's set-up)."""
    with _lock:
        threads = list(_building.values())
    for thread in threads:
        thread.join(timeout)


def forget() -> None:
    """Forget what this process knows of the copies (tests; the files stay)."""
    wait()
    with _lock:
        _known.clear()
    for db in getattr(_local, "connections", {}).values():
        db.close()
    _local.connections = {}


def _open(path: Path) -> Copy | None:
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = db.execute("SELECT value FROM nakhon_meta WHERE key = 'copy'").fetchone()
        finally:
            db.close()
        meta = json.loads(row[0])
        if meta["format"] != FORMAT:
            return None
        return Copy(path, dict(meta["types"]), int(meta["rows"]), frozenset(meta["indexed"]))
    except (sqlite3.Error, TypeError, ValueError, KeyError):
        log.exception("unreadable serving copy %s", path)
        return None


def _build_quietly(
    path: Path, types: dict[str, str], scan: Callable[[Any], Any], minimum: int
) -> None:
    found: Copy | None = None
    try:
        found = build(path, types, scan, minimum=minimum)
    except Exception:  # the version is still answered by DuckDB
        log.exception("building the serving copy %s failed", path)
    finally:
        with _lock:
            _known[path] = found
            _building.pop(path, None)


def _store_expr(column: str, kind: str) -> str:
    """DuckDB SQL giving the column's values as the copy keeps them (``sqlite_kind``)."""
    name = quote(column)
    if kind == "DATE":
        return f"CAST({name} AS VARCHAR)"
    if kind == "BOOLEAN":
        return f"CAST({name} AS INTEGER)"
    if kind.startswith("DECIMAL("):
        scale = int(kind.rstrip(")").split(",")[1])
        return f"CAST(CAST({name} AS DECIMAL(38,{scale})) * {10**scale} AS BIGINT)"
    return name


def build(
    path: Path, types: dict[str, str], scan: Callable[[Any], Any], *, minimum: int = 0
) -> Copy | None:
    """Write the copy of ``types``' columns of ``scan(cursor)`` to ``path`` (atomically);
    None when the version has fewer than ``minimum`` rows or cannot be kept exactly."""
    con = serving.cursor()
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
    try:
        relation = scan(con).project(", ".join(quote(c) for c in types))
        stats: list[str] = ["count(*)"]
        for column, kind in types.items():
            name = quote(column)
            if kind == "VARCHAR":
                stats.append(f"coalesce(max(length({name})), 0)")
                stats.append(f"approx_count_distinct({name})")
            elif kind in ("FLOAT", "DOUBLE"):
                stats.append(f"count(*) FILTER (WHERE isnan({name}))")
        row = relation.aggregate(", ".join(stats)).fetchone()
        figures = list(row) if row else [0]
        rows = int(figures.pop(0))
        indexed: list[str] = []
        categories: list[str] = []
        for column, kind in types.items():
            if kind == "VARCHAR":
                longest, distinct = figures.pop(0), figures.pop(0)
                if longest <= MAX_INDEXED_TEXT:
                    indexed.append(column)
                    if distinct <= MAX_CATEGORY_VALUES:
                        categories.append(column)
            elif kind in ("FLOAT", "DOUBLE"):
                if figures.pop(0):
                    return None  # SQLite keeps NaN as NULL: the answers would differ
                indexed.append(column)
            else:
                indexed.append(column)
        if rows < minimum:
            return None
        indexed = indexed[:MAX_INDEXES]
        # one category and a sort: (tambon = ? ORDER BY income) reads a page, not the tambon
        sortable = [c for c in indexed if types[c] not in ("VARCHAR", "BOOLEAN")]
        pairs = [(c, s) for c in categories if c in indexed for s in sortable][:MAX_PAIR_INDEXES]
        stored = relation.project(
            ", ".join(
                f"{_store_expr(c, k)} AS {quote(f'c{i}')}" for i, (c, k) in enumerate(types.items())
            )
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA cache_size=-65536")
            columns = ", ".join(f"{quote(c)} {sqlite_kind(k)}" for c, k in types.items())
            db.execute(f"CREATE TABLE {quote(TABLE)} ({columns})")
            insert = f"INSERT INTO {quote(TABLE)} VALUES ({', '.join('?' for _ in types)})"  # noqa: S608
            for batch in stored.to_arrow_reader(batch_size=50_000):
                db.executemany(insert, zip(*(c.to_pylist() for c in batch.columns), strict=True))
            for i, column in enumerate(indexed):
                db.execute(f"CREATE INDEX {quote(f'i{i}')} ON {quote(TABLE)} ({quote(column)})")
            for i, (first, then) in enumerate(pairs):
                on = f"{quote(first)}, {quote(then)}"
                db.execute(f"CREATE INDEX {quote(f'p{i}')} ON {quote(TABLE)} ({on})")
            db.execute("ANALYZE")
            meta = {"format": FORMAT, "types": list(types.items()), "rows": rows}
            meta["indexed"] = indexed
            db.execute("CREATE TABLE nakhon_meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("INSERT INTO nakhon_meta VALUES ('copy', ?)", [json.dumps(meta)])
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)
        return Copy(path, dict(types), rows, frozenset(indexed))
    finally:
        tmp.unlink(missing_ok=True)
        con.close()
