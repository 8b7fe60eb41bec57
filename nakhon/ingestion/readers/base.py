"""The contract every reader fulfils: a streaming table of text cells with source row numbers.

A reader never loads a whole large file into memory: ``batches()`` yields ``pyarrow``
record batches, in file order, each with the columns of ``columns`` as nullable strings (the
cell text exactly as in the file after decoding, with surrounding whitespace kept: trimming is
normalisation's job; empty cells are null) plus an int64 column ``_row``: the row number a person
sees in the file (text files: the 1-based line number of the record's first line; spreadsheets:
the sheet's row number). Geographic readers add a string column ``geometry`` holding GeoJSON
geometry text in WGS 84 (EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only annotations: importing the contract does not import pyarrow
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

ROW = "_row"
GEOMETRY = "geometry"


@dataclass(frozen=True)
class ReadLimits:
    """Bounds that protect the server from hostile or accidental huge input."""

    max_bytes: int = 4 * 1024**3  # a single file, as stored
    max_uncompressed_bytes: int = 2 * 1024**3  # what a zip may expand to in total
    max_compression_ratio: int = 100  # per zip member: expanded / compressed
    max_columns: int = 2000
    max_cell_chars: int = 32_767  # Excel's own limit per cell
    batch_rows: int = 100_000


@dataclass
class SourceInfo:
    """What the reader found out, shown in the ingest report."""

    format: str  # csv, xlsx, xls, json, geojson, shapefile, parquet
    encoding: str | None = None  # utf-8, utf-8-sig, cp874, ...
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int | None = None  # 1-based row number of the header in the file
    skipped_title_rows: list[str] = field(default_factory=list)  # text of merged title rows
    crs: str | None = None  # for geographic sources, the CRS the file was in
    notes: list[str] = field(default_factory=list)  # human-readable remarks (English)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Source(Protocol):
    path: Path
    columns: list[str]  # header names, stripped of surrounding whitespace; unique, non-blank
    info: SourceInfo

    def batches(self) -> Iterator[pa.RecordBatch]: ...

    def close(self) -> None: ...
