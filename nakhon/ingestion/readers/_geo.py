"""Coordinates: which CRS a file is in, reprojection to WGS 84, and GeoJSON geometry text.

Thai data comes in WGS 84 longitude/latitude, WGS 84 / UTM zone 47N or 48N (EPSG:32647,
EPSG:32648), or on the Indian 1975 datum (EPSG:24047 / 24048, Thai cadastre). pyproj does the
transformation (``always_xy=True``: x is always the easting or longitude). When a file does not
say and its coordinates are clearly projected (|x| > 180 or |y| > 90), the UTM zone that puts
more of them inside Thailand is assumed, and a note says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from nakhon.ingestion.errors import IngestError

WGS84 = CRS.from_epsg(4326)
THAILAND = (97.3, 5.6, 105.7, 20.5)  # lon/lat bounding box, generous
_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_MIN = {"LineString": 2, "MultiLineString": 2, "Polygon": 4, "MultiPolygon": 4}
DECIMALS = 8  # of a degree, after reprojection: about 1 mm


class GeometryError(ValueError):
    """A geometry that is not valid GeoJSON (structure, not topology)."""


def is_wgs84(crs: CRS) -> bool:
    if crs.to_epsg() == 4326:
        return True
    try:
        return bool(crs.equals(WGS84, ignore_axis_order=True))
    except CRSError:  # pragma: no cover
        return False


def crs_label(crs: CRS) -> str:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name


def looks_projected(points: Iterable[tuple[float, float]]) -> bool:
    return any(abs(x) > 180 or abs(y) > 90 for x, y in points)


def in_thailand(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = THAILAND
    return x0 <= lon <= x1 and y0 <= lat <= y1


@dataclass
class Reprojection:
    source: CRS | None  # None: already WGS 84
    label: str  # for SourceInfo.crs
    note: str | None = None
    _transformer: Transformer | None = None

    def __post_init__(self) -> None:
        if self.source is not None:
            self._transformer = Transformer.from_crs(self.source, WGS84, always_xy=True)

    def apply(self, positions: list[list[float]]) -> None:
        """Reproject positions in place ([x, y] or [x, y, z] lists)."""
        if self._transformer is None or not positions:
            return
        xs = [p[0] for p in positions]
        ys = [p[1] for p in positions]
        try:
            lons, lats = self._transformer.transform(xs, ys, errcheck=True)
        except ProjError as exc:
            raise GeometryError(
                f"coordinates cannot be reprojected from {self.label}: {exc}"
            ) from None
        for p, lon, lat in zip(positions, lons, lats, strict=True):
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise GeometryError(f"coordinates cannot be reprojected from {self.label}")
            p[0] = round(lon, DECIMALS)
            p[1] = round(lat, DECIMALS)


def choose(declared: CRS | None, samples: list[tuple[float, float]], *, what: str) -> Reprojection:
    """The reprojection for a file whose CRS is ``declared`` (or unknown) given sample points."""
    projected = looks_projected(samples)
    if declared is not None:
        if is_wgs84(declared):
            if projected:
                raise IngestError(
                    "geo-crs-mismatch",
                    f"The {what} says its coordinates are longitude/latitude (WGS 84), but they "
                    "are far outside -180..180 / -90..90: they look projected (e.g. UTM metres).",
                    f"{what_th(what)}ระบุว่าพิกัดเป็นลองจิจูด/ละติจูด (WGS 84) แต่ค่าพิกัดเกินช่วง "
                    "-180..180 / -90..90 ดูเหมือนเป็นพิกัดฉาก (เช่น UTM หน่วยเมตร)",
                )
            return Reprojection(None, crs_label(declared))
        label = crs_label(declared)
        return Reprojection(
            declared, label, f"Reprojected from {label} ({declared.name}) to WGS 84."
        )
    if not projected:
        return Reprojection(None, "EPSG:4326", None)
    best, best_hits = 32647, -1
    for epsg in (32647, 32648):
        t = Transformer.from_crs(CRS.from_epsg(epsg), WGS84, always_xy=True)
        lons, lats = t.transform([p[0] for p in samples], [p[1] for p in samples])
        hits = sum(1 for lon, lat in zip(lons, lats, strict=True) if in_thailand(lon, lat))
        if hits > best_hits:
            best, best_hits = epsg, hits
    if best_hits <= 0:
        raise IngestError(
            "geo-crs-unknown",
            f"The {what} does not say which coordinate system it uses, and its coordinates are "
            "projected but fall outside Thailand in UTM zone 47N and 48N. Add a .prj / crs or "
            "export the data in WGS 84 (EPSG:4326).",
            f"{what_th(what)}ไม่ได้ระบุระบบพิกัด และพิกัดเป็นพิกัดฉากที่ไม่อยู่ในประเทศไทยทั้งใน UTM "
            "โซน 47N และ 48N กรุณาระบุระบบพิกัด (.prj / crs) หรือส่งออกข้อมูลเป็น WGS 84 (EPSG:4326)",
        )
    crs = CRS.from_epsg(best)
    zone = "47N" if best == 32647 else "48N"
    note = (
        f"No coordinate system declared and the coordinates are projected: assumed EPSG:{best} "
        f"(WGS 84 / UTM zone {zone}), which puts them in Thailand; reprojected to WGS 84."
    )
    return Reprojection(crs, f"EPSG:{best}", note)


def what_th(what: str) -> str:
    return {"file": "ไฟล์", "GeoJSON file": "ไฟล์ GeoJSON", "Shapefile": "Shapefile"}.get(what, "ไฟล์")


def parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise IngestError(
            "geo-crs-unknown",
            f'The coordinate system "{text[:200]}" is not recognised.',
            f'ไม่รู้จักระบบพิกัด "{text[:200]}"',
            value=text[:200],
        ) from None


def from_prj(wkt: str) -> CRS:
    """A .prj (ESRI WKT) as a CRS; identified to its EPSG code when possible, so that pyproj
    uses the proper datum shift (e.g. Indian 1975 -> WGS 84)."""
    crs = parse_crs(wkt)
    code = crs.to_epsg(min_confidence=70)
    return CRS.from_epsg(code) if code else crs


# --------------------------------------------------------------------------------------------
# GeoJSON geometry objects
# --------------------------------------------------------------------------------------------


def _number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise GeometryError(
            f"a coordinate is {json.dumps(v, ensure_ascii=False)[:40]}, not a number"
        )
    try:
        f = float(v)
    except ValueError:
        raise GeometryError(f'a coordinate is "{v}", not a number') from None
    if not math.isfinite(f):
        raise GeometryError(f"a coordinate is {v}")
    return f


def _coords(value: Any, depth: int, kind: str, out: list[list[float]]) -> Any:
    if not isinstance(value, list | tuple):
        raise GeometryError(f"the coordinates of a {kind} must be nested lists")
    if depth == 0:
        if not 2 <= len(value) <= 4:
            raise GeometryError(f"a position must have 2 to 4 numbers, not {len(value)}")
        pos = [_number(v) for v in value]
        out.append(pos)
        return pos
    parts = [_coords(v, depth - 1, kind, out) for v in value]
    minimum = _MIN.get(kind)
    if minimum and depth == 1 and value and len(value) < minimum:
        what = "ring" if kind in ("Polygon", "MultiPolygon") else "line"
        raise GeometryError(f"a {what} of a {kind} has {len(value)} positions; at least {minimum}")
    return parts


def normalise(geom: Any, out: list[list[float]]) -> dict[str, Any]:
    """Validate a GeoJSON geometry object; coordinates become float lists (collected in out)."""
    if not isinstance(geom, dict):
        raise GeometryError("the geometry is not an object")
    kind = geom.get("type")
    if kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list):
            raise GeometryError('a GeometryCollection needs a "geometries" list')
        return {"type": kind, "geometries": [normalise(g, out) for g in members]}
    if kind not in _DEPTH:
        raise GeometryError(f'unknown geometry type "{kind}"')
    if "coordinates" not in geom:
        raise GeometryError(f'the {kind} has no "coordinates"')
    coords = geom["coordinates"]
    if kind != "Point" and coords == []:
        return {"type": kind, "coordinates": []}
    return {"type": kind, "coordinates": _coords(coords, _DEPTH[kind], kind, out)}


def first_positions(geom: Any, limit: int) -> list[tuple[float, float]]:
    """A few positions of a (possibly invalid) geometry, for CRS detection."""
    found: list[tuple[float, float]] = []

    def walk(v: Any) -> None:
        if len(found) >= limit:
            return
        if isinstance(v, dict):
            walk(v.get("coordinates", v.get("geometries")))
        elif isinstance(v, list):
            if len(v) >= 2 and all(isinstance(c, int | float | str) for c in v[:2]):
                try:
                    found.append((float(v[0]), float(v[1])))
                except (TypeError, ValueError):
                    return
            else:
                for item in v:
                    walk(item)

    walk(geom)
    return found


def geometry_text(geom: dict[str, Any]) -> str:
    return json.dumps(geom, separators=(",", ":"))
