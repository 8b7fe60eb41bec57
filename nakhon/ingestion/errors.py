"""Errors of ingestion with a precise place (row, column) and a Thai and English message."""

from __future__ import annotations

from typing import Any


class IngestError(Exception):
    """A problem that stops a read or an ingest. Nothing has been published when it is raised.

    ``code`` is stable (e.g. ``csv-ragged-row``), ``row`` is the row number as a person sees it
    in the file (1-based, header rows included; for Excel the sheet's row number), ``column``
    the column's header (or its 1-based position as ``"#7"`` when the header is blank).
    """

    def __init__(
        self,
        code: str,
        message_en: str,
        message_th: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_th = message_th
        self.row = row
        self.column = column
        self.value = value

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across processes
        return (
            _rebuild,
            (self.code, self.message_en, self.message_th, self.row, self.column, self.value),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_en": self.message_en,
            "message_th": self.message_th,
            "row": self.row,
            "column": self.column,
            "value": self.value,
        }


def _rebuild(code: str, en: str, th: str, row: Any, column: Any, value: Any) -> IngestError:
    return IngestError(code, en, th, row=row, column=column, value=value)
