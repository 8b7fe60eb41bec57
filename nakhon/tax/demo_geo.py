"""Where the demo register's parcels lie, shared by the demo register (``nakhon.tax.demo``) and
the demo datasets that overlap it (building footprints, business licences in
``nakhon.demo.datasets``), so the revenue-gap worklists (``nakhon.tax.gap``) find real overlaps.

Pure and deterministic: parcel ``i`` (1–40) is a square of its own area centred on a point of an
8 × 5 grid inside the Khon Kaen demo boundary (Tambon Nai Mueang).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

PARCELS = 40
COLUMNS = 8
LON0, LAT0 = 102.822, 16.423
LON_STEP, LAT_STEP = 0.0025, 0.0035
M_PER_DEG_LAT = 110_574.0
M2_PER_SQ_WAH = 4


def m_per_deg_lon(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


def parcel_centre(i: int) -> tuple[float, float]:
    """(longitude, latitude) of demo parcel ``i`` (1-based)."""
    row, col = divmod(i - 1, COLUMNS)
    return round(LON0 + col * LON_STEP, 6), round(LAT0 + row * LAT_STEP, 6)


def rectangle(lon: float, lat: float, width_m: float, depth_m: float) -> dict[str, Any]:
    """A GeoJSON polygon: an axis-aligned rectangle centred on (lon, lat), sizes in metres."""
    dx = width_m / 2 / m_per_deg_lon(lat)
    dy = depth_m / 2 / M_PER_DEG_LAT
    ring = [
        [round(lon - dx, 7), round(lat - dy, 7)],
        [round(lon + dx, 7), round(lat - dy, 7)],
        [round(lon + dx, 7), round(lat + dy, 7)],
        [round(lon - dx, 7), round(lat + dy, 7)],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def parcel_geometry(i: int, area_sq_wah: Decimal | float) -> dict[str, Any]:
    """Demo parcel ``i`` as a square of its area (square wah → m²) on its grid point."""
    side = math.sqrt(float(area_sq_wah) * M2_PER_SQ_WAH)
    lon, lat = parcel_centre(i)
    return rectangle(lon, lat, side, side)


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m`` east and ``north_m`` north of (lon, lat)."""
    return lon + east_m / m_per_deg_lon(lat), lat + north_m / M_PER_DEG_LAT


def sign_position(i: int) -> tuple[float, float]:
    """(longitude, latitude) of demo signboard ``i``: between four parcels, on none."""
    row, col = divmod(i - 1, COLUMNS)
    return round(LON0 + (col + 0.5) * LON_STEP, 6), round(LAT0 + (row + 0.5) * LAT_STEP, 6)
