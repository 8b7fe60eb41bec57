"""Helpers shared by both taxes: vectorised input checks and installment splits."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from nakhon.tax.rules.errors import InputProblem, TaxInputError
from nakhon.tax.rules.units import satang_to_baht


def require_columns(frame: pl.DataFrame, name: str, columns: dict[str, bool]) -> None:
    """``columns``: column → required. Missing required columns are one clear error."""
    missing = [c for c, required in columns.items() if required and c not in frame.columns]
    if missing:
        raise TaxInputError([InputProblem(f"{name} table", c, "column missing") for c in missing])


def check(frame: pl.DataFrame, id_column: str, checks: list[tuple[str, pl.Expr, str]]) -> None:
    """Run every (field, bad-row expression, reason) check; raise with the records named.

    A null in a checked expression counts as bad (``fill_null(True)``). One pass counts the
    bad rows of every check; the records are named only when there are some.
    """
    if not checks or frame.height == 0:
        return
    flags = [expr.fill_null(True) for _, expr, _ in checks]
    counts = frame.select(flag.sum().alias(f"__c{i}") for i, flag in enumerate(flags)).row(0)
    if not any(counts):
        return
    problems: list[InputProblem] = []
    total = 0
    for (field, _, reason), flag, count in zip(checks, flags, counts, strict=True):
        if not count:
            continue
        total += count
        bad = frame.filter(flag).get_column(id_column).cast(pl.String).head(10).to_list()
        problems += [InputProblem(str(record), field, reason) for record in bad]
    raise TaxInputError(problems, total)


def split_installments(total_satang: int, count: int) -> list[Decimal]:
    """Equal parts to the satang; the remainder of the division goes in the first part."""
    part, rest = divmod(total_satang, count)
    return [satang_to_baht(part + (rest if i == 0 else 0)) for i in range(count)]
