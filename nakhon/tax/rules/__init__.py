"""The pure, data-driven tax engine (no Django): rule files per B.E. tax year, vectorised.

Public API: ``load_rules``, ``signboard`` (``assess``, ``quote``, ``explain``,
``late_charges``, ``installments``), ``land_building`` (the same, plus ``value_items``),
``Assessment``/``Step``, the errors, and ``parse_rai_ngan_wah``/``be_date``.
"""

from nakhon.tax.rules import land_building, signboard
from nakhon.tax.rules.errors import InputProblem, RuleError, RuleNotFound, TaxInputError
from nakhon.tax.rules.loader import available_years, load_rules
from nakhon.tax.rules.steps import Assessment, Step
from nakhon.tax.rules.units import be_date, parse_rai_ngan_wah

__all__ = [
    "Assessment",
    "InputProblem",
    "RuleError",
    "RuleNotFound",
    "Step",
    "TaxInputError",
    "available_years",
    "be_date",
    "land_building",
    "load_rules",
    "parse_rai_ngan_wah",
    "signboard",
]
