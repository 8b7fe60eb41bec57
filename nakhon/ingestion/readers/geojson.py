"""GeoJSON: a FeatureCollection (or a single Feature / geometry).

Columns are the union of the features' property keys (first-seen order), plus ``id`` when the
features carry one and no property is named so, plus ``geometry``: the feature's geometry as
compact GeoJSON text in WGS 84. A legacy ``"crs"`` member (``EPSG:32647``,
``urn:ogc:def:crs:EPSG::32647``, ``urn:ogc:def:crs:OGC:1.3:CRS84`` ...) is honoured; without one,
clearly projected coordinates are taken as UTM zone 47N or 48N (see ``_geo.choose``) and
reprojected. ``_row`` is the 1-based feature number. Geometry *validity* (self-intersections,
ring orientation) is checked later, not here; a geometry that is not GeoJSON at all (unknown
type, coordinates that are not numbers, a ring of 2 positions) is an error with its feature.

Like the JSON reader it streams, in two passes (columns and CRS first, then the rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from nakhon.ingestion.errors import IngestError

from . import _geo
from ._common import RowBatcher, check_column_count, check_header, fmt_int
from .base import GEOMETRY, ROW, ReadLimits, SourceInfo
from .jsonfile import Cursor, Found, cell, iter_members, kind_of, open_text

_SAMPLE_POINTS = 500


class GeoJsonSource:
    def __init__(self, path: Path, *, limits: ReadLimits, encoding: str | None = None) -> None:
        self.path = path
        self.limits = limits
        self._encoding = encoding
        keys: dict[str, None] = {}
        has_id = False
        samples: list[tuple[float, float]] = []
        count = 0
        found = Found()
        for index, feature in self._features(found):
            count += 1
            props = self._properties(index, feature)
            for k in props:
                if k not in keys:
                    keys[k] = None
                    check_column_count(len(keys) + 1, limits)
            has_id = has_id or feature.get("id") is not None
            if len(samples) < _SAMPLE_POINTS:
                samples += _geo.first_positions(feature.get("geometry"), 5)
        self._keys = list(keys)
        self._id_column = has_id and "id" not in {k.strip() for k in self._keys}
        names = (["id"] if self._id_column else []) + self._keys
        self.columns = check_header(names, limits, reserved=(ROW, GEOMETRY), where="property")
        declared = self._declared_crs(found.meta)
        self._reproject = _geo.choose(declared, samples, what="GeoJSON file")
        self.info = SourceInfo(format="geojson", encoding=self._label, crs=self._reproject.label)
        if self._reproject.note:
            self.info.notes.append(self._reproject.note)
        self.info.notes.append(f"{fmt_int(count)} features.")

    # ------------------------------------------------------------------------------------------

    def _features(self, found: Found) -> Iterator[tuple[int, dict[str, Any]]]:
        f, self._label = open_text(self.path, self._encoding)
        with f:
            cur = Cursor(f, self.path.name)
            ch = cur.peek()
            if ch != "{":
                raise _not_geojson(self.path.name)
            for index, value in iter_members(cur, ("features",), found, nested=()):
                if not isinstance(value, dict):
                    en, th = kind_of(value)
                    raise IngestError(
                        "geojson-invalid-feature",
                        f"Feature {fmt_int(index)} is {en}, not a Feature object.",
                        f"ฟีเจอร์ที่ {fmt_int(index)} เป็น{th} ไม่ใช่ออบเจกต์ Feature",
                        row=index,
                    )
                yield index, value
            if cur.peek():
                raise _not_geojson(self.path.name)
        if not found.records:
            kind = found.meta.get("type")
            if kind == "Feature":
                yield 1, found.meta
            elif kind in ("GeometryCollection", *_geo._DEPTH):
                yield 1, {"type": "Feature", "properties": {}, "geometry": found.meta}
            else:
                raise _not_geojson(self.path.name)

    def _properties(self, index: int, feature: dict[str, Any]) -> dict[str, Any]:
        props = feature.get("properties")
        if props is None:
            return {}
        if not isinstance(props, dict):
            raise IngestError(
                "geojson-invalid-feature",
                f'The "properties" of feature {fmt_int(index)} are not an object.',
                f'"properties" ของฟีเจอร์ที่ {fmt_int(index)} ไม่ใช่ออบเจกต์',
                row=index,
            )
        return props

    def _declared_crs(self, meta: dict[str, Any]) -> Any:
        crs = meta.get("crs")
        if not isinstance(crs, dict):
            return None
        props = crs.get("properties")
        if not isinstance(props, dict):
            return None
        if "name" in props and isinstance(props["name"], str):
            return _geo.parse_crs(props["name"])
        if crs.get("type") == "EPSG" and "code" in props:  # GeoJSON 2008 drafts
            return _geo.parse_crs(f"EPSG:{props['code']}")
        return None

    # ------------------------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        batcher = RowBatcher(self.columns, self.limits, geometry=True)
        offset = 1 if self._id_column else 0
        index_of = {k: i + offset for i, k in enumerate(self._keys)}
        width = len(self.columns) + 1  # + geometry
        for index, feature in self._features(Found()):
            cells: list[str | None] = [None] * width
            if self._id_column:
                cells[0] = cell(feature.get("id"))
            for k, v in self._properties(index, feature).items():
                cells[index_of[k]] = cell(v)
            cells[-1] = self._geometry(index, feature.get("geometry"))
            out = batcher.add(index, cells)
            if out is not None:
                yield out
        last = batcher.flush()
        if last is not None:
            yield last

    def _geometry(self, index: int, geom: Any) -> str | None:
        if geom is None:
            return None
        positions: list[list[float]] = []
        try:
            shape = _geo.normalise(geom, positions)
            self._reproject.apply(positions)
        except _geo.GeometryError as exc:
            raise IngestError(
                "geojson-invalid-geometry",
                f"The geometry of feature {fmt_int(index)} is not valid GeoJSON: {exc}.",
                f"รูปทรงเรขาคณิตของฟีเจอร์ที่ {fmt_int(index)} ไม่ใช่ GeoJSON ที่ถูกต้อง: {exc}",
                row=index,
                column=GEOMETRY,
            ) from None
        return _geo.geometry_text(shape)

    def close(self) -> None:
        pass


def _not_geojson(name: str) -> IngestError:
    return IngestError(
        "geojson-invalid",
        f'{name} is not GeoJSON: expected an object with "type": "FeatureCollection" and a '
        '"features" list (or a single Feature).',
        f'ไฟล์ {name} ไม่ใช่ GeoJSON: ต้องเป็นออบเจกต์ที่มี "type": "FeatureCollection" และรายการ '
        '"features" (หรือ Feature เดียว)',
    )
