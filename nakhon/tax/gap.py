"""The revenue gap (issue #6): property likely missing from, or under-assessed on, the register.

Four worklists, each row with its evidence, the register records concerned and an *estimated*
tax at stake computed by the pure engine (``nakhon.tax.rules``) under the tax year's rules:

- ``footprints``: buildings of an outside footprint layer (dataset ``building-footprints``, any
  geospatial dataset of polygons) that touch a parcel with no registered building, or no parcel;
- ``licences``: business licences (dataset ``business-licences``, points) with no signboard
  within ``SIGN_RADIUS_M`` metres nor on the same parcel;
- ``uses``: parcels declared residential or agricultural only, with a business licence on them;
- ``drops``: taxpayers whose tax fell by more than ``DROP_PERCENT`` % from the previous tax
  year: assessments where a year has them, else the register quoted under that year's rules.

Estimates (``ASSUMPTIONS``): a footprint's floor area is its area × its ``levels`` (1 when
missing); its price per m², structure and age are the register's median / most common; its use
and owner kind are the parcel's (residential-other, individual, without one). A sign is the
register's median width × height, its most common sign type, fixed, one face. A use
contradiction is the parcel (land and its buildings) taxed as commercial minus as declared. Each
estimate is of the item alone, not added to the owner's other property (brackets and the
primary-home exemption apply per owner and use, so the true change can differ).

The spatial work is Shapely 2 (STRtree) in UTM metres (pyproj); the register's numbers go
through Polars. Reads check ``tax.view``; rows need ``tax_assessment.view`` (the tax office),
taxpayers' names ``personal_data.view`` (audited); executives see counts and totals only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

import numpy as np
import polars as pl
import shapely
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import can, require
from nakhon.tax.models import (
    Assessment,
    Building,
    Holding,
    Parcel,
    PropertyUse,
    Signboard,
    TaxKind,
    Taxpayer,
)
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import land_building, signboard
from nakhon.tax.selectors import taxpayer_names

FOOTPRINTS_DATASET = "building-footprints"
LICENCES_DATASET = "business-licences"
SIGN_RADIUS_M = 30.0
DROP_PERCENT = Decimal(30)
LISTS = ("footprints", "licences", "uses", "drops")
LIST_TITLES = {
    "footprints": gettext_lazy("Buildings with no building on the register"),
    "licences": gettext_lazy("Business licences with no signboard"),
    "uses": gettext_lazy("Declared use contradicted by a business licence"),
    "drops": gettext_lazy("Year-over-year drops in tax"),
}
SOURCES = {
    "assessments": gettext_lazy("assessments"),
    "register quotes": gettext_lazy("register quotes"),
}
RESIDENTIAL_OR_FARM = frozenset(
    {"agricultural", "residential_primary", "residential_other", "residential_building_only"}
)


@dataclass
class Finding:
    """One row of a worklist; ``tax_baht`` is an estimate (``estimate`` explains it)."""

    worklist: str
    key: str  # the outside record (footprint id, licence number) or the taxpayer's code
    evidence: str
    tax_baht: Decimal
    estimate: str
    parcel: str = ""
    parcel_id: int | None = None
    taxpayer: str = ""
    taxpayer_id: int | None = None
    taxpayer_name: str = ""
    records: list[str] = field(default_factory=list)
    distance_m: float | None = None
    geometry: dict[str, Any] | None = None

    def as_dict(self, *, rows_geometry: bool = False) -> dict[str, Any]:
        out = asdict(self)
        out["tax_baht"] = str(self.tax_baht)
        if not rows_geometry:
            out.pop("geometry")
        return out


@dataclass
class Worklist:
    name: str
    findings: list[Finding]
    note: str = ""  # e.g. the dataset is not published, or how the drops were computed

    @property
    def title(self) -> str:
        return str(LIST_TITLES[self.name])

    @property
    def total_baht(self) -> Decimal:
        return sum((f.tax_baht for f in self.findings), Decimal(0))


@dataclass
class Gap:
    municipality: Municipality
    tax_year: int
    lists: dict[str, Worklist]
    rows: bool  # the findings themselves (tax office) or only counts and totals
    personal: bool  # taxpayers' names shown
    assumptions: list[str]

    @property
    def total_baht(self) -> Decimal:
        return sum((w.total_baht for w in self.lists.values()), Decimal(0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality.slug,
            "tax_year": self.tax_year,
            "estimated_total_baht": str(self.total_baht),
            "assumptions": self.assumptions,
            "lists": {
                name: {
                    "title": w.title,
                    "count": len(w.findings),
                    "estimated_tax_baht": str(w.total_baht),
                    "note": w.note,
                    **({"rows": [f.as_dict() for f in w.findings]} if self.rows else {}),
                }
                for name, w in self.lists.items()
            },
        }


def assumptions() -> list[str]:
    return [
        _("Every amount is an estimate, computed by the tax engine under the year's rules."),
        _(
            "A building from the footprint layer: floor area = footprint area × levels (1 when "
            "not given); price per m², structure and age are the register's median or most "
            "common values; use and owner kind are the parcel's (residential, individual "
            "without a parcel)."
        ),
        _(
            "A sign for a business licence: the register's median width and height, its most "
            "common sign type, fixed, one face."
        ),
        _(
            "A use contradiction: the parcel with its buildings taxed as commercial minus taxed "
            "as declared."
        ),
        _(
            "Each item is estimated alone, not added to the owner's other property; brackets "
            "and the primary-home exemption apply per owner and use, so the true change can "
            "differ."
        ),
    ]


# --- geometry: lon/lat → metres -------------------------------------------------------------


def _to_metres(geoms: np.ndarray[Any, Any], lon: float) -> np.ndarray[Any, Any]:
    """Geometries in WGS84 → UTM (zone 47N west of 102° E, else 48N), for metres and m²."""
    from pyproj import Transformer

    epsg = 32647 if lon < 102 else 32648
    transformer = Transformer.from_crs(4326, epsg, always_xy=True)

    def project(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, project)


# --- pure worklist logic -----------------------------------------------------------------------


@dataclass
class RegisterParcel:
    pk: int
    code: str
    geometry: Any  # shapely, WGS84
    has_building: bool
    uses: dict[str, Decimal]  # use → share %
    owner_id: int | None
    owner_code: str
    owner_kind: str  # individual | juristic

    @property
    def main_use(self) -> str:
        return max(self.uses.items(), key=lambda kv: kv[1])[0] if self.uses else ""


def match_footprints(
    footprints: Iterable[tuple[str, Any]], parcels: list[RegisterParcel]
) -> list[tuple[str, Any, RegisterParcel | None, float]]:
    """(footprint id, geometry, parcel or None, overlap m²) for each footprint that touches no
    parcel with a registered building: the parcel it overlaps most (with no building), or None.
    """
    footprints = list(footprints)
    if not footprints:
        return []
    fgeoms = np.array([g for _k, g in footprints], dtype=object)
    lon = float(shapely.centroid(fgeoms[0]).x)
    f_m = _to_metres(fgeoms, lon)
    p_m = _to_metres(np.array([p.geometry for p in parcels], dtype=object), lon)
    tree = shapely.STRtree(p_m)
    hits = tree.query(f_m, predicate="intersects") if len(p_m) else np.empty((2, 0), dtype=int)
    touched: dict[int, list[int]] = defaultdict(list)
    for fi, pi in zip(hits[0], hits[1], strict=True):
        touched[int(fi)].append(int(pi))
    out: list[tuple[str, Any, RegisterParcel | None, float]] = []
    for fi, (key, geom) in enumerate(footprints):
        on = [parcels[pi] for pi in touched.get(fi, [])]
        if any(p.has_building for p in on):
            continue
        if not on:
            out.append((key, geom, None, 0.0))
            continue
        overlaps = [
            float(shapely.area(shapely.intersection(f_m[fi], p_m[parcels.index(p)]))) for p in on
        ]
        best = int(np.argmax(overlaps))
        out.append((key, geom, on[best], overlaps[best]))
    return out


def match_licences(
    licences: list[tuple[str, float, float]],
    signs: list[tuple[str, float, float]],
    parcels: list[RegisterParcel],
    radius_m: float = SIGN_RADIUS_M,
) -> list[tuple[str, float, float, RegisterParcel | None, str, float | None, bool]]:
    """For each licence (key, lon, lat): (key, lon, lat, parcel it lies on or None, nearest sign
    code, its distance in m, whether a sign is within ``radius_m`` or on the same parcel)."""
    if not licences:
        return []
    lon0 = licences[0][1]
    l_m = _to_metres(shapely.points([(x, y) for _k, x, y in licences]), lon0)
    s_m = _to_metres(shapely.points([(x, y) for _k, x, y in signs]), lon0) if signs else None
    p_m = _to_metres(np.array([p.geometry for p in parcels], dtype=object), lon0)
    ptree = shapely.STRtree(p_m)
    stree = shapely.STRtree(s_m) if s_m is not None else None
    sign_parcel: dict[int, int] = {}
    if s_m is not None and len(p_m):
        si, pi = ptree.query(s_m, predicate="within")
        sign_parcel = {int(s): int(p) for s, p in zip(si, pi, strict=True)}
    l_parcel: dict[int, int] = {}
    if len(p_m):
        li, pi = ptree.query(l_m, predicate="within")
        l_parcel = {int(a): int(b) for a, b in zip(li, pi, strict=True)}
    out = []
    for i, (key, lon, lat) in enumerate(licences):
        parcel_index = l_parcel.get(i)
        nearest_code, distance = "", None
        if stree is not None and s_m is not None:
            j = int(stree.nearest(l_m[i]))
            nearest_code = signs[j][0]
            distance = float(shapely.distance(l_m[i], s_m[j]))
        same_parcel = parcel_index is not None and parcel_index in sign_parcel.values()
        near = distance is not None and distance <= radius_m
        parcel = parcels[parcel_index] if parcel_index is not None else None
        out.append((key, lon, lat, parcel, nearest_code, distance, near or same_parcel))
    return out


def drops(
    previous: dict[int, Decimal], current: dict[int, Decimal], percent: Decimal = DROP_PERCENT
) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(taxpayer id, previous, current, fall in %) for each fall of more than ``percent`` %."""
    out = []
    for owner, before in previous.items():
        after = current.get(owner, Decimal(0))
        if before > 0 and after < before:
            fall = (before - after) * 100 / before
            if fall > percent:
                out.append((owner, before, after, fall.quantize(Decimal("0.1"))))
    return out


# --- the register and the datasets -----------------------------------------------------------


def _register_parcels(municipality: Municipality) -> list[RegisterParcel]:
    with_building = set(
        Building.objects.filter(municipality=municipality, parcel__isnull=False).values_list(
            "parcel_id", flat=True
        )
    )
    uses: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pk, use, share in PropertyUse.objects.filter(
        municipality=municipality, parcel__isnull=False
    ).values_list("parcel_id", "use", "share_percent"):
        uses[pk][use] = uses[pk].get(use, Decimal(0)) + share
    owners: dict[int, tuple[int, str, str]] = {}
    for pk, tp, code, kind in (
        Holding.objects.filter(municipality=municipality, parcel__isnull=False)
        .order_by("-share_percent", "id")
        .values_list("parcel_id", "taxpayer_id", "taxpayer__code", "taxpayer__kind")
    ):
        owners.setdefault(pk, (tp, code, kind))
    out = []
    for pk, code, geometry in (
        Parcel.objects.filter(municipality=municipality, geometry__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "geometry")
    ):
        try:
            shape = shapely.from_geojson(json.dumps(geometry))
        except shapely.errors.GEOSException:  # a broken geometry: the parcel is left out
            continue
        owner_pk, tp_code, kind = owners.get(pk, (0, "", "person"))
        out.append(
            RegisterParcel(
                pk,
                code,
                shape,
                pk in with_building,
                uses.get(pk, {}),
                owner_pk or None,
                tp_code,
                "juristic" if kind == Taxpayer.Kind.JURISTIC else "individual",
            )
        )
    return out


def _dataset_rows(actor: Any, municipality: Municipality, slug: str) -> tuple[Any, Any] | None:
    """(dataset, rows as a Polars frame) of a published dataset of the city, or None."""
    from nakhon.catalog.models import Dataset
    from nakhon.lake import service
    from nakhon.lake.query import MAX_LIMIT, Spec

    dataset = Dataset.objects.filter(municipality=municipality, slug=slug).first()
    if dataset is None or not dataset.versions.exists():
        return None
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = service.query(
            actor=actor,
            dataset=dataset,
            spec=Spec(limit=MAX_LIMIT, offset=offset, include_total=False),
        )
        rows += page.result.rows
        if len(page.result.rows) < MAX_LIMIT:
            break
        offset += MAX_LIMIT
    return dataset, pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _key_column(frame: pl.DataFrame, skip: set[str]) -> str | None:
    for name in frame.columns:
        if name not in skip and name != "_row":
            return name
    return None


# --- estimates by the engine -----------------------------------------------------------------


@dataclass
class Defaults:
    """The register's typical building and sign, for estimating what is not registered."""

    price_per_m2: Decimal
    structure: str
    age_years: int
    sign_type: int
    width_cm: int
    height_cm: int

    def describe(self) -> str:
        return _(
            "building %(price)s baht/m², %(structure)s, %(age)s years; sign type %(type)s, "
            "%(w)s × %(h)s cm"
        ) % {
            "price": f"{self.price_per_m2:,}",
            "structure": self.structure,
            "age": self.age_years,
            "type": self.sign_type,
            "w": self.width_cm,
            "h": self.height_cm,
        }


def register_defaults(municipality: Municipality, tax_year: int) -> Defaults:
    """Medians (most common for categories) of the register's buildings and signs."""
    b = pl.DataFrame(
        list(
            Building.objects.filter(municipality=municipality).values_list(
                "price_per_m2", "structure", "year_built"
            )
        ),
        schema={"price": pl.Float64, "structure": pl.String, "built": pl.Int64},
        orient="row",
    )
    s = pl.DataFrame(
        list(
            Signboard.objects.filter(municipality=municipality).values_list(
                "sign_type", "width_cm", "height_cm"
            )
        ),
        schema={"type": pl.Int64, "w": pl.Int64, "h": pl.Int64},
        orient="row",
    )
    price = b.get_column("price").drop_nulls().median() if b.height else None
    built = b.get_column("built").drop_nulls().median() if b.height else None
    structures = b.get_column("structure").drop_nulls().mode().sort() if b.height else None
    types = s.get_column("type").mode().sort() if s.height else None
    return Defaults(
        price_per_m2=Decimal(str(round(float(str(price)), 2)))
        if price is not None
        else Decimal(7500),
        structure=str(structures[0]) if structures is not None and len(structures) else "masonry",
        age_years=max(0, tax_year - 543 - int(float(str(built)))) if built is not None else 10,
        sign_type=int(types[0]) if types is not None and len(types) else 2,
        width_cm=int(median(s.get_column("w").to_list())) if s.height else 200,
        height_cm=int(median(s.get_column("h").to_list())) if s.height else 100,
    )


def _building_use(parcel: RegisterParcel | None) -> str:
    use = parcel.main_use if parcel else ""
    return use if use and use != "vacant" else "residential_other"


# --- the worklists ---------------------------------------------------------------------------


def _footprint_list(
    actor: Any, municipality: Municipality, parcels: list[RegisterParcel], lb: Any, d: Defaults
) -> Worklist:
    found = _dataset_rows(actor, municipality, FOOTPRINTS_DATASET)
    if found is None:
        return Worklist(
            "footprints",
            [],
            _("The dataset %(slug)s is not published.") % {"slug": FOOTPRINTS_DATASET},
        )
    from nakhon.lake.service import geometry_columns

    dataset, frame = found
    geom_col = geometry_columns(dataset)[0] or "geometry"
    if frame.is_empty() or geom_col not in frame.columns:
        return Worklist(
            "footprints", [], _("No footprint geometry in %(slug)s.") % {"slug": dataset.slug}
        )
    key_col = _key_column(frame, {geom_col})
    records = []
    levels: dict[str, int] = {}
    for n, row in enumerate(frame.iter_rows(named=True), start=1):
        text = row.get(geom_col)
        if not text:
            continue
        key = str(row.get(key_col) or n) if key_col else str(n)
        records.append((key, shapely.from_geojson(text)))
        try:
            levels[key] = max(1, int(row.get("levels") or 1))
        except (TypeError, ValueError):
            levels[key] = 1
    findings = []
    matches = match_footprints(records, parcels)
    lon = float(shapely.centroid(records[0][1]).x) if records else 102.0
    areas = (
        shapely.area(_to_metres(np.array([g for _k, g, _p, _o in matches], dtype=object), lon))
        if matches
        else []
    )
    for (key, geom, parcel, overlap), area in zip(matches, areas, strict=True):
        floor = Decimal(str(round(float(area) * levels[key], 2)))
        use = _building_use(parcel)
        owner_kind = parcel.owner_kind if parcel else "individual"
        if owner_kind == "juristic" and use.startswith("residential_primary"):
            use = "residential_other"
        quote = land_building.quote(
            lb,
            owner_kind=owner_kind,
            use=use,
            buildings=[
                {
                    "floor_area_m2": floor,
                    "price_per_m2": d.price_per_m2,
                    "structure": d.structure,
                    "age_years": d.age_years,
                }
            ],
        )
        if parcel is None:
            evidence = _(
                "footprint %(key)s (%(area)s m² × %(levels)s levels) lies on no registered parcel"
            ) % {"key": key, "area": f"{area:,.0f}", "levels": levels[key]}
        else:
            evidence = _(
                "footprint %(key)s (%(area)s m² × %(levels)s levels) overlaps parcel %(parcel)s "
                "by %(overlap)s m²; no building is registered on it"
            ) % {
                "key": key,
                "area": f"{area:,.0f}",
                "levels": levels[key],
                "parcel": parcel.code,
                "overlap": f"{overlap:,.0f}",
            }
        findings.append(
            Finding(
                "footprints",
                key,
                evidence,
                quote.tax_baht,
                _("estimated building: %(floor)s m², use %(use)s, %(owner)s; %(defaults)s")
                % {
                    "floor": f"{floor:,}",
                    "use": use,
                    "owner": owner_kind,
                    "defaults": d.describe(),
                },
                parcel=parcel.code if parcel else "",
                parcel_id=parcel.pk if parcel else None,
                taxpayer=parcel.owner_code if parcel else "",
                taxpayer_id=parcel.owner_id if parcel else None,
                records=[f"{dataset.slug}:{key}"] + ([f"parcel:{parcel.code}"] if parcel else []),
                geometry=json.loads(shapely.to_geojson(geom)),
            )
        )
    return Worklist("footprints", findings)


def _licence_lists(
    actor: Any,
    municipality: Municipality,
    parcels: list[RegisterParcel],
    lb: Any,
    sb: Any,
    d: Defaults,
    radius_m: float,
) -> tuple[Worklist, Worklist]:
    found = _dataset_rows(actor, municipality, LICENCES_DATASET)
    if found is None:
        note = _("The dataset %(slug)s is not published.") % {"slug": LICENCES_DATASET}
        return Worklist("licences", [], note), Worklist("uses", [], note)
    from nakhon.lake.service import geometry_columns

    dataset, frame = found
    point = geometry_columns(dataset)[1] or ("latitude", "longitude")
    if frame.is_empty() or not set(point) <= set(frame.columns):
        note = _("No coordinates in %(slug)s.") % {"slug": dataset.slug}
        return Worklist("licences", [], note), Worklist("uses", [], note)
    key_col = _key_column(frame, set(point))
    names = {}
    licences = []
    for n, row in enumerate(frame.iter_rows(named=True), start=1):
        lat, lon = row.get(point[0]), row.get(point[1])
        if lat is None or lon is None:
            continue
        key = str(row.get(key_col) or n) if key_col else str(n)
        licences.append((key, float(lon), float(lat)))
        names[key] = str(row.get("business_name") or "")
    signs = [
        (code, float(lon or 0), float(lat or 0))
        for code, lat, lon in Signboard.objects.filter(
            municipality=municipality,
            latitude__isnull=False,
            removed_on__isnull=True,
        ).values_list("code", "latitude", "longitude")
    ]
    sign_quote = signboard.quote(
        sb,
        sign_type=d.sign_type,
        moving=False,
        width_cm=d.width_cm,
        height_cm=d.height_cm,
    )
    sign_estimate = _("estimated sign: type %(type)s, %(w)s × %(h)s cm, fixed, one face") % {
        "type": d.sign_type,
        "w": d.width_cm,
        "h": d.height_cm,
    }
    unsigned, contradictions = [], []
    by_parcel_buildings = _parcel_buildings(municipality)
    for key, lon, lat, parcel, nearest, distance, signed in match_licences(
        licences, signs, parcels, radius_m
    ):
        where = (
            _("on parcel %(parcel)s") % {"parcel": parcel.code}
            if parcel
            else _("on no registered parcel")
        )
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        if not signed:
            near = (
                _("nearest signboard %(code)s at %(m)s m")
                % {"code": nearest, "m": f"{distance:,.0f}"}
                if nearest
                else _("no signboard on the register")
            )
            unsigned.append(
                Finding(
                    "licences",
                    key,
                    _("licence %(key)s (%(name)s) %(where)s; %(near)s")
                    % {"key": key, "name": names[key], "where": where, "near": near},
                    sign_quote.tax_baht,
                    sign_estimate,
                    parcel=parcel.code if parcel else "",
                    parcel_id=parcel.pk if parcel else None,
                    records=[f"{dataset.slug}:{key}"]
                    + ([f"signboard:{nearest}"] if nearest else []),
                    distance_m=round(distance, 1) if distance is not None else None,
                    geometry=geometry,
                )
            )
        if parcel is not None and parcel.uses and set(parcel.uses) <= RESIDENTIAL_OR_FARM:
            tax, note = _contradiction_estimate(lb, parcel, by_parcel_buildings.get(parcel.pk, []))
            declared = ", ".join(f"{u} {s.normalize():f}%" for u, s in sorted(parcel.uses.items()))
            contradictions.append(
                Finding(
                    "uses",
                    key,
                    _(
                        "parcel %(parcel)s declared %(declared)s; business licence %(key)s "
                        "(%(name)s) lies on it"
                    )
                    % {"parcel": parcel.code, "declared": declared, "key": key, "name": names[key]},
                    tax,
                    note,
                    parcel=parcel.code,
                    parcel_id=parcel.pk,
                    taxpayer=parcel.owner_code,
                    taxpayer_id=parcel.owner_id,
                    records=[f"{dataset.slug}:{key}", f"parcel:{parcel.code}"],
                    geometry=geometry,
                )
            )
    return Worklist("licences", unsigned), Worklist("uses", contradictions)


def _parcel_buildings(municipality: Municipality) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for parcel, area, price, structure, built in Building.objects.filter(
        municipality=municipality, parcel__isnull=False
    ).values_list("parcel_id", "floor_area_m2", "price_per_m2", "structure", "year_built"):
        out[parcel].append(
            {"floor_area_m2": area, "price_per_m2": price, "structure": structure, "built": built}
        )
    return out


def _contradiction_estimate(
    lb: Any, parcel: RegisterParcel, buildings: list[dict[str, Any]]
) -> tuple[Decimal, str]:
    """Tax of the parcel (and its buildings) as commercial minus as declared (main use)."""
    row = Parcel.objects.values("area_sq_wah", "price_per_sq_wah").get(pk=parcel.pk)
    from nakhon.tax.models import rai_ngan_wah

    land = rai_ngan_wah(row["area_sq_wah"])
    price = row["price_per_sq_wah"] or Decimal(0)
    built = [
        {
            "floor_area_m2": b["floor_area_m2"],
            "price_per_m2": b["price_per_m2"] or Decimal(0),
            "structure": b["structure"],
            "age_years": max(0, lb.tax_year - 543 - b["built"]) if b["built"] else 0,
        }
        for b in buildings
    ]
    declared = parcel.main_use
    if parcel.owner_kind == "juristic" and declared in (
        "residential_primary",
        "residential_building_only",
    ):
        declared = "residential_other"

    def tax(use: str) -> Decimal:
        return land_building.quote(
            lb,
            owner_kind=parcel.owner_kind,
            use=use,
            land_rnw=land,
            price_per_sq_wah=price,
            buildings=built,
        ).tax_baht

    as_commercial, as_declared = tax("commercial"), tax(declared)
    note = _(
        "parcel %(land)s at %(price)s baht/sq. wah with %(n)s building(s): %(commercial)s baht "
        "as commercial − %(declared)s baht as %(use)s"
    ) % {
        "land": land,
        "price": f"{price:,}",
        "n": len(built),
        "commercial": f"{as_commercial:,}",
        "declared": f"{as_declared:,}",
        "use": declared,
    }
    return max(Decimal(0), as_commercial - as_declared), note


def _year_totals(
    municipality: Municipality, kind: str, year: int
) -> tuple[dict[int, Decimal], str]:
    """Tax per taxpayer in a year: its assessments (latest not superseded), else the register
    quoted under that year's rules; and which of the two it was."""
    latest: dict[int, tuple[int, Decimal]] = {}
    for pk, tp, tax in (
        Assessment.objects.filter(municipality=municipality, kind=kind, tax_year=year)
        .exclude(status=Assessment.Status.SUPERSEDED)
        .values_list("pk", "taxpayer_id", "tax_baht")
    ):
        if tp not in latest or pk > latest[tp][0]:
            latest[tp] = (pk, tax)
    if latest:
        return {tp: tax for tp, (_pk, tax) in latest.items()}, "assessments"
    from nakhon.tax.assessments import ENGINES

    rules = rules_for(kind, year, municipality)
    results, _count = ENGINES[kind](rules, municipality, None, lambda _s, _p: None)
    return {r.taxpayer_id: Decimal(r.tax_satang) / 100 for r in results}, "register quotes"


def _drop_list(municipality: Municipality, year: int, percent: Decimal) -> Worklist:
    findings = []
    notes = []
    codes = dict(Taxpayer.objects.filter(municipality=municipality).values_list("pk", "code"))
    for kind in (TaxKind.LAND_BUILDING, TaxKind.SIGNBOARD):
        try:
            before, src_before = _year_totals(municipality, kind, year - 1)
            after, src_after = _year_totals(municipality, kind, year)
        except InvalidInput as exc:  # a year not on file or a bad register: say so
            notes.append(f"{kind}: {getattr(exc, 'message', exc)}")
            continue
        notes.append(
            _("%(kind)s: %(before)s %(y0)s vs %(after)s %(y1)s")
            % {
                "kind": kind,
                "before": str(SOURCES[src_before]),
                "y0": year - 1,
                "after": str(SOURCES[src_after]),
                "y1": year,
            }
        )
        for owner, old, new, fall in drops(before, after, percent):
            findings.append(
                Finding(
                    "drops",
                    codes.get(owner, str(owner)),
                    _(
                        "%(kind)s fell from %(old)s baht (%(y0)s, %(src0)s) to %(new)s baht "
                        "(%(y1)s, %(src1)s): −%(fall)s %%"
                    )
                    % {
                        "kind": kind,
                        "old": f"{old:,.2f}",
                        "new": f"{new:,.2f}",
                        "y0": year - 1,
                        "y1": year,
                        "src0": str(SOURCES[src_before]),
                        "src1": str(SOURCES[src_after]),
                        "fall": fall,
                    },
                    (old - new).quantize(Decimal("0.01")),
                    _("the fall itself (previous year's tax − this year's)"),
                    taxpayer=codes.get(owner, ""),
                    taxpayer_id=owner,
                    records=[f"taxpayer:{codes.get(owner, owner)}"],
                )
            )
    return Worklist("drops", findings, "; ".join(notes))


def gap_report(
    *,
    actor: Any,
    municipality: Municipality,
    tax_year: int | None = None,
    radius_m: float = SIGN_RADIUS_M,
    drop_percent: Decimal = DROP_PERCENT,
    names: bool = True,
) -> Gap:
    """The four revenue-gap worklists of a city for a B.E. tax year (default: this year).

    Needs ``tax.view``; the rows only with ``tax_assessment.view``, taxpayers' names only with
    ``personal_data.view`` (that read is audited). A tax year with no rule file is refused.
    """
    require(actor, "tax.view", municipality)
    year = tax_year or thai.ce_to_be_year(timezone.localdate().year)
    lb = rules_for("land_building", year, municipality)
    sb = rules_for("signboard", year, municipality)
    parcels = _register_parcels(municipality)
    defaults = register_defaults(municipality, year)
    footprints = _footprint_list(actor, municipality, parcels, lb, defaults)
    licences, uses = _licence_lists(actor, municipality, parcels, lb, sb, defaults, radius_m)
    falls = _drop_list(municipality, year, drop_percent)
    lists = {"footprints": footprints, "licences": licences, "uses": uses, "drops": falls}
    rows = can(actor, "tax_assessment.view", municipality)
    personal = names and rows and can(actor, "personal_data.view", municipality)
    if personal:
        ids = {f.taxpayer_id for w in lists.values() for f in w.findings if f.taxpayer_id}
        if ids:
            shown = dict(
                Taxpayer.objects.filter(municipality=municipality, pk__in=ids).values_list(
                    "pk", "name"
                )
            )
            for w in lists.values():
                for f in w.findings:
                    f.taxpayer_name = shown.get(f.taxpayer_id, "") if f.taxpayer_id else ""
            taxpayer_names(
                actor=actor,
                municipality=municipality,
                what="gap",
                taxpayers=ids,
                records=sum(1 for w in lists.values() for f in w.findings if f.taxpayer_id),
                fields=("name",),
                details={"tax_year": year},
            )
    for w in lists.values():
        w.findings.sort(key=lambda f: (-f.tax_baht, f.key))
    return Gap(municipality, year, lists, rows, personal, [*assumptions(), defaults.describe()])


SORTS = {
    "tax": lambda f: (f.tax_baht, f.key),
    "key": lambda f: (f.key,),
    "parcel": lambda f: (f.parcel, f.key),
    "taxpayer": lambda f: (f.taxpayer, f.key),
}


def sort_findings(findings: list[Finding], sort: str) -> list[Finding]:
    """``tax`` | ``key`` | ``parcel`` | ``taxpayer``, ``-`` in front for descending."""
    descending = sort.startswith("-")
    key = SORTS.get(sort.lstrip("-"), SORTS["tax"])
    return sorted(findings, key=key, reverse=descending)


EXPORT_COLUMNS = (
    "key",
    "evidence",
    "tax_baht",
    "estimate",
    "parcel",
    "taxpayer",
    "taxpayer_name",
    "distance_m",
    "records",
)


def export_rows(worklist: Worklist, personal: bool) -> list[list[Any]]:
    """A header and one row per finding (names only when ``personal``)."""
    columns = [c for c in EXPORT_COLUMNS if personal or c != "taxpayer_name"]
    out: list[list[Any]] = [columns]
    for f in worklist.findings:
        data = f.as_dict()
        data["records"] = " ".join(f.records)
        out.append([data[c] if data[c] is not None else "" for c in columns])
    return out
