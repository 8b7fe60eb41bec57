"""Parquet, streamed by row group (``ParquetFile.iter_batches``); every column cast to text.

Numbers as pyarrow writes them (1234.0 -> "1234"), dates ISO (2023-03-02), timestamps ISO
(2024-05-01T09:30:00, offset as +07:00 when the column has a time zone), booleans
"true"/"false", nested values compact JSON, binary as text when it is UTF-8 (else hex).
A GeoParquet file's primary WKB geometry column becomes ``geometry`` (GeoJSON text in WGS 84,
reprojected from the file's CRS when needed). ``_row`` is the 1-based row number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from ._common import check_arrow_cells, check_column_count, check_header, output_schema
from .base import GEOMETRY, ROW, ReadLimits, SourceInfo


def _invalid(name: str, exc: Exception) -> IngestError:
    return IngestError(
        "parquet-invalid",
        f"{name} cannot be read as Parquet ({exc}).",
        f"ไม่สามารถอ่านไฟล์ {name} เป็น Parquet ได้ ({exc})",
    )


def to_text(array: pa.Array) -> pa.Array:
    """Any Arrow array as a string array (nulls stay null)."""
    t = array.type
    if isinstance(array, pa.ChunkedArray):  # pragma: no cover - batches hold plain arrays
        array = array.combine_chunks()
    if pa.types.is_dictionary(t):
        return to_text(array.dictionary_decode())
    if isinstance(t, pa.ExtensionType):
        return to_text(array.storage)
    if pa.types.is_string(t):
        return array
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return array.cast(pa.string())
    if pa.types.is_null(t):
        return pa.nulls(len(array), pa.string())
    if pa.types.is_timestamp(t):
        text = pc.replace_substring_regex(array.cast(pa.string()), r"^(\S+) ", r"\1T")
        text = pc.replace_substring_regex(text, r"\.0+($|[+-Z])", r"\1")
        return pc.replace_substring_regex(text, r"([+-]\d\d)(\d\d)$", r"\1:\2")
    if (
        pa.types.is_boolean(t)
        or pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_decimal(t)
        or pa.types.is_date(t)
        or pa.types.is_time(t)
    ):
        return array.cast(pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        try:
            return array.cast(pa.binary()).cast(pa.string())
        except pa.ArrowInvalid:
            return pa.array([_bytes_text(v) for v in array.to_pylist()], pa.string())
    values = array.to_pylist()
    return pa.array(
        [
            None
            if v is None
            else json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str)
            for v in values
        ],
        pa.string(),
    )


def _bytes_text(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.hex()


class ParquetSource:
    def __init__(self, path: Path, *, limits: ReadLimits) -> None:
        self.path = path
        self.limits = limits
        try:
            meta = pq.read_metadata(path)
            check_column_count(meta.num_columns, limits)
            self._pf = pq.ParquetFile(path)
            schema = self._pf.schema_arrow
        except IngestError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise _invalid(path.name, exc) from None
        check_column_count(len(schema.names), limits)
        self._geo_column, self._reproject, crs_label = self._geoparquet(schema)
        self._source_names = [n for n in schema.names if n != self._geo_column]
        reserved = (ROW, GEOMETRY) if self._geo_column else (ROW,)
        self.columns = check_header(self._source_names, limits, reserved=reserved)
        self._total_rows = max(meta.num_rows, 1)
        self._size = path.stat().st_size
        self.bytes_read = 0  # progress, estimated from the rows read
        self.info = SourceInfo(format="parquet", crs=crs_label)
        self.info.notes.append(f"{meta.num_rows:,} rows in {meta.num_row_groups} row group(s).")
        if self._reproject is not None and self._reproject.note:
            self.info.notes.append(self._reproject.note)

    def _geoparquet(self, schema: pa.Schema) -> tuple[str | None, Any, str | None]:
        raw = (schema.metadata or {}).get(b"geo")
        if not raw:
            return None, None, None
        try:
            geo = json.loads(raw)
            primary = geo["primary_column"]
            spec = geo["columns"][primary]
        except (ValueError, KeyError, TypeError):
            return None, None, None
        if spec.get("encoding", "WKB").upper() != "WKB" or primary not in schema.names:
            return None, None, None
        from pyproj import CRS

        from . import _geo

        crs_spec = spec.get("crs", "OGC:CRS84")
        if crs_spec is None:  # "crs": null means unknown; treat as WGS 84 like readers do
            declared = _geo.WGS84
        elif isinstance(crs_spec, dict):
            declared = CRS.from_json_dict(crs_spec)
        else:
            declared = _geo.parse_crs(str(crs_spec))
        reproject = _geo.choose(declared, [], what="file")
        return primary, reproject, reproject.label

    def batches(self) -> Iterator[pa.RecordBatch]:
        schema = output_schema(self.columns, geometry=self._geo_column is not None)
        row = 1
        try:
            it = self._pf.iter_batches(batch_size=self.limits.batch_rows)
            for batch in it:
                n = batch.num_rows
                arrays = [to_text(batch.column(name)) for name in self._source_names]
                if self._geo_column is not None:
                    arrays.append(self._geometry(batch.column(self._geo_column), row))
                arrays.append(pa.array(np.arange(row, row + n, dtype=np.int64), pa.int64()))
                out = pa.RecordBatch.from_arrays(arrays, schema=schema)
                check_arrow_cells(out, self.columns, self.limits, hint_newlines=False)
                row += n
                self.bytes_read = self._size * (row - 1) // self._total_rows
                yield out
        except (pa.ArrowException, OSError) as exc:
            raise IngestError(
                "parquet-invalid",
                f"{self.path.name} cannot be read as Parquet after row {row - 1:,} ({exc}).",
                f"ไม่สามารถอ่านไฟล์ {self.path.name} เป็น Parquet ได้หลังแถวที่ {row - 1:,} ({exc})",
                row=row,
            ) from None

    def _geometry(self, column: pa.Array, first_row: int) -> pa.Array:
        import shapely

        from . import _geo

        values = np.array(column.to_pylist(), dtype=object)
        try:
            geoms = shapely.from_wkb(values)
        except shapely.errors.GEOSException as exc:
            raise IngestError(
                "parquet-invalid-geometry",
                f"A geometry in the rows from {first_row:,} is not valid WKB ({exc}).",
                f"มีรูปทรงเรขาคณิตในแถวตั้งแต่ {first_row:,} ที่ไม่ใช่ WKB ที่ถูกต้อง ({exc})",
                row=first_row,
                column=GEOMETRY,
            ) from None
        reproject = self._reproject
        if reproject is not None and reproject.source is not None:

            def move(xy: np.ndarray) -> np.ndarray:
                points = [[float(x), float(y)] for x, y in xy]
                reproject.apply(points)
                return np.array(points, dtype=float).reshape(-1, 2)

            try:
                geoms = shapely.transform(geoms, move)
            except _geo.GeometryError as exc:
                raise IngestError(
                    "parquet-invalid-geometry",
                    f"Geometries in the rows from {first_row:,} cannot be reprojected ({exc}).",
                    f"ไม่สามารถแปลงพิกัดรูปทรงในแถวตั้งแต่ {first_row:,} ได้ ({exc})",
                    row=first_row,
                    column=GEOMETRY,
                ) from None
        texts = shapely.to_geojson(geoms)
        return pa.array([None if g is None else str(g) for g in texts], pa.string())

    def close(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            self._pf.close()
