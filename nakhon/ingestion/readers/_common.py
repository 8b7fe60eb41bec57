"""Helpers shared by the readers: header rules, cell text, header-row detection, batches."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from .base import GEOMETRY, ROW, ReadLimits

# How many leading rows are looked at to find the header row (title rows come before it).
HEADER_SCAN_ROWS = 60


def fmt_int(n: int) -> str:
    """1234567 -> "1,234,567" (the same in both languages' messages)."""
    return f"{n:,}"


def col_label(position: int) -> str:
    """The ``column`` of an IngestError for a column without a (usable) name: ``"#7"``."""
    return f"#{position}"


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def check_file(path: Path, limits: ReadLimits) -> int:
    """The file's size in bytes, after checking it exists and is not larger than allowed."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise IngestError(
            "file-not-found",
            f"The file {path.name} does not exist.",
            f"ไม่พบไฟล์ {path.name}",
        ) from None
    except OSError as exc:
        raise IngestError(
            "file-unreadable",
            f"The file {path.name} cannot be read ({exc.strerror or exc}).",
            f"ไม่สามารถอ่านไฟล์ {path.name} ได้ ({exc.strerror or exc})",
        ) from None
    if not path.is_file():
        raise IngestError(
            "file-unreadable",
            f"{path.name} is not a regular file.",
            f"{path.name} ไม่ใช่ไฟล์ข้อมูล",
        )
    if st.st_size > limits.max_bytes:
        raise IngestError(
            "file-too-large",
            f"The file is {human_bytes(st.st_size)}; the limit is {human_bytes(limits.max_bytes)}.",
            f"ไฟล์มีขนาด {human_bytes(st.st_size)} เกินขนาดสูงสุดที่รับได้ "
            f"({human_bytes(limits.max_bytes)})",
            value=st.st_size,
        )
    return st.st_size


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def empty_file_error(name: str) -> IngestError:
    return IngestError(
        "empty-file",
        f"The file {name} is empty: it has no header and no data.",
        f"ไฟล์ {name} ว่างเปล่า ไม่มีหัวตารางและไม่มีข้อมูล",
    )


def io_error(exc: OSError, name: str) -> IngestError:
    return IngestError(
        "file-unreadable",
        f"The file {name} could not be read ({exc.strerror or exc}).",
        f"อ่านไฟล์ {name} ไม่ได้ ({exc.strerror or exc})",
    )


# --------------------------------------------------------------------------------------------
# Header rules
# --------------------------------------------------------------------------------------------


def check_column_count(count: int, limits: ReadLimits, *, row: int | None = None) -> None:
    if count > limits.max_columns:
        raise IngestError(
            "too-many-columns",
            f"The table has {fmt_int(count)} columns; at most {fmt_int(limits.max_columns)} "
            "are allowed.",
            f"ตารางมี {fmt_int(count)} คอลัมน์ เกินจำนวนสูงสุดที่รับได้ "
            f"({fmt_int(limits.max_columns)} คอลัมน์)",
            row=row,
            value=count,
        )


def clean_header_name(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\ufeff", "").strip()


def check_header(
    names: Sequence[Any],
    limits: ReadLimits,
    *,
    row: int | None = None,
    reserved: Iterable[str] = (ROW,),
    positions: Sequence[int] | None = None,
    where: str = "column",
) -> list[str]:
    """Clean header names (strip whitespace and BOM) and enforce the header rules.

    ``positions`` are the 1-based column positions shown in messages (default 1..n);
    ``where`` is how a column is called in messages ("column", or "property" for GeoJSON).
    """
    check_column_count(len(names), limits, row=row)
    pos = list(positions) if positions is not None else list(range(1, len(names) + 1))
    th_where = {"column": "คอลัมน์ที่", "property": "คุณสมบัติลำดับที่", "field": "ฟิลด์ที่"}[where]
    cleaned = [clean_header_name(n) for n in names]
    seen: dict[str, int] = {}
    reserved_set = set(reserved)
    for i, name in enumerate(cleaned):
        if not name:
            raise IngestError(
                "header-blank",
                f"The header of {where} {pos[i]} is blank: {where} {pos[i]} has no name.",
                f"หัวตารางของ{th_where} {pos[i]} ว่าง: {th_where} {pos[i]} ไม่มีชื่อ",
                row=row,
                column=col_label(pos[i]),
            )
        if name in reserved_set:
            raise IngestError(
                "header-reserved",
                f'{where.capitalize()} {pos[i]} is named "{name}", a name reserved by Nakhon; '
                "please rename it.",
                f'{th_where} {pos[i]} ชื่อ "{name}" ซึ่งเป็นชื่อที่ระบบสงวนไว้ กรุณาเปลี่ยนชื่อ',
                row=row,
                column=name,
            )
        if name in seen:
            first = pos[seen[name]]
            raise IngestError(
                "header-duplicate",
                f'The column name "{name}" appears twice: in {where} {first} and {where} {pos[i]}.',
                f'ชื่อคอลัมน์ "{name}" ซ้ำกัน: อยู่ที่{th_where} {first} และ{th_where} {pos[i]}',
                row=row,
                column=name,
                value=[first, pos[i]],
            )
        seen[name] = i
    return cleaned


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def number_text(value: float) -> str:
    """A float as text: integers without a spurious ".0" (1234.0 -> "1234"), others with at most
    15 significant digits as Excel shows them (0.1 + 0.2 -> "0.3")."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(value, ".15g")


def duration_text(value: dt.timedelta) -> str:
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"


def cell_text(value: Any) -> str | None:
    """A Python cell value (spreadsheet, DBF, JSON scalar) as text; empty -> None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def cell_too_long(
    row: int | None, column: str, length: int, limits: ReadLimits, *, hint_en: str = ""
) -> IngestError:
    hint_th = ""
    if hint_en:
        hint_th = ' อาจมีเครื่องหมายอัญประกาศ (") ที่เปิดแล้วไม่ได้ปิด'
    return IngestError(
        "cell-too-long",
        f'Row {row}, column "{column}" has {fmt_int(length)} characters; at most '
        f"{fmt_int(limits.max_cell_chars)} are allowed.{hint_en}",
        f'แถวที่ {row} คอลัมน์ "{column}" มีความยาว {fmt_int(length)} ตัวอักษร เกินกว่าที่รับได้ '
        f"({fmt_int(limits.max_cell_chars)} ตัวอักษร){hint_th}",
        row=row,
        column=column,
        value=length,
    )


# Numbers as Thai offices write them: Thai or Arabic digits, thousands separators, signs,
# percentages, currency; dates like 3/2/2566, 2023-03-02, "3 มี.ค. 2560".
_NUMERIC = re.compile(r"^[+\-(]?[฿$]?[0-9๐-๙][0-9๐-๙,. ]*%?\)?$")
_DATE = re.compile(
    r"^[0-9๐-๙]{1,4}[/\-.][0-9๐-๙]{1,2}[/\-.][0-9๐-๙]{1,4}"
    r"|^[0-9๐-๙]{1,2}\s*(?:ม\.?ค|ก\.?พ|มี\.?ค|เม\.?ย|พ\.?ค|มิ\.?ย|ก\.?ค|ส\.?ค|ก\.?ย|ต\.?ค|พ\.?ย|ธ\.?ค)"
)


def is_texty(value: Any) -> bool:
    """Whether a cell reads as a label (a header name) rather than a number or a date."""
    if value is None:
        return False
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | dt.date | dt.time | dt.timedelta):
        return False
    text = str(value).strip()
    if not text:
        return False
    return not (_NUMERIC.match(text) or _DATE.match(text))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def find_header_row(rows: Sequence[Sequence[Any]]) -> int | None:
    """Index of the header row among ``rows`` (the first rows of a table), or None if all blank.

    The header is the first row whose non-empty cells fill most of the table's width (at least
    60 % of the widest row) and are mostly text (labels, not numbers or dates), followed (within
    three rows, after e.g. a units line) by a row of similar width (data) or by nothing (a
    header-only file). Rows above it (merged title
    rows such as "รายงานข้อมูลประชากร", "ประจำปี พ.ศ. 2566", notes, blank rows) are skipped.
    If no row has that shape, the first wide row is the header; failing that, the first
    non-empty one.
    """
    counts = [sum(1 for v in r if not is_blank(v)) for r in rows]
    if not any(counts):
        return None
    width = max(counts)
    first_nonempty = next(i for i, c in enumerate(counts) if c)
    if width <= 1:
        return first_nonempty
    threshold = max(2, math.ceil(0.6 * width))
    wide = [i for i, c in enumerate(counts) if c >= threshold]
    for i in wide:
        cells = [v for v in rows[i] if not is_blank(v)]
        texty = sum(1 for v in cells if is_texty(v)) / len(cells)
        if texty < 0.6:
            continue
        # followed by data of similar width (a units or notes line may come first), or nothing
        following = [counts[j] for j in range(i + 1, len(rows)) if counts[j]][:3]
        if not following or max(following) >= max(2, math.ceil(0.5 * width)):
            return i
    return wide[0] if wide else first_nonempty


def title_text(row: Sequence[Any]) -> str:
    return " ".join(str(cell_text(v)).strip() for v in row if not is_blank(v))


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------


def output_schema(columns: Sequence[str], *, geometry: bool = False) -> pa.Schema:
    fields = [pa.field(c, pa.string()) for c in columns]
    if geometry:
        fields.append(pa.field(GEOMETRY, pa.string()))
    fields.append(pa.field(ROW, pa.int64(), nullable=False))
    return pa.schema(fields)


class RowBatcher:
    """Collects rows of Python text cells and emits record batches of at most ``batch_rows``.

    Cells longer than ``limits.max_cell_chars`` raise ``cell-too-long``.
    """

    def __init__(self, columns: Sequence[str], limits: ReadLimits, *, geometry: bool = False):
        self.columns = list(columns)
        self.names = [*self.columns, GEOMETRY] if geometry else list(self.columns)
        self.schema = output_schema(self.columns, geometry=geometry)
        self.limits = limits
        self._cols: list[list[str | None]] = [[] for _ in self.names]
        self._rows: list[int] = []

    def add(self, row_number: int, cells: Sequence[str | None]) -> pa.RecordBatch | None:
        limit = self.limits.max_cell_chars
        for i, value in enumerate(cells):
            if value is not None and len(value) > limit and self.names[i] != GEOMETRY:
                raise cell_too_long(row_number, self.names[i], len(value), self.limits)
            self._cols[i].append(value)
        self._rows.append(row_number)
        if len(self._rows) >= self.limits.batch_rows:
            return self.flush()
        return None

    def flush(self) -> pa.RecordBatch | None:
        if not self._rows:
            return None
        arrays = [pa.array(c, pa.string()) for c in self._cols]
        arrays.append(pa.array(self._rows, pa.int64()))
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self._cols = [[] for _ in self.names]
        self._rows = []
        return batch


def slice_batches(batch: pa.RecordBatch, size: int) -> Iterator[pa.RecordBatch]:
    if batch.num_rows <= size:
        if batch.num_rows:
            yield batch
        return
    for start in range(0, batch.num_rows, size):
        yield batch.slice(start, size)


def coalesce(
    batches: Iterator[pa.RecordBatch], rows: int, max_bytes: int = 4 << 20
) -> Iterator[pa.RecordBatch]:
    """Regroup small batches (pyarrow's CSV blocks hold a few thousand rows) into batches of up
    to ``rows`` rows and about ``max_bytes``: fewer, larger batches are cheaper for whoever
    consumes them, and the byte bound keeps the memory flat."""
    pending: list[pa.RecordBatch] = []
    count = size = 0
    for batch in batches:
        n, nbytes = batch.num_rows, batch.nbytes
        if count and (count + n > rows or size + nbytes > max_bytes):
            yield pa.concat_batches(pending) if len(pending) > 1 else pending[0]
            pending, count, size = [], 0, 0
        if n >= rows:
            yield from slice_batches(batch, rows)
        elif n:
            pending.append(batch)
            count += n
            size += nbytes
    if pending:
        yield pa.concat_batches(pending) if len(pending) > 1 else pending[0]


def check_arrow_cells(
    batch: pa.RecordBatch, columns: Sequence[str], limits: ReadLimits, *, hint_newlines: bool
) -> None:
    """Raise ``cell-too-long`` for the first over-long cell of a batch of string columns."""
    limit = limits.max_cell_chars
    for name in columns:
        col = batch.column(name)
        if col.null_count == len(col):
            continue
        lengths = pc.binary_length(col)  # bytes >= characters: a cheap first screen
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= limit:
            continue
        chars = pc.utf8_length(col)
        over = pc.greater(chars, limit)
        if not pc.any(over).as_py():
            continue
        index = pc.index(over, True).as_py()
        value = col[index].as_py() or ""
        row = batch.column(ROW)[index].as_py()
        hint = ""
        if hint_newlines and value.count("\n") > 2:
            hint = (
                f' It spans {fmt_int(value.count(chr(10)) + 1)} lines: probably a quote (") '
                "opened in this row is never closed."
            )
        raise cell_too_long(row, name, len(value), limits, hint_en=hint)
