"""Staff-only analytical SQL over a city's lake tables: read-only, sandboxed, logged.

Data stewards, executives and admins of a city may ask their own questions in SQL (DuckDB's
dialect) of the current version of every dataset of that city. The public API never offers
this (issue #5: no raw-SQL endpoint in the public API).

The sandbox, and why each part holds:

* **One SELECT only** — the text is split by DuckDB's own parser
  (``duckdb.extract_statements``); anything but a single ``SELECT`` (``WITH`` … ``SELECT``
  included) is refused before it runs.
* **No file or network access** — each query gets a fresh in-memory DuckDB with extension
  auto-loading off. The tables are registered as Arrow datasets over the version's Parquet
  files *before* ``enable_external_access`` is switched off and the configuration locked, so
  SQL cannot read ``/etc/passwd``, write with ``COPY``, ``ATTACH`` a file, ``INSTALL`` or
  ``LOAD`` an extension, or turn any of that back on.
* **Personal columns** are not in the registered tables at all for a role that may not see
  personal data (the Arrow dataset's schema leaves them out), so no SQL can reach them.
* **Limits** — ``NAKHON_SQL_TIMEOUT`` seconds (the query is interrupted), a memory limit,
  two threads, and at most ``NAKHON_SQL_ROW_CAP`` rows returned (the rest is counted as cut).
* **Audit** — every query, refused or run, is written to the audit log with its text, row
  count, time and the personal columns it could read.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import duckdb
from django.conf import settings
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog.models import Dataset
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import can, require

MAX_SQL_LENGTH = 20_000
MEMORY_LIMIT = "512MB"


@dataclass
class Table:
    name: str
    dataset: Dataset
    columns: list[tuple[str, str]]  # (name, type)
    hidden: list[str]  # personal columns left out for this actor


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    seconds: float
    tables: list[str] = field(default_factory=list)


def table_name(dataset: Dataset) -> str:
    """The SQL name of a dataset's table: its slug with ``_`` for ``-``."""
    return re.sub(r"[^a-z0-9_]", "_", dataset.slug.lower())


def tables(*, actor: Any, municipality: Municipality) -> list[Table]:
    """The tables the actor may query: every published dataset of the city, without the
    personal columns unless the actor may see personal data."""
    require(actor, "sql.view", municipality)
    show_personal = can(actor, "personal_data.view", municipality)
    out = []
    datasets = Dataset.objects.filter(municipality=municipality, current_snapshot_id__isnull=False)
    for dataset in datasets.order_by("slug"):
        personal = set(dataset.personal_columns())
        columns = [
            (c["name"], c.get("type", "string"))
            for c in dataset.table_schema.get("columns", [])
            if show_personal or c["name"] not in personal
        ]
        hidden = [] if show_personal else sorted(personal)
        out.append(Table(table_name(dataset), dataset, columns, hidden))
    return out


def _check(sql: str) -> str:
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise InvalidInput(_("Write a SELECT query."), errors={"sql": "empty"})
    if len(text) > MAX_SQL_LENGTH:
        raise InvalidInput(
            _("The query is too long (at most %(n)s characters).") % {"n": MAX_SQL_LENGTH},
            errors={"sql": "too long"},
        )
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise InvalidInput(_("The query cannot be read: %(e)s") % {"e": _first_line(exc)}) from None
    if len(statements) != 1:
        raise InvalidInput(_("Send one query at a time."), errors={"sql": "several statements"})
    if statements[0].type != duckdb.StatementType.SELECT:
        raise InvalidInput(
            _("Only SELECT queries may run here: the lake is read-only."),
            errors={"sql": str(statements[0].type.name)},
        )
    return text


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


def _arrow_dataset(table: Table) -> Any:
    """The version's Parquet files as an Arrow dataset of the visible columns only."""
    import pyarrow as pa
    import pyarrow.dataset as pads

    from nakhon.lake.service import lake, table_ref_for

    iceberg = lake()._load(table_ref_for(table.dataset))
    scan = iceberg.scan(snapshot_id=table.dataset.current_snapshot_id)
    tasks = list(scan.plan_files())
    names = [name for name, _type in table.columns]
    if not tasks or any(task.delete_files for task in tasks):
        arrow = scan.to_arrow()
        return arrow.select([n for n in names if n in arrow.column_names])
    paths = [task.file.file_path.removeprefix("file://") for task in tasks]
    full = pads.dataset(paths, format="parquet")
    fields = [full.schema.field(n) for n in names if n in full.schema.names]
    return pads.dataset(paths, format="parquet", schema=pa.schema(fields))


def run(*, actor: Any, municipality: Municipality, sql: str) -> SqlResult:
    """Run one read-only query over the city's tables, in the sandbox, and audit it."""
    available = tables(actor=actor, municipality=municipality)
    started = time.monotonic()
    try:
        text = _check(sql)
        result = _execute(text, available)
    except InvalidInput as exc:
        _audit(actor, municipality, sql, available, refused=exc.message)
        raise
    result.seconds = round(time.monotonic() - started, 3)
    _audit(actor, municipality, sql, available, rows=len(result.rows), seconds=result.seconds)
    return result


def _execute(text: str, available: list[Table]) -> SqlResult:
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": MEMORY_LIMIT,
            "threads": 2,
        },
    )
    timer = threading.Timer(settings.NAKHON_SQL_TIMEOUT, con.interrupt)
    try:
        for table in available:
            con.register(table.name, _arrow_dataset(table))
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        try:
            cursor = con.execute(text)
            columns = [d[0] for d in cursor.description or []]
            cap = settings.NAKHON_SQL_ROW_CAP
            rows = cursor.fetchmany(cap + 1)
        except duckdb.InterruptException:
            raise InvalidInput(
                _("The query ran longer than %(s)s seconds and was stopped.")
                % {"s": settings.NAKHON_SQL_TIMEOUT},
                errors={"sql": "timeout"},
            ) from None
        except duckdb.Error as exc:
            raise InvalidInput(
                _("The query failed: %(e)s") % {"e": _first_line(exc)}, errors={"sql": "error"}
            ) from None
    finally:
        timer.cancel()
        con.close()
    truncated = len(rows) > settings.NAKHON_SQL_ROW_CAP
    return SqlResult(
        columns,
        [list(r) for r in rows[: settings.NAKHON_SQL_ROW_CAP]],
        truncated,
        0.0,
        [t.name for t in available],
    )


def _audit(
    actor: Any, municipality: Municipality, sql: str, available: list[Table], **outcome: Any
) -> None:
    personal = sorted(
        f"{t.name}.{name}"
        for t in available
        for name, _type in t.columns
        if name in set(t.dataset.personal_columns())
    )
    audit_record(
        actor=actor,
        action="lake.sql",
        municipality=municipality,
        object_type="sql",
        object_repr=sql.strip()[:200],
        changes={"sql": sql[:MAX_SQL_LENGTH], "personal_columns": personal, **outcome},
        personal_data=bool(personal),
    )
