"""Money, dates and Thai land units, exact: money is integer satang, rates integer millionths.

Shared by the vectorised engines and the per-record reference loop so both round the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

SATANG = 100
PPM = 1_000_000  # a rate in millionths of the base: 0.01 % = 100 ppm
BE_OFFSET = 543
# 1 rai = 4 ngan = 400 square wah; 1 square wah = 4 m² (Thai units of area; the rule file
# land_building/<year>.toml, section [units], carries the source).
SQ_WAH_PER_RAI = 400
SQ_WAH_PER_NGAN = 100

_RNW = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*-\s*(\d+(?:\.\d{1,2})?)\s*$")


def div_half_up(numerator: int, denominator: int) -> int:
    """Round a non-negative ratio of integers half up (0.5 satang → 1 satang)."""
    return (2 * numerator + denominator) // (2 * denominator)


def baht_to_satang(value: Decimal | int | str) -> int:
    """Exact baht → satang; refuses fractions of a satang."""
    amount = Decimal(str(value)) * SATANG
    if amount != amount.to_integral_value():
        raise ValueError(f"{value} has a fraction of a satang")
    return int(amount)


def satang_to_baht(satang: int) -> Decimal:
    return (Decimal(satang) / SATANG).quantize(Decimal("0.01"))


def percent_to_ppm(percent: Decimal | float | int | str) -> int:
    """A percentage (0.01 means 0.01 %) as an exact number of millionths."""
    ppm = Decimal(str(percent)) * 10_000
    if ppm != ppm.to_integral_value():
        raise ValueError(f"{percent} % is finer than 0.0001 %")
    return int(ppm)


def be_date(text: str) -> dt.date:
    """``2568-08-15`` (Buddhist Era) → the CE date 2025-08-15."""
    try:
        year, month, day = (int(part) for part in text.strip().split("-"))
        return dt.date(year - BE_OFFSET, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a B.E. date YYYY-MM-DD ({exc})") from None


def format_be(value: dt.date) -> str:
    return f"{value.year + BE_OFFSET:04d}-{value.month:02d}-{value.day:02d}"


def parse_rai_ngan_wah(text: str) -> Decimal:
    """``2-1-35`` (rai-ngan-square wah, wah may have 2 decimals) → square wah (935).

    Refuses ngan ≥ 4 and wah ≥ 100: such a value would be written in the larger unit, so it
    is a typing error, not a parcel.
    """
    match = _RNW.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not rai-ngan-wah like 2-1-35")
    rai, ngan, wah = int(match[1]), int(match[2]), Decimal(match[3])
    if ngan >= 4:
        raise ValueError(f"{text!r}: ngan must be 0-3 (4 ngan = 1 rai), got {ngan}")
    if wah >= 100:
        raise ValueError(f"{text!r}: square wah must be below 100 (100 wah = 1 ngan), got {wah}")
    return rai * SQ_WAH_PER_RAI + ngan * SQ_WAH_PER_NGAN + wah


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_late(due_on: dt.date, paid_on: dt.date) -> int:
    """Whole months from the due date to the payment date, a fraction counting as a month.

    Paid on or before the due date: 0. One day late up to the same day next month: 1, etc.
    """
    if paid_on <= due_on:
        return 0
    months = (paid_on.year - due_on.year) * 12 + paid_on.month - due_on.month
    months = max(months, 1)
    while add_months(due_on, months) < paid_on:
        months += 1
    while months > 1 and add_months(due_on, months - 1) >= paid_on:
        months -= 1
    return months


def to_decimal(value: object, what: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what}: {value!r} is not a number") from None
