"""Quotes for anyone (no account): the tax of one sign or one property, with its explanation.

The CLI (``nakhon tax quote``), the API (``/api/v1/tax/quote/…``) and the public calculator
page all call these two functions, which call the pure engine (``nakhon.tax.rules``) — the
same code that assesses the whole register. A municipality's own rules (a Municipal
Ordinance) are files under ``NAKHON_DATA_DIR/tax-rules/<city-slug>/<kind>/<BE year>.toml``
(docs/tax.md), laid over the national rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from nakhon.core.errors import InvalidInput
from nakhon.tax.rules import (
    Assessment,
    RuleError,
    RuleNotFound,
    TaxInputError,
    available_years,
    land_building,
    load_rules,
    signboard,
)

if TYPE_CHECKING:
    from nakhon.accounts.models import Municipality

USES = (
    "agricultural",
    "residential-primary",
    "residential-building-only",
    "residential-other",
    "commercial",
    "vacant",
)
OWNERS = ("individual", "juristic")
MAX_VALUE_BAHT = Decimal(100_000_000_000)
# engine field → the field name of the quote's input (form, API, CLI option)
_FIELDS = {"owner_kind": "owner", "vacant_years": "vacant_years", "sign_type": "sign_type"}


def local_rule_dir(municipality: Municipality) -> Path:
    """Where a municipality keeps its own rule files (need not exist)."""
    return Path(settings.DATA_DIR) / "tax-rules" / municipality.slug


def rule_dirs(municipality: Municipality) -> list[Path]:
    """The directories of rule files laid over the national rules for ``municipality``, in
    order: those of the ``tax_rule_dirs`` plugin hook, the city's own ``local_rule_dir`` first
    (registered by ``nakhon.tax.plugin``); the ones that do not exist are left out."""
    from nakhon.plugins.manager import collect

    found: list[Path | str] = collect("tax_rule_dirs", (Path, str), municipality=municipality)
    return [Path(d) for d in found if Path(d).is_dir()]


def rules_for(kind: str, tax_year: int, municipality: Municipality | None = None) -> Any:
    """The rules of a B.E. tax year, with the city's local rules (and those plugins add, see
    :func:`rule_dirs`); a year not on file is refused."""
    local = rule_dirs(municipality) if municipality is not None else []
    try:
        return load_rules(kind, tax_year, local_dirs=local)  # type: ignore[call-overload]
    except RuleNotFound:
        years = available_years(kind)
        message = _("No rules on file for tax year %(year)s (B.E.); years on file: %(years)s.") % {
            "year": tax_year,
            "years": ", ".join(map(str, years)),
        }
        raise InvalidInput(message, errors={"year": message}, code="no-rules") from None
    except RuleError as exc:
        message = _("The rule file of this year is invalid: %(reason)s") % {"reason": exc}
        raise InvalidInput(message, errors={"year": message}, code="bad-rules") from None


def _refuse(errors: dict[str, str]) -> InvalidInput:
    return InvalidInput(
        "; ".join(f"{field}: {message}" for field, message in errors.items()), errors=errors
    )


def _engine_errors(exc: TaxInputError) -> InvalidInput:
    errors: dict[str, str] = {}
    for problem in exc.problems:
        field = _FIELDS.get(problem.field, problem.field)
        errors.setdefault(field, problem.reason)
    return _refuse(errors)


def quote_signboard(
    *,
    tax_year: int,
    sign_type: int,
    moving: bool,
    width_cm: int,
    height_cm: int,
    faces: int = 1,
    installed_on: dt.date | None = None,
    municipality: Municipality | None = None,
) -> Assessment:
    """The signboard tax of one sign in a B.E. tax year, with its explanation.

    ``installed_on`` (CE date) is for a sign first installed during that year (the tax is
    prorated by quarter). Raises ``InvalidInput`` (field → message) for bad input or a year
    with no rule file.
    """
    errors: dict[str, str] = {}
    if sign_type not in (1, 2, 3):
        errors["sign_type"] = _("The sign type must be 1, 2 or 3.")
    for name, value in (("width_cm", width_cm), ("height_cm", height_cm)):
        if not 1 <= value <= signboard.MAX_SIDE_CM:
            errors[name] = _("Give whole centimetres from 1 to %(max)s.") % {
                "max": f"{signboard.MAX_SIDE_CM:,}"
            }
    if not 1 <= faces <= signboard.MAX_FACES:
        errors["faces"] = _("From 1 to %(max)s faces.") % {"max": signboard.MAX_FACES}
    if installed_on is not None and installed_on.year + 543 != tax_year:
        errors["installed_on"] = _("The installation date must fall in the tax year %(year)s.") % {
            "year": tax_year
        }
    if errors:
        raise _refuse(errors)
    rules = rules_for("signboard", tax_year, municipality)
    try:
        return signboard.quote(
            rules,
            sign_type=sign_type,
            moving=moving,
            width_cm=width_cm,
            height_cm=height_cm,
            faces=faces,
            installed_on=installed_on,
        )
    except TaxInputError as exc:
        raise _engine_errors(exc) from None


def quote_land_building(
    *,
    tax_year: int,
    owner: str,
    use: str,
    value_baht: Decimal,
    vacant_years: int = 0,
    municipality: Municipality | None = None,
) -> Assessment:
    """The land and building tax of one owner's property of one use, from its appraised value.

    ``owner``: individual | juristic; ``use``: one of ``USES``; ``vacant_years``: for vacant
    land, the years it has been unused (the rate rises every few years). Raises
    ``InvalidInput`` (field → message) for bad input or a year with no rule file.
    """
    errors: dict[str, str] = {}
    use = use.replace("_", "-")
    if owner not in OWNERS:
        errors["owner"] = _("Choose individual or juristic person.")
    if use not in USES:
        errors["use"] = _("Unknown use; expected one of %(uses)s.") % {"uses": ", ".join(USES)}
    elif owner == "juristic" and use in ("residential-primary", "residential-building-only"):
        errors["use"] = _("A primary home belongs to an individual, not a juristic person.")
    if not value_baht.is_finite() or not Decimal(0) <= value_baht <= MAX_VALUE_BAHT:
        errors["value_baht"] = _("Give a value from 0 to %(max)s baht.") % {
            "max": f"{MAX_VALUE_BAHT:,}"
        }
    elif value_baht != value_baht.quantize(Decimal("0.01")):
        errors["value_baht"] = _("At most two decimal places (satang).")
    if not 0 <= vacant_years <= 100:
        errors["vacant_years"] = _("From 0 to 100 years.")
    elif vacant_years and use != "vacant":
        errors["vacant_years"] = _("Years of vacancy apply only to vacant land.")
    if errors:
        raise _refuse(errors)
    rules = rules_for("land_building", tax_year, municipality)
    try:
        return land_building.quote(
            rules,
            owner_kind=owner,
            use=use,
            value_baht=value_baht,
            vacant_years=vacant_years,
        )
    except TaxInputError as exc:
        raise _engine_errors(exc) from None


def quote_json(assessment: Assessment) -> dict[str, Any]:
    """Exactly ``{"tax_baht": "...", "steps": [...]}`` (the CLI's ``--json`` and the API)."""
    return {
        "tax_baht": str(assessment.tax_baht),
        "steps": [step.as_dict() for step in assessment.steps],
    }
