"""Whole-city tax assessment: the vectorised engines against a per-record Python loop.

    .venv/bin/python benchmarks/tax_assess.py [--parcels 1000000] [--buildings 1500000]
        [--signs 200000] [--year 2568] [--loop-sample N] [--seed 6] [--repeat 3]

Generates a deterministic register (numpy, seeded): parcels with rai-ngan-wah areas and
Treasury prices drawn from skewed, realistic ranges; buildings on those parcels with floor
areas, class prices, structures and ages; signboards of the three types, a tenth moving, a
quarter installed during the year, a few exempt. Then:

* **vectorised**: ``signboard.assess`` + ``land_building.assess`` on the whole register
  (Polars, all cores), timed together, ``--repeat`` times (default 3): every time is printed
  and the median is the figure judged (the machine is shared); peak RSS of the process right
  after them;
* **loop**: ``nakhon.tax.rules.loop``, the same rules record by record in plain Python,
  reading the rows as dicts slice by slice (the reading is inside the timing, as in any
  per-record implementation). With ``--loop-sample N`` only N signs and the records of N
  owners are looped and the full-size time is extrapolated, labelled so;
* every record the loop computed is compared with the vectorised result (tax, and the base
  of each land-and-building assessment): any difference fails the run.

Prints the figures and PASS/FAIL for: whole-city ≤ 10 s, ≥ 30× the loop, peak RSS ≤ 4 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from nakhon.tax.rules import land_building, load_rules, signboard
from nakhon.tax.rules.loop import land_building_taxes, signboard_taxes

USES = ["residential_primary", "residential_other", "agricultural", "commercial", "vacant"]
USE_SHARE = [0.45, 0.2, 0.2, 0.1, 0.05]


def register(parcels: int, buildings: int, signs: int, year: int, seed: int):
    rng = np.random.default_rng(seed)
    owners = max(parcels * 6 // 10, 1)
    owner = rng.integers(0, owners, parcels)
    juristic = owner % 20 == 0  # 5 % of owners are companies
    use = rng.choice(len(USES), parcels, p=USE_SHARE)
    use = np.where(juristic & (use == 0), 3, use)  # no primary home for a company
    # area: mostly 20-200 sq wah house plots, farms of rai; log-normal in sq wah
    sq_wah = np.clip(rng.lognormal(5.0, 1.1, parcels), 10, 400 * 2_000)
    sq_wah = np.where(use == 2, sq_wah * 20, sq_wah)
    sq_wah = np.clip(sq_wah, 10, 400 * 20_000).round(1)
    rai = (sq_wah // 400).astype(np.int64)
    ngan = ((sq_wah - rai * 400) // 100).astype(np.int64)
    wah = np.round(sq_wah - rai * 400 - ngan * 100, 1)
    price = np.round(np.clip(rng.lognormal(8.8, 1.0, parcels), 100, 1_500_000), 0)
    price = np.where(use == 2, np.round(price / 10), price).clip(50)
    vacant_years = np.where(use == 4, rng.integers(0, 10, parcels), 0)
    parcel_frame = pl.DataFrame(
        {
            "parcel_id": np.arange(parcels, dtype=np.int64),
            "owner_id": owner,
            "owner_kind": np.where(juristic, "juristic", "individual"),
            "use": np.array(USES)[use],
            "rai": rai,
            "ngan": ngan,
            "wah": wah,
            "price_per_sq_wah": price,
            "vacant_years": vacant_years,
        }
    )
    on = rng.integers(0, parcels, buildings)
    b_use = use[on]
    b_use = np.where(b_use == 4, 1, b_use)  # a building on vacant land is let as a home
    building_frame = pl.DataFrame(
        {
            "building_id": np.arange(buildings, dtype=np.int64),
            "owner_id": owner[on],
            "owner_kind": np.where(juristic[on], "juristic", "individual"),
            "use": np.array(USES)[b_use],
            "floor_area_m2": np.round(np.clip(rng.lognormal(4.8, 0.8, buildings), 12, 200_000), 2),
            "price_per_m2": rng.choice(
                [6_350, 7_200, 7_250, 7_550, 7_650, 8_200, 9_800], buildings
            ),
            "structure": rng.choice(
                ["masonry", "half_masonry", "wood"], buildings, p=[0.7, 0.2, 0.1]
            ),
            "age_years": rng.integers(0, 60, buildings),
        }
    )
    start = dt.date(year - 543, 1, 1)
    installed = np.where(rng.random(signs) < 0.25, rng.integers(0, 365, signs), -1)
    sign_frame = pl.DataFrame(
        {
            "sign_id": np.arange(signs, dtype=np.int64),
            "sign_type": rng.choice([1, 2, 3], signs, p=[0.2, 0.6, 0.2]),
            "moving": rng.random(signs) < 0.1,
            "width_cm": np.clip(rng.lognormal(5.0, 0.8, signs), 10, 5_000).astype(np.int64),
            "height_cm": np.clip(rng.lognormal(4.3, 0.7, signs), 10, 2_000).astype(np.int64),
            "faces": rng.choice([1, 2], signs, p=[0.85, 0.15]),
            "installed": installed,
            "exempt": rng.random(signs) < 0.02,
        }
    ).select(
        pl.all().exclude("installed", "exempt"),
        pl.when(pl.col("installed") >= 0)
        .then(pl.lit(start) + pl.duration(days=pl.col("installed").clip(0)))
        .otherwise(None)
        .cast(pl.Date)
        .alias("installed_on"),
        pl.when(pl.col("exempt")).then(pl.lit("association")).otherwise(None).alias("exemption"),
    )
    return parcel_frame, building_frame, sign_frame


def rows(frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    for chunk in frame.iter_slices(50_000):
        yield from chunk.iter_rows(named=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--buildings", type=int, default=1_500_000)
    parser.add_argument("--signs", type=int, default=200_000)
    parser.add_argument("--year", type=int, default=2568)
    parser.add_argument(
        "--loop-sample",
        type=int,
        default=0,
        help="loop over N signs and N owners only, and extrapolate",
    )
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--repeat", type=int, default=3, help="vectorised runs; the median is judged"
    )
    args = parser.parse_args()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    t = time.perf_counter()
    parcels, buildings, signs = register(
        args.parcels, args.buildings, args.signs, args.year, args.seed
    )
    print(
        f"register: {parcels.height:,} parcels, {buildings.height:,} buildings, "
        f"{signs.height:,} signs, generated in {time.perf_counter() - t:.1f} s"
    )
    sb_rules = load_rules("signboard", args.year)
    lb_rules = load_rules("land_building", args.year)

    runs = []
    for _ in range(max(args.repeat, 1)):
        t = time.perf_counter()
        sign_result = signboard.assess(sb_rules, signs)
        lbt_result = land_building.assess(lb_rules, parcels=parcels, buildings=buildings)
        runs.append(time.perf_counter() - t)
    vector_s = statistics.median(runs)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"vectorised: median {vector_s:.2f} s of {len(runs)} runs "
        f"({', '.join(f'{r:.2f}' for r in runs)} s; the first is cold) "
        f"({lbt_result.height:,} land-and-building assessments, {sign_result.height:,} signs; "
        f"{pl.thread_pool_size()} threads); peak RSS {peak_gb:.2f} GB"
    )

    if args.loop_sample:
        rng = np.random.default_rng(args.seed + 1)
        owners = rng.choice(
            parcels.get_column("owner_id").unique().to_numpy(),
            min(args.loop_sample, parcels.height),
            replace=False,
        )
        loop_signs = signs.sample(min(args.loop_sample, signs.height), seed=args.seed)
        loop_parcels = parcels.filter(pl.col("owner_id").is_in(owners))
        loop_buildings = buildings.filter(pl.col("owner_id").is_in(owners))
    else:
        loop_signs, loop_parcels, loop_buildings = signs, parcels, buildings
    t = time.perf_counter()
    loop_sign = signboard_taxes(sb_rules, rows(loop_signs))
    loop_lbt = land_building_taxes(lb_rules, rows(loop_parcels), rows(loop_buildings))
    loop_s = time.perf_counter() - t
    records = loop_signs.height + loop_parcels.height + loop_buildings.height
    total = signs.height + parcels.height + buildings.height
    label = "loop"
    if records < total:
        loop_s = loop_s * total / records
        label = f"loop (EXTRAPOLATED from {records:,} of {total:,} records)"
    print(f"{label}: {loop_s:.2f} s")
    print("load average after the loop: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    batch_sign = dict(
        zip(
            sign_result.get_column("sign_id").to_list(),
            sign_result.get_column("tax_satang").to_list(),
            strict=True,
        )
    )
    sign_diff = sum(batch_sign[k] != v for k, v in loop_sign.items())
    batch_lbt = {
        (o, u, s): (b, x)
        for o, u, s, b, x in lbt_result.select(
            "owner_id", "use", "vacant_step", "base_satang", "tax_satang"
        ).iter_rows()
    }
    lbt_diff = sum(batch_lbt.get(k) != v for k, v in loop_lbt.items())
    if records == total:
        lbt_diff += len(batch_lbt) - len(loop_lbt)
    print(
        f"compared record by record: {len(loop_sign):,} signs, {len(loop_lbt):,} "
        f"land-and-building assessments; differences: {sign_diff + lbt_diff}"
    )
    total_tax = (
        lbt_result.get_column("tax_satang").sum() / 100,
        sign_result.get_column("tax_satang").sum() / 100,
    )
    print(
        f"city totals: land and building {total_tax[0]:,.2f} baht, signboard "
        f"{total_tax[1]:,.2f} baht"
    )

    ratio = loop_s / vector_s
    print(f"ratio against the first (cold) vectorised run: {loop_s / runs[0]:.1f}x")
    checks = [
        (f"whole-city assessment {vector_s:.2f} s <= 10 s", vector_s <= 10),
        (f"{ratio:.1f}x faster than the per-record loop >= 30x", ratio >= 30),
        (f"peak RSS {peak_gb:.2f} GB <= 4 GB", peak_gb <= 4),
        ("identical results record by record", sign_diff + lbt_diff == 0),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
