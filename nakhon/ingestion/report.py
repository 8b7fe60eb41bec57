"""The validation report: counts, the first problems with Thai and English messages, exports.

The full problem list stays in a DuckDB table (made by ``checks.run_checks``); the report reads
summaries from it and streams it to CSV/JSON in batches, so a million problems cost no Python
memory. Row numbers are the file's own (``_row``), columns the file's headers.
"""

# SQL is assembled from identifiers and literals quoted by q_ident/q_str, never raw input.
# ruff: noqa: S608

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.core import thai
from nakhon.core.thai import THAI_MONTHS
from nakhon.ingestion.checks import RULES, rule_of

__all__ = ["PROBLEM_FIELDS", "Report", "describe", "escape_formula", "format_message"]

PROBLEM_FIELDS: Final = (
    "row",
    "column",
    "value",
    "rule",
    "severity",
    "message_en",
    "message_th",
)
_EN_MONTHS: Final = thai.EN_MONTHS
_LEVEL_EN: Final = {"province": "province", "district": "amphoe", "subdistrict": "tambon"}
_LEVEL_TH: Final = {"province": "จังหวัด", "district": "อำเภอ", "subdistrict": "ตำบล"}
_DATE_HINT_EN: Final = "write e.g. 3 มี.ค. 2560, 03/03/2560 or 2560-03-03"
_DATE_HINT_TH: Final = "ควรเป็น เช่น 3 มี.ค. 2560, 03/03/2560 หรือ 2560-03-03"


def escape_formula(value: Any) -> Any:
    """A cell that a spreadsheet would run as a formula, made inert with a leading "'"."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _show(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(params: dict[str, Any], row: int | None) -> tuple[str, int]:
    others = [r for r in params.get("rows") or [] if r != row]
    listed = ", ".join(str(r) for r in others[:10])
    if len(others) > 10 or int(params.get("count") or 0) > len(others) + 1:
        listed += ", …"
    return listed, int(params.get("count") or len(others) + 1)


def describe(
    rule: str, value: Any, params: dict[str, Any], row: int | None = None
) -> tuple[str, str]:
    """What is wrong with ``value``, in English and Thai (without the row/column prefix)."""
    v = _show(value)
    p = params
    if rule in ("invalid-integer",):
        return f"{v} is not a whole number", f"{v} ไม่ใช่จำนวนเต็ม"
    if rule in ("invalid-number", "invalid-decimal"):
        return f"{v} is not a number", f"{v} ไม่ใช่ตัวเลข"
    if rule == "invalid-baht":
        return (
            f"{v} is not an amount of baht (write e.g. 1,234.50)",
            f"{v} ไม่ใช่จำนวนเงิน (ควรเป็น เช่น 1,234.50)",
        )
    if rule == "invalid-boolean":
        return (
            f"{v} is not yes or no (use ใช่/ไม่ใช่, มี/ไม่มี, yes/no, true/false or 1/0)",
            f"{v} ไม่ใช่ค่าใช่หรือไม่ใช่ (ใช้ ใช่/ไม่ใช่, มี/ไม่มี, yes/no, true/false หรือ 1/0)",
        )
    if rule in ("invalid-date", "invalid-datetime"):
        what_en = "a date and time" if rule == "invalid-datetime" else "a date"
        what_th = "วันที่และเวลา" if rule == "invalid-datetime" else "วันที่"
        reason = p.get("reason")
        if reason == "month":
            return f"{v} is not {what_en} (unknown month)", f"{v} ไม่ใช่{what_th} (ไม่รู้จักเดือน)"
        if reason == "year":
            if p.get("era") == "ce":
                span_en, span_th = "CE 1857–2157", "ค.ศ. 1857–2157"
            else:
                span_en, span_th = "BE 2400–2700 (2 or 4 digits)", "พ.ศ. 2400–2700 (2 หรือ 4 หลัก)"
            return (
                f"{v} is not {what_en} (the year must be {span_en})",
                f"{v} ไม่ใช่{what_th} (ปีต้องอยู่ในช่วง {span_th})",
            )
        if reason == "time":
            if rule == "invalid-date":
                return (
                    f"{v} is not a date (it has a time of day)",
                    f"{v} ไม่ใช่วันที่ (มีเวลาอยู่ด้วย)",
                )
            return (
                f"{v} is not a date and time (no such time of day)",
                f"{v} ไม่ใช่วันที่และเวลา (เวลาไม่ถูกต้อง)",
            )
        hint_en = _DATE_HINT_EN + (" 14:05" if rule == "invalid-datetime" else "")
        hint_th = _DATE_HINT_TH + (" 14:05 น." if rule == "invalid-datetime" else "")
        return f"{v} is not {what_en} ({hint_en})", f"{v} ไม่ใช่{what_th} ({hint_th})"
    if rule == "impossible-date":
        month = int(p.get("month") or 0)
        year, days = p.get("year"), p.get("days")
        en_month = _EN_MONTHS[month] if 1 <= month <= 12 else str(month)
        th_month = THAI_MONTHS[month] if 1 <= month <= 12 else str(month)
        return (
            f"{v} is not a date ({en_month} {year} has {days} days)",
            f"{v} ไม่ใช่วันที่ที่มีอยู่จริง (เดือน{th_month} {year} มี {days} วัน)",
        )
    if rule == "date-era":
        year, other = p.get("year"), p.get("other")
        if p.get("expected") == "ce":
            return (
                f"{v} has the year {year}, which looks like a Buddhist-era (BE) year, but "
                f"Christian-era (CE) years are expected (BE {year} is CE {other})",
                f"{v} ปี {year} ดูเหมือนเป็นปี พ.ศ. แต่คอลัมน์นี้ใช้ปี ค.ศ. (พ.ศ. {year} ตรงกับ ค.ศ. {other})",
            )
        return (
            f"{v} has the year {year}, which looks like a Christian-era (CE) year, but "
            f"Buddhist-era (BE) years are expected (CE {year} is BE {other})",
            f"{v} ปี {year} ดูเหมือนเป็นปี ค.ศ. แต่คอลัมน์นี้ใช้ปี พ.ศ. (ค.ศ. {year} ตรงกับ พ.ศ. {other})",
        )
    if rule in ("invalid-thai-id", "invalid-juristic-id"):
        return (
            f"{v} is not a 13-digit number",
            f"{v} ไม่ใช่เลข 13 หลัก",
        )
    if rule in ("invalid-latitude", "invalid-longitude"):
        axis_en = rule.removeprefix("invalid-")
        axis_th = "ละติจูด" if axis_en == "latitude" else "ลองจิจูด"
        return (
            f"{v} is not a {axis_en} in decimal degrees",
            f"{v} ไม่ใช่ค่า{axis_th}แบบทศนิยม (องศา)",
        )
    if rule in ("unknown-admin-area", "ambiguous-admin-area"):
        level = str(p.get("level") or "subdistrict")
        lv_en, lv_th = _LEVEL_EN.get(level, level), _LEVEL_TH.get(level, level)
        context = p.get("context")
        where_en = f" in area {context}" if context else ""
        where_th = f" ในพื้นที่รหัส {context}" if context else ""
        if rule == "unknown-admin-area":
            elsewhere = int(p.get("elsewhere") or 0)
            more_en = f"; {elsewhere} elsewhere in Thailand" if context and elsewhere else ""
            more_th = f" (พบในพื้นที่อื่น {elsewhere} แห่ง)" if context and elsewhere else ""
            return (
                f"{v} is not a known {lv_en}{where_en}{more_en}",
                f"ไม่พบ{lv_th} {v}{where_th}{more_th}",
            )
        count = int(p.get("candidates") or 0)
        codes = ", ".join(p.get("codes") or [])
        return (
            f"{v} matches {count} {lv_en}s{where_en} ({codes}); write its DOPA code instead",
            f"{v} ตรงกับ{lv_th} {count} แห่ง{where_th} ({codes}) โปรดระบุเป็นรหัสพื้นที่แทน",
        )
    if rule == "required":
        return (
            "the cell is empty, but this column is required",
            "ช่องนี้ว่าง แต่คอลัมน์นี้ต้องมีข้อมูล",
        )
    if rule in ("unique", "primary-key"):
        listed, count = _rows(p, row)
        key_en = "the key " if rule == "primary-key" else ""
        key_th = "คีย์หลัก " if rule == "primary-key" else ""
        rows_en = "row" if "," not in listed else "rows"
        return (
            f"{key_en}{v} also appears in {rows_en} {listed} ({count} rows in all)",
            f"{key_th}{v} ซ้ำกับแถวที่ {listed} (รวม {count} แถว)",
        )
    if rule == "minimum":
        return (
            f"{v} is below the minimum {p.get('minimum')}",
            f"{v} น้อยกว่าค่าต่ำสุด {p.get('minimum')}",
        )
    if rule == "maximum":
        return (
            f"{v} is above the maximum {p.get('maximum')}",
            f"{v} มากกว่าค่าสูงสุด {p.get('maximum')}",
        )
    if rule == "min-length":
        return (
            f"{v} has {p.get('length')} characters; at least {p.get('min_length')} are needed",
            f"{v} มี {p.get('length')} ตัวอักษร ต้องมีอย่างน้อย {p.get('min_length')}",
        )
    if rule == "max-length":
        return (
            f"{v} has {p.get('length')} characters; at most {p.get('max_length')} are allowed",
            f"{v} มี {p.get('length')} ตัวอักษร ต้องไม่เกิน {p.get('max_length')}",
        )
    if rule == "enum":
        allowed = ", ".join(str(a) for a in p.get("allowed") or [])
        if int(p.get("count") or 0) > len(p.get("allowed") or []):
            allowed += ", …"
        return (
            f"{v} is not one of the allowed values: {allowed}",
            f"{v} ไม่อยู่ในค่าที่อนุญาต: {allowed}",
        )
    if rule == "pattern":
        return (
            f"{v} does not match the pattern {p.get('pattern')}",
            f"{v} ไม่ตรงกับรูปแบบ {p.get('pattern')}",
        )
    if rule in ("thai-id-first-digit", "juristic-id-first-digit"):
        personal = rule.startswith("thai")
        return (
            f"{v} is not a valid {'Thai personal ID' if personal else 'juristic person number'}: "
            f"the first digit is {p.get('first')}; they start with {'1–8' if personal else '0'}",
            f"{v} ไม่ใช่{'เลขประจำตัวประชาชน' if personal else 'เลขทะเบียนนิติบุคคล'}ที่ถูกต้อง: "
            f"หลักแรกเป็น {p.get('first')} ต้องขึ้นต้นด้วย {'1–8' if personal else '0'}",
        )
    if rule in ("thai-id-checksum", "juristic-id-checksum"):
        personal = rule.startswith("thai")
        return (
            f"{v} is not a valid {'Thai personal ID' if personal else 'juristic person number'}: "
            f"the check digit (the last digit) is {p.get('found')} but should be "
            f"{p.get('expected')}",
            f"{v} ไม่ใช่{'เลขประจำตัวประชาชน' if personal else 'เลขทะเบียนนิติบุคคล'}ที่ถูกต้อง: "
            f"เลขตรวจสอบ (หลักสุดท้าย) เป็น {p.get('found')} แต่ควรเป็น {p.get('expected')}",
        )
    if rule == "email":
        return f"{v} is not an e-mail address", f"{v} ไม่ใช่อีเมลที่ถูกต้อง"
    if rule == "url":
        return (
            f"{v} is not a web address (http:// or https://)",
            f"{v} ไม่ใช่ที่อยู่เว็บ (http:// หรือ https://)",
        )
    if rule == "phone":
        return (
            f"{v} is not a phone number (e.g. 081-234-5678 or 02-123-4567)",
            f"{v} ไม่ใช่หมายเลขโทรศัพท์ (เช่น 081-234-5678 หรือ 02-123-4567)",
        )
    if rule in ("latitude-range", "longitude-range"):
        axis = rule.removesuffix("-range")
        limit = 90 if axis == "latitude" else 180
        swap_en = "; latitude and longitude may be swapped" if p.get("swapped") else ""
        swap_th = " (อาจสลับละติจูดกับลองจิจูด)" if p.get("swapped") else ""
        axis_th = "ละติจูด" if axis == "latitude" else "ลองจิจูด"
        return (
            f"{v} is not a {axis} (it must be between −{limit} and {limit}){swap_en}",
            f"{v} ไม่ใช่ค่า{axis_th} (ต้องอยู่ระหว่าง −{limit} ถึง {limit}){swap_th}",
        )
    if rule == "outside-thailand":
        if p.get("axis") == "geometry":
            return "the geometry lies outside Thailand", "รูปร่างอยู่นอกประเทศไทย"
        swap_en = "; latitude and longitude may be swapped" if p.get("swapped") else ""
        swap_th = " (อาจสลับละติจูดกับลองจิจูด)" if p.get("swapped") else ""
        return (
            f"{v} is outside Thailand ({p.get('axis')} {p.get('low')}–{p.get('high')}){swap_en}",
            f"{v} อยู่นอกประเทศไทย (ช่วง {p.get('low')}–{p.get('high')}){swap_th}",
        )
    if rule == "geometry-unparsable":
        return f"{v} is not a GeoJSON geometry", f"{v} ไม่ใช่รูปร่างแบบ GeoJSON"
    if rule == "geometry-invalid":
        return (
            f"the geometry is not valid: {p.get('reason')}",
            f"รูปร่างไม่ถูกต้อง: {p.get('reason')}",
        )
    if rule == "formula":
        return (
            f"{v} looks like a spreadsheet formula, which could run when the file is opened "
            "in a spreadsheet; remove the leading sign or rewrite the text",
            f"{v} มีลักษณะเป็นสูตรสเปรดชีต ซึ่งอาจทำงานเมื่อเปิดไฟล์ในโปรแกรมสเปรดชีต "
            "โปรดลบเครื่องหมายนำหน้าหรือแก้ข้อความ",
        )
    title = RULES.get(rule) or rule_of(rule)  # a plugin's check brings its own rules
    return (
        f"{v}: {title.title_en if title else rule}",
        f"{v}: {title.title_th if title else rule}",
    )


def format_message(
    rule: str, row: int | None, column: str, value: Any, params: dict[str, Any]
) -> tuple[str, str]:
    """The full messages: "Row 15, column วันที่สำรวจ: … ." and "แถวที่ 15 คอลัมน์ …"."""
    en, th = describe(rule, value, params, row)
    return f"Row {row}, column {column}: {en}.", f"แถวที่ {row} คอลัมน์ {column}: {th}"


@functools.lru_cache(maxsize=4096)
def _params(text: str) -> dict[str, Any]:
    """Parsed params (shared: never modified); most problems repeat a few params texts."""
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _problem(record: dict[str, Any]) -> dict[str, Any]:
    params = _params(record["params"]) if record.get("params") else {}
    en, th = format_message(
        record["rule"], record["row"], record["column"], record["value"], params
    )
    return {
        "row": record["row"],
        "column": record["column"],
        "value": record["value"],
        "rule": record["rule"],
        "severity": record["severity"],
        "message_en": en,
        "message_th": th,
    }


@dataclass
class Report:
    """What validation found. Built by :meth:`from_table` over a problems table.

    ``problems`` are the first ``max_problems`` (by row, then column) as dicts with
    :data:`PROBLEM_FIELDS`; ``counts`` the number of problems per (rule, column). A row is
    *valid* when it has no problem of severity ``error`` (warnings do not block).
    """

    total_rows: int
    valid_rows: int
    error_rows: int
    warning_rows: int
    problem_count: int
    counts: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    max_problems: int = 100
    con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    table: str | None = None  # the full problem list (DuckDB)
    bad_rows_table: str | None = None  # _row of every row with an error
    on_close: Callable[[], None] | None = field(default=None, repr=False)

    @classmethod
    def from_table(
        cls,
        con: duckdb.DuckDBPyConnection,
        table: str,
        *,
        total_rows: int,
        max_problems: int = 100,
        on_close: Callable[[], None] | None = None,
    ) -> Report:
        bad = f"{table}_bad"
        con.execute(
            f"CREATE OR REPLACE TABLE {bad} AS "
            f"SELECT DISTINCT row AS _row FROM {table} WHERE severity = 'error'"
        )
        summary = con.execute(
            f"SELECT count(*), count(DISTINCT row) FILTER (WHERE severity = 'warning') FROM {table}"
        ).fetchone()
        bad_count = con.execute(f"SELECT count(*) FROM {bad}").fetchone()
        problem_count, warning_rows = (int(summary[0]), int(summary[1])) if summary else (0, 0)
        error_rows = int(bad_count[0]) if bad_count else 0
        counts = [
            {"rule": rule, "column": column, "severity": severity, "count": int(count)}
            for rule, column, severity, count in con.execute(
                f'SELECT rule, "column", severity, count(*) FROM {table} '
                "GROUP BY ALL ORDER BY min(col), rule"
            ).fetchall()
        ]
        first = [
            _problem(record)
            for record in _records(
                con.execute(
                    f'SELECT row, "column", value, rule, severity, params FROM {table} '
                    f"ORDER BY row, col, rule LIMIT {int(max_problems)}"
                )
            )
        ]
        return cls(
            total_rows=total_rows,
            valid_rows=total_rows - error_rows,
            error_rows=error_rows,
            warning_rows=warning_rows,
            problem_count=problem_count,
            counts=counts,
            problems=first,
            max_problems=max_problems,
            con=con,
            table=table,
            bad_rows_table=bad,
            on_close=on_close,
        )

    @property
    def ok(self) -> bool:
        """No row has an error (warnings allowed)."""
        return self.error_rows == 0

    @property
    def blocking(self) -> bool:
        """Some row has an error: not everything can be published."""
        return self.error_rows > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "error_rows": self.error_rows,
            "warning_rows": self.warning_rows,
            "problem_count": self.problem_count,
            "blocking": self.blocking,
            "counts": self.counts,
            "problems": self.problems,
            "problems_truncated": self.problem_count > len(self.problems),
        }

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    # -- the whole problem list ------------------------------------------------------------

    def _need_table(self) -> tuple[duckdb.DuckDBPyConnection, str]:
        if self.con is None or self.table is None:
            raise RuntimeError("this report has no problem table (it was closed or rebuilt)")
        return self.con, self.table

    def iter_problems(self, *, batch_rows: int = 50_000) -> Iterator[dict[str, Any]]:
        """Every problem, by row then column, with messages; streamed from DuckDB."""
        con, table = self._need_table()
        cursor = con.cursor()  # its own cursor: the caller may use ``con`` meanwhile
        reader = cursor.execute(
            f'SELECT row, "column", value, rule, severity, params FROM {table} '
            "ORDER BY row, col, rule"
        ).to_arrow_reader(batch_rows)
        for batch in reader:
            for record in batch.to_pylist():
                yield _problem(record)

    def write_csv(self, target: str | Path | IO[bytes]) -> None:
        """The whole problem list as CSV: UTF-8 with BOM (Excel shows Thai), formulas escaped."""
        with _binary(target) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(PROBLEM_FIELDS)
            for problem in self.iter_problems():
                writer.writerow([escape_formula(problem[name]) for name in PROBLEM_FIELDS])
            text.flush()
            text.detach()

    def write_json(self, target: str | Path | IO[bytes]) -> None:
        """The summary and the whole problem list as one JSON document, streamed."""
        summary = self.to_dict()
        summary.pop("problems")
        summary.pop("problems_truncated")
        with _binary(target) as raw:
            head = json.dumps(summary, ensure_ascii=False)[:-1] + ', "problems": ['
            raw.write(head.encode())
            for n, problem in enumerate(self.iter_problems()):
                raw.write(
                    (b",\n" if n else b"\n") + json.dumps(problem, ensure_ascii=False).encode()
                )
            raw.write(b"\n]}\n")

    # -- splitting valid rows from rows with errors ----------------------------------------

    def valid_rows_sql(self, relation: str) -> str:
        """SELECT the rows of ``relation`` (with ``_row``) that have no error."""
        if self.error_rows == 0:
            return f"SELECT * FROM {relation}"
        return f"SELECT * FROM {relation} ANTI JOIN {self.bad_rows_table} b USING (_row)"

    def error_rows_sql(self, relation: str) -> str:
        """SELECT the rows of ``relation`` that have at least one error (to quarantine)."""
        return f"SELECT * FROM {relation} SEMI JOIN {self.bad_rows_table} b USING (_row)"

    def row_mask(self, rows: pa.Array | pa.ChunkedArray) -> pa.BooleanArray:
        """True where the row number in ``rows`` (``_row`` values) has no error."""
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        con, _ = self._need_table()
        bad = con.execute(f"SELECT _row FROM {self.bad_rows_table}").to_arrow_table()
        mask = pc.invert(pc.is_in(rows, value_set=bad.column(0)))
        return mask.combine_chunks() if isinstance(mask, pa.ChunkedArray) else mask

    def close(self) -> None:
        """Drop the DuckDB tables behind the report (the summary stays readable)."""
        if self.on_close is not None:
            self.on_close()
        self.on_close = None
        self.con = None


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class _binary:
    """Open a path for binary writing, or use an already open binary file (not closed)."""

    def __init__(self, target: str | Path | IO[bytes]) -> None:
        self.target = target
        self.handle: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if isinstance(self.target, str | Path):
            self.handle = open(self.target, "wb")
            return self.handle
        return self.target

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
