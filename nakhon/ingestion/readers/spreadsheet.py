"""XLSX / XLSM / XLSB / XLS / ODS through python-calamine.

* Sheet: by name or 0-based index; by default the first visible sheet that has any cell.
* Header row: detected below merged title rows (see ``_common.find_header_row``), or given as
  ``header_row`` (the sheet's 1-based row number). The skipped title rows' text is kept in
  ``SourceInfo.skipped_title_rows``.
* Columns: those with a name in the header row, plus any unnamed column holding data below it
  (which is then an error: ``header-blank``). Columns empty in the header and in every row (often
  formatted but unused) are left out; so are rows with no value at all.
* Cells: integers without ".0" (1234.0 -> "1234"), other numbers with Excel's 15 significant
  digits, dates as ISO text (2023-03-02; 2023-03-02T10:30:00 with a time), booleans as
  "true"/"false". ``_row`` is the sheet's row number.

calamine loads one sheet into memory (in Rust; Python sees one row at a time): spreadsheets are
small enough for that. A workbook's ZIP container (XLSX, XLSB, ODS) is checked against the ZIP
limits (declared sizes) before calamine opens it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import python_calamine as calamine

from nakhon.ingestion.errors import IngestError

from . import _zipsafe
from ._common import (
    HEADER_SCAN_ROWS,
    RowBatcher,
    cell_text,
    check_column_count,
    check_header,
    empty_file_error,
    find_header_row,
    is_blank,
    title_text,
)
from .base import ReadLimits, SourceInfo


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _spreadsheet_error(name: str, exc: Exception) -> IngestError:
    if isinstance(exc, calamine.PasswordError):
        return IngestError(
            "spreadsheet-encrypted",
            f"{name} is password-protected. Remove the password in Excel and upload it again.",
            f"ไฟล์ {name} มีรหัสผ่าน กรุณานำรหัสผ่านออกใน Excel แล้วอัปโหลดใหม่",
        )
    return IngestError(
        "spreadsheet-invalid",
        f"{name} cannot be read as a spreadsheet ({exc}). Open it in Excel or LibreOffice and "
        "save it again as .xlsx.",
        f"ไม่สามารถอ่านไฟล์ {name} เป็นตารางคำนวณได้ ({exc}) กรุณาเปิดด้วย Excel หรือ "
        "LibreOffice แล้วบันทึกใหม่เป็น .xlsx",
    )


class SpreadsheetSource:
    def __init__(
        self,
        path: Path,
        *,
        limits: ReadLimits,
        sheet: str | int | None = None,
        header_row: int | None = None,
        kind: str = "xlsx",
    ) -> None:
        self.path = path
        self.limits = limits
        name = path.name
        if kind != "xls":
            self._check_container()
        self._fh: BinaryIO | None = None
        try:
            # from a file object, calamine recognises the format by content, not by extension
            # (an ".xls" that is really XLSX is common)
            self._fh = path.open("rb")
            self._wb = calamine.CalamineWorkbook.from_filelike(self._fh)
            names = list(self._wb.sheet_names)
            chosen = self._choose_sheet(names, sheet)
            self._sheet = self._wb.get_sheet_by_name(chosen)
        except IngestError:
            self.close()
            raise
        except (calamine.CalamineError, OSError, ValueError) as exc:
            self.close()
            raise _spreadsheet_error(name, exc) from None
        self.info = SourceInfo(format=kind, sheet=chosen, sheets=names)
        suffix = path.suffix.lower().lstrip(".")
        if suffix in ("xlsx", "xlsb", "xls", "ods") and suffix != kind:
            self.info.notes.append(f"The file is named .{suffix} but is a {kind.upper()} file.")
        try:
            self._scan(header_row)
        except BaseException:
            self.close()
            raise

    def _check_container(self) -> None:
        import zipfile

        try:
            with _zipsafe.open_zip(self.path) as zf:
                _zipsafe.check_declared(zf.infolist(), self.limits)
        except IngestError as exc:
            if exc.code == "zip-invalid" and not zipfile.is_zipfile(self.path):
                return  # not a ZIP container at all (e.g. XLS content): calamine decides
            raise

    def _choose_sheet(self, names: list[str], sheet: str | int | None) -> str:
        listed = ", ".join(f'"{n}"' for n in names)
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if 0 <= sheet < len(names):
                return names[sheet]
            raise IngestError(
                "sheet-not-found",
                f"There is no sheet number {sheet} (counting from 0); the workbook has "
                f"{len(names)} sheet(s): {listed}.",
                f"ไม่มีชีตลำดับที่ {sheet} (นับจาก 0) ไฟล์นี้มี {len(names)} ชีต: {listed}",
                value=sheet,
            )
        if isinstance(sheet, str):
            if sheet in names:
                return sheet
            wanted = sheet.strip().casefold()
            for n in names:
                if n.strip().casefold() == wanted:
                    return n
            raise IngestError(
                "sheet-not-found",
                f'There is no sheet named "{sheet}"; the sheets are {listed}.',
                f'ไม่มีชีตชื่อ "{sheet}" ชีตที่มีคือ {listed}',
                value=sheet,
            )
        visible = {
            m.name
            for m in self._wb.sheets_metadata
            if m.visible == calamine.SheetVisibleEnum.Visible
        }
        for candidates in ([n for n in names if n in visible], names):
            for n in candidates:
                sh = self._wb.get_sheet_by_name(n)
                if sh.start is not None and any(
                    not is_blank(v) for row in sh.iter_rows() for v in row
                ):
                    return n
        raise empty_file_error(self.path.name)

    # ------------------------------------------------------------------------------------------

    def _scan(self, header_row: int | None) -> None:
        """One pass over the sheet: the sample for the header and the columns in use."""
        sheet = self._sheet
        if sheet.start is None or sheet.end is None:
            raise empty_file_error(self.path.name)
        rows = sheet.iter_rows()
        sample: list[list[Any]] = []
        keep = max(HEADER_SCAN_ROWS, header_row or 0)
        width = 0
        used_after_sample: dict[int, int] = {}  # column index -> first row index with a value
        count = 0
        for i, row in enumerate(rows):
            count += 1
            width = max(width, len(row))
            if i < keep:
                sample.append(list(row))
                continue
            for j, v in enumerate(row):
                if j not in used_after_sample and not is_blank(v):
                    used_after_sample[j] = i
        # iter_rows starts at the sheet's first row but may start at the first used column
        self._first_row = sheet.end[0] + 2 - count  # sheet row number of rows[0]
        self._first_col = sheet.end[1] + 1 - width  # 0-based sheet column of cells[0]
        if header_row is not None:
            index = header_row - self._first_row
            if not 0 <= index < len(sample) or all(is_blank(v) for v in sample[index]):
                raise IngestError(
                    "header-row-invalid",
                    f"Row {header_row} of sheet {self.info.sheet} cannot be the header: it is "
                    "empty or outside the sheet.",
                    f"แถวที่ {header_row} ของชีต {self.info.sheet} ไม่สามารถเป็นหัวตารางได้ "
                    "เพราะว่างหรืออยู่นอกขอบเขตของชีต",
                    row=header_row,
                )
        else:
            found = find_header_row(sample[:HEADER_SCAN_ROWS])
            if found is None:
                raise empty_file_error(self.path.name)
            index = found
        header = sample[index] + [""] * (width - len(sample[index]))
        used: dict[int, int] = dict(used_after_sample)
        for i in range(index + 1, len(sample)):
            for j, v in enumerate(sample[i]):
                if not is_blank(v) and (j not in used or used[j] > i):
                    used[j] = i
        self._keep = [j for j in range(width) if not is_blank(header[j]) or j in used]
        check_column_count(len(self._keep), self.limits, row=self._first_row + index)
        self._header_index = index
        header_sheet_row = self._first_row + index
        positions = [self._first_col + j + 1 for j in self._keep]
        for j, pos in zip(self._keep, positions, strict=True):
            if is_blank(header[j]):
                first = self._first_row + used[j]
                letter = _column_letter(pos - 1)
                raise IngestError(
                    "header-blank",
                    f"The header of column {pos} ({letter}) is blank: column {pos} has no name, "
                    f"but row {first} has a value in it.",
                    f"หัวตารางของคอลัมน์ที่ {pos} ({letter}) ว่าง: คอลัมน์ที่ {pos} ไม่มีชื่อ "
                    f"แต่แถวที่ {first} มีข้อมูลในคอลัมน์นี้",
                    row=header_sheet_row,
                    column=f"#{pos}",
                )
        names = [cell_text(header[j]) or "" for j in self._keep]
        self.columns = check_header(names, self.limits, row=header_sheet_row, positions=positions)
        self.info.header_row = header_sheet_row
        self.info.skipped_title_rows = [t for t in (title_text(r) for r in sample[:index]) if t]
        merged = self._merged_in_data(header_sheet_row)
        if merged:
            self.info.notes.append(
                f"{merged} merged cell range(s) below the header: only the first cell of each "
                "carries the value, the others are read as empty."
            )

    def _merged_in_data(self, header_sheet_row: int) -> int:
        try:
            ranges = self._sheet.merged_cell_ranges or []
        except calamine.CalamineError:  # pragma: no cover
            return 0
        return sum(1 for (r0, _c0), (r1, _c1) in ranges if r1 + 1 > header_sheet_row)

    def batches(self) -> Iterator[pa.RecordBatch]:
        batcher = RowBatcher(self.columns, self.limits)
        keep = self._keep
        try:
            rows = self._sheet.iter_rows()
            for i, row in enumerate(rows):
                if i <= self._header_index:
                    continue
                n = len(row)
                cells = [cell_text(row[j]) if j < n else None for j in keep]
                if all(c is None for c in cells):
                    continue
                out = batcher.add(self._first_row + i, cells)
                if out is not None:
                    yield out
        except calamine.CalamineError as exc:  # pragma: no cover - the sheet was read before
            raise _spreadsheet_error(self.path.name, exc) from None
        last = batcher.flush()
        if last is not None:
            yield last

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            with contextlib.suppress(calamine.CalamineError):
                wb.close()
        if self._fh is not None:
            self._fh.close()
            self._fh = None
