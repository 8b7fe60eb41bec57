"""The register of ภ.ป.1 signboard tax returns received (issue #6), and the surcharges of the
Signboard Tax Act §25(1)(2) it leads to on the signboard assessment.

Signboard Tax Act §25 (as quoted by secondary sources, see docs/tax-rules.md):
"(1) ไม่ยื่นแบบแสดงรายการภาษีป้ายภายในเวลาที่กำหนด ให้เสียเงินเพิ่มร้อยละสิบของจำนวนเงินที่ต้องเสีย
ภาษีป้าย เว้นแต่กรณีที่เจ้าของป้ายได้ยื่นแบบแสดงรายการภาษีป้ายก่อนที่พนักงานเจ้าหน้าที่จะได้แจ้งให้ทราบถึง
การละเว้นนั้น ให้เสียเงินเพิ่มร้อยละห้า… (2) ยื่นแบบแสดงรายการภาษีป้ายโดยไม่ถูกต้อง ทำให้จำนวนเงินที่จะต้อง
เสียภาษีป้ายลดน้อยลง ให้เสียเงินเพิ่มร้อยละสิบของภาษีป้ายที่ประเมินเพิ่มเติม เว้นแต่กรณีที่เจ้าของป้ายได้มาขอ
แก้ไขแบบแสดงรายการภาษีป้ายให้ถูกต้องก่อนที่พนักงานเจ้าหน้าที่แจ้งการประเมิน"
The rates are the rule file's (``late_filing``, ``late_filing_voluntary``, ``understatement``),
applied by the pure ``signboard.late_charges``.

When a sign's return is late (:func:`sign_deadline`):
- a sign on the register before the tax year: the yearly ภ.ป.1 by the rule file's
  ``annual_return_by`` (31 March, §12);
- a sign installed during the tax year: 15 days after its installation (§12), never earlier
  than 31 March (reading: a sign installed in the first quarter may go on the yearly return);
- a changed sign: its ``changed`` return 15 days after the change (the filing's
  ``changed_on``);
- no return at all, while the office keeps the register for the year (at least one ภ.ป.1 of
  that year recorded): late, 10 % (the office assessed on its own).
A return filed late before the office told the owner (``prompted`` false) bears the
voluntary rate; after (``prompted``), 10 %. An understated return (``declared_tax_baht``
below the tax assessed on the signs it covers) bears §25(2) on the difference; an owner who
corrects the return before the notice has the corrected figures recorded, and pays none.

``apply_charges`` adds these to the signboard assessments a run or a re-assessment has just
made: ``Assessment.filing_charges_baht`` and explanation steps; the amount due on the ภ.ป.3 is
the tax plus them. No late-payment surcharge runs on them (§25(3) as secondary sources quote
it; ``payments`` keeps them apart).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.tax.models import (
    Assessment,
    Signboard,
    SignboardFiling,
    SignboardFilingYear,
    Taxpayer,
)
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import Step, signboard
from nakhon.tax.rules.units import satang_to_baht

BE = 543
# the explanation steps this module adds (removed first when it runs again)
STEP_CODES = frozenset(
    {"filing", "filing_basis", "late_filing", "understatement", "filing_charges", "amount_due"}
)


class FilingRefused(InvalidInput):
    """A ภ.ป.1 that cannot be recorded; the message names the field."""

    code = "filing-refused"


def _refuse(field: str, message: str) -> FilingRefused:
    return FilingRefused(message, errors={field: message})


def _date(value: Any, field: str) -> dt.date | None:
    try:
        return thai.parse_thai_date_or_none(value)
    except thai.ThaiValueError as exc:
        raise _refuse(field, f"{field}: {exc.message_en}") from None


def filing_parties(
    *, actor: Any, municipality: Municipality, owner_code: str, sign_codes: Iterable[str]
) -> tuple[Taxpayer, list[Signboard]]:
    """The owner and signs of a return by their register numbers (``tax.change``, checked
    before any lookup: which numbers exist is not public); an unknown one is refused by name."""
    require(actor, "tax.change", municipality)
    owner = Taxpayer.objects.filter(municipality=municipality, code=owner_code).first()
    if owner is None:
        raise _refuse("owner", f"owner: no taxpayer {owner_code}")
    codes = list(sign_codes)
    signs = list(Signboard.objects.filter(municipality=municipality, code__in=codes))
    missing = sorted(set(codes) - {s.code for s in signs})
    if missing:
        raise _refuse("signboards", f"signboards: no sign {', '.join(missing)}")
    return owner, signs


MAX_DECLARED_BAHT = Decimal(10) ** 14  # SignboardFiling.declared_tax_baht: 16 digits, 2 decimal


@transaction.atomic
def filing_record(
    *,
    actor: Any,
    municipality: Municipality,
    owner: Taxpayer,
    tax_year: int,
    kind: str,
    signboards: Iterable[Signboard],
    filed_on: dt.date | str,
    changed_on: dt.date | str | None = None,
    declared_tax_baht: Decimal | str | None = None,
    prompted: bool = False,
    note: str = "",
) -> SignboardFiling:
    """Record a ภ.ป.1 the tax office received (``tax.change``), audited.

    Refused, with the field named: an unknown kind; a tax year with no signboard rule file; no
    sign, or a sign of another owner or city; a filing date in the future, or after the tax
    year; a changed sign without the date of the change, or changed after it was filed; a
    negative declared tax.
    """
    require(actor, "tax.change", municipality)
    if owner.municipality_id != municipality.pk:
        raise NotFound()
    if kind not in SignboardFiling.Kind.values:
        raise _refuse("kind", _("Unknown kind of return: %(kind)s.") % {"kind": kind})
    rules_for("signboard", tax_year, municipality)  # refuses a year not on file
    day = _date(filed_on, "filed_on")
    if day is None:
        raise _refuse("filed_on", _("filed_on: the date the return was received is required."))
    if day > timezone.localdate():
        raise _refuse(
            "filed_on",
            _("filed_on: %(date)s is in the future.") % {"date": thai.format_thai_date(day)},
        )
    if day.year + BE > tax_year + 1 or day.year + BE < tax_year - 1:
        raise _refuse(
            "filed_on",
            _("filed_on: %(date)s is not near the tax year %(year)s.")
            % {"date": thai.format_thai_date(day), "year": tax_year},
        )
    changed = _date(changed_on, "changed_on")
    if kind == SignboardFiling.Kind.CHANGED:
        if changed is None:
            raise _refuse("changed_on", _("changed_on: a changed sign's return needs the date."))
        if changed > day:
            raise _refuse("changed_on", _("changed_on: the change is after the filing date."))
    signs = list(signboards)
    if not signs:
        raise _refuse("signboards", _("signboards: a return covers at least one sign."))
    for sign in signs:
        if sign.municipality_id != municipality.pk or sign.owner_id != owner.pk:
            raise _refuse(
                "signboards",
                _("signboards: sign %(code)s is not a sign of taxpayer %(owner)s.")
                % {"code": sign.code, "owner": owner.code},
            )
    declared: Decimal | None = None
    if declared_tax_baht not in (None, ""):
        try:
            declared = Decimal(thai.from_thai_digits(str(declared_tax_baht)).replace(",", ""))
        except ArithmeticError:
            declared = Decimal(-1)
        if not declared.is_finite() or declared < 0 or declared >= MAX_DECLARED_BAHT:
            raise _refuse(
                "declared_tax_baht",
                _("declared_tax_baht: %(value)s is not an amount of baht.")
                % {"value": declared_tax_baht},
            )
        declared = declared.quantize(Decimal("0.01"))
    filing = SignboardFiling.objects.create(
        municipality=municipality,
        owner=owner,
        tax_year=tax_year,
        kind=kind,
        filed_on=day,
        changed_on=changed if kind == SignboardFiling.Kind.CHANGED else None,
        declared_tax_baht=declared,
        prompted=bool(prompted),
        note=note.strip()[:300],
        recorded_by=user_of(actor),
    )
    filing.signboards.set(signs)
    audit_record(
        actor=actor,
        action="tax.filing.record",
        municipality=municipality,
        obj=filing,
        changes={
            "owner": owner.code,
            "tax_year": tax_year,
            "kind": kind,
            "signs": [s.code for s in signs],
            "filed_on": day.isoformat(),
            "changed_on": changed.isoformat() if changed else None,
            "declared_tax_baht": str(declared) if declared is not None else None,
            "prompted": bool(prompted),
        },
    )
    return filing


def filing_year_complete(*, municipality: Municipality, tax_year: int) -> bool:
    """Whether the tax office declared its ภ.ป.1 register of ``tax_year`` complete."""
    return SignboardFilingYear.objects.filter(municipality=municipality, tax_year=tax_year).exists()


@transaction.atomic
def filing_year_declare(
    *, actor: Any, municipality: Municipality, tax_year: int, complete: bool
) -> bool:
    """Declare the ภ.ป.1 register of ``tax_year`` complete (every return received that year is
    recorded), or take the declaration back (``tax.change``), audited. Once complete, the next
    signboard assessment of that year charges the §25(1) 10 % on a sign with no recorded
    return. Returns whether it is complete now."""
    require(actor, "tax.change", municipality)
    rules_for("signboard", tax_year, municipality)  # refuses a year not on file
    existing = SignboardFilingYear.objects.filter(municipality=municipality, tax_year=tax_year)
    if complete and not existing.exists():
        SignboardFilingYear.objects.create(
            municipality=municipality, tax_year=tax_year, declared_by=user_of(actor)
        )
    elif not complete:
        existing.delete()
    audit_record(
        actor=actor,
        action="tax.filing.register",
        municipality=municipality,
        changes={"tax_year": tax_year, "complete": complete},
    )
    return complete


@transaction.atomic
def filing_delete(*, actor: Any, municipality: Municipality, filing: SignboardFiling) -> None:
    """Remove a return recorded by mistake (``tax.change``); the audit log keeps it."""
    require(actor, "tax.change", municipality)
    if filing.municipality_id != municipality.pk:
        raise NotFound()
    audit_record(
        actor=actor,
        action="tax.filing.delete",
        municipality=municipality,
        obj=filing,
        changes={
            "owner": filing.owner.code,
            "tax_year": filing.tax_year,
            "filed_on": filing.filed_on.isoformat(),
            "signs": [s.code for s in filing.signboards.all()],
        },
    )
    filing.delete()


def filing_list(
    *,
    actor: Any,
    municipality: Municipality,
    signboard: Signboard | None = None,
    owner: Taxpayer | None = None,
    tax_year: int | None = None,
) -> QuerySet[SignboardFiling]:
    """The returns recorded (tax office: ``tax_assessment.view``), of a sign, owner or year."""
    require(actor, "tax_assessment.view", municipality)
    found = SignboardFiling.objects.filter(municipality=municipality)
    if signboard is not None:
        found = found.filter(signboards=signboard)
    if owner is not None:
        found = found.filter(owner=owner)
    if tax_year is not None:
        found = found.filter(tax_year=tax_year)
    return found.select_related("owner", "recorded_by").prefetch_related(
        Prefetch("signboards", queryset=Signboard.objects.only("pk", "code"))
    )


# --- the surcharges ---------------------------------------------------------------------------


def sign_deadline(rules: Any, installed_on: dt.date | None) -> dt.date:
    """The last day of a sign's ภ.ป.1 for the tax year of ``rules`` (see the module text)."""
    yearly: dt.date = rules.filing_due_on
    if installed_on is not None and installed_on >= rules.year_start:
        return max(yearly, installed_on + dt.timedelta(days=rules.new_sign_filing_days))
    return yearly


@dataclass
class _Late:
    code: str  # the sign's register number
    tax: int  # satang
    deadline: dt.date
    filed_on: dt.date | None
    voluntary: bool


def _step(code: str, th: str, en: str, value: str, rule: str = "") -> dict[str, Any]:
    return Step(code, th, en, value, rule).as_dict()


def _lateness(
    rules: Any,
    sign: dict[str, Any],
    filings: list[SignboardFiling],
    register_kept: bool,
) -> _Late | None:
    deadline = sign_deadline(rules, sign["installed_on"])
    covering = [f for f in filings if f.kind != SignboardFiling.Kind.CHANGED]
    first = min(covering, key=lambda f: f.filed_on) if covering else None
    if first is None and register_kept:
        return _Late(sign["code"], sign["tax"], deadline, None, False)
    if first is not None and first.filed_on > deadline:
        return _Late(sign["code"], sign["tax"], deadline, first.filed_on, not first.prompted)
    for f in filings:
        if f.kind == SignboardFiling.Kind.CHANGED and f.changed_on is not None:
            due = f.changed_on + dt.timedelta(days=rules.new_sign_filing_days)
            if f.filed_on > due:
                return _Late(sign["code"], sign["tax"], due, f.filed_on, not f.prompted)
    return None


def apply_charges(*, municipality: Municipality, rules: Any, assessments: list[Assessment]) -> None:
    """Add the §25(1)(2) surcharges of the ภ.ป.1 register to signboard ``assessments`` just
    made (their signs linked): ``filing_charges_baht`` and the explanation steps. Land and
    building tax assessments are left alone. One query per table, the taxes of the signs by the
    vectorised engine."""
    items = [a for a in assessments if a.kind == "signboard"]
    if not items:
        return
    through = Assessment.signboards.through
    signs_of: dict[int, list[int]] = defaultdict(list)
    ids = [a.pk for a in items]
    for i in range(0, len(ids), 900):
        for assessment_id, sign_id in through.objects.filter(
            assessment_id__in=ids[i : i + 900]
        ).values_list("assessment_id", "signboard_id"):
            signs_of[assessment_id].append(sign_id)
    year = rules.tax_year
    filings = list(
        SignboardFiling.objects.filter(municipality=municipality, tax_year=year).prefetch_related(
            "signboards"
        )
    )
    # a sign with no recorded return counts as never filed only once the office has declared
    # the year's register complete; before that, only returns recorded as late are charged
    register_kept = filing_year_complete(municipality=municipality, tax_year=year)
    if not filings and not register_kept:
        return
    by_sign: dict[int, list[SignboardFiling]] = defaultdict(list)
    for f in filings:
        for s in f.signboards.all():
            by_sign[s.pk].append(f)
    sign_ids = sorted({s for ss in signs_of.values() for s in ss})
    rows: list[dict[str, Any]] = []
    for i in range(0, len(sign_ids), 900):  # SQLite's limit of bound variables
        batch = Signboard.objects.filter(pk__in=sign_ids[i : i + 900])
        rows.extend(dict(r) for r in batch.values("pk", *signboard.REGISTER_FIELDS))
    rows.sort(key=lambda r: r["pk"])
    signs: dict[int, dict[str, Any]] = {}
    if rows:
        frame = signboard.frame_of(rows)
        taxed = signboard.assess(rules, frame)["tax_satang"].to_list()
        for r, tax in zip(rows, taxed, strict=True):
            signs[r["pk"]] = r | {"tax": int(tax)}
    changed: list[Assessment] = []
    for a in items:
        mine = [signs[s] for s in signs_of[a.pk] if s in signs]
        steps, total = _charges(rules, a, mine, by_sign, register_kept)
        kept = [s for s in a.steps if s.get("code") not in STEP_CODES]  # applied twice: once
        if total or len(kept) != len(a.steps):
            a.filing_charges_baht = satang_to_baht(total)
            a.steps = [*kept, *steps]
            changed.append(a)
    if changed:
        Assessment.objects.bulk_update(changed, ["filing_charges_baht", "steps"], batch_size=500)


def _charges(
    rules: Any,
    assessment: Assessment,
    signs: list[dict[str, Any]],
    by_sign: dict[int, list[SignboardFiling]],
    register_kept: bool,
) -> tuple[list[dict[str, Any]], int]:
    steps: list[dict[str, Any]] = []
    total = 0
    for sign in sorted(signs, key=lambda s: s["code"]):
        if not sign["tax"]:
            continue
        late = _lateness(rules, sign, by_sign.get(sign["pk"], []), register_kept)
        if late is None:
            continue
        tax = satang_to_baht(late.tax)
        result = signboard.late_charges(
            rules,
            tax_baht=tax,
            due_on=late.deadline,
            paid_on=late.deadline,
            filed_late=True,
            filed_before_notice=late.voluntary,
        )
        by = thai.format_thai_date(late.deadline)
        if late.filed_on is None:
            th = f"ป้าย {late.code}: ไม่มีแบบ ภ.ป.1 ที่บันทึกไว้ (กำหนดยื่น {by})"
            en = f"Sign {late.code}: no ภ.ป.1 recorded (due by {by})"
        else:
            filed = thai.format_thai_date(late.filed_on)
            th = f"ป้าย {late.code}: ยื่น ภ.ป.1 เมื่อ {filed} เกินกำหนด {by}"
            en = f"Sign {late.code}: ภ.ป.1 filed on {filed}, due by {by}"
        steps.append(
            _step("filing_basis", th, en, str(tax), "Signboard Tax Act §12: the ภ.ป.1 deadlines")
        )
        for s in result.steps:
            if s.code == "late_filing":
                steps.append(s.as_dict())
        total += baht_satang(result.tax_baht)
    seen: set[int] = set()
    for sign in signs:
        for f in by_sign.get(sign["pk"], []):
            if f.pk in seen or f.declared_tax_baht is None:
                continue
            seen.add(f.pk)
            covered = {s.pk for s in f.signboards.all()}
            assessed = sum(s["tax"] for s in signs if s["pk"] in covered)
            short = assessed - baht_satang(f.declared_tax_baht)
            if short <= 0:
                continue
            result = signboard.late_charges(
                rules,
                tax_baht=0,
                due_on=f.filed_on,
                paid_on=f.filed_on,
                understated_baht=satang_to_baht(short),
            )
            declared = f"{f.declared_tax_baht:,.2f}"
            steps.append(
                _step(
                    "filing_basis",
                    f"ภ.ป.1 วันที่ {thai.format_thai_date(f.filed_on)}: แจ้งภาษี {declared} บาท "
                    f"ประเมินได้ {satang_to_baht(assessed):,.2f} บาท",
                    f"ภ.ป.1 of {thai.format_thai_date(f.filed_on)}: declared {declared} baht, "
                    f"assessed {satang_to_baht(assessed):,.2f} baht",
                    str(satang_to_baht(short)),
                    "Signboard Tax Act §25(2)",
                )
            )
            for s in result.steps:
                if s.code == "understatement":
                    steps.append(s.as_dict())
            total += baht_satang(result.tax_baht)
    if not total:
        return [], 0
    due = satang_to_baht(total)
    head = _step(
        "filing",
        "เงินเพิ่มตามมาตรา 25 (1) (2)",
        "Surcharges, Signboard Tax Act §25(1)(2)",
        "",
    ) | {"heading": True}
    amount = satang_to_baht(baht_satang(assessment.tax_baht) + total)
    return [
        head,
        *steps,
        _step("filing_charges", "รวมเงินเพิ่ม (ภ.ป.1)", "Surcharges of the return", str(due)),
        _step(
            "amount_due",
            "รวมภาษีและเงินเพิ่มที่ต้องชำระตาม ภ.ป.3",
            "Tax and surcharges due on the ภ.ป.3",
            str(amount),
        ),
    ], total


def baht_satang(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())
