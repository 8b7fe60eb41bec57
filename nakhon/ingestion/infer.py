"""Suggest a :class:`TableSchema` for a text table, from the WHOLE input (not a sample).

For each column, the most specific type that every non-empty cell fits, tried in this order:
``geometry`` (the reader's ``geometry`` column), ``thai_id`` / ``juristic_id`` (13 digits, every
one passing the mod-11 check), ``latitude`` / ``longitude`` (a header such as lat, latitude,
ละติจูด / lon, lng, longitude, ลองจิจูด, and every value a number in range), ``integer`` (no
leading zeros: "007" stays text), ``baht`` (a ``฿``/``บาท`` sign or a money header such as
บาท, ราคา, งบประมาณ, amount, price), ``decimal`` (every number with exactly two decimals),
``number``, ``boolean`` (every cell a yes/no word; only 0/1 stays ``integer``), ``date`` /
``datetime`` (every cell a Thai or ISO date; BE, CE or mixed → ``date_era`` "be", "ce", "auto"),
``province`` / ``amphoe`` / ``tambon`` (a header such as จังหวัด, อำเภอ, ตำบล, tambon and every
cell resolving to exactly one area), ``email``, ``url``, ``phone`` (a header such as โทร, phone,
tel, mobile and every cell a phone number), else ``string``.

``required`` when no cell is empty, ``unique`` when all non-empty cells of an identifier-like
column (id, code, รหัส, เลขที่ …) differ. The primary key
suggested is the first unique, required integer or string column whose header looks like an
identifier (id, code, no, รหัส, เลขที่, ลำดับ). Labels: the header goes to ``label_th`` when it
contains Thai letters, else to ``label_en``.

Personal data (PDPA) heuristic — a *suggestion* for the data steward to confirm: ``personal``
is set for Thai personal ID, phone and e-mail columns, and for headers that name a person or
where they live: ชื่อ (alone), นามสกุล, ชื่อ-สกุล, ชื่อ-นามสกุล, ชื่อผู้…/ชื่อเจ้าของ…,
ที่อยู่, บ้านเลขที่, name, first/last/full name, surname, owner name, address. The name of a
thing ("ชื่อชุมชน", "ชื่อโครงการ") is not flagged; juristic person numbers are public and not
flagged either.
"""

# SQL is assembled from identifiers and literals quoted by q_ident/q_str, never raw input.
# ruff: noqa: S608

from __future__ import annotations

import re
import uuid
from typing import Any, Final

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.checks import FORMULA_RE, check_digit_sql
from nakhon.ingestion.normalize import (
    _DATE_RE,
    _DEC_RE,
    _INT_RE,
    _NUM_RE,
    _ODD_CLASS,
    FALSE_WORDS,
    TRUE_WORDS,
    WORK_DB,
    _admin_dictionary_sql,
    _as_reader,
    _date_dictionary_sql,
    clean_sql,
    normalize,
    q_ident,
    q_str,
    register_admin_keys,
    unordered,
)
from nakhon.ingestion.schema import ColumnSpec, TableSchema

__all__ = ["infer_schema"]

_THAI: Final = re.compile("[\u0e00-\u0e7f]")
_LAT: Final = re.compile(r"(?i)^(lat|latitude|ละติจูด|y_?coord)\b|ละติจูด")
_LON: Final = re.compile(r"(?i)^(lon|long|lng|longitude|ลองจิจูด|x_?coord)\b|ลองจิจูด")
# "ปีงบประมาณ" (fiscal year) names money but holds years: whole numbers under a year header
# are years, not baht.
_YEAR: Final = re.compile(r"(?i)^ปี|ปีงบ|พ\.ศ\.|fiscal.?year|^year|_year$|\byear\b")
_MONEY: Final = re.compile(r"(?i)บาท|ราคา|งบประมาณ|เงิน|amount|price|baht|budget|cost|fee")
_PHONE: Final = re.compile(r"(?i)โทร|phone|tel\b|mobile|มือถือ")
_ID: Final = re.compile(r"(?i)^(id|.*_id|code|no\.?|รหัส.*|เลขที่.*|ลำดับ.*)$")
# A person's name or address, not the name of a community, market or project ("ชื่อชุมชน").
_PERSONAL: Final = re.compile(
    r"(?i)^ชื่อ$|ชื่อ\s*[-–/]?\s*(นาม)?สกุล|นามสกุล|ชื่อ(ผู้|เจ้าของ|ผู้เสียภาษี|ผู้ยื่น|บุคคล)"
    r"|ชื่อ(ตัว|จริง)|ที่อยู่|บ้านเลขที่|^name$|first.?name|last.?name|full.?name|surname"
    r"|owner.?name|person|address"
)
_ADMIN: Final = (
    ("tambon", re.compile(r"(?i)ตำบล|แขวง|tambon|sub-?district|khwaeng")),
    ("amphoe", re.compile(r"(?i)อำเภอ|เขต|amphoe|district|khet")),
    ("province", re.compile(r"(?i)จังหวัด|province|changwat")),
)
_EMAIL_RE: Final = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"
_URL_RE: Final = r"(?i)https?://\S+"
_PHONE_RE: Final = r"(\+66|0)[0-9]{1,2}[\s\-]?[0-9]{3}[\s\-]?[0-9]{3,4}"


def _stats_sql(values: str, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """One row of counts over the distinct cleaned texts of a column (``values``: raw, cnt,
    k: without spaces and dashes, m: without currency signs and spaces)."""
    words = ", ".join(q_str(w) for w in (*TRUE_WORDS, *FALSE_WORDS))
    thirteen = "regexp_full_match(k, '[0-9]{13}')"

    def n(condition: str) -> str:
        return f"COALESCE(sum(cnt) FILTER ({condition}), 0)"

    aggs = [
        "COALESCE(sum(cnt), 0)",  # non-empty cells
        "count(DISTINCT c)",  # distinct texts
        n(f"regexp_full_match(c, {q_str(_INT_RE)})"),
        n("regexp_matches(c, '^[+-]?0[0-9]')"),
        n(f"regexp_full_match(m, {q_str(_NUM_RE)})"),
        n(f"regexp_full_match(m, {q_str(_DEC_RE)})"),
        n("regexp_full_match(m, '[^.]*\\.[0-9]{2}')"),
        n("contains(c, '฿') OR contains(c, 'บาท')"),
        "min(TRY_CAST(replace(m, ',', '') AS DOUBLE))",
        "max(TRY_CAST(replace(m, ',', '') AS DOUBLE))",
        n(f"lower(c) IN ({words})"),
        n("c IN ('0', '1')"),
        n(f"{thirteen} AND ascii(k[13]) - 48 = {check_digit_sql('k')}"),
        n(f"{thirteen} AND k[1] BETWEEN '1' AND '8'"),
        n("regexp_full_match(k, '0[0-9]{12}')"),
        n(f"regexp_matches(c, {q_str(_DATE_RE)})"),
        n(f"regexp_full_match(c, {q_str(_EMAIL_RE)})"),
        n(f"regexp_full_match(c, {q_str(_URL_RE)})"),
        n(f"regexp_full_match(c, {q_str(_PHONE_RE)})"),
        n(f"regexp_matches(c, {q_str(FORMULA_RE)})"),
    ]
    aggs = [
        "NULL" if name in skip or name == "formula" else agg
        for name, agg in zip(_FIELDS, aggs, strict=True)
    ]
    return f"""
    SELECT {", ".join(aggs)} FROM (SELECT raw AS c, cnt, k, m FROM {values})
    """


_FIELDS: Final = (
    "filled",
    "distinct",
    "int",
    "leading_zero",
    "num",
    "dec",
    "two_decimals",
    "currency",
    "min",
    "max",
    "bool",
    "zero_one",
    "id_check",
    "id_person",
    "id_juristic",
    "date_like",
    "email",
    "url",
    "phone",
    "formula",
)


_EVERY: Final = frozenset(
    {
        "bool",
        "zero_one",
        "id_check",
        "id_person",
        "id_juristic",
        "date_like",
        "email",
        "url",
        "phone",
        "dec",
        "two_decimals",
    }
)
_NEARLY: Final = frozenset({"int", "num"})


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    if row is None:  # an aggregate always answers one row
        raise RuntimeError(f"no row from {sql[:80]}")
    return tuple(row)


def _sampled_stats(con: duckdb.DuckDBPyConnection, values: str) -> dict[str, Any]:
    """The stats, deciding on a sample which "every"-type tests can still hold on the whole."""
    n = _one(con, f"SELECT count(*) FROM {values}")[0]
    if n <= 20_000:
        return dict(zip(_FIELDS, _one(con, _stats_sql(values)), strict=True))
    sample = f"(SELECT * FROM {values} USING SAMPLE 4096 ROWS (reservoir, 42))"
    got = dict(zip(_FIELDS, _one(con, _stats_sql(sample)), strict=True))
    skip = {k for k in _EVERY if got[k] < got["filled"]}
    skip |= {k for k in _NEARLY if got[k] < got["filled"] * 0.8}
    full = dict(zip(_FIELDS, _one(con, _stats_sql(values, skip)), strict=True))
    for k in skip:
        full[k] = -1  # cannot be "every" (nor nearly)
    return full


def _dictionary_errors(con: duckdb.DuckDBPyConnection, body: str) -> int:
    row = con.execute(f"SELECT count(*) FROM ({body}) WHERE e IS NOT NULL").fetchone()
    return int(row[0]) if row else 0


def _date_type(
    con: duckdb.DuckDBPyConnection, values: str, name: str, distinct: int
) -> ColumnSpec | None:
    """Every cell looks like a date: the kind and era that read the most of them. A few cells
    that look like dates but do not exist ("31 ก.พ. 2566") do not make the column text: they
    are reported as errors by validation (at most 2 % of the distinct values, at least 1)."""
    best: tuple[int, ColumnSpec] | None = None
    for kind in ("date", "datetime"):
        for era in ("be", "ce", "auto"):
            spec = ColumnSpec(name, kind, date_era=era)
            errors = _dictionary_errors(con, _date_dictionary_sql(values, spec))
            if errors == 0:
                return spec
            if best is None or errors < best[0]:
                best = (errors, spec)
    if best is not None and best[0] < distinct and best[0] <= max(1, distinct // 50):
        return best[1]
    return None


def _admin_type(
    con: duckdb.DuckDBPyConnection,
    values: str,
    name: str,
    keys: str,
    context: str | None,
) -> ColumnSpec | None:
    for kind, header in _ADMIN:
        if header.search(name):
            spec = ColumnSpec(name, kind)
            if _dictionary_errors(con, _admin_dictionary_sql(values, spec, keys, context)) == 0:
                if context and kind != "province":
                    spec.context = context
                return spec
            return None
    return None


def _column(
    con: duckdb.DuckDBPyConnection,
    values: str,
    name: str,
    s: dict[str, Any],
    keys: str | None,
    context: str | None,
) -> ColumnSpec:
    filled = s["filled"]

    def every(key: str) -> bool:
        return filled > 0 and s[key] == filled

    def nearly(key: str) -> bool:
        """All cells, or all but a few stray ones in a long column (≥ 20 cells, ≤ 2 %): a
        number column with one "หก" or "n/a" stays a number and the stray cell is reported."""
        return every(key) or (filled >= 20 and filled - s[key] <= filled // 50 and s[key] > 0)

    spec: ColumnSpec | None = None
    if name == "geometry":
        spec = ColumnSpec(name, "geometry")
    elif every("id_check") and every("id_person"):
        spec = ColumnSpec(name, "thai_id")
    elif every("id_check") and every("id_juristic"):
        spec = ColumnSpec(name, "juristic_id")
    elif every("num") and _LAT.search(name) and -90 <= s["min"] <= s["max"] <= 90:
        spec = ColumnSpec(name, "latitude")
    elif every("num") and _LON.search(name) and -180 <= s["min"] <= s["max"] <= 180:
        spec = ColumnSpec(name, "longitude")
    elif (
        every("dec")
        and (s["currency"] > 0 or _MONEY.search(name))
        and not (_YEAR.search(name) and every("int") and s["currency"] == 0)
    ):
        spec = ColumnSpec(name, "baht")  # money stays money, even when whole baht
    elif nearly("int") and s["leading_zero"] == 0 and not every("date_like"):
        spec = ColumnSpec(name, "integer")
    elif every("dec") and every("two_decimals"):
        spec = ColumnSpec(name, "decimal", scale=2)
    elif nearly("num") and s["leading_zero"] == 0 and not every("date_like"):
        spec = ColumnSpec(name, "number")
    elif every("bool") and not every("zero_one"):
        spec = ColumnSpec(name, "boolean")
    elif every("date_like"):
        spec = _date_type(con, values, name, int(s["distinct"]))
    if spec is None and keys is not None and filled:
        spec = _admin_type(con, values, name, keys, context)
    if spec is None:
        if every("email"):
            spec = ColumnSpec(name, "email")
        elif every("url"):
            spec = ColumnSpec(name, "url")
        elif every("phone") and _PHONE.search(name):
            spec = ColumnSpec(name, "phone")
        else:
            spec = ColumnSpec(name, "string")
    spec.required = filled == s["rows"] and filled > 0
    # "unique" is a promise every later version must keep: infer it for identifiers only,
    # not for counts that happen to differ in this file
    spec.unique = filled > 1 and s["distinct"] == filled and bool(_ID.match(name))
    if _THAI.search(name):
        spec.label_th = name
    else:
        spec.label_en = name
    spec.personal = spec.type in ("thai_id", "phone", "email") or bool(_PERSONAL.search(name))
    return spec


def _unique_after_typing(
    con: duckdb.DuckDBPyConnection,
    src: str,
    columns: list[ColumnSpec],
    admin_areas: pa.Table | None,
    context: str | None,
) -> None:
    """Clear ``unique`` where different texts are the same value ("3/3/2560", "3 มี.ค. 60")."""
    candidates = [c for c in columns if c.unique and c.type not in ("string", "geometry")]
    if not candidates:
        return
    schema = TableSchema(
        [
            ColumnSpec(c.name, c.type, scale=c.scale, date_era=c.date_era, context=c.context)
            for c in candidates
        ]
    )
    normalized = normalize(con, src, schema, admin_areas=admin_areas, context=context)
    try:
        counts = ", ".join(
            f"count(DISTINCT {q_ident(c.name)}) = count({q_ident(c.name)})" for c in candidates
        )
        row = con.execute(f"SELECT {counts} FROM {normalized.view}").fetchone() or ()
        for column, distinct in zip(candidates, row, strict=True):
            column.unique = bool(distinct)
    finally:
        normalized.drop()


def infer_schema(
    con: duckdb.DuckDBPyConnection,
    relation: Any,
    *,
    admin_areas: pa.Table | None = None,
    context: str | None = None,
) -> TableSchema:
    """A suggested schema for ``relation`` (Arrow table/reader/batches, DuckDB relation or
    table name), from every row. ``context`` (a DOPA province code) resolves area names."""
    tag = f"nk_{uuid.uuid4().hex[:10]}_"
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {WORK_DB}")
    cleanup: list[str] = []
    registered: list[str] = []
    try:
        if isinstance(relation, str):
            src = relation
        elif isinstance(relation, duckdb.DuckDBPyRelation):
            src = f"{tag}src"
            relation.create_view(src, replace=True)
            registered.append(src)
        elif isinstance(relation, pa.Table | pa.RecordBatch):
            src = f"{tag}src"
            con.register(
                src,
                pa.Table.from_batches([relation])
                if isinstance(relation, pa.RecordBatch)
                else relation,
            )
            registered.append(src)
        else:  # a stream is read once: keep it for the several scans inference needs
            reader = (
                relation if isinstance(relation, pa.RecordBatchReader) else _as_reader(relation)
            )
            con.register(f"{tag}stream", reader)
            src = f"{WORK_DB}.{tag}src"
            con.execute(f"CREATE TABLE {src} AS SELECT * FROM {tag}stream")
            con.unregister(f"{tag}stream")
            cleanup.append(src)
        names = [
            row[0]
            for row in con.execute(f"DESCRIBE {src}").fetchall()
            if row[0] != "_row" and not str(row[0]).startswith("__nk_")
        ]
        total = con.execute(f"SELECT count(*) FROM {src}").fetchone()
        rows = int(total[0]) if total else 0
        keys = None
        if any(header.search(n) for n in names for _, header in _ADMIN):
            keys = register_admin_keys(con, admin_areas, f"{tag}admin_keys")
            registered.append(keys)
        columns = []
        values = f"{WORK_DB}.{tag}values"
        cleanup.append(values)
        for name in names:
            x = f"CAST({q_ident(name)} AS VARCHAR)"
            with unordered(con):  # tables: DuckDB would inline a CTE's expressions
                con.execute(
                    f"CREATE OR REPLACE TABLE {values} AS SELECT {x} AS raw, count(*) AS cnt "
                    f"FROM {src} GROUP BY 1"
                )
                dirty = con.execute(
                    f"SELECT bool_or(regexp_matches(raw, '{_ODD_CLASS}') "
                    f"OR regexp_matches(raw, '^\\s|\\s$')) FROM {values}"
                ).fetchone()
                if dirty and dirty[0]:
                    con.execute(  # cleaning the distinct texts only
                        f"CREATE OR REPLACE TABLE {values} AS SELECT c AS raw, sum(cnt) AS cnt "
                        f"FROM (SELECT {clean_sql('raw')} AS c, cnt FROM {values}) "
                        "GROUP BY 1 HAVING c IS NOT NULL"
                    )
                    where = ""
                else:  # nothing to clean: no second grouping
                    where = " WHERE raw <> ''"
                con.execute(
                    f"CREATE OR REPLACE TABLE {values} AS SELECT raw, cnt, "
                    "regexp_replace(raw, '[\\s\\-]', '', 'g') AS k, "
                    "replace(replace(replace(raw, '฿', ''), 'บาท', ''), ' ', '') AS m "
                    f"FROM {values}{where}"
                )
            stats: dict[str, Any] = _sampled_stats(con, values)
            stats["rows"] = rows
            columns.append(_column(con, values, name, stats, keys, context))
        _unique_after_typing(con, src, columns, admin_areas, context)
        primary_key = [
            c.name
            for c in columns
            if c.unique and c.required and c.type in ("integer", "string") and _ID.match(c.name)
        ][:1]
        return TableSchema(columns=columns, primary_key=primary_key)
    finally:
        for name in cleanup:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in registered:
            con.unregister(name)
