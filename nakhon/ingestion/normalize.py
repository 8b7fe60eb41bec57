"""Text cells → typed values, in DuckDB SQL over the whole input at once (no per-row Python).

``normalize(con, data, schema)`` reads the input once into a DuckDB table and exposes a view
that holds, per row, ``_row``, every schema column converted to its type
(``ColumnSpec.duckdb_type()``) and, for every column, the code of the conversion problem
(``__nk_e<i>``, NULL when the cell converted or was empty), its parameters as JSON
(``__nk_p<i>``) and the cell's text when it failed (``__nk_r<i>``). A cell that cannot be
converted is NULL in the typed column and has exactly one conversion problem.

How it stays fast (the hot path of a 1M-row ingest):

* Numbers take a *fast path*: a cast (an integer must cast back to the same text), plus one
  DFA regular expression for "1,234.50". Only cells that miss it (surrounding spaces, Thai
  digits, ``฿``…) go through the full clean-up; ``translate`` and ``trim`` with a character set
  are slow per row, so even there they run only where a cheap regex finds work for them.
* The one pass over the input writes the table with ``preserve_insertion_order`` off (fully
  parallel); whatever needs file order sorts by ``_row``.
* Booleans, dates, datetimes and administrative names are parsed once per *distinct* value (a
  small dictionary table) and joined back: a date column of a million rows has a few thousand
  distinct texts, and parsing Thai dates needs a capture-group regex (slow per row).

Conversion problem codes (messages in ``report.py``): ``invalid-integer``, ``invalid-number``,
``invalid-decimal``, ``invalid-baht``, ``invalid-boolean``, ``invalid-date``,
``impossible-date``, ``date-era``, ``invalid-datetime``, ``invalid-thai-id``,
``invalid-juristic-id``, ``invalid-latitude``, ``invalid-longitude``, ``unknown-admin-area``,
``ambiguous-admin-area``.
"""

# SQL is assembled from identifiers and literals quoted by q_ident/q_str, never raw input.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import csv
import functools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.core import thai
from nakhon.core.thai import BE_OFFSET, THAI_MONTHS, THAI_MONTHS_ABBR
from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.schema import ADMIN_LEVELS, ColumnSpec, TableSchema

__all__ = [
    "SUBDISTRICTS_CSV",
    "WORK_DB",
    "Normalized",
    "load_admin_areas",
    "normalize",
    "q_ident",
    "q_str",
]

SUBDISTRICTS_CSV: Final = (
    Path(__file__).resolve().parents[1] / "core" / "data" / ("th_subdistricts_geothai.csv")
)

#: The in-memory database attached to a connection for the work tables.
WORK_DB: Final = "nk_work"

THAI_DIGITS: Final = "๐๑๒๓๔๕๖๗๘๙"
#: Spaces that are not ASCII (no-break, figure, narrow no-break, ideographic): become " ".
ODD_SPACES: Final = "\u00a0\u2007\u202f\u3000"
#: Invisible characters common in Thai text (word-break hints, BOM): removed.
INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff"
ASCII_SPACE: Final = " \t\r\n\x0b\x0c"
TRIM_CHARS: Final = ASCII_SPACE + ODD_SPACES + INVISIBLE

# Fast-path shapes (full match on the raw text, no surrounding spaces).
_INT_RE: Final = r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.0+)?"
_DEC_RE: Final = r"[+-]?(([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]*)?|\.[0-9]+)"
_NUM_RE: Final = _DEC_RE + r"([eE][+-]?[0-9]+)?"
_ID_RE: Final = "[0-9]{13}"
_BAD: Final = "'!'"  # a canonical text that no cast accepts

#: The Thai-date regex; its groups, in order, are named in ``_DATE_GROUPS``.
_DATE_RE: Final = (
    r"^(?:ณ\s*)?(?:วันที่\s*)?"
    r"(?:([0-9]{1,2})\s*(?:([/.\-])\s*([0-9]{1,2})\s*([/.\-])|([^0-9\s/.\-][^0-9]*?))\s*"
    r"(?:([พค])\.?\s?ศ\.?\s*)?([0-9]+)"
    r"|([0-9]{4})\s*([/.\-])\s*([0-9]{1,2})\s*([/.\-])\s*([0-9]{1,2}))"
    r"(?:(?:\s*,?\s*|\s*T\s*|\s+เวลา\s*)([0-9]{1,2})[:.]([0-9]{2})"
    r"(?:[:.]([0-9]{2})(?:\.([0-9]{1,6}))?)?\s*(?:น\.?|นาฬิกา)?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_DATE_GROUPS: Final = (
    "d",
    "s1",
    "mn",
    "s2",
    "mname",
    "era",
    "y",
    "iy",
    "is1",
    "im",
    "is2",
    "id",
    "hh",
    "mi",
    "ss",
    "fr",
    "tz",
)
_EN_MONTHS: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_EXTRA: Final = thai.MONTH_EXTRA_SPELLINGS
TRUE_WORDS: Final = ("true", "t", "yes", "y", "1", "ใช่", "มี", "จริง", "✓", "✔")
FALSE_WORDS: Final = ("false", "f", "no", "n", "0", "ไม่ใช่", "ไม่มี", "เท็จ", "ไม่", "✗", "✘")

_ADMIN_PREFIX_RE: Final = (
    r"^(ตำบล|ต\.|แขวง|อำเภอ|กิ่งอำเภอ|อ\.|เขต|จังหวัด|จ\.|"
    r"tambon|khwaeng|amphoe|amphur|king amphoe|khet|changwat)\s*"
)
_ADMIN_SUFFIX_RE: Final = r"\s*(sub-?district|district|province)$"
_BANGKOK_ALIASES: Final = ("กรุงเทพ", "กรุงเทพฯ", "กทม", "bangkok", "krungthep")


# --- SQL text helpers ---------------------------------------------------------------------------


def q_ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def q_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(q_str(value) for value in values) + "]"


_ODD_CLASS: Final = (
    "[\\x{e50}-\\x{e59}\\x{a0}\\x{2007}\\x{202f}\\x{3000}\\x{200b}-\\x{200d}\\x{2060}\\x{feff}]"
)


def clean_sql(x: str) -> str:
    """Thai digits → 0–9, odd spaces → " ", invisible characters removed, trimmed; '' → NULL.

    ``translate`` and ``trim`` with a character set are slow per cell, so each runs only where
    a (cheap, DFA) regular expression finds something for it to do.
    """
    source = THAI_DIGITS + ODD_SPACES + INVISIBLE
    target = "0123456789" + " " * len(ODD_SPACES)
    translated = (
        f"CASE WHEN regexp_matches({x}, '{_ODD_CLASS}') "
        f"THEN translate({x}, {q_str(source)}, {q_str(target)}) ELSE {x} END"
    )
    return (
        f"NULLIF(CASE WHEN regexp_matches({translated}, '^\\s|\\s$') "
        f"THEN trim({translated}, {q_str(ASCII_SPACE)}) ELSE {translated} END, '')"
    )


_TRIM_CLASS: Final = "[\\s\\x{a0}\\x{2007}\\x{202f}\\x{3000}\\x{200b}-\\x{200d}\\x{2060}\\x{feff}]"


def trim_sql(x: str) -> str:
    """Surrounding spaces (incl. no-break and zero-width) removed; '' → NULL. Text kept as is.

    ``trim`` with a character set is slow per row, so it runs only on cells that start or end
    with such a character (two anchored DFA tests).
    """
    return (
        f"CASE WHEN regexp_matches({x}, '^{_TRIM_CLASS}') OR regexp_matches({x}, '{_TRIM_CLASS}$') "
        f"THEN NULLIF(trim({x}, {q_str(TRIM_CHARS)}), '') ELSE NULLIF({x}, '') END"
    )


# --- admin areas --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _admin_areas_cached(path: str) -> pa.Table:
    provinces: dict[str, tuple[str, str]] = {}
    districts: dict[str, tuple[str, str, str]] = {}
    codes, levels, names_th, names_en, parents = [], [], [], [], []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            provinces.setdefault(row["province_code"], (row["province_th"], row["province_en"]))
            districts.setdefault(
                row["district_code"],
                (row["district_th"], row["district_en"], row["province_code"]),
            )
            codes.append(row["subdistrict_code"])
            levels.append("subdistrict")
            names_th.append(row["subdistrict_th"])
            names_en.append(row["subdistrict_en"])
            parents.append(row["district_code"])
    for code, (th, en) in provinces.items():
        codes.append(code)
        levels.append("province")
        names_th.append(th)
        names_en.append(en)
        parents.append(None)
    for code, (th, en, parent) in districts.items():
        codes.append(code)
        levels.append("district")
        names_th.append(th)
        names_en.append(en)
        parents.append(parent)
    return pa.table(
        {
            "code": pa.array(codes, pa.string()),
            "level": pa.array(levels, pa.string()),
            "name_th": pa.array(names_th, pa.string()),
            "name_en": pa.array(names_en, pa.string()),
            "parent_code": pa.array(parents, pa.string()),
        }
    )


def load_admin_areas(path: Path = SUBDISTRICTS_CSV) -> pa.Table:
    """Thai administrative areas as an Arrow table: code, level, name_th, name_en, parent_code.

    Built from GeoThai's flat subdistrict list (``nakhon/core/data``): 77 provinces (level
    ``province``, 2-digit code), 928 districts (``district``, 4 digits) and 7,436 subdistricts
    (``subdistrict``, 6 digits) — 8,441 rows, the same as ``core.AdminArea``.
    """
    return _admin_areas_cached(str(path))


def admin_key_sql(x: str) -> str:
    """The lookup key of an area name: lower case, no "ตำบล"/"อ."/"Tambon"… prefix, no spaces."""
    stripped = (
        f"regexp_replace(regexp_replace(lower({clean_sql(x)}), {q_str(_ADMIN_PREFIX_RE)}, ''), "
        f"{q_str(_ADMIN_SUFFIX_RE)}, '')"
    )
    return f"NULLIF(regexp_replace({stripped}, '[\\s.\\-''’]', '', 'g'), '')"


def admin_keys(areas: pa.Table) -> pa.Table:
    """The lookup keys of ``areas`` (code, level, k): names in Thai and English, codes, aliases.

    Computed with a private DuckDB connection; the national list's keys are cached.
    """
    with duckdb.connect() as con:
        con.register("areas", areas)
        return con.execute(
            f"""
            WITH a AS (SELECT code, level, name_th, name_en, parent_code FROM areas),
            keys AS (
                SELECT code, level, {admin_key_sql("name_th")} AS k FROM a
                UNION SELECT code, level, {admin_key_sql("name_en")} FROM a
                UNION SELECT code, level, code FROM a
                UNION SELECT a.code, a.level, unnest(['เมือง', 'mueang']) FROM a
                    JOIN a p ON p.code = a.parent_code
                    WHERE a.level = 'district' AND a.name_th = 'เมือง' || p.name_th
                UNION SELECT code, level, unnest({_sql_list(_BANGKOK_ALIASES)}) FROM a
                    WHERE level = 'province' AND code = '10'
            )
            SELECT DISTINCT code, level, k FROM keys WHERE k IS NOT NULL
            """
        ).to_arrow_table()


@functools.lru_cache(maxsize=1)
def _national_admin_keys() -> pa.Table:
    return admin_keys(load_admin_areas())


def register_admin_keys(
    con: duckdb.DuckDBPyConnection, admin_areas: pa.Table | None, name: str
) -> str:
    """Register the admin-area lookup keys on ``con`` as the view ``name``; returns ``name``."""
    keys = _national_admin_keys() if admin_areas is None else admin_keys(admin_areas)
    con.register(name, keys)
    return name


# --- per-type SQL ---------------------------------------------------------------------------------

_NUMBER_RULE: Final = {
    "integer": "invalid-integer",
    "number": "invalid-number",
    "decimal": "invalid-decimal",
    "baht": "invalid-baht",
    "latitude": "invalid-latitude",
    "longitude": "invalid-longitude",
}


def _number_sql(x: str, col: ColumnSpec, i: int) -> tuple[list[str], list[str], str]:
    """SQL for a number column in three steps: (first, second, typed value).

    Fast paths, no regex for the usual cell: a plain integer is one that casts to BIGINT and
    back to the same text; a plain float casts to DOUBLE; a decimal without thousands
    separators casts to DECIMAL, one with separators is checked by one DFA regex ("1,234.50"
    yes, "1,23" no). Only cells that miss are cleaned (Thai digits, odd spaces, "฿", "บาท",
    "°") into ``__nk_s<i>``: the text for a plain cast, NULL when empty, "!" when not a number.
    """
    kind = col.type
    target = col.duckdb_type()
    shape = {"integer": _INT_RE, "decimal": _DEC_RE, "baht": _DEC_RE}.get(kind, _NUM_RE)
    raw, fast = f"__nk_x{i}", f"__nk_f{i}"
    cleaned = clean_sql(raw)
    if kind in ("baht", "decimal"):
        cleaned = f"replace(replace({cleaned}, '฿', ''), 'บาท', '')"
    elif kind in ("latitude", "longitude"):
        cleaned = f"replace({cleaned}, '°', '')"
    cleaned = f"replace(replace({cleaned}, ' ', ''), '\u2212', '-')"
    slow = (
        f"CASE WHEN {cleaned} IS NULL THEN NULL "
        f"WHEN regexp_full_match({cleaned}, {q_str(shape)}) THEN replace({cleaned}, ',', '') "
        f"ELSE {_BAD} END"
    )
    if kind == "integer":
        fast_value = f"TRY_CAST({x} AS BIGINT)"
        fast_ok = f"CAST({fast} AS VARCHAR) = {raw}"
    elif kind in ("decimal", "baht"):
        fast_value = (
            f"CASE WHEN NOT contains({x}, ',') THEN TRY_CAST({x} AS {target}) "
            f"WHEN regexp_full_match({x}, {q_str(shape)}) "
            f"THEN TRY_CAST(replace({x}, ',', '') AS {target}) END"
        )
        fast_ok = f"{fast} IS NOT NULL"
    else:
        fast_value = f"TRY_CAST({x} AS DOUBLE)"
        fast_ok = f"{fast} IS NOT NULL"
    first = [f"{x} AS {raw}", f"{fast_value} AS {fast}"]
    second = [
        f"{fast_ok} AS __nk_ok{i}",
        f"CASE WHEN {fast_ok} THEN NULL ELSE {slow} END AS __nk_s{i}",
    ]
    value = f"CASE WHEN __nk_ok{i} THEN {fast} ELSE TRY_CAST(__nk_s{i} AS {target}) END"
    if target == "DOUBLE":
        value = f"CASE WHEN isfinite({value}) THEN {value} END"
    return first, second, value


def _id_canonical(x: str) -> str:
    compact = f"regexp_replace({clean_sql(x)}, '[\\s\\-\u2010-\u2015\u2212]', '', 'g')"
    slow = (
        f"CASE WHEN {clean_sql(x)} IS NULL THEN NULL "
        f"WHEN regexp_full_match({compact}, '{_ID_RE}') THEN {compact} ELSE {_BAD} END"
    )
    return f"CASE WHEN regexp_full_match({x}, '{_ID_RE}') THEN {x} ELSE {slow} END"


def _phone_canonical(x: str) -> str:
    """Digits only, +66 → 0, when the cell is a phone number; else the trimmed text."""
    digits = f"regexp_replace({clean_sql(x)}, '[\\s\\-().]', '', 'g')"
    local = (
        f"CASE WHEN starts_with({digits}, '+66') THEN '0' || substr({digits}, 4) "
        f"WHEN starts_with({digits}, '+') THEN {digits} ELSE {digits} END"
    )
    return (
        f"CASE WHEN regexp_full_match({x}, '0[0-9]{{8,9}}') THEN {x} "
        f"WHEN regexp_full_match({local}, '\\+?[0-9]+') THEN {local} ELSE {trim_sql(x)} END"
    )


def _month_lookup_sql(token: str) -> str:
    spellings: dict[str, int] = {}
    for month in range(1, 13):
        names = (
            THAI_MONTHS[month],
            THAI_MONTHS_ABBR[month],
            *_MONTH_EXTRA[month],
            _EN_MONTHS[month - 1],
            _EN_MONTHS[month - 1][:3],
        )
        for name in names:
            spellings.setdefault(name.replace(".", "").replace(" ", "").lower(), month)
    keys = list(spellings)
    months = "[" + ", ".join(str(spellings[k]) for k in keys) + "]"
    key = f"replace(replace(lower({token}), '.', ''), ' ', '')"
    return f"{months}[list_position({_sql_list(keys)}, {key})]"


def _date_dictionary_sql(values: str, col: ColumnSpec) -> str:
    """SELECT raw, v, e, p: each distinct text of a date/datetime column, parsed."""
    era = col.date_era
    is_dt = col.type == "datetime"
    invalid = "invalid-datetime" if is_dt else "invalid-date"
    groups = _sql_list(_DATE_GROUPS)
    return f"""
    WITH d0 AS (SELECT raw FROM {values}),
    d1 AS (SELECT raw, {clean_sql("raw")} AS c FROM d0),
    d2 AS (
        SELECT raw, c, regexp_extract(c, {q_str(_DATE_RE)}, {groups}) AS m FROM d1
        WHERE c IS NOT NULL
    ),
    d3 AS (
        SELECT raw, c, m,
            (m.d <> '' OR m.iy <> '') AS matched,
            (m.s1 = m.s2 AND m.is1 = m.is2) AS sep_ok,
            TRY_CAST(CASE WHEN m.d <> '' THEN m.d ELSE m.id END AS INTEGER) AS dd,
            CASE WHEN m.mname <> '' THEN {_month_lookup_sql("m.mname")}
                 WHEN m.mn <> '' THEN TRY_CAST(m.mn AS INTEGER)
                 ELSE TRY_CAST(m.im AS INTEGER) END AS mo,
            CASE WHEN m.y <> '' THEN m.y ELSE m.iy END AS yt,
            CASE m.era WHEN 'พ' THEN 'be' WHEN 'ค' THEN 'ce' ELSE {q_str(era)} END AS era,
            TRY_CAST(NULLIF(m.hh, '') AS INTEGER) AS hh,
            TRY_CAST(NULLIF(m.mi, '') AS INTEGER) AS mi,
            COALESCE(TRY_CAST(NULLIF(m.ss, '') AS INTEGER), 0) AS ss,
            COALESCE(TRY_CAST(NULLIF('0.' || m.fr, '0.') AS DOUBLE), 0) AS fr,
            CASE WHEN m.tz = '' THEN 420 WHEN m.tz = 'Z' THEN 0
                 ELSE (CASE WHEN m.tz[1] = '-' THEN -1 ELSE 1 END)
                      * (TRY_CAST(m.tz[2:3] AS INTEGER) * 60 + TRY_CAST(m.tz[-2:] AS INTEGER))
                 END AS tzmin
        FROM d2
    ),
    d4 AS (
        SELECT *, TRY_CAST(yt AS INTEGER) AS yn, length(yt) AS ylen FROM d3
    ),
    d5 AS (
        SELECT *,
            CASE WHEN ylen = 2 THEN (CASE WHEN era = 'ce' THEN 2000 + yn ELSE 2500 + yn - {
        BE_OFFSET
    } END)
                 WHEN ylen <> 4 THEN NULL
                 WHEN era = 'be' OR (era = 'auto' AND yn >= 2400)
                     THEN (CASE WHEN yn BETWEEN 2400 AND 2700 THEN yn - {BE_OFFSET} END)
                 ELSE (CASE WHEN yn BETWEEN 1857 AND 2157 THEN yn END) END AS cy,
            (ylen = 2 AND era <> 'ce')
                OR (ylen = 4 AND (era = 'be' OR (era = 'auto' AND yn >= 2400))) AS written_be,
            (ylen = 4 AND ((era = 'be' AND yn BETWEEN 1857 AND 2157)
                        OR (era = 'ce' AND yn BETWEEN 2400 AND 2700))) AS wrong_era
        FROM d4
    ),
    d6 AS (
        SELECT *,
            CASE WHEN cy IS NOT NULL AND mo BETWEEN 1 AND 12
                 THEN day(last_day(make_date(cy, mo, 1))) END AS days_in_month
        FROM d5
    ),
    d7 AS (
        SELECT raw, dd, mo, cy, yn, written_be, days_in_month, hh, mi, ss, fr, tzmin,
            CASE
                WHEN NOT matched OR NOT sep_ok THEN '{invalid}'
                WHEN mo IS NULL OR NOT mo BETWEEN 1 AND 12 THEN '{invalid}'
                WHEN wrong_era THEN 'date-era'
                WHEN cy IS NULL THEN '{invalid}'
                WHEN dd IS NULL OR NOT dd BETWEEN 1 AND days_in_month THEN 'impossible-date'
                WHEN hh IS NOT NULL AND NOT (hh BETWEEN 0 AND 23 AND mi BETWEEN 0 AND 59
                                             AND ss BETWEEN 0 AND 59) THEN '{invalid}'
                {
        ""
        if is_dt
        else "WHEN hh IS NOT NULL AND (hh <> 0 OR mi <> 0 OR ss <> 0 OR fr <> 0) "
        "THEN 'invalid-date'"
    }
            END AS e,
            CASE
                WHEN NOT matched OR NOT sep_ok THEN 'format'
                WHEN mo IS NULL OR NOT mo BETWEEN 1 AND 12 THEN 'month'
                WHEN cy IS NULL THEN 'year'
                WHEN hh IS NOT NULL THEN 'time'
            END AS reason
        FROM d6
    )
    SELECT raw,
        CASE WHEN e IS NULL THEN {
        "make_timestamp(cy, mo, dd, COALESCE(hh, 0), COALESCE(mi, 0), ss + fr) - to_minutes(tzmin)"
        if is_dt
        else "make_date(cy, mo, dd)"
    } END AS v,
        e,
        CASE
            WHEN e = 'impossible-date' THEN to_json({{
                'day': dd, 'month': mo, 'year': CASE WHEN written_be THEN cy + {
        BE_OFFSET
    } ELSE cy END,
                'era': CASE WHEN written_be THEN 'be' ELSE 'ce' END, 'days': days_in_month}})
            WHEN e = 'date-era' THEN to_json({{'year': yn, 'expected': {q_str(era)},
                'other': CASE WHEN {q_str(era)} = 'be' THEN yn + {BE_OFFSET} ELSE yn - {
        BE_OFFSET
    } END}})
            WHEN e IS NOT NULL THEN to_json({{'reason': reason, 'era': {q_str(era)}}})
        END AS p
    FROM d7
    UNION ALL
    SELECT raw, NULL, NULL, NULL FROM d1 WHERE c IS NULL
    """


def _boolean_dictionary_sql(values: str) -> str:
    return f"""
    WITH d0 AS (SELECT raw FROM {values}),
    d1 AS (SELECT raw, lower({clean_sql("raw")}) AS c FROM d0)
    SELECT raw,
        CASE WHEN c IN ({", ".join(map(q_str, TRUE_WORDS))}) THEN true
             WHEN c IN ({", ".join(map(q_str, FALSE_WORDS))}) THEN false END AS v,
        CASE WHEN c IS NOT NULL AND v IS NULL THEN 'invalid-boolean' END AS e,
        NULL::VARCHAR AS p
    FROM d1
    """


def _admin_dictionary_sql(values: str, col: ColumnSpec, keys: str, context: str | None) -> str:
    level = ADMIN_LEVELS[col.type]
    ctx = col.context or (context if col.type != "province" else None)
    in_ctx = f"starts_with(a.code, {q_str(ctx)})" if ctx else "true"
    ctx_json = q_str(ctx) if ctx else "NULL"
    return f"""
    WITH d0 AS (SELECT raw FROM {values}),
    d1 AS (SELECT raw, {admin_key_sql("raw")} AS k FROM d0),
    d2 AS (
        SELECT d1.raw, d1.k,
            count(DISTINCT a.code) FILTER (WHERE {in_ctx}) AS n,
            count(DISTINCT a.code) AS n_all,
            min(a.code) FILTER (WHERE {in_ctx}) AS code,
            list(DISTINCT a.code ORDER BY a.code) FILTER (WHERE {in_ctx}) AS codes
        FROM d1 LEFT JOIN {keys} a ON a.k = d1.k AND a.level = '{level}'
        GROUP BY d1.raw, d1.k
    )
    SELECT raw,
        CASE WHEN n = 1 THEN code END AS v,
        CASE WHEN k IS NULL THEN NULL WHEN n = 0 THEN 'unknown-admin-area'
             WHEN n > 1 THEN 'ambiguous-admin-area' END AS e,
        CASE WHEN k IS NOT NULL AND n <> 1 THEN to_json({{
            'level': '{level}', 'candidates': n, 'elsewhere': n_all - n,
            'codes': codes[1:5], 'context': {ctx_json}}}) END AS p
    FROM d2
    """


def distinct_values(con: duckdb.DuckDBPyConnection, src: str, x: str, name: str) -> str:
    """Create table ``name`` (raw) of the distinct non-null texts of ``x``; returns ``name``.

    A table, not a CTE: DuckDB would push the dictionary's filters on cleaned text down into
    the scan of the big table and clean every row instead of every distinct text.
    """
    with unordered(con):
        con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT DISTINCT {x} AS raw FROM {src} "
            f"WHERE {x} IS NOT NULL"
        )
    return name


DICTIONARY_TYPES: Final = frozenset({"boolean", "date", "datetime", *ADMIN_LEVELS})
ID_TYPES: Final = frozenset({"thai_id", "juristic_id"})


# --- the result ---------------------------------------------------------------------------------


@dataclass
class Normalized:
    """The outcome of :func:`normalize`: DuckDB tables on ``con`` named by ``prefix``.

    The tables live in the in-memory database :data:`WORK_DB` attached to ``con``, so that
    other cursors of the connection (which do not see its TEMP objects) can read them too.

    ``table`` is filled in one pass over the input: ``_row``; for each column ``i`` of the
    schema (``i`` = position in ``schema.columns``) the typed value and, for columns that can
    fail to convert (``rules``), the raw text ``__nk_r<i>`` of the cells that did; for
    dictionary columns (boolean, dates, admin areas) only the raw text, whose parsed value
    comes from the small table ``dictionaries[i]`` (raw → v, e, p). ``view`` joins them: every
    column typed, with ``__nk_e<i>`` (code), ``__nk_p<i>`` (JSON params) and ``__nk_r<i>``.
    """

    con: duckdb.DuckDBPyConnection
    schema: TableSchema
    prefix: str  # "nk_work.nk_<hex>_": tables
    tag: str  # "nk_<hex>_": names of views registered on ``con``
    table: str
    view: str
    dictionaries: dict[int, str]
    rules: dict[int, str]  # other columns that can fail to convert: their rule
    row_count: int
    temporary: list[str] = field(default_factory=list)  # tables and views to drop
    registered: list[str] = field(default_factory=list)  # views registered on ``con``

    def column_sql(self, i: int) -> str:
        """A relation with ``_row`` and column ``i`` typed (plus its __nk_ columns).

        Cheaper than ``view`` for one column: it joins only that column's dictionary.
        """
        col = self.schema.columns[i]
        if i not in self.dictionaries:
            return (
                f"(SELECT _row, {q_ident(col.name)}, {_rule_sql(self.rules, i)} AS __nk_e{i}, "
                f"{_raw_sql(self.rules, i)} AS __nk_r{i} FROM {self.table})"
            )
        return (
            f"(SELECT t._row, d.v AS {q_ident(col.name)}, d.e AS __nk_e{i}, "
            f"d.p AS __nk_p{i}, t.__nk_r{i} FROM {self.table} t "
            f"LEFT JOIN {self.dictionaries[i]} d ON d.raw = t.__nk_r{i})"
        )

    def typed_sql(self) -> str:
        cols = ", ".join(q_ident(c.name) for c in self.schema.columns)
        return f"SELECT _row, {cols} FROM {self.view}"

    def typed(self) -> duckdb.DuckDBPyRelation:
        """The typed rows (``_row`` and the schema's columns), problems included."""
        return self.con.sql(self.typed_sql() + " ORDER BY _row")

    def errors_sql(self) -> str:
        """SELECT _row, col (position), value (raw text), rule, params: conversion problems."""
        parts = []
        for i, _ in enumerate(self.schema.columns):
            if i in self.dictionaries:
                parts.append(
                    f"SELECT t._row, {i} AS col, t.__nk_r{i} AS value, d.e AS rule, d.p AS params "
                    f"FROM {self.table} t JOIN {self.dictionaries[i]} d ON d.raw = t.__nk_r{i} "
                    "WHERE d.e IS NOT NULL"
                )
            elif i in self.rules:
                parts.append(
                    f"SELECT _row, {i} AS col, __nk_r{i} AS value, '{self.rules[i]}' AS rule, "
                    f"NULL::VARCHAR AS params FROM {self.table} WHERE __nk_r{i} IS NOT NULL"
                )
        if not parts:
            return (
                "SELECT NULL::BIGINT AS _row, NULL::INTEGER AS col, NULL::VARCHAR AS value, "
                "NULL::VARCHAR AS rule, NULL::VARCHAR AS params WHERE false"
            )
        return " UNION ALL ".join(parts)

    def errors(self) -> duckdb.DuckDBPyRelation:
        """Conversion problems with the column name and the raw cell text."""
        names = _sql_list(self.schema.names)
        return self.con.sql(
            f"SELECT e._row, {names}[e.col + 1] AS column, e.value, e.rule, e.params "
            f"FROM ({self.errors_sql()}) e ORDER BY e._row, e.col"
        )

    def drop(self) -> None:
        """Drop the tables and views this normalisation made."""
        _drop(self.con, self.temporary, self.registered)


@contextlib.contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB write a table in any row order (faster, fully parallel); restored after."""
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    before = bool(row[0]) if row else True
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(before).lower()}")


def _rule_sql(rules: dict[int, str], i: int, alias: str = "") -> str:
    if i not in rules:
        return "NULL::VARCHAR"
    return f"CASE WHEN {alias}__nk_r{i} IS NOT NULL THEN '{rules[i]}' END"


def _raw_sql(rules: dict[int, str], i: int, alias: str = "") -> str:
    return f"{alias}__nk_r{i}" if i in rules else "NULL::VARCHAR"


def _drop(con: duckdb.DuckDBPyConnection, tables: list[str], views: list[str]) -> None:
    for name in reversed(tables):
        kind = "VIEW" if name.endswith("_view") else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS {name}")
    for name in views:
        con.unregister(name)  # Arrow views; also drops a temporary view of that name
    tables.clear()
    views.clear()


def _source(con: duckdb.DuckDBPyConnection, data: Any, tag: str, registered: list[str]) -> str:
    """A name DuckDB can scan once for ``data`` (Arrow is scanned in place, not copied)."""
    name = f"{tag}src"
    if isinstance(data, str):
        return data
    if isinstance(data, duckdb.DuckDBPyRelation):
        data.create_view(name, replace=True)
    else:
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        elif not isinstance(data, pa.Table | pa.RecordBatchReader):
            if not isinstance(data, Iterable):
                raise TypeError(f"cannot normalise {type(data).__name__}")
            data = _as_reader(data)
        con.register(name, data)
    registered.append(name)
    return name


def _as_reader(batches: Iterable[pa.RecordBatch]) -> pa.RecordBatchReader:
    iterator = iter(batches)
    try:
        first = next(iterator)
    except StopIteration:
        raise IngestError("empty-input", "The file has no rows.", "ไฟล์ไม่มีข้อมูล") from None

    def chain() -> Iterator[pa.RecordBatch]:
        yield first
        yield from iterator

    return pa.RecordBatchReader.from_batches(first.schema, chain())


def _column_types(con: duckdb.DuckDBPyConnection, src: str, data: Any) -> dict[str, str]:
    if isinstance(data, pa.RecordBatchReader | pa.Table | pa.RecordBatch):
        return {
            f.name: "VARCHAR" if pa.types.is_string(f.type) else str(f.type) for f in data.schema
        }
    if isinstance(data, str | duckdb.DuckDBPyRelation):
        return {row[0]: row[1] for row in con.execute(f"DESCRIBE {src}").fetchall()}
    return {}  # an iterator: its reader's schema is checked when registered


def normalize(
    con: duckdb.DuckDBPyConnection,
    data: Any,
    schema: TableSchema,
    *,
    admin_areas: pa.Table | None = None,
    context: str | None = None,
) -> Normalized:
    """Convert the text columns of ``data`` to the schema's types, in DuckDB, in one pass.

    ``data``: a ``pyarrow.Table``/``RecordBatch``/``RecordBatchReader`` or an iterator of
    batches (the reader contract), a DuckDB relation, or the name of a table/view on ``con``. It
    is read once. It must have ``_row`` and every schema column (extra columns are ignored); a
    missing column raises :class:`IngestError` (``missing-column``). ``admin_areas`` is the
    lookup for province/amphoe/tambon columns (default :func:`load_admin_areas`); ``context``
    is the DOPA code of the dataset's province (or amphoe) that names are resolved within when
    the column has no ``context`` of its own.
    """
    tag = f"nk_{uuid.uuid4().hex[:10]}_"
    prefix = f"{WORK_DB}.{tag}"
    temporary: list[str] = []
    registered: list[str] = []
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {WORK_DB}")
    try:
        if not isinstance(
            data, str | duckdb.DuckDBPyRelation | pa.Table | pa.RecordBatch | pa.RecordBatchReader
        ):
            data = _as_reader(data)
        src = _source(con, data, tag, registered)
        available = _column_types(con, src, data)
        missing = [c.name for c in schema.columns if c.name not in available]
        if "_row" not in available:
            missing.insert(0, "_row")
        if missing:
            listed = ", ".join(missing)
            raise IngestError(
                "missing-column",
                f"The file has no column {listed} that the schema needs.",
                f"ไฟล์ไม่มีคอลัมน์ {listed} ที่กำหนดไว้ในโครงสร้างข้อมูล",
                column=missing[0],
            )

        # 1. one pass over the input: typed values (fast paths), problem codes, raw text
        first: list[str] = ["_row"]
        second: list[str] = ["*"]
        outer: list[str] = ["_row"]
        rules: dict[int, str] = {}  # conversion rule of the columns that keep __nk_r<i>
        for i, col in enumerate(schema.columns):
            name = q_ident(col.name)
            x = name if available[col.name] == "VARCHAR" else f"CAST({name} AS VARCHAR)"
            if col.type in DICTIONARY_TYPES:
                first.append(f"{x} AS __nk_r{i}")
                outer.append(f"__nk_r{i}")
                continue
            if col.type in _NUMBER_RULE:
                one, two, value = _number_sql(x, col, i)
                first += one
                second += two
                rules[i] = _NUMBER_RULE[col.type]
                outer += [
                    f"{value} AS {name}",
                    f"CASE WHEN {name} IS NULL AND (__nk_ok{i} OR __nk_s{i} IS NOT NULL) "
                    f"THEN __nk_x{i} END AS __nk_r{i}",
                ]
            elif col.type in ID_TYPES:
                first += [f"{x} AS __nk_x{i}", f"{_id_canonical(x)} AS __nk_s{i}"]
                rules[i] = "invalid-thai-id" if col.type == "thai_id" else "invalid-juristic-id"
                outer += [
                    f"NULLIF(__nk_s{i}, {_BAD}) AS {name}",
                    f"CASE WHEN __nk_s{i} = {_BAD} THEN __nk_x{i} END AS __nk_r{i}",
                ]
            else:
                value = _phone_canonical(x) if col.type == "phone" else trim_sql(x)
                first.append(f"{value} AS __nk_s{i}")
                outer.append(f"__nk_s{i} AS {name}")
        table = f"{prefix}typed"
        with unordered(con):  # rows are sorted by _row where order matters
            con.execute(
                f"CREATE TABLE {table} AS SELECT {', '.join(outer)} FROM ("
                f"SELECT {', '.join(second)} FROM (SELECT {', '.join(first)} FROM {src}))"
            )
        temporary.append(table)
        for name in registered:  # the input has been read
            con.unregister(name)
        registered.clear()

        # 2. dictionary columns: parse each distinct text once
        keys = None
        if any(c.type in ADMIN_LEVELS for c in schema.columns):
            keys = register_admin_keys(con, admin_areas, f"{tag}admin_keys")
            registered.append(keys)
        dictionaries: dict[int, str] = {}
        for i, col in enumerate(schema.columns):
            if col.type not in DICTIONARY_TYPES:
                continue
            values = distinct_values(con, table, f"__nk_r{i}", f"{prefix}v{i}")
            temporary.append(values)
            if col.type == "boolean":
                body = _boolean_dictionary_sql(values)
            elif col.type in ("date", "datetime"):
                body = _date_dictionary_sql(values, col)
            else:
                assert keys is not None
                body = _admin_dictionary_sql(values, col, keys, context)
            dictionaries[i] = f"{prefix}d{i}"
            con.execute(f"CREATE TABLE {dictionaries[i]} AS {body}")
            temporary.append(dictionaries[i])

        # 3. the typed view
        select = ["t._row"]
        joins = []
        for i, col in enumerate(schema.columns):
            name = q_ident(col.name)
            if i in dictionaries:
                joins.append(f"LEFT JOIN {dictionaries[i]} d{i} ON d{i}.raw = t.__nk_r{i}")
                select += [
                    f"d{i}.v AS {name}",
                    f"d{i}.e AS __nk_e{i}",
                    f"d{i}.p AS __nk_p{i}",
                    f"t.__nk_r{i}",
                ]
            else:
                select += [
                    f"t.{name}",
                    f"{_rule_sql(rules, i, 't.')} AS __nk_e{i}",
                    f"NULL::VARCHAR AS __nk_p{i}",
                    f"{_raw_sql(rules, i, 't.')} AS __nk_r{i}",
                ]
        view = f"{prefix}view"
        con.execute(
            f"CREATE VIEW {view} AS SELECT {', '.join(select)} FROM {table} t {' '.join(joins)}"
        )
        temporary.append(view)
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return Normalized(
            con=con,
            schema=schema,
            prefix=prefix,
            tag=tag,
            table=table,
            view=view,
            dictionaries=dictionaries,
            rules=rules,
            row_count=int(row[0]) if row else 0,
            temporary=temporary,
            registered=registered,
        )
    except BaseException:
        _drop(con, temporary, registered)
        raise
