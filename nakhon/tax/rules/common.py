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

    A null in a checked expression counts as bad (``fill_null(True)``).
    """
    problems: list[InputProblem] = []
    total = 0
    if not checks or frame.height == 0:
        return
    flags = frame.select(
        pl.col(id_column).cast(pl.String).alias("__id"),
        *[expr.fill_null(True).alias(f"__c{i}") for i, (_, expr, _) in enumerate(checks)],
    )
    counts = flags.select(pl.col(f"__c{i}").sum() for i in range(len(checks))).row(0)
    for i, (field, _, reason) in enumerate(checks):
        if not counts[i]:
            continue
        total += counts[i]
        bad = flags.filter(pl.col(f"__c{i}")).get_column("__id").head(10).to_list()
        problems += [InputProblem(str(record), field, reason) for record in bad]
    if problems:
        raise TaxInputError(problems, total)


def split_installments(total_satang: int, count: int) -> list[Decimal]:
    """Equal parts to the satang; the remainder of the division goes in the first part."""
    part, rest = divmod(total_satang, count)
    return [satang_to_baht(part + (rest if i == 0 else 0)) for i in range(count)]
