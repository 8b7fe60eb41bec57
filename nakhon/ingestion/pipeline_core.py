"""Normalise + validate a stream of reader batches; hand back the valid typed rows and a report.

``validate_batches`` is what the ingest pipeline calls between a reader and the lake::

    con = connect(memory_limit="2GB", temp_directory=work_dir)   # nakhon.lake.duck
    valid, report = validate_batches(source.batches(), schema, con=con, context="40")
    lake.append(valid)            # typed Arrow batches (schema.arrow_schema()), errors left out
    report.write_csv(path)        # the whole problem list
    report.close()                # drop the DuckDB work tables

The input is read once into a DuckDB table (DuckDB spills it to ``temp_directory`` past its
``memory_limit``), because the set-based checks (``unique``, the primary key) need the whole
column; everything after that is SQL over that table.
"""

# SQL is assembled from identifiers and literals quoted by q_ident/q_str, never raw input.
# ruff: noqa: S608

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.checks import Check, run_checks
from nakhon.ingestion.infer import infer_schema
from nakhon.ingestion.normalize import WORK_DB, Normalized, _as_reader, normalize, q_ident
from nakhon.ingestion.report import Report
from nakhon.ingestion.schema import TableSchema

__all__ = ["Outcome", "run", "typed_reader", "validate", "validate_batches"]


def typed_reader(
    normalized: Normalized,
    sql: str,
    *,
    batch_rows: int = 100_000,
) -> pa.RecordBatchReader:
    """Batches of ``sql`` (over the typed table) cast to ``schema.arrow_schema()``.

    DuckDB gives datetimes as naive UTC timestamps; the cast labels them UTC.
    """
    target = normalized.schema.arrow_schema()
    cursor = normalized.con.cursor()
    reader = cursor.execute(sql).to_arrow_reader(batch_rows)

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            yield pa.RecordBatch.from_arrays(
                [
                    column.cast(field.type)
                    for column, field in zip(batch.columns, target, strict=True)
                ],
                schema=target,
            )

    return pa.RecordBatchReader.from_batches(target, batches())


def validate(
    data: Any,
    schema: TableSchema,
    *,
    con: duckdb.DuckDBPyConnection,
    admin_areas: pa.Table | None = None,
    context: str | None = None,
    max_problems: int = 100,
    checks: tuple[Check, ...] | None = None,
) -> tuple[Normalized, Report]:
    """Normalise ``data`` (see :func:`normalize`) and run ``checks`` (default: the registered
    ones, ``checks.registered_checks``); the report owns the tables."""
    normalized = normalize(con, data, schema, admin_areas=admin_areas, context=context)
    try:
        problems = run_checks(normalized, checks=checks)
        report = Report.from_table(
            con,
            problems,
            total_rows=normalized.row_count,
            max_problems=max_problems,
            on_close=normalized.drop,
        )
        normalized.temporary.append(f"{problems}_bad")
    except BaseException:
        normalized.drop()
        raise
    return normalized, report


def validate_batches(
    batches: Iterable[pa.RecordBatch] | pa.RecordBatchReader,
    schema: TableSchema,
    *,
    con: duckdb.DuckDBPyConnection,
    admin_areas: pa.Table | None = None,
    context: str | None = None,
    max_problems: int = 100,
    batch_rows: int = 100_000,
    ordered: bool = True,
) -> tuple[pa.RecordBatchReader, Report]:
    """Validate reader batches; return the typed rows without errors, and the report.

    The reader yields ``schema.arrow_schema()`` batches (``_row`` first), in file order when
    ``ordered``. Rows with an ``error`` problem are left out (``report.error_rows_sql`` selects
    them for quarantine); rows with only warnings are kept. Call ``report.close()`` when done.
    """
    normalized, report = validate(
        batches,
        schema,
        con=con,
        admin_areas=admin_areas,
        context=context,
        max_problems=max_problems,
    )
    cols = ", ".join(["_row", *(q_ident(c.name) for c in schema.columns)])
    sql = f"SELECT {cols} FROM ({report.valid_rows_sql(normalized.view)})"
    if ordered:
        sql += " ORDER BY _row"
    return typed_reader(normalized, sql, batch_rows=batch_rows), report


@dataclass
class Outcome:
    """What :func:`run` gives the pipeline: the schema used, the report, the typed rows."""

    schema: TableSchema
    report: Report
    normalized: Normalized
    batch_rows: int = 100_000
    _cleanup: list[str] = field(default_factory=list, repr=False)

    def typed_batches(self, *, only_valid: bool = True) -> pa.RecordBatchReader:
        """Typed rows in file order (``schema.arrow_schema()``), without the rows that have an
        error when ``only_valid`` (the quarantine policy), else every row (failed cells NULL)."""
        cols = ", ".join(["_row", *(q_ident(c.name) for c in self.schema.columns)])
        view = self.normalized.view
        relation = self.report.valid_rows_sql(view) if only_valid else f"SELECT * FROM {view}"
        sql = f"SELECT {cols} FROM ({relation}) ORDER BY _row"
        return typed_reader(self.normalized, sql, batch_rows=self.batch_rows)

    def typed_rows(self, *, only_valid: bool = True) -> Any:
        """The rows of :meth:`typed_batches` as a :class:`nakhon.lake.writer.DuckRows` query
        (ordered by ``_row``, which is not published): the lake writes them with DuckDB."""
        from nakhon.lake.writer import DuckRows  # pyiceberg: imported when publishing

        cols = ", ".join(["_row", *(q_ident(c.name) for c in self.schema.columns)])
        view = self.normalized.view
        relation = self.report.valid_rows_sql(view) if only_valid else f"SELECT * FROM {view}"
        return DuckRows(
            self.normalized.con,
            f"SELECT {cols} FROM ({relation})",
            self.schema.arrow_schema(row=False),
            order="_row",
            rows=self.report.valid_rows if only_valid else self.report.total_rows,
        )

    def close(self) -> None:
        """Drop the DuckDB work tables (the report's summary stays readable)."""
        self.report.close()
        for name in self._cleanup:
            self.normalized.con.execute(f"DROP TABLE IF EXISTS {name}")
        self._cleanup.clear()


def run(
    con: duckdb.DuckDBPyConnection,
    batches: Iterable[pa.RecordBatch] | pa.RecordBatchReader,
    *,
    schema: TableSchema | Mapping[str, Any] | None = None,
    infer: bool = False,
    context: Mapping[str, Any] | str | None = None,
    admin_areas: pa.Table | None = None,
    max_problems: int = 100,
    batch_rows: int = 100_000,
) -> Outcome:
    """Validate reader batches against ``schema`` (a TableSchema or its dict), or against a
    schema inferred from the whole input when ``infer`` (or no schema is given).

    ``context``: the dataset's province code ("40"), or a mapping with ``province_code``
    (and optionally ``amphoe_code``, which narrows area names further). Reads ``batches``
    to the end; the caller may close the source afterwards.
    """
    if isinstance(context, Mapping):
        area = context.get("amphoe_code") or context.get("province_code")
        code = str(area) if area else None
    else:
        code = context
    if isinstance(schema, Mapping):
        schema = TableSchema.from_dict(dict(schema))
    cleanup: list[str] = []
    data: Any = batches
    if infer or schema is None:
        # both inference and validation read the whole input: keep it once in DuckDB
        reader = batches if isinstance(batches, pa.RecordBatchReader) else _as_reader(batches)
        tag = f"nk_{uuid.uuid4().hex[:10]}_"
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {WORK_DB}")
        con.register(f"{tag}stream", reader)
        data = f"{WORK_DB}.{tag}input"
        try:
            con.execute(f"CREATE TABLE {data} AS SELECT * FROM {tag}stream")
        finally:
            con.unregister(f"{tag}stream")
        cleanup.append(data)
        schema = infer_schema(con, data, admin_areas=admin_areas, context=code)
    try:
        normalized, report = validate(
            data,
            schema,
            con=con,
            admin_areas=admin_areas,
            context=code,
            max_problems=max_problems,
        )
    except BaseException:
        for name in cleanup:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        raise
    return Outcome(schema, report, normalized, batch_rows, cleanup)
