"""The explanation of an assessment: every step, its value and the rule it applied."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Step:
    """One step of a calculation, as an officer shows it to a taxpayer who appeals.

    ``rule`` is the legal source of the value used (Act, section, instrument, B.E. year and the
    reference of docs/tax-rules.md); ``unconfirmed`` is true when that source is not yet
    confirmed from the legal text (see the rule file's ``status``).
    """

    code: str
    label_th: str
    label_en: str
    value: str
    rule: str = ""
    unconfirmed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Assessment:
    """A tax amount and how it was reached."""

    kind: str
    tax_year: int
    tax_baht: Decimal
    steps: list[Step] = field(default_factory=list)
    record: str = ""

    @property
    def unconfirmed(self) -> bool:
        return any(step.unconfirmed for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "tax_year": self.tax_year,
            "record": self.record,
            "tax_baht": str(self.tax_baht),
            "unconfirmed": self.unconfirmed,
            "steps": [step.as_dict() for step in self.steps],
        }

    def to_json(self, **dumps: Any) -> str:
        """``{"tax_baht": "...", "steps": [...]}`` (plus kind, tax year, record)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, **dumps)
