"""Validation checks: small units with a stable rule code, each one set-based SQL over the table.

Every check reads the typed table made by :func:`nakhon.ingestion.normalize.normalize` and yields
problem rows ``(_row, col, rule, params)`` (``col`` = the column's position in the schema,
``params`` = JSON with the specifics). :func:`run_checks` runs them all in one statement and
stores the problems in a DuckDB table (never a Python list: a million problems are fine).

Each rule has a severity: ``error`` blocks publishing the row, ``warning`` does not.
:data:`RULES` is the list of codes; ``report.py`` turns a code and its params into English and
Thai messages.

The checks that run are the ones registered through the ``register_checks`` plugin hook
(:func:`registered_checks`): :data:`CHECKS` by ``nakhon.ingestion.plugin``, then those of plugins,
which bring the :class:`Rule` of each new code in ``Check.rules`` (docs/plugins.md).
"""

# SQL is assembled from identifiers and literals quoted by q_ident/q_str, never raw input.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.normalize import Normalized, q_ident, q_str, unordered
from nakhon.ingestion.schema import ORDERED_TYPES, TEXT_TYPES, ColumnSpec, TableSchema

__all__ = [
    "CHECKS",
    "RULES",
    "THAILAND_BBOX",
    "Check",
    "CheckContext",
    "ColumnCheck",
    "Rule",
    "registered_checks",
    "rule_of",
    "run_checks",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title_en: str
    title_th: str


_RULE_LIST: Final = (
    # conversion (normalize.py)
    Rule("invalid-integer", "error", "not a whole number", "ไม่ใช่จำนวนเต็ม"),
    Rule("invalid-number", "error", "not a number", "ไม่ใช่ตัวเลข"),
    Rule("invalid-decimal", "error", "not a number", "ไม่ใช่ตัวเลข"),
    Rule("invalid-baht", "error", "not an amount of baht", "ไม่ใช่จำนวนเงิน"),
    Rule("invalid-boolean", "error", "not yes/no", "ไม่ใช่ค่าใช่/ไม่ใช่"),
    Rule("invalid-date", "error", "not a date", "ไม่ใช่วันที่"),
    Rule("impossible-date", "error", "a date that does not exist", "วันที่ที่ไม่มีอยู่จริง"),
    Rule("date-era", "error", "a year in the wrong era", "ปีผิดศักราช"),
    Rule("invalid-datetime", "error", "not a date and time", "ไม่ใช่วันที่และเวลา"),
    Rule("invalid-thai-id", "error", "not a 13-digit ID", "ไม่ใช่เลข 13 หลัก"),
    Rule("invalid-juristic-id", "error", "not a 13-digit number", "ไม่ใช่เลข 13 หลัก"),
    Rule("invalid-latitude", "error", "not a latitude", "ไม่ใช่ค่าละติจูด"),
    Rule("invalid-longitude", "error", "not a longitude", "ไม่ใช่ค่าลองจิจูด"),
    Rule("unknown-admin-area", "error", "unknown area", "ไม่พบชื่อพื้นที่"),
    Rule("ambiguous-admin-area", "error", "ambiguous area name", "ชื่อพื้นที่ซ้ำกันหลายแห่ง"),
    # checks (this module)
    Rule("required", "error", "missing value", "ไม่มีข้อมูล"),
    Rule("unique", "error", "duplicate value", "ค่าซ้ำ"),
    Rule("primary-key", "error", "duplicate key", "คีย์หลักซ้ำ"),
    Rule("minimum", "error", "below the minimum", "ต่ำกว่าค่าต่ำสุด"),
    Rule("maximum", "error", "above the maximum", "สูงกว่าค่าสูงสุด"),
    Rule("min-length", "error", "too short", "สั้นเกินไป"),
    Rule("max-length", "error", "too long", "ยาวเกินไป"),
    Rule("enum", "error", "not an allowed value", "ไม่อยู่ในค่าที่อนุญาต"),
    Rule("pattern", "error", "does not match the pattern", "ไม่ตรงตามรูปแบบ"),
    Rule("thai-id-first-digit", "error", "wrong first digit", "หลักแรกไม่ถูกต้อง"),
    Rule("thai-id-checksum", "error", "wrong check digit", "เลขตรวจสอบไม่ถูกต้อง"),
    Rule("juristic-id-first-digit", "error", "wrong first digit", "หลักแรกไม่ถูกต้อง"),
    Rule("juristic-id-checksum", "error", "wrong check digit", "เลขตรวจสอบไม่ถูกต้อง"),
    Rule("email", "error", "not an e-mail address", "ไม่ใช่อีเมล"),
    Rule("url", "error", "not a web address", "ไม่ใช่ที่อยู่เว็บ"),
    Rule("phone", "error", "not a phone number", "ไม่ใช่หมายเลขโทรศัพท์"),
    Rule("latitude-range", "error", "latitude out of range", "ละติจูดเกินช่วง"),
    Rule("longitude-range", "error", "longitude out of range", "ลองจิจูดเกินช่วง"),
    Rule("outside-thailand", "warning", "outside Thailand", "อยู่นอกประเทศไทย"),
    Rule("geometry-unparsable", "error", "not GeoJSON", "ไม่ใช่ GeoJSON"),
    Rule("geometry-invalid", "error", "invalid geometry", "รูปร่างไม่ถูกต้อง"),
    Rule("formula", "error", "a spreadsheet formula", "สูตรสเปรดชีต"),
)
#: Every problem code, with its severity and a short title.
RULES: Final[dict[str, Rule]] = {rule.code: rule for rule in _RULE_LIST}

#: Thailand's bounding box (lon min, lat min, lon max, lat max), WGS 84.
THAILAND_BBOX: Final = (97.3, 5.6, 105.7, 20.5)

_EMAIL_RE: Final = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"
_URL_RE: Final = r"(?i)https?://([^\s/?#:@]+\.[^\s/?#:@]+|localhost)(:[0-9]{1,5})?([/?#]\S*)?"
_PHONE_RE: Final = r"0[0-9]{8,9}|1[0-9]{3}|\+[1-9][0-9]{6,14}"
#: A cell a spreadsheet would run: "=…"; "+", "-", "@" then a letter, "(" or a quote; or "+",
#: "-", "@" and later a "|" (a DDE payload such as "-2+3+cmd|' /C calc'!A0").
FORMULA_RE: Final = r"^(=.|[+\-@]\s*[A-Za-z_(\"']|[+\-@][^|]*\|)"


@dataclass
class CheckContext:
    con: duckdb.DuckDBPyConnection
    normalized: Normalized

    @property
    def schema(self) -> TableSchema:
        return self.normalized.schema

    def rel(self, i: int) -> str:
        """The relation to read column ``i`` from (joins its dictionary only when needed)."""
        return self.normalized.column_sql(i)

    def value(self, i: int) -> str:
        """The cell as text for a problem: raw text when kept, else the typed value."""
        col = self.schema.columns[i]
        return f"COALESCE(__nk_r{i}, CAST({q_ident(col.name)} AS VARCHAR))"

    @property
    def prefix(self) -> str:
        return self.normalized.prefix


def _json(data: dict[str, Any]) -> str:
    return q_str(json.dumps(data, ensure_ascii=False, default=str))


def _literal(col: ColumnSpec, value: Any) -> str:
    typed = col.parse_value(value)
    if col.type == "boolean":
        return "true" if typed else "false"
    if col.type == "integer":
        return str(int(typed))
    if col.type in ORDERED_TYPES and col.type not in ("date", "datetime"):
        return f"CAST({q_str(str(typed))} AS {col.duckdb_type()})"
    if col.type == "date":
        return f"DATE {q_str(typed.isoformat())}"
    if col.type == "datetime":
        return f"TIMESTAMP {q_str(typed.isoformat(sep=' '))}"
    return q_str(str(typed))


class Check:
    """A validation check. Subclasses give ``codes`` and ``queries``.

    ``rules``: the :class:`Rule` of each code that is not in :data:`RULES` (a plugin's own
    codes), with its severity and its English and Thai title.
    """

    codes: ClassVar[tuple[str, ...]] = ()
    rules: ClassVar[tuple[Rule, ...]] = ()

    def queries(self, ctx: CheckContext) -> Iterator[str]:
        """SELECTs of (_row, col, value, rule, params)."""
        return iter(())


class ColumnCheck(Check):
    """A check of one column at a time: ``applies`` and ``sql``."""

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return False

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        raise NotImplementedError

    def queries(self, ctx: CheckContext) -> Iterator[str]:
        for i, col in enumerate(ctx.schema.columns):
            if self.applies(col, ctx.schema):
                yield self.sql(ctx, i, col, q_ident(col.name))


class TypeConversion(Check):
    """Cells that could not be converted to the column's type (found by normalize)."""

    codes = tuple(code for code in RULES if code.startswith(("invalid-", "impossible-")))
    codes += ("date-era", "unknown-admin-area", "ambiguous-admin-area")

    def queries(self, ctx: CheckContext) -> Iterator[str]:
        yield ctx.normalized.errors_sql()


class Required(ColumnCheck):
    """``required`` columns and primary-key columns must not be empty."""

    codes = ("required",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.required or col.name in schema.primary_key

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return (
            f"SELECT _row, {i} AS col, NULL AS value, 'required' AS rule, NULL AS params "
            f"FROM {ctx.rel(i)} WHERE {c} IS NULL AND __nk_e{i} IS NULL"
        )


def _duplicates_sql(table: str, cols: list[str], col: int, rule: str) -> str:
    value = " || ' | ' || ".join(f"COALESCE(CAST(t.{c} AS VARCHAR), '')" for c in cols)
    keys = ", ".join(f"{c} AS k{n}" for n, c in enumerate(cols))
    names = ", ".join(f"k{n}" for n in range(len(cols)))
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in cols)
    return f"""
    SELECT * FROM (
        WITH dk AS (
            SELECT {keys} FROM {table} WHERE {not_null} GROUP BY ALL HAVING count(*) > 1
        ),
        dr AS (SELECT t._row, {value} AS value,
                      {", ".join(f"t.{c} AS k{n}" for n, c in enumerate(cols))}
               FROM {table} t SEMI JOIN dk ON {
        " AND ".join(f"t.{c} = dk.k{n}" for n, c in enumerate(cols))
    }),
        g AS (SELECT {names}, count(*) AS n, list(_row ORDER BY _row)[1:20] AS rows
              FROM dr GROUP BY ALL)
        SELECT dr._row, {col} AS col, dr.value, '{rule}' AS rule,
            to_json({{'count': g.n, 'rows': g.rows}}) AS params
        FROM dr JOIN g USING ({names})
    )
    """


class Unique(ColumnCheck):
    """``unique`` columns: every row of a duplicated value is reported, with the others."""

    codes = ("unique",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.unique and schema.primary_key != [col.name]

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return _duplicates_sql(ctx.rel(i), [c], i, "unique")


class PrimaryKey(Check):
    """The primary key (one or more columns) must be unique; each duplicate row is reported."""

    codes = ("primary-key",)

    def queries(self, ctx: CheckContext) -> Iterator[str]:
        pk = ctx.schema.primary_key
        if pk:
            first = ctx.schema.names.index(pk[0])
            rel = ctx.rel(first) if len(pk) == 1 else ctx.normalized.view
            yield _duplicates_sql(rel, [q_ident(n) for n in pk], first, "primary-key")


class Minimum(ColumnCheck):
    codes = ("minimum",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.minimum is not None

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        params = _json({"minimum": col.minimum})
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'minimum', {params} FROM {ctx.rel(i)} "
            f"WHERE {c} < {_literal(col, col.minimum)}"
        )


class Maximum(ColumnCheck):
    codes = ("maximum",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.maximum is not None

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        params = _json({"maximum": col.maximum})
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'maximum', {params} FROM {ctx.rel(i)} "
            f"WHERE {c} > {_literal(col, col.maximum)}"
        )


class MinLength(ColumnCheck):
    """Length in characters (a Thai vowel or tone mark counts as one)."""

    codes = ("min-length",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.min_length is not None

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'min-length', "
            f"to_json({{'min_length': {col.min_length}, 'length': length(CAST({c} AS VARCHAR))}}) "
            f"FROM {ctx.rel(i)} "
            f"WHERE length(CAST({c} AS VARCHAR)) < {col.min_length}"
        )


class MaxLength(ColumnCheck):
    codes = ("max-length",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.max_length is not None

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'max-length', "
            f"to_json({{'max_length': {col.max_length}, 'length': length(CAST({c} AS VARCHAR))}}) "
            f"FROM {ctx.rel(i)} "
            f"WHERE length(CAST({c} AS VARCHAR)) > {col.max_length}"
        )


class Enum(ColumnCheck):
    codes = ("enum",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return bool(col.enum)

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        assert col.enum
        allowed = ", ".join(_literal(col, value) for value in col.enum)
        params = _json({"allowed": col.enum[:20], "count": len(col.enum)})
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'enum', {params} FROM {ctx.rel(i)} "
            f"WHERE {c} NOT IN ({allowed})"
        )


class Pattern(ColumnCheck):
    codes = ("pattern",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return bool(col.pattern)

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        assert col.pattern
        params = _json({"pattern": col.pattern})
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'pattern', {params} FROM {ctx.rel(i)} "
            f"WHERE NOT regexp_full_match(CAST({c} AS VARCHAR), {q_str(col.pattern)})"
        )


def check_digit_sql(c: str) -> str:
    """The mod-11 check digit of a 13-digit ID (personal and juristic), in SQL.

    sum of digit_i × (13 − i) for i = 0..11; check = (11 − sum mod 11) mod 10.
    """
    total = " + ".join(f"(ascii({c}[{i + 1}]) - 48) * {13 - i}" for i in range(12))
    return f"((11 - ({total}) % 11) % 10)"


class ThaiIdChecksum(ColumnCheck):
    """Personal ID: first digit 1–8 and the mod-11 check digit (as ``stdnum.th.pin``)."""

    codes = ("thai-id-first-digit", "thai-id-checksum")
    kind = "thai_id"
    prefix = "thai-id"
    first_ok = "{c}[1] BETWEEN '1' AND '8'"

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.type == self.kind

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        check = check_digit_sql(c)
        return f"""
        SELECT * FROM (
            SELECT _row, {i} AS col, {ctx.value(i)} AS value,
                CASE WHEN NOT ({self.first_ok.format(c=c)}) THEN '{self.prefix}-first-digit'
                     WHEN ascii({c}[13]) - 48 <> {check} THEN '{self.prefix}-checksum' END AS rule,
                to_json({{'first': {c}[1], 'expected': {check}, 'found': {c}[13]}}) AS params
            FROM {ctx.rel(i)} WHERE {c} IS NOT NULL
        ) WHERE rule IS NOT NULL
        """


class JuristicIdChecksum(ThaiIdChecksum):
    """Juristic person number: first digit 0 and the same check digit (``stdnum.th.moa``)."""

    codes = ("juristic-id-first-digit", "juristic-id-checksum")
    kind = "juristic_id"
    prefix = "juristic-id"
    first_ok = "{c}[1] = '0'"


class _Shape(ColumnCheck):
    kind: ClassVar[str] = ""
    regex: ClassVar[str] = ""

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.type == self.kind

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, '{self.kind}', NULL FROM {ctx.rel(i)} "
            f"WHERE NOT regexp_full_match({c}, {q_str(self.regex)})"
        )


class EmailShape(_Shape):
    codes = ("email",)
    kind = "email"
    regex = _EMAIL_RE


class UrlShape(_Shape):
    """http(s) addresses only (no javascript:, file:…)."""

    codes = ("url",)
    kind = "url"
    regex = _URL_RE


class PhoneShape(_Shape):
    """Thai numbers after normalisation: 0 + 8–9 digits, 4-digit hotlines, or +country."""

    codes = ("phone",)
    kind = "phone"
    regex = _PHONE_RE


class CoordinateRange(ColumnCheck):
    """Latitude −90..90 / longitude −180..180 (error); outside Thailand's box (warning)."""

    codes = ("latitude-range", "longitude-range", "outside-thailand")

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.type in ("latitude", "longitude")

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        lon_min, lat_min, lon_max, lat_max = THAILAND_BBOX
        if col.type == "latitude":
            limit, low, high, other_low, other_high = 90, lat_min, lat_max, lon_min, lon_max
        else:
            limit, low, high, other_low, other_high = 180, lon_min, lon_max, lat_min, lat_max
        return f"""
        SELECT * FROM (
            SELECT _row, {i} AS col, {ctx.value(i)} AS value,
                CASE WHEN abs({c}) > {limit} THEN '{col.type}-range'
                     WHEN NOT {c} BETWEEN {low} AND {high} THEN 'outside-thailand' END AS rule,
                to_json({{'axis': '{col.type}', 'low': {low}, 'high': {high},
                          'swapped': {c} BETWEEN {other_low} AND {other_high}}}) AS params
            FROM {ctx.rel(i)} WHERE {c} IS NOT NULL
        ) WHERE rule IS NOT NULL
        """


class Formula(ColumnCheck):
    """Text cells a spreadsheet would run as a formula (CSV/Excel injection).

    Numeric columns are safe: "-5" converts to a number and anything else is already a
    conversion error (its typed value is NULL).
    """

    codes = ("formula",)

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.type in TEXT_TYPES

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'formula', NULL FROM {ctx.rel(i)} "
            f"WHERE regexp_matches({c}, {q_str(FORMULA_RE)})"
        )


class GeometryValid(ColumnCheck):
    """GeoJSON geometries must parse and be valid (OGC); outside Thailand's box is a warning.

    DuckDB spatial (``ST_GeomFromGeoJSON``, ``ST_IsValid``) finds the suspect rows over the
    whole column; shapely (``from_geojson``, ``is_valid_reason``) then explains them, vectorised
    in chunks ("Self-intersection[…]"). Without the spatial extension shapely does it all.
    """

    codes = ("geometry-unparsable", "geometry-invalid", "outside-thailand")
    chunk_rows: ClassVar[int] = 50_000

    def applies(self, col: ColumnSpec, schema: TableSchema) -> bool:
        return col.type == "geometry"

    def sql(self, ctx: CheckContext, i: int, col: ColumnSpec, c: str) -> str:
        import shapely

        con = ctx.con
        lon_min, lat_min, lon_max, lat_max = THAILAND_BBOX
        if _spatial(con):
            suspects = f"""
            SELECT _row, txt FROM (
                SELECT _row, {c} AS txt, try(ST_GeomFromGeoJSON({c})) AS g
                FROM {ctx.rel(i)} WHERE {c} IS NOT NULL
            ) WHERE g IS NULL OR NOT ST_IsValid(g) OR ST_XMax(g) < {lon_min}
                OR ST_XMin(g) > {lon_max} OR ST_YMax(g) < {lat_min} OR ST_YMin(g) > {lat_max}
            """
        else:
            suspects = f"SELECT _row, {c} AS txt FROM {ctx.rel(i)} WHERE {c} IS NOT NULL"
        out = f"{ctx.prefix}geo{i}"
        con.execute(
            f"CREATE OR REPLACE TABLE {out} "
            "(_row BIGINT, col INTEGER, value VARCHAR, rule VARCHAR, params VARCHAR)"
        )
        ctx.normalized.temporary.append(out)
        # a cursor of its own: ``con`` inserts the findings while the suspects stream in
        reader = con.cursor().execute(suspects).to_arrow_reader(self.chunk_rows)
        for batch in reader:
            rows = batch.column(0).to_numpy(zero_copy_only=False)
            texts = batch.column(1).to_numpy(zero_copy_only=False)
            geoms = shapely.from_geojson(texts, on_invalid="ignore")
            reasons = shapely.is_valid_reason(geoms)
            bounds = shapely.bounds(geoms)
            found_rows, values, rules, params = [], [], [], []
            for row, text, geom, reason, box in zip(
                rows, texts, geoms, reasons, bounds, strict=True
            ):
                if geom is None:
                    rule, detail = "geometry-unparsable", {}
                elif reason != "Valid Geometry":
                    rule, detail = "geometry-invalid", {"reason": reason}
                elif not shapely.is_empty(geom) and (
                    box[2] < lon_min or box[0] > lon_max or box[3] < lat_min or box[1] > lat_max
                ):
                    rule, detail = "outside-thailand", {"axis": "geometry"}
                else:
                    continue
                found_rows.append(int(row))
                values.append(text)
                rules.append(rule)
                params.append(json.dumps(detail, ensure_ascii=False))
            if found_rows:
                chunk = pa.table(
                    {
                        "_row": pa.array(found_rows, pa.int64()),
                        "col": pa.array([i] * len(found_rows), pa.int32()),
                        "value": pa.array(values, pa.string()),
                        "rule": rules,
                        "params": params,
                    }
                )
                view = f"{ctx.normalized.tag}geo_chunk"
                con.register(view, chunk)
                con.execute(f"INSERT INTO {out} SELECT * FROM {view}")
                con.unregister(view)
        return f"SELECT * FROM {out}"


def _spatial(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the spatial extension is (or can be) loaded on ``con`` from its wheel."""
    row = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'spatial'"
    ).fetchone()
    if row and row[0]:
        return True
    try:
        from nakhon.lake.duck import extension_path

        con.execute(f"LOAD '{extension_path('spatial')}'")
    except Exception:  # no wheel for this DuckDB: shapely does the work
        return False
    return True


#: The checks, in the order their problems are listed for a cell.
CHECKS: Final[tuple[Check, ...]] = (
    TypeConversion(),
    Required(),
    PrimaryKey(),
    Unique(),
    Minimum(),
    Maximum(),
    MinLength(),
    MaxLength(),
    Enum(),
    Pattern(),
    ThaiIdChecksum(),
    JuristicIdChecksum(),
    EmailShape(),
    UrlShape(),
    PhoneShape(),
    CoordinateRange(),
    GeometryValid(),
    Formula(),
)


def registered_checks() -> tuple[Check, ...]:
    """The checks of every plugin, the built-in :data:`CHECKS` first.

    A check whose codes are neither in :data:`RULES` nor in its own ``rules`` is refused with
    a ``ConfigError`` (its problems would have no severity nor title).
    """
    from nakhon.config.env import ConfigError
    from nakhon.plugins.manager import collect

    checks = tuple(collect("register_checks", Check))
    for check in checks:
        own = {rule.code for rule in check.rules}
        unknown = [code for code in check.codes if code not in RULES and code not in own]
        if unknown:
            raise ConfigError(
                f"the check {type(check).__name__} reports {', '.join(unknown)} without a Rule "
                "(give it in the check's `rules`)"
            )
        for rule in check.rules:
            if rule.severity not in ("error", "warning"):
                raise ConfigError(
                    f"the rule {rule.code} of the check {type(check).__name__} has the severity "
                    f"{rule.severity!r}: use error or warning"
                )
    return checks


def rule_of(code: str, checks: tuple[Check, ...] | None = None) -> Rule | None:
    """The rule of ``code``: a built-in one, or one a plugin's check declares."""
    if code in RULES:
        return RULES[code]
    for check in registered_checks() if checks is None else checks:
        for rule in check.rules:
            if rule.code == code:
                return rule
    return None


def run_checks(normalized: Normalized, *, checks: tuple[Check, ...] | None = None) -> str:
    """Run ``checks`` (default: :func:`registered_checks`) over the normalised table; returns the
    name of the problems table.

    Columns: ``row`` (BIGINT, the file's row number), ``col`` (position in the schema),
    ``column`` (header), ``value`` (the cell text as in the file for conversion problems, else
    the typed value as text; personal ID numbers masked), ``rule``, ``severity`` and ``params``
    (JSON). Primary-key problems name all key columns and join their values with " | ".
    """
    if checks is None:
        checks = registered_checks()
    ctx = CheckContext(normalized.con, normalized)
    schema = normalized.schema
    parts = [query for check in checks for query in check.queries(ctx)]
    union = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in parts)
    names = "[" + ", ".join(q_str(n) for n in schema.names) + "]"
    value = "p.value"
    masked = [i for i, c in enumerate(schema.columns) if c.type == "thai_id"]
    if masked:  # keep ID numbers out of reports, like nakhon.core.thai's messages
        value = (
            f"CASE WHEN p.col IN ({', '.join(map(str, masked))}) AND p.rule <> 'primary-key' "
            "AND length(p.value) > 6 "
            "THEN left(p.value, 5) || repeat('x', length(p.value) - 6) || right(p.value, 1) "
            "ELSE p.value END"
        )
    column = f"{names}[p.col + 1]"
    if schema.primary_key:
        pk_label = q_str(", ".join(schema.primary_key))
        column = f"CASE WHEN p.rule = 'primary-key' THEN {pk_label} ELSE {column} END"
    rules = {**{r.code: r for check in checks for r in check.rules}, **RULES}
    severity = (
        "CASE p.rule "
        + " ".join(f"WHEN {q_str(r.code)} THEN {q_str(r.severity)}" for r in rules.values())
        + " ELSE 'error' END"
    )
    table = f"{normalized.prefix}problems"
    with unordered(normalized.con):
        normalized.con.execute(
            f"""
            CREATE TABLE {table} AS
            SELECT p._row AS row, CAST(p.col AS INTEGER) AS col, {column} AS "column",
                {value} AS value, p.rule AS rule, {severity} AS severity, p.params AS params
            FROM (SELECT * FROM ({union}) u(_row, col, value, rule, params)) p
            """
        )
    normalized.temporary.append(table)
    return table
