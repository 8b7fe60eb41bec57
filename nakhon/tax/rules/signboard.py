"""Signboard tax (ภาษีป้าย): Signboard Tax Act B.E. 2510 as amended (No. 2) B.E. 2534.

Pure and vectorised: ``assess`` takes the whole register as a Polars frame; ``quote`` is the
same code on a one-row frame; ``explain`` turns a result row into the steps an officer shows.
Every number comes from the rule file of the tax year (``data/signboard/<BE year>.toml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from nakhon.tax.rules.common import check, require_columns, split_installments
from nakhon.tax.rules.errors import TaxInputError
from nakhon.tax.rules.loader import Citation, Reader
from nakhon.tax.rules.steps import Assessment, Step
from nakhon.tax.rules.units import (
    BE_OFFSET,
    SATANG,
    baht_to_satang,
    div_half_up,
    format_be,
    months_late,
    satang_to_baht,
)

KIND = "signboard"
SIGN_TYPES = (1, 2, 3)
MAX_SIDE_CM = 100_000  # 1 km: anything longer is a typing error, not a sign
MAX_FACES = 8


@dataclass(frozen=True)
class Exemption:
    code: str
    section: str
    label_th: str
    label_en: str


@dataclass(frozen=True)
class SignboardRules:
    """The signboard rules of one tax year, validated (see docs/tax-rules.md)."""

    tax_year: int
    unit_cm2: int
    round_up_above_cm2: int
    rates: dict[tuple[int, bool], int]  # (sign type, moving) → baht per unit of area
    minimum_baht: int
    minimum_after_proration: bool
    proration_percent: tuple[int, int, int, int]
    multiply_by_faces: bool
    exemptions: dict[str, Exemption]
    late_filing_percent: Decimal
    late_filing_voluntary_percent: Decimal
    understatement_percent: Decimal
    late_payment_percent_per_month: Decimal
    installment_min_baht: int
    installment_count: int
    filing_due_on: dt.date
    new_sign_filing_days: int
    payment_days_after_notice: int
    cites: dict[str, Citation]

    kind: str = KIND

    def cite(self, key: str) -> Citation:
        return self.cites[key]

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.tax_year - BE_OFFSET, 1, 1)


def parse_rules(reader: Reader, tax_year: int) -> SignboardRules:
    rates: dict[tuple[int, bool], int] = {}
    for key, moving in (("static", False), ("moving", True)):
        table = reader.value("rates", key)
        if not isinstance(table, dict) or sorted(table) != ["1", "2", "3"]:
            raise reader.fail("rates", key, 'must be a table { "1" = …, "2" = …, "3" = … }')
        for sign_type in SIGN_TYPES:
            value = table[str(sign_type)]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 1000:
                raise reader.fail("rates", f"{key}.{sign_type}", "must be whole baht 1-1000")
            rates[(sign_type, moving)] = value
    proration = reader.value("proration", "percent_by_quarter")
    if (
        not isinstance(proration, list)
        or len(proration) != 4
        or not all(isinstance(p, int) and 0 <= p <= 100 for p in proration)
    ):
        raise reader.fail("proration", "percent_by_quarter", "must be 4 whole percentages")
    exemptions = {}
    for code in reader.children("exemptions"):
        path = f"exemptions.{code}"
        exemptions[code] = Exemption(
            code,
            reader.text(path, "section"),
            reader.text(path, "label_th"),
            reader.text(path, "label_en"),
        )
    unit = reader.integer("area", "unit_cm2", 1)
    return SignboardRules(
        tax_year=tax_year,
        unit_cm2=unit,
        round_up_above_cm2=reader.integer("area", "round_up_above_cm2", 0, unit),
        rates=rates,
        minimum_baht=reader.integer("minimum", "baht", 0, 100_000),
        minimum_after_proration=reader.boolean("minimum_after_proration", "value"),
        proration_percent=(proration[0], proration[1], proration[2], proration[3]),
        multiply_by_faces=reader.boolean("faces", "multiply_area"),
        exemptions=exemptions,
        late_filing_percent=reader.decimal("late_filing", "percent"),
        late_filing_voluntary_percent=reader.decimal("late_filing_voluntary", "percent"),
        understatement_percent=reader.decimal("understatement", "percent"),
        late_payment_percent_per_month=reader.decimal("late_payment", "percent_per_month"),
        installment_min_baht=reader.integer("installments", "min_tax_baht"),
        installment_count=reader.integer("installments", "count", 1, 12),
        filing_due_on=reader.be_date("deadlines", "annual_return_by"),
        new_sign_filing_days=reader.integer("deadlines", "new_sign_return_days", 1, 366),
        payment_days_after_notice=reader.integer("deadlines", "payment_days_after_notice", 1, 366),
        cites=reader.cites,
    )


# --- the vectorised assessment ------------------------------------------------------------

COLUMNS = {
    "sign_id": True,
    "sign_type": True,
    "moving": True,
    "width_cm": True,
    "height_cm": True,
    "faces": False,
    "installed_on": False,
    "exemption": False,
}


def _prepare(table: pl.DataFrame) -> pl.DataFrame:
    require_columns(table, "signs", COLUMNS)
    extra: list[pl.Expr] = []
    if "faces" not in table.columns:
        extra.append(pl.lit(1, pl.Int64).alias("faces"))
    if "installed_on" not in table.columns:
        extra.append(pl.lit(None, pl.Date).alias("installed_on"))
    if "exemption" not in table.columns:
        extra.append(pl.lit(None, pl.String).alias("exemption"))
    frame = table.with_columns(extra) if extra else table
    for name, dtype in (("width_cm", pl.Int64), ("height_cm", pl.Int64), ("faces", pl.Int64)):
        if not frame.schema[name].is_integer():
            raise TaxInputError.single(
                "signs", name, f"must be whole centimetres, got {frame.schema[name]}"
            )
        frame = frame.with_columns(pl.col(name).cast(dtype))
    if frame.schema["installed_on"] == pl.String:
        frame = frame.with_columns(pl.col("installed_on").str.to_date("%Y-%m-%d", strict=False))
    return frame.with_columns(
        pl.col("sign_type").cast(pl.Int64, strict=False),
        pl.col("moving").cast(pl.Boolean, strict=False),
        pl.col("installed_on").cast(pl.Date),
        pl.col("exemption").cast(pl.String),
    )


def _validate(rules: SignboardRules, frame: pl.DataFrame) -> None:
    year_end = dt.date(rules.year_start.year, 12, 31)
    known = list(rules.exemptions)
    check(
        frame,
        "sign_id",
        [
            ("sign_id", pl.col("sign_id").is_null(), "missing sign id"),
            (
                "sign_type",
                ~pl.col("sign_type").is_in(SIGN_TYPES),
                "sign type must be 1, 2 or 3 (Act schedule; MR B.E. 2563)",
            ),
            ("moving", pl.col("moving").is_null(), "moving must be yes or no"),
            (
                "width_cm",
                ~pl.col("width_cm").is_between(1, MAX_SIDE_CM),
                f"width must be 1-{MAX_SIDE_CM} cm",
            ),
            (
                "height_cm",
                ~pl.col("height_cm").is_between(1, MAX_SIDE_CM),
                f"height must be 1-{MAX_SIDE_CM} cm",
            ),
            ("faces", ~pl.col("faces").is_between(1, MAX_FACES), f"faces must be 1-{MAX_FACES}"),
            (
                "installed_on",
                (pl.col("installed_on") > year_end).fill_null(False),
                f"installed after the tax year {rules.tax_year} ends",
            ),
            (
                "exemption",
                pl.col("exemption").is_not_null() & ~pl.col("exemption").is_in(known),
                f"unknown exemption; known: {', '.join(known)}",
            ),
        ],
    )


def assess(rules: SignboardRules, table: pl.DataFrame) -> pl.DataFrame:
    """Assess every sign of the register; one row per sign.

    Input columns: ``sign_id``, ``sign_type`` (1-3), ``moving`` (bool), ``width_cm``,
    ``height_cm`` (whole cm), optional ``faces`` (default 1), ``installed_on`` (date in the
    tax year, for a sign first installed during the year), ``exemption`` (a code of the rule
    file's [exemptions]). Output adds ``area_cm2``, ``units``, ``rate_baht``,
    ``annual_baht``, ``quarter``, ``prorated_percent``, ``minimum_applied``, ``tax_satang``.
    Any bad record raises ``TaxInputError`` naming it; nothing is assessed then.
    """
    frame = _prepare(table)
    _validate(rules, frame)
    rate = pl.lit(None, pl.Int64)
    for (sign_type, moving), baht in rules.rates.items():
        rate = (
            pl.when((pl.col("sign_type") == sign_type) & (pl.col("moving") == moving))
            .then(pl.lit(baht, pl.Int64))
            .otherwise(rate)
        )
    faces = pl.col("faces") if rules.multiply_by_faces else pl.lit(1, pl.Int64)
    area = pl.col("width_cm") * pl.col("height_cm") * faces
    quarter = (
        pl.when(pl.col("installed_on").is_null() | (pl.col("installed_on") < rules.year_start))
        .then(pl.lit(1, pl.Int8))
        .otherwise(((pl.col("installed_on").dt.month() - 1) // 3 + 1).cast(pl.Int8))
    )
    pct = pl.lit(None, pl.Int64)
    for q, percent in enumerate(rules.proration_percent, start=1):
        pct = pl.when(pl.col("quarter") == q).then(pl.lit(percent, pl.Int64)).otherwise(pct)
    minimum = rules.minimum_baht * SATANG
    # baht × percent = satang, exactly: the proration never leaves a fraction of a satang.
    if rules.minimum_after_proration:
        before_min = pl.col("annual_baht") * pl.col("prorated_percent")
        taxed = pl.max_horizontal(before_min, pl.lit(minimum, pl.Int64))
        applied = before_min < minimum
    else:
        annual_min = pl.max_horizontal(pl.col("annual_baht"), pl.lit(rules.minimum_baht, pl.Int64))
        taxed = annual_min * pl.col("prorated_percent")
        applied = pl.col("annual_baht") < rules.minimum_baht
    return (
        frame.with_columns(
            area.alias("area_cm2"), rate.alias("rate_baht"), quarter.alias("quarter")
        )
        .with_columns(
            (
                pl.col("area_cm2") // rules.unit_cm2
                + (pl.col("area_cm2") % rules.unit_cm2 > rules.round_up_above_cm2).cast(pl.Int64)
            ).alias("units"),
            pct.alias("prorated_percent"),
        )
        .with_columns((pl.col("units") * pl.col("rate_baht")).alias("annual_baht"))
        .with_columns(
            pl.when(pl.col("exemption").is_null())
            .then(applied)
            .otherwise(False)
            .alias("minimum_applied"),
            pl.when(pl.col("exemption").is_null())
            .then(taxed)
            .otherwise(pl.lit(0, pl.Int64))
            .alias("tax_satang"),
        )
    )


# The register's columns as ``assess`` takes them.
INPUT_SCHEMA: dict[str, Any] = {
    "sign_id": pl.String,
    "sign_type": pl.Int64,
    "moving": pl.Boolean,
    "width_cm": pl.Int64,
    "height_cm": pl.Int64,
    "faces": pl.Int64,
    "installed_on": pl.Date,
    "exemption": pl.String,
}


def input_frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    """Signs as a frame ``assess`` takes: ``columns`` maps INPUT_SCHEMA's names to values."""
    return pl.DataFrame(columns, schema=INPUT_SCHEMA, strict=False)


#: What the engine reads of a sign on the register, by the register's field names
#: (``code`` becomes ``sign_id``): what a query of the signboard register selects.
REGISTER_FIELDS = (
    "code",
    "sign_type",
    "moving",
    "width_cm",
    "height_cm",
    "faces",
    "installed_on",
    "exemption",
)


def frame_of(records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Register rows (mappings with :data:`REGISTER_FIELDS`) as the frame ``assess`` takes; an
    empty exemption is none."""
    columns: dict[str, list[Any]] = {
        ("sign_id" if name == "code" else name): [r[name] for r in records]
        for name in REGISTER_FIELDS
    }
    columns["exemption"] = [value or None for value in columns["exemption"]]
    return input_frame(columns)


def quote(
    rules: SignboardRules,
    *,
    sign_type: int,
    moving: bool,
    width_cm: int,
    height_cm: int,
    faces: int = 1,
    installed_on: dt.date | None = None,
    exemption: str | None = None,
    sign_id: str = "quote",
) -> Assessment:
    """The tax of one sign with its explanation: the batch ``assess`` on a one-row frame."""
    frame = input_frame(
        {
            "sign_id": [sign_id],
            "sign_type": [sign_type],
            "moving": [moving],
            "width_cm": [width_cm],
            "height_cm": [height_cm],
            "faces": [faces],
            "installed_on": [installed_on],
            "exemption": [exemption],
        }
    )
    row = assess(rules, frame).row(0, named=True)
    return Assessment(
        KIND, rules.tax_year, satang_to_baht(row["tax_satang"]), explain(rules, row), str(sign_id)
    )


def _step(rules: SignboardRules, code: str, th: str, en: str, value: object, cite: str) -> Step:
    citation = rules.cite(cite)
    return Step(code, th, en, str(value), citation.text(), citation.unconfirmed)


def explain(rules: SignboardRules, row: dict[str, Any]) -> list[Step]:
    """The steps of one result row of ``assess``."""
    steps: list[Step] = []
    if row["exemption"] is not None:
        ex = rules.exemptions[row["exemption"]]
        steps.append(
            _step(
                rules,
                "exemption",
                f"ได้รับยกเว้น: {ex.label_th}",
                f"Exempt: {ex.label_en} ({ex.section})",
                ex.code,
                f"exemptions.{ex.code}",
            )
        )
        steps.append(Step("tax", "ภาษีป้ายที่ต้องชำระ", "Signboard tax payable", "0.00"))
        return steps
    faces = f" × {row['faces']} faces" if rules.multiply_by_faces and row["faces"] != 1 else ""
    steps.append(
        _step(
            rules,
            "area",
            "พื้นที่ป้าย (ตร.ซม.)",
            "Sign area (cm²)",
            f"{row['width_cm']} × {row['height_cm']}{faces} = {row['area_cm2']}",
            "faces" if faces else "area",
        )
    )
    rest = row["area_cm2"] % rules.unit_cm2
    steps.append(
        _step(
            rules,
            "units",
            f"จำนวนหน่วย {rules.unit_cm2} ตร.ซม.",
            f"Units of {rules.unit_cm2} cm² (a remainder over "
            f"{rules.round_up_above_cm2} cm² counts as one)",
            f"{row['units']} (remainder {rest} cm²)",
            "area",
        )
    )
    kind = "moving" if row["moving"] else "static"
    steps.append(
        _step(
            rules,
            "rate",
            f"อัตราภาษีป้ายประเภท {row['sign_type']}",
            f"Rate, type {row['sign_type']} {kind} (baht per unit)",
            row["rate_baht"],
            "rates",
        )
    )
    steps.append(
        Step(
            "annual",
            "ภาษีทั้งปี",
            "Tax for the whole year",
            f"{row['units']} × {row['rate_baht']} = {row['annual_baht']}",
            rules.cite("rates").text(),
            rules.cite("rates").unconfirmed,
        )
    )
    if not rules.minimum_after_proration and row["minimum_applied"]:
        steps.append(
            _step(
                rules,
                "minimum",
                "ภาษีขั้นต่ำต่อป้าย",
                "Minimum tax per sign",
                rules.minimum_baht,
                "minimum",
            )
        )
    if row["quarter"] != 1 or row["installed_on"] is not None:
        steps.append(
            _step(
                rules,
                "proration",
                "ติดตั้งใหม่ระหว่างปี: เสียตามงวด",
                f"Installed during the year: quarter {row['quarter']}",
                f"{row['prorated_percent']} %",
                "proration",
            )
        )
    if rules.minimum_after_proration and row["minimum_applied"]:
        steps.append(
            _step(
                rules,
                "minimum",
                "ภาษีขั้นต่ำต่อป้าย",
                "Minimum tax per sign",
                rules.minimum_baht,
                "minimum",
            )
        )
        steps.append(
            _step(
                rules,
                "minimum_order",
                "ขั้นต่ำใช้หลังคิดตามงวด",
                "The minimum applies after the proration",
                "yes",
                "minimum_after_proration",
            )
        )
    steps.append(
        Step(
            "tax", "ภาษีป้ายที่ต้องชำระ", "Signboard tax payable", str(satang_to_baht(row["tax_satang"]))
        )
    )
    return steps


# --- late filing, late payment, installments (Act §25, §26 …) ------------------------------


def late_charges(
    rules: SignboardRules,
    *,
    tax_baht: Decimal | int | str,
    due_on: dt.date,
    paid_on: dt.date,
    filed_late: bool = False,
    filed_before_notice: bool = False,
    understated_baht: Decimal | int | str = 0,
) -> Assessment:
    """Surcharges (เงินเพิ่ม) on a signboard tax, per Act §25 as the rule file states them.

    ``filed_late``: the return was not filed in time (10 %, or the voluntary rate when
    ``filed_before_notice``); ``understated_baht``: the extra tax assessed on a return that
    understated it; late payment: a percentage per month of the tax from ``due_on`` to
    ``paid_on``, a fraction of a month counting as a month.
    """
    tax = baht_to_satang(Decimal(str(tax_baht)))
    understated = baht_to_satang(Decimal(str(understated_baht)))
    if tax < 0 or understated < 0:
        raise TaxInputError.single("late charges", "tax_baht", "must not be negative")
    steps: list[Step] = [Step("tax", "ภาษีป้าย", "Signboard tax", str(satang_to_baht(tax)))]
    total = 0
    if filed_late:
        key = "late_filing_voluntary" if filed_before_notice else "late_filing"
        pct = (
            rules.late_filing_voluntary_percent
            if filed_before_notice
            else rules.late_filing_percent
        )
        amount = _percent_of(tax, pct)
        total += amount
        steps.append(
            _step(
                rules,
                "late_filing",
                "เงินเพิ่ม: ไม่ยื่นแบบภายในกำหนด",
                f"Surcharge: return not filed in time ({pct} %)",
                satang_to_baht(amount),
                key,
            )
        )
    if understated:
        amount = _percent_of(understated, rules.understatement_percent)
        total += amount
        steps.append(
            _step(
                rules,
                "understatement",
                "เงินเพิ่ม: ยื่นแบบไม่ถูกต้อง",
                f"Surcharge: understated return ({rules.understatement_percent} % "
                f"of {satang_to_baht(understated)})",
                satang_to_baht(amount),
                "understatement",
            )
        )
    months = months_late(due_on, paid_on)
    if months:
        pct = rules.late_payment_percent_per_month * months
        amount = _percent_of(tax, pct)
        total += amount
        steps.append(
            _step(
                rules,
                "late_payment",
                "เงินเพิ่ม: ชำระเกินกำหนด",
                f"Surcharge: paid {months} month(s) late, due {format_be(due_on)}, "
                f"paid {format_be(paid_on)} ({pct} %)",
                satang_to_baht(amount),
                "late_payment",
            )
        )
    steps.append(Step("surcharges", "รวมเงินเพิ่ม", "Total surcharges", str(satang_to_baht(total))))
    return Assessment(KIND, rules.tax_year, satang_to_baht(total), steps)


def _percent_of(satang: int, percent: Decimal) -> int:
    """``percent`` % of an amount, to the satang, half up."""
    scaled = percent * 10_000
    return div_half_up(satang * int(scaled), 1_000_000)


def installments(rules: SignboardRules, tax_baht: Decimal | int | str) -> list[Decimal]:
    """The installment amounts allowed for this tax (one amount when none are allowed)."""
    tax = baht_to_satang(Decimal(str(tax_baht)))
    if tax < rules.installment_min_baht * SATANG:
        return [satang_to_baht(tax)]
    return split_installments(tax, rules.installment_count)
