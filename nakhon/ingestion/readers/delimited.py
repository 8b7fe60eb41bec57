"""CSV / TSV / TXT: any of , ; TAB | as delimiter, UTF-8 (with or without BOM), CP874, UTF-16.

How it works: the first MiB is decoded and parsed with the ``csv`` module to detect the encoding,
the delimiter and the header row (title lines above it are skipped). The rest is streamed by
``pyarrow.csv.open_csv`` (every column typed as string, serial parsing: as fast as threaded here,
and its errors name the record) from a native file: the file itself when it is UTF-8 (pyarrow
validates it), otherwise a temporary UTF-8 copy of the rows, transcoded in 1 MiB chunks into
the temporary directory (``TMPDIR``; it needs about 1.5 times the file's size for CP874) and
deleted when the batches end. pyarrow is never handed a Python file object: its read-ahead
threads would then hold Python buffers, which can abort the interpreter at exit.

``_row`` is the line number a person sees in a text editor: the header's line + 1 for the first
record, and quoted cells that contain line breaks push the following rows down as they do in an
editor (line feeds, CR LF and lone CR all count as one line break). Blank lines and lines of only
delimiters (``,,,,``) carry no data: they are skipped and their numbers are not reused.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from ._common import (
    HEADER_SCAN_ROWS,
    check_arrow_cells,
    check_column_count,
    check_header,
    coalesce,
    col_label,
    empty_file_error,
    find_header_row,
    fmt_int,
    io_error,
    output_schema,
    title_text,
)
from ._text import (
    Encoding,
    decide_undecided,
    decode_sample,
    detect_encoding,
    find_invalid_utf8,
    first_non_ascii,
    invalid_text,
    transcode,
)
from .base import ReadLimits, SourceInfo

SAMPLE_BYTES = 1 << 20
MAX_SAMPLE_BYTES = 64 << 20
# pyarrow's CSV reader reads up to ~32 blocks ahead in a background thread, whatever use_threads
# says: the block size bounds the memory in flight (512 KiB: about 16 MB whatever the file size).
BLOCK_SIZE = 1 << 19
DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 1 << 16
_SNIFF_RECORDS = 50

if csv.field_size_limit() < MAX_SAMPLE_BYTES:  # the csv module's default is 128 KiB a cell
    csv.field_size_limit(min(sys.maxsize, MAX_SAMPLE_BYTES))


@dataclass
class _Record:
    line: int  # first physical line (1-based)
    end_line: int  # last physical line
    end: int  # character offset just after the record's line break
    fields: list[str]


def _lines(text: str) -> Iterator[str]:
    """Physical lines with their line break (\\n, \\r\\n or a lone \\r), as pyarrow splits them."""
    return iter(io.StringIO(text, newline=""))


def _parse_records(
    text: str, delimiter: str, *, complete: bool, limit: int, limits: ReadLimits | None = None
) -> list[_Record]:
    """The first ``limit`` records of ``text``; the last one is left out unless ``complete``."""
    offsets: list[int] = []
    pos = 0

    def feed() -> Iterator[str]:
        nonlocal pos
        for line in _lines(text):
            pos += len(line)
            offsets.append(pos)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[_Record] = []
    prev_line = 0
    try:
        for fields in reader:
            end_line = reader.line_num
            if limits is not None:
                check_column_count(len(fields), limits, row=prev_line + 1)
            records.append(_Record(prev_line + 1, end_line, offsets[end_line - 1], fields))
            prev_line = end_line
            if len(records) > limit:
                break
    except csv.Error as exc:
        raise IngestError(
            "csv-invalid",
            f"Line {prev_line + 1} cannot be read as CSV ({exc}).",
            f"ไม่สามารถอ่านบรรทัดที่ {prev_line + 1} เป็น CSV ได้ ({exc})",
            row=prev_line + 1,
        ) from None
    if not complete and records and records[-1].end >= len(text) and len(records) <= limit:
        records.pop()  # may be cut by the end of the sample
    return records[:limit]


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether CSV ``text`` ends inside a quoted cell (a quote opened and never closed)."""
    inside = False
    at_start = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if inside:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 1
                else:
                    inside = False
                    at_start = False
        elif ch == '"' and at_start:
            inside = True
        else:
            at_start = ch in (delimiter, "\n", "\r")
        i += 1
    return inside


def sniff_delimiter(text: str, *, complete: bool, preferred: str | None = None) -> str:
    """The delimiter among , ; TAB | that splits the first records most consistently.

    Scored by the share of non-blank records that have the most common number of cells (title
    rows lower it equally for every candidate), then by that number of cells; quotes are
    respected. A file with one column gets ``preferred`` or a comma.
    """
    head = text[:_SNIFF_CHARS]
    head_complete = complete and len(text) <= _SNIFF_CHARS
    order = list(DELIMITERS)
    if preferred in order:
        order.remove(preferred)
        order.insert(0, preferred)
    best: tuple[float, int, int] | None = None
    chosen = preferred or ","
    for rank, delim in enumerate(order):
        if delim not in head:
            continue
        records = _parse_records(head, delim, complete=head_complete, limit=_SNIFF_RECORDS)
        counts = [len(r.fields) for r in records if any(f.strip() for f in r.fields)]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (round(freq / len(counts), 1), mode, -rank)
        if best is None or score > best:
            best, chosen = score, delim
    return chosen


class DelimitedSource:
    """A CSV/TSV/TXT file (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        size: int,
        limits: ReadLimits,
        encoding: str | None = None,
        header_row: int | None = None,
        preferred_delimiter: str | None = None,
    ) -> None:
        self.path = path
        self.limits = limits
        self._size = size
        name = path.name
        budget = SAMPLE_BYTES
        while True:
            sample = self._read(budget)
            at_eof = len(sample) >= size
            enc = detect_encoding(sample, at_eof=at_eof, requested=encoding, name=name)
            text = decode_sample(sample, enc, at_eof=at_eof, name=name)
            if not text.replace("\ufeff", "").strip():
                if at_eof:
                    raise empty_file_error(name)
            else:
                delimiter = sniff_delimiter(text, complete=at_eof, preferred=preferred_delimiter)
                need = max(HEADER_SCAN_ROWS, (header_row or 0) + 1)
                records = _parse_records(
                    text, delimiter, complete=at_eof, limit=need, limits=limits
                )
                # a longer sample only when it lacks the header and a row after it
                minimum = (header_row + 1) if header_row else 2
                if at_eof or len(records) >= minimum or budget >= MAX_SAMPLE_BYTES:
                    break
            if budget >= MAX_SAMPLE_BYTES:
                raise empty_file_error(name)
            budget *= 4
        if not records:
            raise IngestError(
                "csv-header-too-long",
                f"No complete header line was found in the first {fmt_int(budget)} bytes.",
                f"ไม่พบบรรทัดหัวตารางที่สมบูรณ์ใน {fmt_int(budget)} ไบต์แรกของไฟล์",
            )
        self._enc = enc
        self._delimiter = delimiter
        self.bytes_read = 0  # how far the rows have been read, in bytes of the file (progress)
        header = self._choose_header(records, header_row, text, at_eof)
        rec = records[header]
        names = list(rec.fields)
        last_named = max((i for i, v in enumerate(names) if v.strip()), default=-1)
        # Trailing cells without a name (a trailing delimiter, as Excel writes for formatted
        # but empty columns) are accepted while they stay empty; any value in them is an error.
        self._n_fields = len(names)
        self._named = last_named + 1
        for r in records[header + 1 :]:
            for i in range(self._named, min(len(r.fields), self._n_fields)):
                if r.fields[i].strip():
                    self._blank_with_data(i + 1, r.line)
        self.columns = check_header(names[: self._named], limits, row=rec.line)
        self._data_line = rec.end_line + 1
        prefix = text[: rec.end]
        self._data_offset = len(enc.bom) + len(prefix.encode(enc.codec))
        self.info = SourceInfo(
            format="csv",
            encoding=enc.label,
            delimiter=delimiter,
            header_row=rec.line,
            skipped_title_rows=[t for t in (title_text(r.fields) for r in records[:header]) if t],
        )
        if self._n_fields > self._named:
            self.info.notes.append(
                f"{self._n_fields - self._named} empty unnamed column(s) after the last named "
                "column are ignored."
            )

    # ------------------------------------------------------------------------------------------

    def _read(self, n: int) -> bytes:
        try:
            with self.path.open("rb") as f:
                return f.read(n)
        except OSError as exc:
            raise io_error(exc, self.path.name) from None

    def _choose_header(
        self, records: list[_Record], header_row: int | None, text: str, at_eof: bool
    ) -> int:
        if header_row is not None:
            for i, r in enumerate(records):
                if r.line == header_row:
                    return i
            raise IngestError(
                "header-row-invalid",
                f"Line {header_row} cannot be the header: no record starts on that line "
                f"(within the first {fmt_int(len(records))} records).",
                f"บรรทัดที่ {header_row} ไม่สามารถเป็นหัวตารางได้ เพราะไม่มีแถวข้อมูลเริ่มที่บรรทัดนั้น",
                row=header_row,
            )
        index = find_header_row([r.fields for r in records[:HEADER_SCAN_ROWS]])
        if index is None:  # pragma: no cover - blank text is rejected before
            raise empty_file_error(self.path.name)
        rec = records[index]
        if at_eof and rec is records[-1] and _ends_inside_quotes(text[: rec.end], self._delimiter):
            self._unterminated(rec.line)
        return index

    def _unterminated(self, line: int | None) -> None:
        raise IngestError(
            "csv-unterminated-quote",
            f'A quote (") opened in row {line} is never closed, so the rest of the file was '
            "read as one cell.",
            f'เครื่องหมายอัญประกาศ (") ที่เปิดในแถวที่ {line} ไม่มีการปิด ข้อมูลที่เหลือทั้งหมดจึงถูกอ่านเป็นช่องเดียว',
            row=line,
        )

    def _blank_with_data(self, position: int, row: int | None) -> None:
        raise IngestError(
            "header-blank",
            f"The header of column {position} is blank: column {position} has no name, but "
            f"row {row} has a value in it.",
            f"หัวตารางของคอลัมน์ที่ {position} ว่าง: คอลัมน์ที่ {position} ไม่มีชื่อ แต่แถวที่ {row} มีข้อมูลในคอลัมน์นี้",
            row=row,
            column=col_label(position),
        )

    # ------------------------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        if self._data_offset >= self._size:
            return  # a header and nothing else
        enc = Encoding(self._enc.codec, self._enc.label, self._enc.bom, self._enc.undecided)
        temp: Path | None = None
        try:
            if enc.undecided:
                self._decide(enc)
            if enc.passthrough:
                source, offset = self.path, self._data_offset
            else:
                temp = self._transcode(enc)
                source, offset = temp, 0
            yield from coalesce(self._stream(source, offset, enc), self.limits.batch_rows)
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)

    def _decide(self, enc: Encoding) -> None:
        """Only ASCII in the sample: find the first non-ASCII bytes and choose UTF-8 or CP874."""
        try:
            with self.path.open("rb") as raw:
                raw.seek(self._data_offset)
                found = first_non_ascii(raw)
        except OSError as exc:
            raise io_error(exc, self.path.name) from None
        enc.undecided = False
        if found is None:
            return
        chunk, newlines = found
        codec = decide_undecided(chunk, line=self._data_line + newlines, name=self.path.name)
        if codec != "utf-8":
            enc.codec = enc.label = codec
            self.info.encoding = codec
            self.info.notes.append(
                f"The first MiB is ASCII only; the Thai text further on is {codec}."
            )

    def _transcode(self, enc: Encoding) -> Path:
        """The rows after the header as a temporary UTF-8 file (pyarrow reads it natively)."""
        fd, name = tempfile.mkstemp(prefix="nakhon-", suffix=".utf8.csv")
        temp = Path(name)
        try:
            with self.path.open("rb") as raw, os.fdopen(fd, "wb") as dest:
                raw.seek(self._data_offset)
                transcode(raw, enc, dest, start_line=self._data_line)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise IngestError(
                "file-unreadable",
                f"{self.path.name} could not be converted to UTF-8 for reading "
                f"({exc.strerror or exc}); is the temporary disk full?",
                f"ไม่สามารถแปลงไฟล์ {self.path.name} เป็น UTF-8 เพื่ออ่านได้ "
                f"({exc.strerror or exc}) พื้นที่ดิสก์ชั่วคราวอาจเต็ม",
            ) from None
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp

    def _stream(self, source: Path, offset: int, enc: Encoding) -> Iterator[pa.RecordBatch]:
        internal = [f"c{i}" for i in range(self._n_fields)]
        read_options = pa_csv.ReadOptions(
            column_names=internal, use_threads=False, block_size=BLOCK_SIZE, encoding="utf8"
        )
        parse_options = pa_csv.ParseOptions(
            delimiter=self._delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
        )
        convert_options = pa_csv.ConvertOptions(
            column_types=dict.fromkeys(internal, pa.string()),
            check_utf8=True,
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        )
        schema = output_schema(self.columns)
        line = self._data_line
        records = 0
        last_line, last_span = line, 1
        pool = _memory_pool()
        try:
            stream = pa.OSFile(str(source), memory_pool=pool)
        except OSError as exc:
            raise io_error(exc, self.path.name) from None
        # progress: position in what pyarrow reads, scaled to the original file
        scale = (self._size - self._data_offset) / max(stream.size() - offset, 1)
        try:
            stream.seek(offset)
            reader = pa_csv.open_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
                memory_pool=pool,
            )
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                n = batch.num_rows
                if n == 0:
                    continue
                spans = self._spans(batch)
                if spans is None:
                    rows = np.arange(line, line + n, dtype=np.int64)
                    last_span = 1
                    line += n
                else:
                    ends = np.cumsum(spans)
                    rows = line + ends - spans
                    last_span = int(spans[-1])
                    line += int(ends[-1])
                last_line = int(rows[-1])
                records += n
                out = self._output(batch, rows, schema)
                self.bytes_read = self._data_offset + int((stream.tell() - offset) * scale)
                yield out
        except pa.ArrowException as exc:
            raise self._arrow_error(exc, source, offset, enc, line, records) from None
        finally:
            stream.close()
        if records:
            self._check_final_record(source, last_line, last_span)

    def _spans(self, batch: pa.RecordBatch) -> np.ndarray | None:
        """Physical lines taken by each record (1 + line breaks inside its cells), or None."""
        extra: np.ndarray | None = None
        for col in batch.columns:
            if col.null_count == len(col):
                continue
            data = col.buffers()[2]
            if data is None:
                continue
            raw = data.to_pybytes()
            has_lf, has_cr = b"\n" in raw, b"\r" in raw
            if not (has_lf or has_cr):
                continue
            counts = pc.count_substring(col, "\n") if has_lf else None
            if has_cr:
                lone_cr = pc.subtract(
                    pc.count_substring(col, "\r"), pc.count_substring(col, "\r\n")
                )
                counts = lone_cr if counts is None else pc.add(counts, lone_cr)
            assert counts is not None
            values = counts.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            extra = values if extra is None else extra + values
        if extra is None or not extra.any():
            return None
        return extra + 1

    def _output(self, batch: pa.RecordBatch, rows: np.ndarray, schema: pa.Schema) -> Any:
        cols = batch.columns
        for i in range(self._named, self._n_fields):  # unnamed trailing columns must be empty
            col = cols[i]
            if col.null_count != len(col):
                index = pc.index(pc.is_valid(col), True).as_py()
                self._blank_with_data(i + 1, int(rows[index]))
        out = pa.RecordBatch.from_arrays(
            [*cols[: self._named], pa.array(rows, pa.int64())], schema=schema
        )
        if all(c.null_count for c in cols):  # only then can a row be entirely empty
            keep = pc.is_valid(cols[0])
            for col in cols[1:]:
                keep = pc.or_(keep, pc.is_valid(col))
            if not pc.all(keep).as_py():
                out = out.filter(keep)
        check_arrow_cells(out, self.columns, self.limits, hint_newlines=True)
        return out

    # ------------------------------------------------------------------------------------------
    # errors

    def _line_of_record(self, source: Path, offset: int, line: int, done: int, k: int) -> int:
        """The first line of record ``k`` (1-based, counted from the first data record), given
        that record ``done + 1`` starts on ``line``: skip to that line, then let the csv module
        step over the records in between (line breaks inside quoted cells included)."""
        try:
            with source.open("rb") as raw:
                raw.seek(offset)
                text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
                lines = iter(text)
                for _ in itertools.islice(lines, line - self._data_line):
                    pass
                reader = csv.reader(lines, delimiter=self._delimiter, quotechar='"')
                for _ in itertools.islice(reader, max(0, k - 1 - done)):
                    pass
                return line + reader.line_num
        except (OSError, csv.Error):  # pragma: no cover - best effort
            return line + max(0, k - 1 - done)

    def _arrow_error(
        self, exc: Exception, source: Path, offset: int, enc: Encoding, line: int, done: int
    ) -> IngestError:
        message = str(exc)
        ragged = _RAGGED.search(message)
        if ragged:
            k, expected, actual = (int(g) for g in ragged.group(1, 2, 3))
            text = ragged.group(4)
            row = self._line_of_record(source, offset, line, done, k)
            if ("\n" in text or "\r" in text) and text.count('"') % 2 == 1:
                self._unterminated(row)
            cells = "cell" if actual == 1 else "cells"
            return IngestError(
                "csv-ragged-row",
                f"Row {fmt_int(row)} has {actual} {cells} but the header has {expected} columns.",
                f"แถวที่ {fmt_int(row)} มี {actual} ช่อง แต่หัวตารางมี {expected} คอลัมน์",
                row=row,
                value=text[:200],
            )
        bad_utf8 = _BAD_UTF8.search(message)
        if bad_utf8:
            k = int(bad_utf8.group(2))
            row = self._line_of_record(source, offset, line, done, k)
            try:
                with source.open("rb") as raw:
                    raw.seek(offset)
                    found = find_invalid_utf8(raw, start_line=self._data_line)
            except OSError:  # pragma: no cover
                found = None
            bad = found[1] if found else b""
            return invalid_text(enc.label, found[0] if found else row, bad, mixed=True)
        return IngestError(
            "csv-invalid",
            f"The file cannot be read as CSV at or after line {fmt_int(line)} ({message}).",
            f"ไม่สามารถอ่านไฟล์เป็น CSV ได้ ตั้งแต่บรรทัดที่ {fmt_int(line)} ({message})",
            row=line,
        )

    def _check_final_record(self, source: Path, line: int, span: int) -> None:
        """Was a quote opened in the last record left open (pyarrow then reads to the end)?"""
        try:
            with source.open("rb") as raw:
                size = raw.seek(0, os.SEEK_END)
                raw.seek(max(0, size - _TAIL_BYTES))
                tail = raw.read().decode("utf-8", "replace")
        except OSError:  # pragma: no cover
            return
        lines = list(_lines(tail))
        if len(lines) < span or '"' not in tail:
            return
        text = "".join(lines[len(lines) - span :])
        if _ends_inside_quotes(text, self._delimiter):
            self._unterminated(line)

    def close(self) -> None:
        pass


def _memory_pool() -> Any:
    """jemalloc for the read-ahead buffers and parsing. The default pool (mimalloc) keeps the
    buffers the I/O thread allocates and the reading thread frees: RSS then grows with the
    file (about 150 MB for 500 MB) instead of staying flat (about 40 MB)."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # pragma: no cover - builds without jemalloc (Windows)
        return pa.system_memory_pool()


_RAGGED = re.compile(r"Row #(\d+): Expected (\d+) columns, got (\d+): (.*)", re.DOTALL)
_BAD_UTF8 = re.compile(r"column #(\d+): Row #(\d+): .*invalid UTF8")
_TAIL_BYTES = 1 << 20
