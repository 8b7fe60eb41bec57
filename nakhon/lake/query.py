"""Filtered, sorted, paged and grouped reads of one version of a published table.

The portal's preview, the ``/api/v1`` rows endpoint, CKAN's ``datastore_search`` and the
downloads all ask the same questions of a table: which columns, which rows (conditions and a
free-text ``q``), in what order, which page, and — for the API — grouped with aggregates.
``Spec`` says that; ``run`` turns it into one parameterised DuckDB statement over a relation
(column names are checked against the table and quoted, values are bound, never pasted), so no
input can reach SQL as code. Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from nakhon.lake.diff import quote

OPERATORS = {
    "eq": "=",
    "ne": "<>",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "contains": "ILIKE",
    "in": "IN",
    "null": "IS NULL",
    "notnull": "IS NOT NULL",
}
AGGREGATES = ("count", "sum", "avg", "min", "max", "count_distinct")
MAX_LIMIT = 10_000
MAX_IN_VALUES = 1_000
_TEXT = ("VARCHAR",)
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_DECIMAL = re.compile(r"(-?[0-9]{1,15})(?:\.([0-9]{1,15}))?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SCALE = re.compile(r"DECIMAL\(([0-9]+),([0-9]+)\)")
_INT_RANGE = {"INTEGER": 2**31, "BIGINT": 2**63, "HUGEINT": 2**127}


class QueryError(Exception):
    """A question the table cannot answer: an unknown column, a bad value, a limit too large.
    ``param`` names the part of the request at fault."""

    def __init__(self, message: str, param: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Spec:
    columns: Sequence[str] | None = None
    conditions: Sequence[Condition] = ()
    q: str = ""
    sort: Sequence[tuple[str, bool]] = ()  # (column, descending)
    limit: int = 100
    offset: int = 0
    group_by: Sequence[str] = ()
    aggregates: Sequence[tuple[str, str]] = ()  # (function, column or "*")
    include_total: bool = True


@dataclass
class Result:
    columns: list[str]
    types: dict[str, str]
    rows: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int
    sql_filters: list[str] = field(default_factory=list)


def column_types(relation: duckdb.DuckDBPyRelation) -> dict[str, str]:
    """Column name -> DuckDB type name, in the relation's order."""
    return {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}


def _known(types: dict[str, str], column: str, param: str) -> str:
    if column not in types:
        raise QueryError(f"Unknown column {column!r}.", param)
    return quote(column)


def _is_text(kind: str) -> bool:
    return kind.startswith(_TEXT)


def _cast(con: Any, value: Any, kind: str, column: str, param: str) -> Any:
    """The value as the column's type, or a clear error: ``'abc'`` is not an integer."""
    if value is None:
        raise QueryError(f"A value is needed for column {column!r}.", param)
    if isinstance(value, (dict, list, tuple)):
        raise QueryError(f"The value for column {column!r} must be a single value.", param)
    text = str(value)
    if len(text) > 1000:
        raise QueryError(f"The value for column {column!r} is too long.", param)
    if _is_text(kind):
        return text
    quick = _quick_cast(text, kind)
    if quick is not None:
        return quick
    row = con.execute(f"SELECT TRY_CAST(? AS {kind})", [text]).fetchone()
    if row is None or row[0] is None:
        raise QueryError(f"{text!r} is not a valid {kind.lower()} for column {column!r}.", param)
    return row[0]


def _quick_cast(text: str, kind: str) -> Any:
    """The plain spellings of the usual types, converted without asking DuckDB (a statement
    per value); None leaves the value to DuckDB's own ``TRY_CAST``. Only spellings whose
    conversion is exact, so the result is the one ``TRY_CAST`` would give."""
    if kind in _INT_RANGE and _INTEGER.fullmatch(text):
        number = int(text)
        return number if -_INT_RANGE[kind] <= number < _INT_RANGE[kind] else None
    if kind == "DOUBLE" and _DECIMAL.fullmatch(text):
        return float(text)
    scale = _SCALE.fullmatch(kind)
    if scale:
        match = _DECIMAL.fullmatch(text)
        # more decimals than the column keeps would be rounded by DuckDB: leave those to it
        width, places = int(scale.group(1)), int(scale.group(2))
        if (
            match
            and len(match.group(2) or "") <= places
            and len(match.group(1).lstrip("-")) <= width - places
        ):
            return Decimal(text)
    if kind == "DATE" and _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _where(con: Any, types: dict[str, str], spec: Spec, store: Any = None) -> tuple[str, list[Any]]:
    """(WHERE clause, bound values). ``store`` converts a value of a column's type to what the
    engine keeps (the SQLite serving copy: dates as ISO text, decimals as scaled integers)."""
    parts: list[str] = []
    params: list[Any] = []
    for cond in spec.conditions:
        param = f"filters.{cond.column}"
        name = _known(types, cond.column, param)
        kind = types[cond.column]
        op = OPERATORS.get(cond.op)
        if op is None:
            raise QueryError(
                f"Unknown operator {cond.op!r} (use one of {', '.join(OPERATORS)}).", param
            )
        if cond.op in ("null", "notnull"):
            parts.append(f"{name} {op}")
        elif cond.op == "contains":
            parts.append(f"CAST({name} AS VARCHAR) ILIKE ? ESCAPE '\\'")
            params.append(f"%{_like_escape(str(cond.value))}%")
        elif cond.op == "in":
            values = cond.value if isinstance(cond.value, (list, tuple)) else [cond.value]
            if not values:
                parts.append("FALSE")
                continue
            if len(values) > MAX_IN_VALUES:
                raise QueryError(f"At most {MAX_IN_VALUES} values per filter.", param)
            cast = [_cast(con, v, kind, cond.column, param) for v in values]
            if store is not None:
                cast = [store(v, kind) for v in cast]
            parts.append(f"{name} IN ({', '.join('?' for _ in cast)})")
            params.extend(cast)
        else:
            if cond.op in ("lt", "lte", "gt", "gte") and kind == "BOOLEAN":
                raise QueryError(f"Column {cond.column!r} cannot be compared by size.", param)
            parts.append(f"{name} {op} ?")
            value = _cast(con, cond.value, kind, cond.column, param)
            params.append(store(value, kind) if store is not None else value)
    q = spec.q.strip()
    if q:
        if len(q) > 200:
            raise QueryError("The search text is too long (200 characters at most).", "q")
        text_columns = [c for c, kind in types.items() if _is_text(kind)]
        if text_columns:
            like = f"%{_like_escape(q)}%"
            parts.append(
                "(" + " OR ".join(f"{quote(c)} ILIKE ? ESCAPE '\\'" for c in text_columns) + ")"
            )
            params.extend([like] * len(text_columns))
        else:
            parts.append("FALSE")
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _select(types: dict[str, str], spec: Spec) -> tuple[list[str], str, str]:
    """(output names, SELECT list, GROUP BY clause)."""
    if spec.group_by or spec.aggregates:
        names: list[str] = []
        select: list[str] = []
        for column in spec.group_by:
            select.append(_known(types, column, "group_by"))
            names.append(column)
        for func, column in spec.aggregates or [("count", "*")]:
            if func not in AGGREGATES:
                raise QueryError(
                    f"Unknown aggregate {func!r} (use one of {', '.join(AGGREGATES)}).",
                    "aggregate",
                )
            if column == "*":
                if func != "count":
                    raise QueryError(f"{func} needs a column.", "aggregate")
                expr = "count(*)"
            else:
                name = _known(types, column, "aggregate")
                if func in ("sum", "avg") and not types[column].startswith(_NUMERIC):
                    raise QueryError(
                        f"{func} needs a numeric column; {column!r} is not.", "aggregate"
                    )
                expr = f"count(DISTINCT {name})" if func == "count_distinct" else f"{func}({name})"
            alias = func if column == "*" else f"{func}_{column}"
            select.append(f"{expr} AS {quote(alias)}")
            names.append(alias)
        group = " GROUP BY " + ", ".join(quote(c) for c in spec.group_by) if spec.group_by else ""
        return names, ", ".join(select), group
    columns = list(spec.columns) if spec.columns else list(types)
    for column in columns:
        _known(types, column, "fields")
    if not columns:
        raise QueryError("No columns selected.", "fields")
    return columns, ", ".join(quote(c) for c in columns), ""


def _order(names: list[str], spec: Spec, types: dict[str, str]) -> str:
    if not spec.sort:
        return ""
    parts = []
    for column, descending in spec.sort:
        if column not in names and column not in types:
            raise QueryError(f"Unknown column {column!r}.", "sort")
        if (spec.group_by or spec.aggregates) and column not in names:
            raise QueryError(f"Sort by a grouped or aggregated column, not {column!r}.", "sort")
        parts.append(f"{quote(column)} {'DESC' if descending else 'ASC'} NULLS LAST")
    return " ORDER BY " + ", ".join(parts)


def _check_page(spec: Spec) -> None:
    if not 0 <= spec.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 0 and {MAX_LIMIT}.", "limit")
    if spec.offset < 0:
        raise QueryError("offset must be 0 or more.", "offset")


def run(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    spec: Spec,
    *,
    source: str | None = None,
    types: dict[str, str] | None = None,
) -> Result:
    """Answer ``spec`` over ``relation`` (built on ``con``). ``source`` is SQL naming the same
    rows in ``con``'s database (a quoted table name, a parenthesised SELECT) when there is
    one: the statement then reads it directly instead of registering a view of ``relation``,
    a catalog write per request; ``types`` (column -> DuckDB type) saves asking the relation."""
    _check_page(spec)
    types = types if types is not None else column_types(relation)
    view = source
    if view is None:
        # a view of its own: connections (cursors) of one database share their views
        view = f"nakhon_q_{uuid.uuid4().hex}"
        relation.create_view(view, replace=False)
    try:
        where, params = _where(con, types, spec)
        names, select, group = _select(types, spec)
        order = _order(names, spec, types)
        sql = f"SELECT {select} FROM {view}{where}{group}{order} LIMIT ? OFFSET ?"  # noqa: S608
        table = con.execute(sql, [*params, spec.limit, spec.offset]).to_arrow_table()
        total = None
        if spec.include_total:
            counted = (
                f"SELECT count(*) FROM (SELECT 1 FROM {view}{where}{group})"  # noqa: S608
                if group
                else f"SELECT count(*) FROM {view}{where}"  # noqa: S608
            )
            row = con.execute(counted, params).fetchone()
            total = int(row[0]) if row else 0
    finally:
        if source is None:
            con.execute(f"DROP VIEW IF EXISTS {view}")
    return Result(
        names, _out_types(names, types, spec), table.to_pylist(), total, spec.limit, spec.offset
    )


def _out_types(names: list[str], types: dict[str, str], spec: Spec) -> dict[str, str]:
    """DuckDB type names of the result's columns."""
    out = {name: types[name] for name in names if name in types}
    for func, column in spec.aggregates or ([("count", "*")] if spec.group_by else []):
        alias = func if column == "*" else f"{func}_{column}"
        if func in ("count", "count_distinct"):
            out[alias] = "BIGINT"
        elif func == "avg":
            out[alias] = "DOUBLE"
        else:
            out[alias] = types.get(column, "VARCHAR")
    return out


# --- the same questions of the SQLite serving copy (nakhon.lake.serving_index) -----------------

_SQLITE_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_SQLITE_MAX_DECIMAL_WIDTH = 18  # scaled units of DECIMAL(18, s) fit SQLite's 64-bit integers


def sqlite_kind(kind: str) -> str | None:
    """The SQLite column type that keeps a DuckDB type exactly, or None (not kept there):
    dates as ISO text (which sorts and compares as dates do), booleans as 0/1, decimals of up
    to 18 digits as integers in units of their scale (13.50 in DECIMAL(10,2) is 1350), so
    comparisons and sums stay exact."""
    if kind in ("VARCHAR", "DATE"):
        return "TEXT"
    if kind in _SQLITE_INTEGER or kind == "BOOLEAN":
        return "INTEGER"
    if kind in ("FLOAT", "DOUBLE"):
        return "REAL"
    scale = _SCALE.fullmatch(kind)
    if scale and int(scale.group(1)) <= _SQLITE_MAX_DECIMAL_WIDTH:
        return "INTEGER"
    return None


def sqlite_store(value: Any, kind: str) -> Any:
    """A value of a column's DuckDB type as the SQLite copy keeps it (see ``sqlite_kind``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if kind == "DATE":
        return value.isoformat()
    scale = _SCALE.fullmatch(kind)
    if scale:
        return int(Decimal(value).scaleb(int(scale.group(2))))
    return value


def _sqlite_load(kind: str) -> Any:
    """The converter of a stored value back to what DuckDB gives for the type, or None."""
    if kind == "DATE":
        return dt.date.fromisoformat
    if kind == "BOOLEAN":
        return bool
    scale = _SCALE.fullmatch(kind)
    if scale:
        places = -int(scale.group(2))
        return lambda v: Decimal(v).scaleb(places)
    return None


def sqlite_answers(spec: Spec, indexed: Collection[str]) -> bool:
    """Whether the SQLite copy, whose ``indexed`` columns have an index, should answer
    ``spec``: a plain filter + sort + page whose every condition and first sort column can be
    found through an index. Text search (``q``, ``contains``) and group-by scan every row:
    DuckDB does that faster, so those stay there."""
    if spec.group_by or spec.aggregates or spec.q.strip():
        return False
    for cond in spec.conditions:
        if cond.op == "contains" or cond.column not in indexed:
            return False
    return not spec.sort or spec.sort[0][0] in indexed


def run_sqlite(
    db: sqlite3.Connection,
    table: str,
    spec: Spec,
    *,
    types: dict[str, str],
    con: Any,
    rows: int | None = None,
) -> Result:
    """``run`` over the SQLite copy ``table`` (columns of ``types``, kept as ``sqlite_kind``
    says): the same checks, errors and statement (ties, and a page without a sort, in the
    version's row order). ``con`` is a DuckDB connection (or anything with its ``execute``)
    for the rare filter value only DuckDB's ``TRY_CAST`` can convert; ``rows`` is the copy's
    row count (the total when nothing is filtered)."""
    _check_page(spec)
    if spec.group_by or spec.aggregates:
        raise ValueError("group-by is answered by DuckDB (see sqlite_answers)")
    where, params = _where(con, types, spec, sqlite_store)
    names, select, _group = _select(types, spec)
    order = _order(names, spec, types)
    order = f"{order}, rowid" if order else " ORDER BY rowid"
    sql = f"SELECT {select} FROM {quote(table)}{where}{order} LIMIT ? OFFSET ?"  # noqa: S608
    loaders = [(name, load) for name in names if (load := _sqlite_load(types[name])) is not None]
    out = []
    for record in db.execute(sql, [*params, spec.limit, spec.offset]):
        row = dict(zip(names, record, strict=True))
        for name, load in loaders:
            value = row[name]
            if value is not None:
                row[name] = load(value)
        out.append(row)
    total = None
    if spec.include_total:
        if not where and rows is not None:
            total = rows
        else:
            counted = db.execute(f"SELECT count(*) FROM {quote(table)}{where}", params).fetchone()  # noqa: S608
            total = int(counted[0]) if counted else 0
    return Result(names, _out_types(names, types, spec), out, total, spec.limit, spec.offset)
