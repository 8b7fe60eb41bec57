"""The dense grouping (numpy bincount) against Polars' group-by: same groups, exact sums."""

from __future__ import annotations

import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from nakhon.tax.rules import land_building, load_rules
from nakhon.tax.rules.grouping import group_dense


def _register(seed: int, owner_ids: str) -> dict[str, pl.DataFrame]:
    rng = random.Random(seed)
    uses = ["agricultural", "residential-primary", "residential_other", "commercial", "vacant"]
    parcels, buildings, values = [], [], []
    for i in range(600):
        number = rng.randrange(150)
        owner: object = {"dense": number, "sparse": number * 10**12, "text": f"T{number}"}[
            owner_ids
        ]
        kind = "juristic" if number % 9 == 0 else "individual"
        use = rng.choice(uses[2:] if kind == "juristic" else uses)
        old = rng.choice([None, None, rng.randrange(10**8) / 100])
        parcels.append(
            {
                "parcel_id": i,
                "owner_id": owner,
                "owner_kind": kind,
                "use": use,
                "area_sq_wah": rng.randrange(10, 10**6) / 10,
                "price_per_sq_wah": rng.choice([350, 25_000, 1_500_000]),
                "vacant_years": rng.randrange(40) if use == "vacant" else 0,
                "old_tax_baht": old,
            }
        )
        buildings.append(
            {
                "building_id": i,
                "owner_id": owner,
                "owner_kind": kind,
                "use": "commercial" if use == "vacant" else use,
                "floor_area_m2": rng.randrange(1_000, 10**7) / 100,
                "price_per_m2": rng.choice([6_350, 9_800]),
                "structure": rng.choice(["masonry", "half-masonry", "wood"]),
                "age_years": rng.randrange(70),
            }
        )
        values.append(
            {
                "item_id": f"v{i}",
                "owner_id": owner,
                "owner_kind": kind,
                "use": "commercial" if use == "vacant" else use,
                "value_baht": rng.randrange(10**12) / 100,
                "old_tax_baht": old,
            }
        )
    return {
        "parcels": pl.DataFrame(parcels, infer_schema_length=None),
        "buildings": pl.DataFrame(buildings),
        "values": pl.DataFrame(values, infer_schema_length=None),
    }


@pytest.mark.parametrize("year", [2563, 2566, 2568])
def test_dense_grouping_equals_the_group_by(year, monkeypatch) -> None:
    rules = load_rules("land_building", year)
    register = _register(year, "dense")
    dense = land_building.assess(rules, **register)
    monkeypatch.setattr(land_building, "group_dense", lambda *args, **kwargs: None)
    hashed = land_building.assess(rules, **register)
    key = ["owner_id", "use", "vacant_step"]
    assert_frame_equal(dense.sort(key), hashed.sort(key))
    assert dense.get_column("old_tax_satang").null_count() > 0


@pytest.mark.parametrize("owner_ids", ["sparse", "text"])
def test_other_owner_ids_are_grouped_by_polars(owner_ids) -> None:
    rules = load_rules("land_building", 2568)
    register = _register(7, owner_ids)
    valued = land_building._valued(rules, register["parcels"], None, None, None)
    lean = {
        kind: frame.with_columns(pl.lit(0, pl.Int64).alias("vacant_step"))
        for kind, frame in valued.items()
    }
    assert group_dense(lean, uses=6, sums=land_building.KIND_SUMS) is None
    result = land_building.assess(rules, **register)
    assert result.height == result.select("owner_id", "use", "vacant_step").n_unique()


def test_dense_sums_are_exact_beyond_float_precision() -> None:
    # Over 2**52 satang: summed in two halves of bits; a float sum of these would lose the 1s.
    big = 2**52 + 1
    frame = pl.DataFrame(
        {
            "owner_id": [3, 3, 3, 3, 4],
            "use_code": pl.Series([4, 4, 4, 4, 0], dtype=pl.UInt8),
            "vacant_step": [0, 0, 0, 0, 0],
            "juristic": [True, True, True, True, False],
            "value_satang": [big, big, big, 7, 1],
            "old_tax_satang": [None, 5, None, None, None],
        }
    )
    grouped = group_dense({"value": frame}, uses=6, sums={"value": "other_value_satang"})
    assert grouped is not None
    assert grouped.rows() == [
        (3, 4, 0, 4, 4, 3 * big + 7, 5),
        (4, 0, 0, 1, 0, 1, None),
    ]
