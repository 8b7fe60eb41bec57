"""The same rules as a straightforward per-record Python loop (no Polars).

Used as the reference the vectorised engines must equal record by record (tests and
benchmarks/tax_assess.py), and as the baseline the benchmark compares speed against.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
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
from nakhon.tax.rules.units import PPM, SATANG, SQ_WAH_PER_NGAN, SQ_WAH_PER_RAI, div_half_up


def hundredths(value: Any) -> int:
    return math.floor(float(value) * 100 + 0.5)


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
        if rules.minimum_after_proration:
            tax = max(annual * percent, rules.minimum_baht * SATANG)
        else:
            tax = max(annual, rules.minimum_baht) * percent
        out[sign_id] = tax
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

    def add(key: tuple[Any, str, int], owner_kind: str, value: int) -> None:
        group = groups.get(key)
        if group is None:
            groups[key] = [owner_kind, value]
        else:
            group[1] += value

    for row in parcels:
        owner, owner_kind, use, step = _item(rules, row, f"parcel {row['parcel_id']}")
        rai, ngan, cwah = row["rai"], row["ngan"], hundredths(row["wah"])
        price = hundredths(row["price_per_sq_wah"])
        if not (
            0 <= rai <= MAX_RAI
            and 0 <= ngan <= 3
            and 0 <= cwah < 10_000
            and 1 <= price <= MAX_PRICE_PER_SQ_WAH * SATANG
        ):
            raise ValueError(f"parcel {row['parcel_id']}: bad area or price")
        area = (rai * SQ_WAH_PER_RAI + ngan * SQ_WAH_PER_NGAN) * 100 + cwah
        if area <= 0:
            raise ValueError(f"parcel {row['parcel_id']}: no area")
        add((owner, use, step), owner_kind, div_half_up(area * price, 100))
    for row in buildings:
        owner, owner_kind, use, step = _item(rules, row, f"building {row['building_id']}")
        floor, price = hundredths(row["floor_area_m2"]), hundredths(row["price_per_m2"])
        structure, age = row["structure"], row["age_years"]
        if not (
            1 <= floor <= MAX_FLOOR_M2 * 100
            and 1 <= price <= MAX_PRICE_PER_M2 * SATANG
            and structure in STRUCTURES
            and 0 <= age <= 300
        ):
            raise ValueError(f"building {row['building_id']}: bad input")
        gross = div_half_up(floor * price, 100)
        value = div_half_up(gross * (100 - rules.depreciation_percent(structure, age)), 100)
        add((owner, use, step), owner_kind, value)
    for row in units:
        owner, owner_kind, use, step = _item(rules, row, f"unit {row['unit_id']}")
        floor, price = hundredths(row["area_m2"]), hundredths(row["price_per_m2"])
        if not (1 <= floor <= MAX_FLOOR_M2 * 100 and 1 <= price <= MAX_PRICE_PER_M2 * SATANG):
            raise ValueError(f"unit {row['unit_id']}: bad input")
        add((owner, use, step), owner_kind, div_half_up(floor * price, 100))

    out: dict[tuple[Any, str, int], tuple[int, int]] = {}
    for (owner, use, step), (owner_kind, base) in groups.items():
        exemption = rules.exemptions.get((use, owner_kind))
        exempt = (
            0
            if exemption is None
            else (base if exemption.full else min(base, exemption.amount_satang))
        )
        taxable = base - exempt
        numerator = 0
        for band in rules.bands[use]:
            ppm = rules.band_ppm(band, step)
            if rules.bracket_method == "marginal":
                top = taxable if band.upper_satang is None else min(taxable, band.upper_satang)
                numerator += max(top - band.lower_satang, 0) * ppm
            elif taxable > band.lower_satang:
                numerator = taxable * ppm
        tax = div_half_up(numerator, PPM)
        tax -= div_half_up(tax * rules.reduction_bp, 10_000)
        out[(owner, use, step)] = (base, tax)
    return out
