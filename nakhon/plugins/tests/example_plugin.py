"""An example Nakhon plugin: pipe-separated files (.psv) and a check that no date lies ahead.

Load it with ``NAKHON_PLUGINS=nakhon.plugins.tests.example_plugin`` (docs/plugins.md shows
this file whole; the plugin tests use it).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from nakhon.plugins import toolkit
from nakhon.plugins.toolkit import hookimpl


class PipeSource:
    """A pipe-separated file: a header line, then one record per line (UTF-8, no quoting)."""

    def __init__(self, request: toolkit.OpenRequest) -> None:
        self.path = request.path
        self.limits = request.limits
        encoding = request.encoding or "utf-8-sig"
        self._file = request.path.open(encoding=encoding, newline="")
        self._records = csv.reader(self._file, delimiter="|", quoting=csv.QUOTE_NONE)
        header = next(self._records, None)
        if header is None:
            self._file.close()
            raise toolkit.IngestError(
                "empty-file", f"{self.path.name} is empty.", f"ไฟล์ {self.path.name} ว่างเปล่า"
            )
        self.columns = toolkit.check_header(header, self.limits, row=1)
        self.info = toolkit.SourceInfo(format="psv", encoding=encoding, delimiter="|", header_row=1)

    def batches(self) -> Iterator[Any]:
        batcher = toolkit.RowBatcher(self.columns, self.limits)
        for line, cells in enumerate(self._records, start=2):
            if not any(cells):
                continue  # a blank line
            if len(cells) != len(self.columns):
                raise toolkit.IngestError(
                    "psv-ragged-row",
                    f"Line {line} has {len(cells)} cells; the header has {len(self.columns)}.",
                    f"บรรทัดที่ {line} มี {len(cells)} ช่อง แต่หัวตารางมี {len(self.columns)} ช่อง",
                    row=line,
                )
            batch = batcher.add(line, [cell or None for cell in cells])
            if batch is not None:
                yield batch
        last = batcher.flush()
        if last is not None:
            yield last

    def close(self) -> None:
        self._file.close()


@hookimpl
def register_readers() -> list[Any]:
    return [
        toolkit.ReaderFormat(
            name="psv",
            open=PipeSource,
            extensions=(".psv",),
            accepts=("text",),  # the content is plain text
            named_en="a pipe-separated file",
            named_th="ไฟล์ข้อความคั่นด้วย |",
            title_en="PSV",
        )
    ]


class NoFutureDate(toolkit.ColumnCheck):
    """A date column must not hold a day after today (a survey cannot have happened yet)."""

    codes = ("no-future-date",)
    rules = (toolkit.Rule("no-future-date", "error", "a date in the future", "วันที่ในอนาคต"),)

    def applies(self, col: Any, schema: Any) -> bool:
        return bool(col.type == "date")

    def sql(self, ctx: Any, i: int, col: Any, c: str) -> str:
        return (
            f"SELECT _row, {i}, {ctx.value(i)}, 'no-future-date', NULL FROM {ctx.rel(i)} "
            f"WHERE {c} > current_date"
        )


@hookimpl
def register_checks() -> list[Any]:
    return [NoFutureDate]
