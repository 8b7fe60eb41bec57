"""Readers: open a CSV, spreadsheet, JSON, GeoJSON, zipped Shapefile or Parquet file as a stream of
text-cell record batches with source row numbers (the contract is in ``base.py``).

    source = open_source(Path("population.csv"))
    source.columns, source.info           # header checked eagerly
    for batch in source.batches(): ...    # pyarrow RecordBatches: strings + "_row" (+ "geometry")
    source.close()

Every problem is raised as :class:`~nakhon.ingestion.errors.IngestError` with a stable code, an
English and a Thai message, and the row/column where it applies; raw library exceptions do not
escape ``open_source`` or ``batches()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nakhon.ingestion.errors import IngestError

from .base import GEOMETRY, ROW, ReadLimits, Source, SourceInfo
from .formats import OpenRequest, ReaderFormat, registered

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "GEOMETRY",
    "ROW",
    "OpenRequest",
    "ReadLimits",
    "ReaderFormat",
    "Source",
    "SourceInfo",
    "open_source",
    "upload_suffixes",
]

_T = TypeVar("_T")


def open_source(
    path: Path,
    *,
    format: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen dataclass, safe as a default
) -> Source:
    """Open ``path`` for reading; the header is read and checked now, the rows by ``batches()``.

    ``format``: csv, tsv, xlsx, xls, ods, json, jsonl, geojson, shapefile, parquet, or a format
    a plugin registers (``register_readers``); by default detected from the content (magic
    bytes) and the extension, which must agree.
    ``sheet``: a sheet name or 0-based index (spreadsheets) or a layer name (a zip with several
    Shapefiles). ``encoding``: the text encoding (default: detected). ``header_row``: the 1-based
    row (spreadsheets) or line (CSV) of the header, instead of detecting it.
    """
    # imported here: loading the readers plugin at start-up must not import pyarrow
    from ._common import check_file
    from ._detect import choose_format, sniff

    path = Path(path)
    formats = registered()
    size = check_file(path, limits)
    content = sniff(path, size, formats)
    fmt = choose_format(path, content, format, formats)
    request = OpenRequest(
        path=path,
        size=size,
        format=fmt,
        content=content.kind,
        limits=limits,
        sheet=sheet,
        encoding=encoding,
        header_row=header_row,
        requested=format,
    )
    source = _guard(lambda: formats.by_name[fmt].open(request), path)
    return _Guarded(source)


def upload_suffixes() -> frozenset[str]:
    """The file extensions of every registered format (what an upload may be named)."""
    return registered().suffixes()


def _unexpected(exc: Exception, path: Path) -> IngestError:
    """Last line of defence: a library error no reader anticipated, as an IngestError."""
    kind = type(exc).__name__
    if isinstance(exc, MemoryError):
        return IngestError(
            "file-too-complex",
            f"{path.name} needs more memory to read than is available.",
            f"ไฟล์ {path.name} ต้องใช้หน่วยความจำมากเกินกว่าที่มีในการอ่าน",
        )
    if isinstance(exc, OSError):
        return IngestError(
            "file-unreadable",
            f"{path.name} could not be read ({exc.strerror or exc}).",
            f"อ่านไฟล์ {path.name} ไม่ได้ ({exc.strerror or exc})",
        )
    return IngestError(
        "file-invalid",
        f"{path.name} could not be read: {kind}: {exc}",
        f"ไม่สามารถอ่านไฟล์ {path.name} ได้: {kind}: {exc}",
    )


def _guard(fn: Callable[[], _T], path: Path) -> _T:
    try:
        return fn()
    except IngestError:
        raise
    except Exception as exc:
        raise _unexpected(exc, path) from exc


class _Guarded:
    """Wraps a reader so that nothing but IngestError leaves ``batches()`` or ``close()``."""

    def __init__(self, inner: Source) -> None:
        self._inner = inner
        self.path: Path = inner.path
        self.columns: list[str] = inner.columns
        self.info: SourceInfo = inner.info

    def batches(self) -> Iterator[pa.RecordBatch]:
        it = self._inner.batches()
        try:
            while True:
                try:
                    batch = next(it)
                except StopIteration:
                    return
                except IngestError:
                    raise
                except Exception as exc:  # translated, never leaked
                    raise _unexpected(exc, self.path) from exc
                yield batch
        finally:
            close = getattr(it, "close", None)  # a consumer that stops early: temporary
            if close is not None:  # files go now, not when the generator is collected
                close()

    @property
    def bytes_read(self) -> int | None:
        """How much of the file the rows read so far cover, in bytes (for progress), if known."""
        value = getattr(self._inner, "bytes_read", None)
        return value if isinstance(value, int) else None

    def close(self) -> None:
        _guard(self._inner.close, self.path)

    def __enter__(self) -> _Guarded:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self._inner).__name__} {self.path.name} columns={len(self.columns)}>"
