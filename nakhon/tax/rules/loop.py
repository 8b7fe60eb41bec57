"""The same rules as a straightforward per-record Python loop (no Polars), money in Decimal.

Used as the reference the vectorised engines must equal record by record (tests and
benchmarks/tax_assess.py), and as the baseline the benchmark compares speed against. It is
written the way a plain implementation would be: one record at a time, ``Decimal`` baht
rounded to the satang half up (``quantize``), independent of the integer-satang arithmetic of
the vectorised code — so equal results check both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nakhon.tax.rules.land_building import (
    INDIVIDUAL_ONLY,
    MAX_FLOOR_M2,
    MAX_PRICE_PER_M2,
    MAX_PRICE_PER_SQ_WAH,
    MAX_RAI,
    OWNER_KINDS,
    STRUCTURES,
    USES,
    LandBuildingRules,
)
from nakhon.tax.rules.signboard import MAX_FACES, MAX_SIDE_CM, SIGN_TYPES, SignboardRules
from nakhon.tax.rules.units import PPM, SQ_WAH_PER_NGAN, SQ_WAH_PER_RAI

CENT = Decimal("0.01")


def dec(value: Any) -> Decimal:
    """A register number as an exact decimal with at most 2 decimals (half up)."""
    return Decimal(repr(float(value))).quantize(CENT, ROUND_HALF_UP)


def satang(amount: Decimal) -> int:
    return int(amount.quantize(CENT, ROUND_HALF_UP) * 100)


def signboard_taxes(rules: SignboardRules, signs: Iterable[dict[str, Any]]) -> dict[str, int]:
    """sign id → tax in satang."""
    out: dict[str, int] = {}
    year_start = rules.year_start
    year_end = dt.date(year_start.year, 12, 31)
    for sign in signs:
        sign_id = sign["sign_id"]
        sign_type, moving = sign["sign_type"], sign["moving"]
        width, height = sign["width_cm"], sign["height_cm"]
        faces = sign.get("faces") or 1
        installed = sign.get("installed_on")
        exemption = sign.get("exemption")
        if (
            sign_type not in SIGN_TYPES
            or not 1 <= width <= MAX_SIDE_CM
            or not (1 <= height <= MAX_SIDE_CM)
            or not 1 <= faces <= MAX_FACES
        ):
            raise ValueError(f"sign {sign_id}: bad input")
        if installed is not None and installed > year_end:
            raise ValueError(f"sign {sign_id}: installed after the tax year")
        if exemption is not None:
            if exemption not in rules.exemptions:
                raise ValueError(f"sign {sign_id}: unknown exemption")
            out[sign_id] = 0
            continue
        area = width * height * (faces if rules.multiply_by_faces else 1)
        units = area // rules.unit_cm2
        if area % rules.unit_cm2 > rules.round_up_above_cm2:
            units += 1
        annual = units * rules.rates[(sign_type, bool(moving))]
        quarter = (
            1 if installed is None or installed < year_start else (installed.month - 1) // 3 + 1
        )
        percent = rules.proration_percent[quarter - 1]
        share = Decimal(percent) / 100
        minimum = Decimal(rules.minimum_baht)
        if rules.minimum_after_proration:
            tax = max(Decimal(annual) * share, minimum)
        else:
            tax = max(Decimal(annual), minimum) * share
        out[sign_id] = satang(tax)
    return out


def _item(rules: LandBuildingRules, row: dict[str, Any], record: str) -> tuple[Any, str, str, int]:
    use = str(row["use"]).replace("-", "_")
    owner_kind = row["owner_kind"]
    if owner_kind not in OWNER_KINDS or use not in USES:
        raise ValueError(f"{record}: bad owner kind or use")
    if use in INDIVIDUAL_ONLY and owner_kind == "juristic":
        raise ValueError(f"{record}: primary home of a juristic person")
    years = row.get("vacant_years") or 0
    if years and use != "vacant":
        raise ValueError(f"{record}: vacant years on a used property")
    step = years // rules.vacant_every_years if use == "vacant" else 0
    return row["owner_id"], owner_kind, use, step


def land_building_taxes(
    rules: LandBuildingRules,
    parcels: Iterable[dict[str, Any]] = (),
    buildings: Iterable[dict[str, Any]] = (),
    units: Iterable[dict[str, Any]] = (),
) -> dict[tuple[Any, str, int], tuple[int, int]]:
    """(owner, use, vacancy step) → (base, tax) in satang."""
    groups: dict[tuple[Any, str, int], list[Any]] = {}

    def add(key: tuple[Any, str, int], owner_kind: str, value: Decimal) -> None:
        group = groups.get(key)
        if group is None:
            groups[key] = [owner_kind, value]
        else:
            group[1] += value

    for row in parcels:
        owner, owner_kind, use, step = _item(rules, row, f"parcel {row['parcel_id']}")
        rai, ngan, wah = row["rai"], row["ngan"], dec(row["wah"])
        price = dec(row["price_per_sq_wah"])
        if not (
            0 <= rai <= MAX_RAI
            and 0 <= ngan <= 3
            and 0 <= wah < 100
            and Decimal("0.01") <= price <= MAX_PRICE_PER_SQ_WAH
        ):
            raise ValueError(f"parcel {row['parcel_id']}: bad area or price")
        area = rai * SQ_WAH_PER_RAI + ngan * SQ_WAH_PER_NGAN + wah
        if area <= 0:
            raise ValueError(f"parcel {row['parcel_id']}: no area")
        add((owner, use, step), owner_kind, (area * price).quantize(CENT, ROUND_HALF_UP))
    for row in buildings:
        owner, owner_kind, use, step = _item(rules, row, f"building {row['building_id']}")
        floor = dec(row["floor_area_m2"])
        own = row.get("price_per_m2")
        if own is not None:  # the building's own appraised price comes first
            price = dec(own)
        else:  # else the price of its class in the year's building price table
            entry = rules.building_cost.get(str(row.get("building_class") or "").strip())
            if entry is None:
                raise ValueError(f"building {row['building_id']}: no price and no known class")
            price = Decimal(entry.price_satang) / 100
        structure, age = row["structure"], row["age_years"]
        if not (
            CENT <= floor <= MAX_FLOOR_M2
            and CENT <= price <= MAX_PRICE_PER_M2
            and structure in STRUCTURES
            and 0 <= age <= 300
        ):
            raise ValueError(f"building {row['building_id']}: bad input")
        gross = (floor * price).quantize(CENT, ROUND_HALF_UP)
        kept = Decimal(100 - rules.depreciation_percent(structure, age)) / 100
        add((owner, use, step), owner_kind, (gross * kept).quantize(CENT, ROUND_HALF_UP))
    for row in units:
        owner, owner_kind, use, step = _item(rules, row, f"unit {row['unit_id']}")
        floor, price = dec(row["area_m2"]), dec(row["price_per_m2"])
        if not (CENT <= floor <= MAX_FLOOR_M2 and CENT <= price <= MAX_PRICE_PER_M2):
            raise ValueError(f"unit {row['unit_id']}: bad input")
        add((owner, use, step), owner_kind, (floor * price).quantize(CENT, ROUND_HALF_UP))
    out: dict[tuple[Any, str, int], tuple[int, int]] = {}
    for (owner, use, step), (owner_kind, base) in groups.items():
        exemption = rules.exemptions.get((use, owner_kind))
        exempt = (
            Decimal(0)
            if exemption is None
            else (base if exemption.full else min(base, Decimal(exemption.amount_satang) / 100))
        )
        taxable = base - exempt
        tax = Decimal(0)
        for band in rules.bands[use]:
            rate = Decimal(rules.band_ppm(band, step)) / PPM
            lower = Decimal(band.lower_satang) / 100
            upper = None if band.upper_satang is None else Decimal(band.upper_satang) / 100
            if rules.bracket_method == "marginal":
                top = taxable if upper is None else min(taxable, upper)
                tax += max(top - lower, Decimal(0)) * rate
            elif taxable > lower:
                tax = taxable * rate
        tax = tax.quantize(CENT, ROUND_HALF_UP)
        tax -= (tax * Decimal(rules.reduction_bp) / 10_000).quantize(CENT, ROUND_HALF_UP)
        out[(owner, use, step)] = (satang(base), satang(tax))
    return out
