"""Errors of the pure tax rules engine: a bad rule file, a missing tax year, bad register input."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RuleError(ValueError):
    """A rule file is invalid: names the file, the key and the reason."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        self.file = str(file)
        self.key = key
        self.reason = reason
        super().__init__(f"{self.file}: {key}: {reason}")


class RuleNotFound(LookupError):
    """No rule file for this kind of tax and tax year: the year is refused, never guessed."""

    def __init__(self, kind: str, tax_year: int, searched: list[str]) -> None:
        self.kind = kind
        self.tax_year = tax_year
        super().__init__(
            f"no {kind} rules for tax year {tax_year} (B.E.); looked in: {', '.join(searched)}"
        )


@dataclass(frozen=True)
class InputProblem:
    """One bad value in the register: which record, which field, why."""

    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


class TaxInputError(ValueError):
    """Bad register input. Nothing is assessed when any record is bad (no half-assessed batch)."""

    def __init__(self, problems: list[InputProblem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (and {self.total - 10} more)" if self.total > 10 else ""
        super().__init__(f"{self.total} bad record(s): {shown}{more}")

    @classmethod
    def single(cls, record: str, field: str, reason: str) -> TaxInputError:
        return cls([InputProblem(record, field, reason)])
