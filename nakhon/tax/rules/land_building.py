"""Land and building tax (ภาษีที่ดินและสิ่งปลูกสร้าง): Land and Building Tax Act B.E. 2562.

Pure and vectorised. ``assess`` values every parcel, building and condominium unit of the
register, aggregates the values per owner and use (and vacancy step), applies the exemption,
the bands of the Royal Decree, the reduction of the year and the §97 transitional relief, and
returns one row per assessment. ``quote`` is the same code on a one-owner register and
``explain`` gives the steps. Every number comes from ``data/land_building/<BE year>.toml``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from nakhon.tax.rules.common import check, require_columns, split_installments
from nakhon.tax.rules.errors import InputProblem, TaxInputError
from nakhon.tax.rules.grouping import group_dense
from nakhon.tax.rules.loader import Citation, Reader
from nakhon.tax.rules.steps import Assessment, Step
from nakhon.tax.rules.units import (
    PPM,
    SATANG,
    SQ_WAH_PER_NGAN,
    SQ_WAH_PER_RAI,
    baht_to_satang,
    div_half_up,
    format_be,
    months_late,
    satang_to_baht,
)

KIND = "land_building"
USES = (
    "agricultural",
    "residential_primary",
    "residential_building_only",
    "residential_other",
    "commercial",
    "vacant",
)
INDIVIDUAL_ONLY = ("residential_primary", "residential_building_only")
OWNER_KINDS = ("individual", "juristic")
ITEM_KINDS = ("parcel", "building", "unit", "value")
STRUCTURES = ("masonry", "half_masonry", "wood")
# Limits that keep integer satang × millionths inside 64 bits, far beyond any real register.
MAX_RAI = 50_000
MAX_PRICE_PER_SQ_WAH = 5_000_000
MAX_FLOOR_M2 = 1_000_000
MAX_PRICE_PER_M2 = 1_000_000
MAX_VALUE_BAHT = 100_000_000_000
MAX_BASE_SATANG = 1_000_000_000_000 * SATANG
MAX_AGE = 300


@dataclass(frozen=True)
class Band:
    lower_satang: int
    upper_satang: int | None  # None: no upper edge
    ppm: int


@dataclass(frozen=True)
class Exemption:
    code: str
    use: str
    owner_kind: str
    full: bool
    amount_satang: int
    section: str


@dataclass(frozen=True)
class BuildingClass:
    """A class of the Treasury's building price list: code, name, price per m²."""

    code: str
    label_th: str
    label_en: str
    price_satang: int


@dataclass(frozen=True)
class LandBuildingRules:
    """The land and building tax rules of one tax year, validated (see docs/tax-rules.md)."""

    tax_year: int
    bracket_method: str  # "marginal" | "whole"
    bands: dict[str, tuple[Band, ...]]
    exemptions: dict[tuple[str, str], Exemption]
    depreciation: dict[str, tuple[int, ...]]  # structure → percent by age 0, 1, 2 …
    building_cost: dict[str, BuildingClass]  # class code → price per m² (building_cost.<code>)
    reduction_bp: int  # reduction of the year in hundredths of a percent (90 % = 9000)
    vacant_every_years: int
    vacant_step_ppm: int
    vacant_max_ppm: int
    relief_percent: int | None  # §97: pay old tax + this % of the increase
    penalty_before_warning: Decimal
    penalty_within_warning: Decimal
    penalty_after_warning: Decimal
    surcharge_percent_per_month: Decimal
    surcharge_capped_at_tax: bool
    installment_min_baht: int
    installment_due_on: tuple[dt.date, ...]
    notice_by: dt.date
    payment_due_on: dt.date
    cites: dict[str, Citation]

    kind: str = KIND

    def cite(self, key: str) -> Citation:
        return self.cites[key]

    def vacant_step(self, vacant_years: int) -> int:
        """How many escalation steps a parcel vacant for ``vacant_years`` years has."""
        return vacant_years // self.vacant_every_years

    def band_ppm(self, band: Band, step: int) -> int:
        return min(band.ppm + step * self.vacant_step_ppm, max(band.ppm, self.vacant_max_ppm))

    def depreciation_percent(self, structure: str, age: int) -> int:
        table = self.depreciation[structure]
        return table[min(age, len(table) - 1)]


def _bands(reader: Reader, use: str) -> tuple[Band, ...]:
    path = f"bands.{use}"
    rows = reader.value(path, "bands")
    if not isinstance(rows, list) or not rows:
        raise reader.fail(path, "bands", "must be a list of {upto_baht, percent}")
    bands: list[Band] = []
    lower = 0
    for i, row in enumerate(rows):
        key = f"bands[{i}]"
        if not isinstance(row, dict) or "percent" not in row or set(row) - {"upto_baht", "percent"}:
            raise reader.fail(path, key, "must be {upto_baht = …, percent = …}")
        ppm = reader.percent_ppm(path, key, row["percent"], high=Decimal(3))
        upper = row.get("upto_baht")
        last = i == len(rows) - 1
        if upper is None and not last:
            raise reader.fail(path, key, "only the last band may have no upto_baht")
        if upper is not None:
            upper_satang = reader.baht_satang(path, key, upper)
            if upper_satang <= lower:
                raise reader.fail(path, key, "band edges must increase")
            if last:
                raise reader.fail(path, key, "the last band must have no upto_baht")
            bands.append(Band(lower, upper_satang, ppm))
            lower = upper_satang
        else:
            bands.append(Band(lower, None, ppm))
    return tuple(bands)


def parse_rules(reader: Reader, tax_year: int) -> LandBuildingRules:
    for explained_only in (
        "valuation",
        "aggregation",
        "transitional_relief",
        "installment_default",
    ):
        reader.leaf(explained_only)
    if reader.integer("units", "sq_wah_per_rai") != SQ_WAH_PER_RAI:
        raise reader.fail("units", "sq_wah_per_rai", f"must be {SQ_WAH_PER_RAI}")
    if reader.integer("units", "sq_wah_per_ngan") != SQ_WAH_PER_NGAN:
        raise reader.fail("units", "sq_wah_per_ngan", f"must be {SQ_WAH_PER_NGAN}")
    bands = {use: _bands(reader, use) for use in USES}
    exemptions: dict[tuple[str, str], Exemption] = {}
    for code in reader.children("exemptions"):
        path = f"exemptions.{code}"
        use = reader.text(path, "use", USES)
        owner = reader.text(path, "owner_kind", OWNER_KINDS)
        full = reader.boolean(path, "full")
        amount = 0 if full else reader.baht_satang(path, "amount_baht")
        if full:
            reader.optional(path, "amount_baht")
        if (use, owner) in exemptions:
            raise reader.fail(path, "use", f"a second exemption for {use}/{owner}")
        exemptions[(use, owner)] = Exemption(
            code, use, owner, full, amount, reader.text(path, "section")
        )
    depreciation: dict[str, tuple[int, ...]] = {}
    for structure in STRUCTURES:
        table = reader.value("depreciation", structure)
        if (
            not isinstance(table, list)
            or not table
            or not all(
                isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 100 for p in table
            )
            or any(b < a for a, b in itertools.pairwise(table))
        ):
            raise reader.fail(
                "depreciation",
                structure,
                "must be non-decreasing whole percentages by age, from age 0",
            )
        depreciation[structure] = tuple(table)
    building_cost: dict[str, BuildingClass] = {}
    for code in reader.children("building_cost") if reader.has("building_cost") else ():
        path = f"building_cost.{code}"
        if code != code.strip() or not code or len(code) > 20:
            raise reader.fail(path, "code", "a class code is 1-20 characters, no outer spaces")
        price = reader.baht_satang(path, "baht_per_m2")
        if not 0 < price <= MAX_PRICE_PER_M2 * SATANG:
            raise reader.fail(path, "baht_per_m2", f"must be 0.01-{MAX_PRICE_PER_M2:,} baht")
        building_cost[code] = BuildingClass(
            code, reader.text(path, "label_th"), reader.text(path, "label_en"), price
        )
    reduction = reader.decimal("reduction", "percent") * 100
    if reduction != reduction.to_integral_value():
        raise reader.fail("reduction", "percent", "at most 2 decimals")
    relief = reader.optional("transitional_relief", "percent_of_increase")
    if relief is not None and (not isinstance(relief, int) or not 0 <= relief <= 100):
        raise reader.fail("transitional_relief", "percent_of_increase", "must be 0-100")
    due = reader.value("installments", "due_on")
    if not isinstance(due, list) or not due:
        raise reader.fail("installments", "due_on", "must be a list of B.E. dates")
    method = reader.text("brackets", "method", ("marginal", "whole"))
    return (
        LandBuildingRules(
            tax_year=tax_year,
            bracket_method=method,
            bands=bands,
            exemptions=exemptions,
            depreciation=depreciation,
            building_cost=building_cost,
            reduction_bp=int(reduction),
            vacant_every_years=reader.integer("vacant_escalation", "every_years", 1, 100),
            vacant_step_ppm=reader.percent_ppm("vacant_escalation", "add_percent", high=Decimal(3)),
            vacant_max_ppm=reader.percent_ppm("vacant_escalation", "max_percent", high=Decimal(3)),
            relief_percent=relief,
            penalty_before_warning=reader.decimal("penalty", "before_warning_percent"),
            penalty_within_warning=reader.decimal("penalty", "within_warning_percent"),
            penalty_after_warning=reader.decimal("penalty", "after_warning_percent"),
            surcharge_percent_per_month=reader.decimal("surcharge", "percent_per_month"),
            surcharge_capped_at_tax=reader.boolean("surcharge", "capped_at_tax"),
            installment_min_baht=reader.integer("installments", "min_tax_baht"),
            installment_due_on=tuple(reader.be_date("installments", "due_on", d) for d in due),
            notice_by=reader.be_date("deadlines", "notice_by"),
            payment_due_on=reader.be_date("deadlines", "payment_by"),
            cites=reader.cites,
        )
        if reader.text("rounding", "method", ("satang_half_up",))
        else _never()
    )


def _never() -> LandBuildingRules:
    raise AssertionError("unreachable")


# --- normalising the register into valued items --------------------------------------------

ITEM_COLUMNS = [
    "item_kind",
    "item_id",
    "owner_id",
    "owner_kind",
    "use",
    "vacant_years",
    "old_tax_satang",
    "area_cwah",
    "price_satang",
    "floor_cm2",
    "structure",
    "building_class",
    "price_basis",
    "age_years",
    "gross_satang",
    "depreciation_percent",
    "value_satang",
]
# Item columns that are integers (the others are strings), for the nulls of the other kinds.
_ITEM_INTEGERS = {"area_cwah", "price_satang", "floor_cm2", "age_years", "gross_satang"}
_ITEM_INTEGERS |= {"depreciation_percent", "value_satang", "vacant_years", "old_tax_satang"}
# The use as a small code (its index in USES) from the start: comparing, grouping and looking
# up bands by a code, never by a string, over the whole register. Vacant must stay last: the
# dense grouping puts a vacancy step s in the slot after it (see _group_dense).
USE_CODE = {use: code for code, use in enumerate(USES)}
VACANT = USE_CODE["vacant"]
assert USES[-1] == "vacant"
INDIVIDUAL_ONLY_CODES = [USE_CODE[use] for use in INDIVIDUAL_ONLY]


def _spellings(names: Sequence[str]) -> dict[str, int]:
    """Every spelling with hyphens or underscores ("residential-primary") → index in names."""
    out: dict[str, int] = {}
    for code, name in enumerate(names):
        parts = name.split("_")
        for joins in itertools.product("_-", repeat=len(parts) - 1):
            spelled = parts[0] + "".join(j + p for j, p in zip(joins, parts[1:], strict=True))
            out[spelled] = code
    return out


_USE_SPELLINGS = _spellings(USES)
_STRUCTURE_SPELLINGS = _spellings(STRUCTURES)


def _hundredths(name: str) -> pl.Expr:
    """A decimal number of the register as exact hundredths (baht → satang, m² → 0.01 m²)."""
    return (pl.col(name).cast(pl.Float64, strict=False) * 100 + 0.5).floor().cast(pl.Int64)


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if frame.schema[name] == pl.String else pl.col(name).cast(pl.String)


def _code(frame: pl.DataFrame, name: str, spellings: dict[str, int]) -> pl.Expr:
    """A text column as its code (null when unknown): one Enum cast, no string rewriting."""
    codes = pl.Series(list(spellings.values()), dtype=pl.UInt8)
    spelled = _text(frame, name).cast(pl.Enum(list(spellings)), strict=False)
    return pl.lit(codes).gather(spelled.to_physical())


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``use_code``, ``juristic``/``individual`` (owner kind), ``vacant_years`` (0 when
    absent) and ``old_tax_satang``."""
    extra = []
    if "vacant_years" not in frame.columns:
        extra.append(pl.lit(0, pl.Int64).alias("vacant_years"))
    if "old_tax_baht" not in frame.columns:
        extra.append(pl.lit(None, pl.Float64).alias("old_tax_baht"))
    frame = frame.with_columns(extra) if extra else frame
    return frame.with_columns(
        _code(frame, "use", _USE_SPELLINGS).alias("use_code"),
        (_text(frame, "owner_kind") == "juristic").alias("juristic"),
        (_text(frame, "owner_kind") == "individual").alias("individual"),
        pl.col("vacant_years").cast(pl.Int64, strict=False).fill_null(0),
        _hundredths("old_tax_baht").alias("old_tax_satang"),
    )


def _common_checks(name: str) -> list[tuple[str, pl.Expr, str]]:
    use = pl.col("use_code")
    # an unknown use is its own problem: null (a problem) here only when the use is absent
    individual_only = pl.when(pl.col("use").is_not_null()).then(
        use.is_in(INDIVIDUAL_ONLY_CODES).fill_null(False)
    )
    return [
        (name, pl.col(name).is_null(), "missing id"),
        ("owner_id", pl.col("owner_id").is_null(), "missing owner id"),
        (
            "owner_kind",
            ~(pl.col("juristic") | pl.col("individual")),
            "owner must be individual or juristic",
        ),
        ("use", use.is_null(), f"unknown use; expected {', '.join(USES)}"),
        (
            "use",
            individual_only & pl.col("juristic"),
            "a primary home (Act §41, §42) belongs to an individual, not a juristic person",
        ),
        (
            "vacant_years",
            ~pl.col("vacant_years").is_between(0, 100),
            "vacant years must be a whole number 0-100",
        ),
        (
            "vacant_years",
            (pl.col("vacant_years") > 0) & (use != VACANT),
            "vacant years given for a property whose use is not vacant",
        ),
        (
            "old_tax_baht",
            (pl.col("old_tax_satang") < 0).fill_null(False),
            "old tax must not be negative",
        ),
        (
            "old_tax_baht",
            pl.col("old_tax_baht").is_not_null() & pl.col("old_tax_satang").is_null(),
            "old tax must be a number of baht",
        ),
    ]


def _item(id_column: str, *extra: pl.Expr | str) -> list[pl.Expr | str]:
    """The columns every valued item keeps (see value_items), plus those of its kind."""
    return [
        pl.col(id_column).alias("item_id"),
        "owner_id",
        "owner_kind",
        "use_code",
        "juristic",
        "vacant_years",
        "old_tax_satang",
        *extra,
    ]


def _parcels(rules: LandBuildingRules, table: pl.DataFrame) -> pl.DataFrame:
    require_columns(
        table,
        "parcels",
        {
            "parcel_id": True,
            "owner_id": True,
            "owner_kind": True,
            "use": True,
            "price_per_sq_wah": True,
        },
    )
    frame = _normalise(table)
    if "area_rnw" in frame.columns:
        parts = (
            pl.col("area_rnw")
            .cast(pl.String)
            .str.extract_groups(r"^\s*(\d+)\s*-\s*(\d+)\s*-\s*(\d+(?:\.\d{1,2})?)\s*$")
        )
        frame = frame.with_columns(
            parts.struct.field("1").cast(pl.Int64).alias("rai"),
            parts.struct.field("2").cast(pl.Int64).alias("ngan"),
            parts.struct.field("3").cast(pl.Float64).alias("wah"),
        )
        shape = [("area_rnw", pl.col("rai").is_null(), "area must be rai-ngan-wah like 2-1-35")]
    elif {"rai", "ngan", "wah"} <= set(frame.columns):
        shape = []
    elif "area_sq_wah" in frame.columns:
        frame = frame.with_columns(
            pl.lit(0, pl.Int64).alias("rai"),
            pl.lit(0, pl.Int64).alias("ngan"),
            pl.col("area_sq_wah").alias("wah"),
        )
        shape = []
    else:
        raise TaxInputError.single(
            "parcels table", "area_rnw", "give area_rnw, or rai + ngan + wah, or area_sq_wah"
        )
    area = (pl.col("rai") * SQ_WAH_PER_RAI + pl.col("ngan") * SQ_WAH_PER_NGAN) * 100 + pl.col(
        "cwah"
    )
    frame = frame.with_columns(
        pl.col("rai").cast(pl.Int64, strict=False),
        pl.col("ngan").cast(pl.Int64, strict=False),
        _hundredths("wah").alias("cwah"),
        _hundredths("price_per_sq_wah").alias("price_satang"),
    ).with_columns(area.alias("area_cwah"))
    area_only = (
        "area_sq_wah" in frame.columns
        and "area_rnw" not in frame.columns
        and not ({"rai", "ngan"} <= set(table.columns))
    )
    wah_limit = MAX_RAI * SQ_WAH_PER_RAI * 100 if area_only else 100 * 100
    check(
        frame,
        "parcel_id",
        _common_checks("parcel_id")
        + shape
        + [
            ("rai", ~pl.col("rai").is_between(0, MAX_RAI), f"rai must be 0-{MAX_RAI}"),
            ("ngan", ~pl.col("ngan").is_between(0, 3), "ngan must be 0-3 (4 ngan = 1 rai)"),
            (
                "wah",
                ~(pl.col("cwah") >= 0) | (pl.col("cwah") >= wah_limit),
                "square wah must be 0 to below 100 (100 wah = 1 ngan)"
                if not area_only
                else "area in square wah out of range",
            ),
            ("area", pl.col("area_cwah") <= 0, "area must be more than 0"),
            (
                "price_per_sq_wah",
                ~pl.col("price_satang").is_between(1, MAX_PRICE_PER_SQ_WAH * SATANG),
                f"appraisal price per square wah must be 0.01-{MAX_PRICE_PER_SQ_WAH:,} baht",
            ),
        ],
    )
    return frame.select(
        _item(
            "parcel_id",
            "area_cwah",
            "price_satang",
            ((2 * pl.col("area_cwah") * pl.col("price_satang") + 100) // 200).alias("value_satang"),
        )
    )


def _depreciation(rules: LandBuildingRules) -> pl.Expr:
    """Percent by structure and age: one lookup in the tables laid end to end."""
    width = max(len(table) for table in rules.depreciation.values())
    flat = [
        table[min(age, len(table) - 1)]
        for table in (rules.depreciation[s] for s in STRUCTURES)
        for age in range(width)
    ]
    age = pl.col("age_years").clip(0, width - 1)  # a bad age is refused before it is used
    index = pl.col("structure_code").cast(pl.Int64) * width + age
    return pl.lit(pl.Series(flat, dtype=pl.Int64)).gather(index)


def _class_price(rules: LandBuildingRules, table: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """(class code as text, its price in satang from ``building_cost``; null when unknown)."""
    if "building_class" not in table.columns:
        return pl.lit(None, pl.String), pl.lit(None, pl.Int64)
    klass = _text(table, "building_class").str.strip_chars()
    if not rules.building_cost:
        return klass, pl.lit(None, pl.Int64)
    codes = list(rules.building_cost)
    prices = pl.Series([rules.building_cost[c].price_satang for c in codes], dtype=pl.Int64)
    return klass, pl.lit(prices).gather(klass.cast(pl.Enum(codes), strict=False).to_physical())


def _buildings(rules: LandBuildingRules, table: pl.DataFrame) -> pl.DataFrame:
    """Buildings valued by their own price per m² when the register has one, else by the
    price of their class in the year's ``building_cost`` table (``price_basis``)."""
    require_columns(
        table,
        "buildings",
        {
            "building_id": True,
            "owner_id": True,
            "owner_kind": True,
            "use": True,
            "floor_area_m2": True,
            "price_per_m2": False,
            "building_class": False,
            "structure": True,
            "age_years": True,
        },
    )
    if "price_per_m2" not in table.columns and "building_class" not in table.columns:
        raise TaxInputError.single(
            "buildings table", "price_per_m2", "give price_per_m2 or building_class"
        )
    klass, class_price = _class_price(rules, table)
    own_given = (
        pl.col("price_per_m2").is_not_null() if "price_per_m2" in table.columns else pl.lit(False)
    )
    own_price = (
        _hundredths("price_per_m2") if "price_per_m2" in table.columns else pl.lit(None, pl.Int64)
    )
    frame = _normalise(table).with_columns(
        _hundredths("floor_area_m2").alias("floor_cm2"),
        own_given.alias("own_price"),
        pl.when(own_given).then(own_price).otherwise(class_price).alias("price_satang"),
        klass.alias("building_class"),
        _code(table, "structure", _STRUCTURE_SPELLINGS).alias("structure_code"),
        pl.col("age_years").cast(pl.Int64, strict=False),
    )
    known = ", ".join(rules.building_cost) or "none"
    check(
        frame,
        "building_id",
        [
            *_common_checks("building_id"),
            (
                "floor_area_m2",
                ~pl.col("floor_cm2").is_between(1, MAX_FLOOR_M2 * 100),
                f"floor area must be 0.01-{MAX_FLOOR_M2:,} m²",
            ),
            (
                "price_per_m2",
                pl.col("own_price")
                & ~pl.col("price_satang").is_between(1, MAX_PRICE_PER_M2 * SATANG),
                f"price per m² must be 0.01-{MAX_PRICE_PER_M2:,} baht",
            ),
            (
                "building_class",
                ~pl.col("own_price") & pl.col("price_satang").is_null(),
                f"no price per m² of its own and its class is not in the building price "
                f"table of tax year {rules.tax_year} (classes: {known})",
            ),
            (
                "structure",
                pl.col("structure_code").is_null(),
                f"structure must be one of {', '.join(STRUCTURES)}",
            ),
            (
                "age_years",
                ~pl.col("age_years").is_between(0, MAX_AGE),
                f"age must be 0-{MAX_AGE} years",
            ),
        ],
    )
    gross = (2 * pl.col("floor_cm2") * pl.col("price_satang") + 100) // 200
    return frame.with_columns(
        gross.alias("gross_satang"), _depreciation(rules).alias("depreciation_percent")
    ).select(
        _item(
            "building_id",
            "price_satang",
            "floor_cm2",
            "building_class",
            pl.when(pl.col("own_price"))
            .then(pl.lit("register"))
            .otherwise(pl.lit("class"))
            .alias("price_basis"),
            "structure_code",
            "age_years",
            "gross_satang",
            "depreciation_percent",
            (
                (2 * pl.col("gross_satang") * (100 - pl.col("depreciation_percent")) + 100) // 200
            ).alias("value_satang"),
        )
    )


def _units(rules: LandBuildingRules, table: pl.DataFrame) -> pl.DataFrame:
    require_columns(
        table,
        "units",
        {
            "unit_id": True,
            "owner_id": True,
            "owner_kind": True,
            "use": True,
            "area_m2": True,
            "price_per_m2": True,
        },
    )
    frame = _normalise(table).with_columns(
        _hundredths("area_m2").alias("floor_cm2"),
        _hundredths("price_per_m2").alias("price_satang"),
    )
    check(
        frame,
        "unit_id",
        [
            *_common_checks("unit_id"),
            (
                "area_m2",
                ~pl.col("floor_cm2").is_between(1, MAX_FLOOR_M2 * 100),
                f"unit area must be 0.01-{MAX_FLOOR_M2:,} m²",
            ),
            (
                "price_per_m2",
                ~pl.col("price_satang").is_between(1, MAX_PRICE_PER_M2 * SATANG),
                f"price per m² must be 0.01-{MAX_PRICE_PER_M2:,} baht",
            ),
        ],
    )
    return frame.select(
        _item(
            "unit_id",
            "price_satang",
            "floor_cm2",
            ((2 * pl.col("floor_cm2") * pl.col("price_satang") + 100) // 200).alias("value_satang"),
        )
    )


def _values(rules: LandBuildingRules, table: pl.DataFrame) -> pl.DataFrame:
    require_columns(
        table,
        "values",
        {"item_id": True, "owner_id": True, "owner_kind": True, "use": True, "value_baht": True},
    )
    frame = _normalise(table).with_columns(_hundredths("value_baht").alias("value_satang"))
    check(
        frame,
        "item_id",
        [
            *_common_checks("item_id"),
            (
                "value_baht",
                ~pl.col("value_satang").is_between(0, MAX_VALUE_BAHT * SATANG),
                f"appraised value must be 0-{MAX_VALUE_BAHT:,} baht",
            ),
        ],
    )
    return frame.select(_item("item_id", "value_satang"))


def _valued(
    rules: LandBuildingRules,
    parcels: pl.DataFrame | None,
    buildings: pl.DataFrame | None,
    units: pl.DataFrame | None,
    values: pl.DataFrame | None,
) -> dict[str, pl.DataFrame]:
    """Item kind → its records checked and valued (use as a code, owner kind as a flag)."""
    valued = {}
    for kind, table, build in (
        ("parcel", parcels, _parcels),
        ("building", buildings, _buildings),
        ("unit", units, _units),
        ("value", values, _values),
    ):
        if table is not None and table.height:
            valued[kind] = build(rules, table)
    if not valued:
        raise TaxInputError.single("register", "(tables)", "no parcels, buildings, units or values")
    if len({frame.schema["owner_id"] for frame in valued.values()}) > 1:
        valued = {
            kind: frame.with_columns(pl.col("owner_id").cast(pl.String))
            for kind, frame in valued.items()
        }
    return valued


def value_items(
    rules: LandBuildingRules,
    *,
    parcels: pl.DataFrame | None = None,
    buildings: pl.DataFrame | None = None,
    units: pl.DataFrame | None = None,
    values: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The appraised value of every item of the register (the tax base before aggregation).

    Land: area (sq wah) × Treasury appraisal price per sq wah. Building: floor area × price per
    m² of its class, less depreciation by age and structure. Condominium unit: area × unit
    price per m². ``values``: items whose appraised value is already known (``value_baht``).
    All checks run before any value: a bad record raises ``TaxInputError`` naming it.
    """
    valued = _valued(rules, parcels, buildings, units, values)
    frames = []
    for kind, frame in valued.items():
        columns: list[pl.Expr] = []
        for name in ITEM_COLUMNS:
            if name == "item_kind":
                columns.append(pl.lit(kind).alias(name))
            elif name in ("item_id", "owner_kind"):
                columns.append(pl.col(name).cast(pl.String))
            elif name == "use":
                columns.append(pl.lit(pl.Series(USES)).gather("use_code").alias(name))
            elif name == "structure" and "structure_code" in frame.columns:
                columns.append(pl.lit(pl.Series(STRUCTURES)).gather("structure_code").alias(name))
            elif name in frame.columns:
                columns.append(pl.col(name))
            else:
                dtype = pl.Int64 if name in _ITEM_INTEGERS else pl.String
                columns.append(pl.lit(None, dtype).alias(name))
        frames.append(frame.select(columns))
    return pl.concat(frames, how="vertical", rechunk=False)


# --- aggregation and the tax ---------------------------------------------------------------

# The aggregate of each kind of item, in the result.
KIND_SUMS = {
    "parcel": "land_value_satang",
    "building": "building_value_satang",
    "unit": "unit_value_satang",
    "value": "other_value_satang",
}


def _group(rules: LandBuildingRules, valued: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Sum the items per owner × use × vacancy step.

    Columns: owner_id, use_code, vacant_step, items, juristic_items, the four KIND_SUMS,
    old_tax_satang (null when no item of the group has one).
    """
    step = (
        pl.when(pl.col("use_code") == VACANT)
        .then(pl.col("vacant_years") // rules.vacant_every_years)
        .otherwise(0)
        .alias("vacant_step")
    )
    lean = {
        kind: frame.select(
            "owner_id", "use_code", step, "juristic", "value_satang", "old_tax_satang"
        )
        for kind, frame in valued.items()
    }
    grouped = group_dense(lean, uses=len(USES), sums=KIND_SUMS)
    if grouped is None:
        frames = [
            frame.with_columns(pl.lit(kind, pl.Enum(ITEM_KINDS)).alias("kind"))
            for kind, frame in lean.items()
        ]
        grouped = (
            pl.concat(frames, how="vertical", rechunk=False)
            .group_by("owner_id", "use_code", "vacant_step")
            .agg(
                pl.len().alias("items"),
                pl.col("juristic").sum().cast(pl.UInt32).alias("juristic_items"),
                *[
                    pl.col("value_satang").filter(pl.col("kind") == kind).sum().alias(name)
                    for kind, name in KIND_SUMS.items()
                ],
                pl.when(pl.col("old_tax_satang").count() > 0)
                .then(pl.col("old_tax_satang").sum())
                .alias("old_tax_satang"),
            )
        )
    return grouped


def _band_table(rules: LandBuildingRules) -> list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]:
    """Band i of each row's own use: (lower, upper, ppm, ppm cap) looked up by the use code.

    Uses with fewer bands get empty bands (lower = upper = beyond any base) that add nothing.
    """
    beyond = MAX_BASE_SATANG + 1
    count = max(len(bands) for bands in rules.bands.values())
    use = pl.col("use_code")
    out = []
    for i in range(count):
        rows = [rules.bands[u][i] if i < len(rules.bands[u]) else None for u in USES]
        lower = [beyond if b is None else b.lower_satang for b in rows]
        upper = [beyond if b is None or b.upper_satang is None else b.upper_satang for b in rows]
        ppm = [0 if b is None else b.ppm for b in rows]
        cap = [0 if b is None else max(b.ppm, rules.vacant_max_ppm) for b in rows]
        out.append(
            tuple(
                pl.lit(pl.Series(values, dtype=pl.Int64)).gather(use)
                for values in (lower, upper, ppm, cap)
            )
        )
    return out  # type: ignore[return-value]


def _bracket_numerator(rules: LandBuildingRules) -> tuple[list[pl.Expr], pl.Expr]:
    """Σ satang × millionths of the bands (marginal) or of the band containing the base.

    Returns one column per band (``__band<i>``, computed side by side on all cores) and the
    expression that combines them.
    """
    taxable = pl.col("taxable_satang")
    step = pl.col("vacant_step")
    terms = []
    for i, (lower, upper, ppm, cap) in enumerate(_band_table(rules)):
        rate = pl.min_horizontal(ppm + step * rules.vacant_step_ppm, cap)
        if rules.bracket_method == "marginal":
            top = pl.min_horizontal(taxable, upper)
            term = pl.max_horizontal(top - lower, pl.lit(0)) * rate
        else:
            term = pl.when(taxable > lower).then(rate)
        terms.append(term.alias(f"__band{i}"))
    names = [f"__band{i}" for i in range(len(terms))]
    if rules.bracket_method == "marginal":
        return terms, pl.sum_horizontal(names)
    # whole value: the rate of the highest band the base is above
    return terms, taxable * pl.coalesce([*reversed(names), pl.lit(0, pl.Int64)])


def _tax(rules: LandBuildingRules, grouped: pl.DataFrame) -> pl.DataFrame:
    """The exemption, the bands, the reduction and the §97 relief of each aggregate."""
    mixed = grouped.filter(
        (pl.col("juristic_items") > 0) & (pl.col("juristic_items") < pl.col("items"))
    )
    if mixed.height:
        raise TaxInputError(
            [
                InputProblem(
                    f"owner {o}", "owner_kind", "both individual and juristic in the register"
                )
                for o in mixed.get_column("owner_id").head(10).to_list()
            ],
            mixed.height,
        )
    base = sum((pl.col(name) for name in KIND_SUMS.values()), pl.lit(0, pl.Int64))
    grouped = grouped.with_columns(
        base.alias("base_satang"), (pl.col("juristic_items") > 0).alias("juristic")
    )
    too_big = grouped.filter(pl.col("base_satang") > MAX_BASE_SATANG)
    if too_big.height:
        raise TaxInputError(
            [
                InputProblem(f"owner {o}", "value", "aggregate base over 1 trillion baht")
                for o in too_big.get_column("owner_id").head(10).to_list()
            ]
        )
    # exemption of (use, owner kind), looked up at use code × 2 + juristic
    full = [False] * (2 * len(USES))
    amount = [0] * (2 * len(USES))
    for (use, owner), ex in rules.exemptions.items():
        i = USE_CODE[use] * 2 + OWNER_KINDS.index(owner)
        full[i], amount[i] = ex.full, ex.amount_satang
    at = pl.col("use_code").cast(pl.Int64) * 2 + pl.col("juristic").cast(pl.Int64)
    exemption = (
        pl.when(pl.lit(pl.Series(full)).gather(at))
        .then(pl.col("base_satang"))
        .otherwise(pl.min_horizontal(pl.col("base_satang"), pl.lit(pl.Series(amount)).gather(at)))
    )
    band_terms, numerator = _bracket_numerator(rules)
    bracket = (2 * pl.col("bracket_numerator") + PPM) // (2 * PPM)
    reduction = (2 * pl.col("bracket_tax_satang") * rules.reduction_bp + 10_000) // 20_000
    after = pl.col("after_reduction_satang")
    if rules.relief_percent is None:
        relief = pl.lit(0, pl.Int64)
    else:
        increase = after - pl.col("old_tax_satang")
        relief = (
            pl.when(pl.col("old_tax_satang").is_not_null() & (increase > 0))
            .then(increase - (2 * increase * rules.relief_percent + 100) // 200)
            .otherwise(0)
        )
    return (
        grouped.with_columns(exemption.alias("exemption_satang"))
        .with_columns((pl.col("base_satang") - pl.col("exemption_satang")).alias("taxable_satang"))
        .with_columns(band_terms)
        .with_columns(numerator.alias("bracket_numerator"))
        .with_columns(bracket.alias("bracket_tax_satang"))
        .with_columns(reduction.alias("reduction_satang"))
        .with_columns(
            (pl.col("bracket_tax_satang") - pl.col("reduction_satang")).alias(
                "after_reduction_satang"
            )
        )
        .with_columns(relief.cast(pl.Int64).alias("relief_satang"))
        .select(
            "owner_id",
            pl.lit(pl.Series(USES)).gather("use_code").alias("use"),
            pl.col("vacant_step").cast(pl.Int64),
            pl.col("items").cast(pl.UInt32),
            *KIND_SUMS.values(),
            "base_satang",
            pl.col("old_tax_satang").cast(pl.Int64),
            pl.when(pl.col("juristic"))
            .then(pl.lit("juristic"))
            .otherwise(pl.lit("individual"))
            .alias("owner_kind"),
            "exemption_satang",
            "taxable_satang",
            "bracket_tax_satang",
            "reduction_satang",
            "after_reduction_satang",
            "relief_satang",
            (after - pl.col("relief_satang")).alias("tax_satang"),
        )
    )


def assess_items(rules: LandBuildingRules, items: pl.DataFrame) -> pl.DataFrame:
    """Aggregate valued items (``value_items``) per owner, use and vacancy step; the tax."""
    items = items.with_columns(
        _code(items, "use", _USE_SPELLINGS).alias("use_code"),
        (pl.col("owner_kind") == "juristic").alias("juristic"),
    )
    valued = {
        kind: items.filter(pl.col("item_kind") == kind)
        for kind in ITEM_KINDS
        if (items.get_column("item_kind") == kind).any()
    }
    return _tax(rules, _group(rules, valued))


def assess(
    rules: LandBuildingRules,
    *,
    parcels: pl.DataFrame | None = None,
    buildings: pl.DataFrame | None = None,
    units: pl.DataFrame | None = None,
    values: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Assess the whole register: one row per owner × use (× vacancy step).

    Parcels: ``parcel_id, owner_id, owner_kind, use, price_per_sq_wah`` and the area as
    ``area_rnw`` ("2-1-35"), or ``rai, ngan, wah``, or ``area_sq_wah``. Buildings:
    ``building_id, owner_id, owner_kind, use, floor_area_m2, price_per_m2, structure
    (masonry|half_masonry|wood), age_years``. Units: ``unit_id, owner_id, owner_kind, use,
    area_m2, price_per_m2``. Values: ``item_id, owner_id, owner_kind, use, value_baht``. All
    take optional ``vacant_years`` and ``old_tax_baht`` (the 2562 house-and-land plus local
    development tax, for the §97 relief). Money columns of the result are integer satang.
    """
    valued = _valued(rules, parcels, buildings, units, values)
    return _tax(rules, _group(rules, valued))


def quote(
    rules: LandBuildingRules,
    *,
    owner_kind: str,
    use: str,
    value_baht: Decimal | int | str | None = None,
    land_rnw: str | None = None,
    price_per_sq_wah: Decimal | int | str | None = None,
    buildings: Sequence[dict[str, Any]] = (),
    vacant_years: int = 0,
    old_tax_baht: Decimal | int | str | None = None,
    owner_id: str = "quote",
) -> Assessment:
    """The tax of one owner's property of one use, with its explanation.

    Give ``value_baht`` (an appraised value), or ``land_rnw`` + ``price_per_sq_wah`` and/or
    ``buildings`` (dicts with floor_area_m2, structure, age_years and price_per_m2 and/or
    building_class: without its own price a building takes its class's price per m² from the
    year's ``building_cost`` table). It runs the batch ``assess`` on that one-owner register.
    """
    use = use.replace("-", "_")
    base = {
        "owner_id": owner_id,
        "owner_kind": owner_kind,
        "use": use,
        "vacant_years": vacant_years,
    }
    old = None if old_tax_baht is None else str(old_tax_baht)
    parcels = values = building_frame = None
    if value_baht is not None:
        values = pl.DataFrame(
            [{**base, "item_id": "value", "value_baht": str(value_baht), "old_tax_baht": old}],
            schema_overrides={"old_tax_baht": pl.String},
        )
        old = None
    if land_rnw is not None or price_per_sq_wah is not None:
        parcels = pl.DataFrame(
            [
                {
                    **base,
                    "parcel_id": "land",
                    "area_rnw": land_rnw,
                    "price_per_sq_wah": None if price_per_sq_wah is None else str(price_per_sq_wah),
                    "old_tax_baht": old,
                }
            ],
            schema_overrides={
                "old_tax_baht": pl.String,
                "area_rnw": pl.String,
                "price_per_sq_wah": pl.String,
            },
        )
        old = None
    if buildings:
        building_frame = pl.DataFrame(
            [
                {
                    **base,
                    "vacant_years": 0,
                    "building_id": f"building {i + 1}",
                    "old_tax_baht": old if i == 0 else None,
                    **{
                        k: str(v)
                        if k in ("floor_area_m2", "price_per_m2", "building_class")
                        and v is not None
                        else v
                        for k, v in b.items()
                    },
                }
                for i, b in enumerate(buildings)
            ],
            schema_overrides={
                "old_tax_baht": pl.String,
                "price_per_m2": pl.String,
                "building_class": pl.String,
            },
        )
    if values is None and parcels is None and building_frame is None:
        raise TaxInputError.single(
            owner_id,
            "value_baht",
            "give value_baht, or land_rnw with price_per_sq_wah, or buildings",
        )
    items = value_items(rules, parcels=parcels, buildings=building_frame, values=values)
    result = assess_items(rules, items)
    row = result.row(0, named=True)
    return Assessment(
        KIND,
        rules.tax_year,
        satang_to_baht(row["tax_satang"]),
        explain(rules, row, items.to_dicts()),
        owner_id,
    )


# --- explanation ---------------------------------------------------------------------------


def _baht(satang: int) -> str:
    return f"{satang_to_baht(satang):,}"


def _step(rules: LandBuildingRules, code: str, th: str, en: str, value: object, cite: str) -> Step:
    citation = rules.cite(cite)
    return Step(code, th, en, str(value), citation.text(), citation.unconfirmed)


def _percent(ppm: int) -> str:
    return f"{Decimal(ppm) / 10_000:f}".rstrip("0").rstrip(".")


def band_slices(
    rules: LandBuildingRules, use: str, taxable: int, step: int
) -> list[tuple[int, int, int]]:
    """(lower, amount, ppm) of each band used: the slices (marginal) or the one band (whole)."""
    slices = []
    for band in rules.bands[use]:
        ppm = rules.band_ppm(band, step)
        if rules.bracket_method == "whole":
            if taxable > band.lower_satang and (
                band.upper_satang is None or taxable <= band.upper_satang
            ):
                return [(band.lower_satang, taxable, ppm)]
            continue
        top = taxable if band.upper_satang is None else min(taxable, band.upper_satang)
        if top > band.lower_satang:
            slices.append((band.lower_satang, top - band.lower_satang, ppm))
    return slices


def explain(
    rules: LandBuildingRules, row: dict[str, Any], items: Sequence[dict[str, Any]] = ()
) -> list[Step]:
    """The steps of one result row of ``assess``; ``items``: its valued items, to list them."""
    steps: list[Step] = []
    for item in items:
        steps.append(_item_step(rules, item))
    use, owner = row["use"], row["owner_kind"]
    steps.append(
        _step(
            rules,
            "base",
            "ฐานภาษี (รวมตามเจ้าของและประเภทการใช้)",
            f"Tax base: appraised value of {row['items']} item(s), {use}, "
            f"owner {row['owner_id']} ({owner})",
            _baht(row["base_satang"]),
            "aggregation",
        )
    )
    exemption = rules.exemptions.get((use, owner))
    if exemption is not None:
        what = (
            "fully exempt" if exemption.full else f"first {_baht(exemption.amount_satang)} exempt"
        )
        steps.append(
            _step(
                rules,
                "exemption",
                f"ยกเว้นฐานภาษี ({exemption.section})",
                f"Exemption {exemption.section}: {what}",
                _baht(row["exemption_satang"]),
                f"exemptions.{exemption.code}",
            )
        )
    steps.append(Step("taxable", "ฐานภาษีหลังหักยกเว้น", "Taxable base", _baht(row["taxable_satang"])))
    if row["vacant_step"]:
        steps.append(
            _step(
                rules,
                "vacant",
                "ที่ดินว่างเปล่าต่อเนื่อง: เพิ่มอัตรา",
                f"Vacant {rules.vacant_every_years}-year step(s): +"
                f"{_percent(rules.vacant_step_ppm * row['vacant_step'])} % to each band "
                f"(at most {_percent(rules.vacant_max_ppm)} %)",
                row["vacant_step"],
                "vacant_escalation",
            )
        )
    cite = rules.cite(f"bands.{use}")
    method = rules.cite("brackets")
    for lower, amount, ppm in band_slices(rules, use, row["taxable_satang"], row["vacant_step"]):
        steps.append(
            Step(
                "band",
                f"อัตราภาษี {_percent(ppm)} % ส่วนที่เกิน {_baht(lower)}",
                f"{_percent(ppm)} % on {_baht(amount)} "
                f"(above {_baht(lower)}; {rules.bracket_method})",
                _baht(div_half_up(amount * ppm, PPM)),
                f"{cite.text()}; method: {method.text()}",
                cite.unconfirmed or method.unconfirmed,
            )
        )
    steps.append(
        _step(
            rules,
            "bracket_tax",
            "ภาษีตามอัตรา (ปัดเศษสตางค์)",
            "Tax by the bands (rounded to the satang, half up)",
            _baht(row["bracket_tax_satang"]),
            "rounding",
        )
    )
    if rules.reduction_bp:
        steps.append(
            _step(
                rules,
                "reduction",
                f"ลดภาษีร้อยละ {Decimal(rules.reduction_bp) / 100}",
                f"Reduction of the year: {Decimal(rules.reduction_bp) / 100} %",
                str(-satang_to_baht(row["reduction_satang"])),
                "reduction",
            )
        )
    if row["relief_satang"]:
        steps.append(
            _step(
                rules,
                "relief",
                "บรรเทาภาระภาษี (มาตรา 97)",
                f"§97 relief: old tax {_baht(row['old_tax_satang'])} + "
                f"{rules.relief_percent} % of the increase",
                str(-satang_to_baht(row["relief_satang"])),
                "transitional_relief",
            )
        )
    steps.append(
        Step(
            "tax",
            "ภาษีที่ดินและสิ่งปลูกสร้างที่ต้องชำระ",
            "Land and building tax payable",
            _baht(row["tax_satang"]),
        )
    )
    return steps


def _item_step(rules: LandBuildingRules, item: dict[str, Any]) -> Step:
    kind = item["item_kind"]
    if kind == "parcel":
        wah = Decimal(item["area_cwah"]) / 100
        return _step(
            rules,
            "land_value",
            f"มูลค่าที่ดิน {item['item_id']}",
            f"Land {item['item_id']}: {wah:f} sq wah × "
            f"{satang_to_baht(item['price_satang'])} baht/sq wah",
            _baht(item["value_satang"]),
            "valuation",
        )
    if kind == "building":
        return _building_step(rules, item)
    if kind == "unit":
        area = Decimal(item["floor_cm2"]) / 100
        return _step(
            rules,
            "unit_value",
            f"มูลค่าห้องชุด {item['item_id']}",
            f"Condominium unit {item['item_id']}: {area:f} m² × "
            f"{satang_to_baht(item['price_satang'])} baht/m²",
            _baht(item["value_satang"]),
            "valuation",
        )
    # a quote's one value is the item "value" (``quote``): no record number to name
    name = "" if item["item_id"] == "value" else f" {item['item_id']}"
    return _step(
        rules,
        "value",
        f"มูลค่าทรัพย์สิน{name}",
        f"Appraised value{name}",
        _baht(item["value_satang"]),
        "valuation",
    )


def _building_step(rules: LandBuildingRules, item: dict[str, Any]) -> Step:
    """Floor area × price per m² less depreciation, saying where the price comes from: the
    building's own appraised price on the register (used first), or its class's price in the
    year's building price table (with that table's source)."""
    area = Decimal(item["floor_cm2"]) / 100
    price = satang_to_baht(item["price_satang"])
    klass = item.get("building_class")
    entry = rules.building_cost.get(klass) if klass else None
    depreciation = rules.cite("depreciation")
    if item.get("price_basis") == "class" and entry is not None:
        cost = rules.cite(f"building_cost.{entry.code}")
        price_th = f"ประเภท {entry.code} {entry.label_th} ราคา {price:,} บาท/ตร.ม. ตามบัญชีราคาประเมิน"
        price_en = (
            f"{price:,} baht/m², the price of class {entry.code} ({entry.label_en}) in the "
            f"building price table (the building has no price of its own on the register)"
        )
        rule = f"{cost.text()}; depreciation: {depreciation.text()}"
        unconfirmed = cost.unconfirmed or depreciation.unconfirmed
    else:
        shown = f"class {klass}, " if klass else ""
        price_th = f"ราคา {price:,} บาท/ตร.ม. ตามทะเบียน"
        price_en = (
            f"{price:,} baht/m² ({shown}the building's own appraised price on the register, "
            f"used before the class table)"
        )
        rule, unconfirmed = depreciation.text(), depreciation.unconfirmed
    return Step(
        "building_value",
        f"มูลค่าสิ่งปลูกสร้าง {item['item_id']} ({price_th})",
        f"Building {item['item_id']}: {area:f} m² × {price_en} = "
        f"{_baht(item['gross_satang'])}, less {item['depreciation_percent']} % "
        f"depreciation ({item['structure']}, {item['age_years']} years)",
        _baht(item["value_satang"]),
        rule,
        unconfirmed,
    )


# --- late payment, installments (Act §52, §68-§70 as the rule file cites) ------------------


def late_charges(
    rules: LandBuildingRules,
    *,
    tax_baht: Decimal | int | str,
    paid_on: dt.date,
    due_on: dt.date | None = None,
    warning_received_on: dt.date | None = None,
    warning_due_on: dt.date | None = None,
    surcharge: bool = True,
) -> Assessment:
    """Penalty (เบี้ยปรับ) and surcharge (เงินเพิ่ม) on an unpaid land and building tax.

    ``due_on`` defaults to the year's payment deadline (with its extension). Penalty: the
    lower rate when paid late before a warning notice is received, the middle rate when paid
    within the warning notice's deadline, the top rate after it. Surcharge: a percentage per
    month of the tax, a fraction of a month counting as a month, capped at the tax.
    ``surcharge=False``: an installment made due early when an earlier one was missed bears
    the penalty but no surcharge (§52, see ``installment_schedule``).
    """
    tax = baht_to_satang(Decimal(str(tax_baht)))
    if tax < 0:
        raise TaxInputError.single("late charges", "tax_baht", "must not be negative")
    due = due_on or rules.payment_due_on
    steps = [
        Step("tax", "ภาษีที่ค้างชำระ", "Unpaid tax", str(satang_to_baht(tax))),
        Step(
            "due",
            "กำหนดชำระ",
            "Due date",
            format_be(due),
            rules.cite("deadlines").text(),
            rules.cite("deadlines").unconfirmed,
        ),
    ]
    months = months_late(due, paid_on)
    if not months:
        steps.append(Step("late_charges", "ไม่มีเบี้ยปรับและเงินเพิ่ม", "Paid on time", "0.00"))
        return Assessment(KIND, rules.tax_year, Decimal("0.00"), steps)
    if warning_received_on is None or paid_on < warning_received_on:
        pct, case = rules.penalty_before_warning, "paid late before a warning notice"
    elif warning_due_on is not None and paid_on <= warning_due_on:
        pct, case = rules.penalty_within_warning, "paid within the warning notice's deadline"
    else:
        pct, case = rules.penalty_after_warning, "not paid by the warning notice's deadline"
    penalty = div_half_up(tax * int(pct * 10_000), PPM)
    steps.append(
        _step(
            rules,
            "penalty",
            "เบี้ยปรับ",
            f"Penalty {pct} %: {case}",
            satang_to_baht(penalty),
            "penalty",
        )
    )
    if surcharge:
        rate = rules.surcharge_percent_per_month * months
        added = div_half_up(tax * int(rate * 10_000), PPM)
        if rules.surcharge_capped_at_tax:
            added = min(added, tax)
        steps.append(
            _step(
                rules,
                "surcharge",
                "เงินเพิ่ม",
                f"Surcharge {rules.surcharge_percent_per_month} % × {months} month(s) "
                f"(paid {format_be(paid_on)}), at most the tax",
                satang_to_baht(added),
                "surcharge",
            )
        )
    else:
        added = 0
        steps.append(
            _step(
                rules,
                "surcharge",
                "ไม่มีเงินเพิ่ม (งวดที่ถึงกำหนดชำระเพราะหมดสิทธิผ่อนชำระ มาตรา 52)",
                "No surcharge: an installment due early because an earlier one was missed (§52)",
                "0.00",
                "installment_default",
            )
        )
    total = penalty + added
    steps.append(
        Step(
            "late_charges",
            "รวมเบี้ยปรับและเงินเพิ่ม",
            "Penalty and surcharge",
            str(satang_to_baht(total)),
        )
    )
    return Assessment(KIND, rules.tax_year, satang_to_baht(total), steps)


def installments(
    rules: LandBuildingRules, tax_baht: Decimal | int | str
) -> list[tuple[dt.date, Decimal]]:
    """The installments (due date, amount) the law allows; one payment below the minimum."""
    tax = baht_to_satang(Decimal(str(tax_baht)))
    if tax < rules.installment_min_baht * SATANG:
        return [(rules.payment_due_on, satang_to_baht(tax))]
    parts = split_installments(tax, len(rules.installment_due_on))
    return list(zip(rules.installment_due_on, parts, strict=True))


@dataclass(frozen=True)
class InstallmentPart:
    """One installment as the law makes it due: ``due_on`` is its own date while the right to
    installments holds, the missed installment's date after it ended (§52); ``surcharge``: the
    §70 surcharge runs on it (the missed installment and those before it, not those made due
    early)."""

    number: int
    planned_on: dt.date
    due_on: dt.date
    amount_baht: Decimal
    surcharge: bool = True

    @property
    def accelerated(self) -> bool:
        return self.due_on != self.planned_on


@dataclass(frozen=True)
class InstallmentSchedule:
    """The installments on a date: each part's due date, and whether (and which installment,
    on what date) ended the right to pay in installments."""

    parts: tuple[InstallmentPart, ...]
    missed: int | None = None  # the installment not paid by its due date (1, 2, …)
    missed_on: dt.date | None = None  # its due date; the right ended the day after
    steps: tuple[Step, ...] = ()

    @property
    def ended(self) -> bool:
        return self.missed is not None


def installment_schedule(
    rules: LandBuildingRules,
    *,
    parts: Sequence[tuple[dt.date, Decimal | int | str]],
    payments: Sequence[tuple[dt.date, Decimal | int | str]],
    as_of: dt.date,
) -> InstallmentSchedule:
    """The due dates of an installment plan on ``as_of`` (Land and Building Tax Act B.E. 2562
    §52, rule file ``[installment_default]``).

    ``parts``: (due date, amount) of each installment in order; ``payments``: (date, tax
    paid) of every payment counted (the tax paid settles the installments in due order). An
    installment is paid in time when the tax paid by the end of its due date covers it and
    every installment before it: paid on the due date is in time; a part of it paid by then
    is not (the installment was not paid). The first installment not paid in time, once its
    due date has passed, ends the right to installments: every later installment becomes due
    on that installment's due date, with the §68 penalty when still unpaid after it, and the
    §70 surcharge runs on the missed installment only (§52: "เฉพาะงวดที่ไม่ได้ชำระ").
    """
    amounts = [baht_to_satang(Decimal(str(a))) for _, a in parts]
    paid = sorted((day, baht_to_satang(Decimal(str(a)))) for day, a in payments)
    planned = [
        InstallmentPart(n, due, due, satang_to_baht(a))
        for n, ((due, _), a) in enumerate(zip(parts, amounts, strict=True), start=1)
    ]
    owed = 0
    for index, part in enumerate(planned):
        owed += amounts[index]
        if part.due_on >= as_of:
            break
        by_due = sum(a for day, a in paid if day <= part.due_on)
        if by_due >= owed:
            continue
        missed_on = part.due_on
        cite = rules.cite("installment_default")
        steps = (
            Step(
                "installment_missed",
                f"ไม่ชำระภาษีงวดที่ {part.number} ภายในวันที่ {format_be(missed_on)} หมดสิทธิผ่อนชำระภาษี",
                f"Installment {part.number} not paid by {format_be(missed_on)}: the right to "
                "pay in installments ended",
                f"{satang_to_baht(owed - by_due):,}",
                cite.text(),
                cite.unconfirmed,
            ),
            Step(
                "installments_due",
                f"ภาษีงวดที่เหลือถึงกำหนดชำระวันที่ {format_be(missed_on)} เงินเพิ่มเฉพาะงวดที่ไม่ได้ชำระ",
                f"The later installments are due on {format_be(missed_on)}; the surcharge "
                f"runs on installment {part.number} only",
                str(len(planned) - index - 1),
                cite.text(),
                cite.unconfirmed,
            ),
        )
        later = [
            InstallmentPart(p.number, p.planned_on, missed_on, p.amount_baht, surcharge=False)
            for p in planned[index + 1 :]
        ]
        return InstallmentSchedule(
            tuple(planned[: index + 1] + later), part.number, missed_on, steps
        )
    return InstallmentSchedule(tuple(planned))
