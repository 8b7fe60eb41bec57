"""Geometry helpers: GeoJSON in, validated shapely geometry, bbox, geodesic area, SVG outline.

Geometry is stored as GeoJSON (WGS 84) in the operational database (ARCHITECTURE.md, 5).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from nakhon.core.errors import InvalidInput

_WGS84 = Geod(ellps="WGS84")
# Thailand's extent with a margin: anything outside is almost surely swapped or projected.
_THAILAND = (97.0, 5.0, 106.0, 21.0)


def load_geometry(source: dict[str, Any] | str | Path, *, where: str = "boundary") -> BaseGeometry:
    """A polygon/multipolygon from a GeoJSON Geometry, Feature or FeatureCollection (unioned).

    Raises ``InvalidInput`` naming ``where`` and the reason for anything unusable.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidInput(f"{where}: file {path} does not exist") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"{where}: {path} is not GeoJSON ({exc})") from None
    else:
        data = source
    if not isinstance(data, dict) or "type" not in data:
        raise InvalidInput(f"{where}: not a GeoJSON object")
    geoms: list[BaseGeometry] = []
    try:
        if data["type"] == "FeatureCollection":
            geoms = [shape(f["geometry"]) for f in data.get("features", []) if f.get("geometry")]
        elif data["type"] == "Feature":
            geoms = [shape(data["geometry"])]
        else:
            geoms = [shape(data)]
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise InvalidInput(f"{where}: invalid GeoJSON geometry ({exc})") from None
    if not geoms:
        raise InvalidInput(f"{where}: the GeoJSON has no geometry")
    geom = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        raise InvalidInput(f"{where}: expected a polygon, got {geom.geom_type}")
    if geom.is_empty:
        raise InvalidInput(f"{where}: the polygon is empty")
    if not geom.is_valid:
        # An official boundary is not repaired silently: the steward fixes it at the source.
        raise InvalidInput(
            f"{where}: the polygon is not valid ({shapely.is_valid_reason(geom)}); fix it in "
            "a GIS (e.g. QGIS: Vector > Geometry Tools > Fix Geometries) and try again"
        )
    minx, miny, maxx, maxy = geom.bounds
    if minx < _THAILAND[0] or miny < _THAILAND[1] or maxx > _THAILAND[2] or maxy > _THAILAND[3]:
        raise InvalidInput(
            f"{where}: coordinates {tuple(round(b, 3) for b in geom.bounds)} are outside "
            "Thailand; GeoJSON must be WGS 84 longitude/latitude (convert UTM 47N/48N first)"
        )
    return geom


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    return json.loads(shapely.to_geojson(geom, indent=None))


def bbox(geom: BaseGeometry) -> list[float]:
    return [round(v, 6) for v in geom.bounds]


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area on the WGS 84 ellipsoid, in km²."""
    area_m2, _perimeter = _WGS84.geometry_area_perimeter(geom)
    return float(abs(area_m2)) / 1_000_000


def svg_outline(geom: BaseGeometry, *, size: int = 320, pad: int = 8) -> dict[str, Any]:
    """An SVG path of the outline scaled into a box: a map for an offline page (no tiles)."""
    minx, miny, maxx, maxy = geom.bounds
    span = max(maxx - minx, maxy - miny) or 1.0
    scale = (size - 2 * pad) / span
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    parts: list[str] = []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            pts = [
                f"{pad + (x - minx) * scale:.1f},{pad + (maxy - y) * scale:.1f}"
                for x, y in ring.coords
            ]
            parts.append("M" + " L".join(pts) + " Z")
    return {
        "d": " ".join(parts),
        "width": round(2 * pad + (maxx - minx) * scale),
        "height": round(2 * pad + (maxy - miny) * scale),
    }


__all__ = ["area_km2", "bbox", "load_geometry", "mapping", "svg_outline", "to_geojson"]
