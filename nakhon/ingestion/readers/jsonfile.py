"""JSON: an array of objects, ``{"data": [...]}``, ``{"records": [...]}``, CKAN's
``{"result": {"records": [...]}}``, or JSON Lines (``.jsonl`` / ``.ndjson``, or a ``.json`` file
whose lines are objects).

The records are streamed (a buffered cursor decodes one record at a time with ``raw_decode``), in
two passes: the first collects the columns (the union of the records' keys, in first-seen order)
so that the header is known and checked by ``open_source``; the second, ``batches()``, yields
the rows. Numbers are kept exactly as written (``1.50`` stays "1.50"), booleans become
"true"/"false", nested objects and arrays compact JSON text, ``null`` and ``""`` empty cells.
``_row`` is the 1-based record number (JSON Lines: the line number).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from ._common import RowBatcher, check_column_count, check_header, fmt_int, io_error
from ._text import decode_sample, detect_encoding
from .base import ReadLimits, SourceInfo

RECORD_KEYS = ("data", "records", "rows", "items")
_WS = re.compile(r"[ \t\n\r]*")
_SAMPLE = 1 << 20


class RawNumber(str):
    """A JSON number (or NaN/Infinity) kept as written in the file."""

    __slots__ = ()


DECODER = json.JSONDecoder(parse_float=RawNumber, parse_int=RawNumber, parse_constant=RawNumber)


def compact(value: Any) -> str:
    """Compact JSON text of a decoded value, numbers exactly as they were written."""
    if isinstance(value, RawNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{compact(str(k))}:{compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(compact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # RawNumber included
        return str(value) if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return compact(value)


def kind_of(value: Any) -> tuple[str, str]:
    if isinstance(value, RawNumber):
        return "a number", "ตัวเลข"
    if isinstance(value, str):
        return "a text", "ข้อความ"
    if isinstance(value, bool):
        return "a true/false value", "ค่าจริง/เท็จ"
    if value is None:
        return "null", "ค่าว่าง (null)"
    if isinstance(value, list):
        return "a list", "รายการ (array)"
    return "an object", "ออบเจกต์"


def open_text(path: Path, encoding: str | None) -> tuple[IO[str], str]:
    """The file as text (BOM skipped), and the encoding's label."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise io_error(exc, path.name) from None
    try:
        sample = raw.read(_SAMPLE)
        at_eof = len(sample) < _SAMPLE
        enc = detect_encoding(sample, at_eof=at_eof, requested=encoding, name=path.name)
        decode_sample(sample, enc, at_eof=at_eof, name=path.name)  # raises with the line
        raw.seek(len(enc.bom))
        return io.TextIOWrapper(raw, encoding=enc.codec, errors="strict", newline=""), enc.label
    except BaseException:
        raw.close()
        raise


def json_error(name: str, what_en: str, what_th: str, line: int | None) -> IngestError:
    where_en = f" on line {fmt_int(line)}" if line else ""
    where_th = f" ที่บรรทัด {fmt_int(line)}" if line else ""
    return IngestError(
        "json-invalid",
        f"{name} is not valid JSON{where_en}: {what_en}.",
        f"ไฟล์ {name} ไม่ใช่ JSON ที่ถูกต้อง{where_th}: {what_th}",
        row=line,
    )


class Cursor:
    """Reads JSON values one at a time from a text stream, with a bounded look-ahead buffer."""

    CHUNK = 1 << 20

    def __init__(self, f: IO[str], name: str) -> None:
        self.f = f
        self.name = name
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._lines_before = 0  # line feeds in the text dropped from the buffer

    def _more(self, size: int) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.f.read(size)
        except UnicodeDecodeError as exc:
            raise IngestError(
                "encoding-invalid",
                f"{self.name} is not valid text after line {fmt_int(self.line())} ({exc.reason}).",
                f"ไฟล์ {self.name} มีข้อความที่ถอดรหัสไม่ได้หลังบรรทัดที่ {fmt_int(self.line())}",
                row=self.line(),
            ) from None
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            self._lines_before += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += chunk
        return True

    def line(self, pos: int | None = None) -> int:
        return self._lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def peek(self) -> str:
        """The next non-blank character ('' at the end), without consuming it."""
        while True:
            match = _WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more(self.CHUNK):
                return ""

    def take(self, expected: str) -> None:
        ch = self.peek()
        if ch != expected:
            found = f"'{ch}'" if ch else "the end of the file"
            raise json_error(
                self.name,
                f"expected '{expected}' but found {found}",
                f"ควรเป็น '{expected}'",
                self.line(),
            )
        self.pos += 1

    def value(self) -> Any:
        if not self.peek():
            raise json_error(self.name, "unexpected end of file", "ไฟล์จบก่อนเวลา", self.line())
        size = self.CHUNK
        while True:
            try:
                value, end = DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated")
                if near_end and self._more(size):
                    size *= 2  # a big value: read ahead faster, so re-parsing stays linear
                    continue
                raise json_error(
                    self.name, exc.msg, "รูปแบบ JSON ไม่ถูกต้อง", self.line(exc.pos)
                ) from None
            if end >= len(self.buf) and not self.eof and self._more(size):
                continue  # a number at the end of the buffer may go on
            self.pos = end
            return value


@dataclass
class Found:
    """Where the records are, and the other (small) members met on the way."""

    records: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def iter_array(cur: Cursor) -> Iterator[tuple[int, Any]]:
    """(1-based index, value) of each element of the array at the cursor."""
    cur.take("[")
    if cur.peek() == "]":
        cur.pos += 1
        return
    index = 0
    while True:
        value = cur.value()
        index += 1
        yield index, value
        ch = cur.peek()
        cur.pos += 1
        if ch == ",":
            continue
        if ch == "]":
            return
        raise json_error(
            cur.name, "expected ',' or ']' after a record", "ควรเป็น ',' หรือ ']'", cur.line()
        )


def iter_members(
    cur: Cursor, keys: tuple[str, ...], found: Found, *, nested: tuple[str, ...] = ("result",)
) -> Iterator[tuple[int, Any]]:
    """Records of the first array found under one of ``keys`` (also one level down, under a key
    in ``nested``) in the object at the cursor; other members go to ``found.meta``."""
    cur.take("{")
    if cur.peek() == "}":
        cur.pos += 1
        return
    while True:
        key = cur.value()
        if not isinstance(key, str):
            raise json_error(
                cur.name, "a member name must be text", "ชื่อสมาชิกต้องเป็นข้อความ", cur.line()
            )
        cur.take(":")
        ch = cur.peek()
        if not found.records and key in keys and ch == "[":
            found.records = True
            yield from iter_array(cur)
        elif not found.records and key in nested and ch == "{":
            inner = Found()
            yield from iter_members(cur, keys, inner, nested=())
            found.records = inner.records
            found.meta[key] = inner.meta
        else:
            found.meta[key] = cur.value()
        ch = cur.peek()
        cur.pos += 1
        if ch == ",":
            continue
        if ch == "}":
            return
        raise json_error(cur.name, "expected ',' or '}'", "ควรเป็น ',' หรือ '}'", cur.line())


def sniff_json_lines(path: Path, encoding: str | None) -> bool:
    """Whether a .json file is in fact JSON Lines (its first line is a whole object, and the
    next non-blank line starts another one)."""
    f, _ = open_text(path, encoding)
    with f:
        lines = iter(f)
        first = next((ln.strip() for ln in lines if ln.strip()), "")
        second = next((ln.strip() for ln in lines if ln.strip()), "")
    if not first.startswith("{") or not second.startswith("{"):
        return False
    try:
        _, end = DECODER.raw_decode(first)
    except json.JSONDecodeError:
        return False
    return end == len(first)


class JsonSource:
    def __init__(
        self, path: Path, *, limits: ReadLimits, encoding: str | None = None, lines: bool = False
    ) -> None:
        self.path = path
        self.limits = limits
        self._encoding = encoding
        self._lines = lines or sniff_json_lines(path, encoding)
        self._label = "utf-8"
        keys: dict[str, None] = {}
        count = 0
        for _row, record in self._records():
            count += 1
            for k in record:
                if k not in keys:
                    keys[k] = None
                    if len(keys) > limits.max_columns:
                        check_column_count(len(keys), limits)
        if not keys:
            what = "no records" if count == 0 else "only empty records"
            raise IngestError(
                "empty-file",
                f"{path.name} contains {what}: there are no columns to read.",
                f"ไฟล์ {path.name} ไม่มีระเบียนข้อมูล จึงไม่มีคอลัมน์ให้อ่าน",
            )
        self._keys = list(keys)
        self.columns = check_header(self._keys, limits)
        self.info = SourceInfo(format="jsonl" if self._lines else "json", encoding=self._label)
        self.info.notes.append(f"{fmt_int(count)} records.")

    def _records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        f, self._label = open_text(self.path, self._encoding)
        with f:
            it = self._iter_lines(f) if self._lines else self._iter_document(f)
            for row, value in it:
                if not isinstance(value, dict):
                    en, th = kind_of(value)
                    where_en = f"Line {fmt_int(row)}" if self._lines else f"Record {fmt_int(row)}"
                    where_th = (
                        f"บรรทัดที่ {fmt_int(row)}" if self._lines else f"ระเบียนที่ {fmt_int(row)}"
                    )
                    raise IngestError(
                        "json-not-object",
                        f"{where_en} is {en}, not an object {{...}} with named values.",
                        f"{where_th} เป็น{th} ไม่ใช่ออบเจกต์ {{...}} ที่มีชื่อค่า",
                        row=row,
                    )
                yield row, value

    def _iter_lines(self, f: IO[str]) -> Iterator[tuple[int, Any]]:
        for number, text in enumerate(f, start=1):
            text = text.strip()
            if not text:
                continue
            try:
                value, end = DECODER.raw_decode(text)
            except json.JSONDecodeError as exc:
                raise json_error(self.path.name, exc.msg, "รูปแบบ JSON ไม่ถูกต้อง", number) from None
            if end != len(text):
                raise json_error(
                    self.path.name,
                    "more than one value on the line",
                    "มีมากกว่าหนึ่งค่าในบรรทัดเดียว",
                    number,
                )
            yield number, value

    def _iter_document(self, f: IO[str]) -> Iterator[tuple[int, Any]]:
        cur = Cursor(f, self.path.name)
        ch = cur.peek()
        if ch == "[":
            yield from iter_array(cur)
        elif ch == "{":
            found = Found()
            yield from iter_members(cur, RECORD_KEYS, found)
            if not found.records:
                raise _no_records(self.path.name)
        else:
            raise _no_records(self.path.name)
        if cur.peek():
            raise json_error(
                self.path.name,
                "there is more data after the end of the JSON value",
                "มีข้อมูลเกินหลังจบค่า JSON",
                cur.line(),
            )

    def batches(self) -> Iterator[pa.RecordBatch]:
        batcher = RowBatcher(self.columns, self.limits)
        index = {k: i for i, k in enumerate(self._keys)}
        width = len(self._keys)
        for row, record in self._records():
            cells: list[str | None] = [None] * width
            for k, v in record.items():
                cells[index[k]] = cell(v)
            out = batcher.add(row, cells)
            if out is not None:
                yield out
        last = batcher.flush()
        if last is not None:
            yield last

    def close(self) -> None:
        pass


def _no_records(name: str) -> IngestError:
    return IngestError(
        "json-no-records",
        f"{name} is not a list of records: expected an array of objects [{{...}}, ...], or an "
        'object with the records under "data", "records" or "result" → "records".',
        f"ไฟล์ {name} ไม่ใช่รายการระเบียนข้อมูล: ต้องเป็นอาร์เรย์ของออบเจกต์ [{{...}}, ...] "
        'หรือออบเจกต์ที่มีระเบียนอยู่ใน "data", "records" หรือ "result" → "records"',
    )
