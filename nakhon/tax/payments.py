"""Payments of issued assessments (issue #6): record, reverse, import a bank statement,
installments, late charges, and the balance of an assessment on a date.

The debt of an assessment is its tax in **parts**: one part (the tax, due on the assessment's
due date) or the installments of its plan (each with its own due date). Payments are applied to
the parts in due order. A part paid late bears the late charges the pure engine computes from
its due date and the payment date (``signboard.late_charges``: 2 % a month, Signboard Tax Act
§25; ``land_building.late_charges``: penalty 10/20/40 % by the warning notice, Act §68, and
surcharge 1 % a month capped at the tax, Act §70 — the rule files cite them). A payment that
does not cover a part and its charges is split between tax and charges in proportion, so the
charges always follow the tax that was late. What each payment paid, with the engine's
explanation steps, is stored on it (``Payment.allocations``).

Installments (land and building tax, Act §52): an installment not paid in full by its due
date ends the right to installments — the later ones become due on its due date and bear the
penalty, the surcharge runs on the missed one only (``land_building.installment_schedule``;
the readings marked unconfirmed in the rule file's ``[installment_default]``).

Balance on a date = tax − tax paid + charges accrued on the unpaid tax until that date. A
re-assessment (after a correction or an objection) keeps the payments of the assessment it
supersedes: they count towards the new one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.tax import deliveries
from nakhon.tax.models import Assessment, Installment, Notice, Payment, Reminder
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import land_building, signboard

CENT = Decimal("0.01")


class PaymentRefused(InvalidInput):
    """A payment that cannot be recorded; the message names the record."""

    code = "payment-refused"


def _s(amount: Decimal) -> int:
    """Baht → satang."""
    return int((amount * 100).to_integral_value())


def _b(satang: int) -> Decimal:
    return (Decimal(satang) / 100).quantize(CENT)


def _name(assessment: Assessment) -> str:
    """How an assessment is named in messages: its id, taxpayer, tax, year and reference."""
    ref = f", {assessment.payment_reference}" if assessment.payment_reference else ""
    return _("assessment %(pk)s (taxpayer %(code)s, %(kind)s %(year)s%(ref)s)") % {
        "pk": assessment.pk,
        "code": assessment.taxpayer.code,
        "kind": assessment.get_kind_display(),
        "year": assessment.tax_year,
        "ref": ref,
    }


# --- late charges ------------------------------------------------------------------------------


@dataclass
class Charges:
    satang: int
    steps: list[dict[str, Any]]


def last_warning(reminders: Iterable[Reminder], on: dt.date) -> Reminder | None:
    """The last warning notice received (or, unknown when, sent) by ``on``."""
    found = None
    for w in sorted(reminders, key=lambda r: r.sent_on):
        if w.kind == Reminder.Kind.WARNING and (w.received_on or w.sent_on) <= on:
            found = w
    return found


class ChargeRules:
    """Late charges of one assessment: the engine's ``late_charges`` with the year's rules and
    the warning notices sent (which set the land and building tax penalty rate)."""

    def __init__(
        self,
        assessment: Assessment,
        warnings: Iterable[Reminder] = (),
        notice: Notice | None = None,
    ) -> None:
        self.kind = assessment.kind
        self.rules = rules_for(assessment.kind, assessment.tax_year, assessment.municipality)
        self.warnings = sorted(
            (w for w in warnings if w.kind == Reminder.Kind.WARNING), key=lambda w: w.sent_on
        )
        self.assessment = assessment
        self.notice = notice  # its notice: the signboard tax's due date counts from its receipt

    def warning_before(self, on: dt.date) -> Reminder | None:
        return last_warning(self.warnings, on)

    def of(
        self, tax_satang: int, due_on: dt.date | None, paid_on: dt.date, surcharge: bool = True
    ) -> Charges:
        """The charges on ``tax_satang`` due on ``due_on`` and paid on ``paid_on``;
        ``surcharge=False``: a land and building tax installment made due early by a missed
        one bears the penalty only (Act §52)."""
        if tax_satang <= 0 or due_on is None or paid_on <= due_on:
            return Charges(0, [])
        tax = _b(tax_satang)
        basis: dict[str, Any] | None
        if self.kind == "land_building":
            warning = self.warning_before(paid_on)
            basis = deliveries.warning_basis(warning)
            result = land_building.late_charges(
                self.rules,
                tax_baht=tax,
                paid_on=paid_on,
                due_on=due_on,
                warning_received_on=(warning.received_on or warning.sent_on) if warning else None,
                warning_due_on=warning.respond_by if warning else None,
                surcharge=surcharge,
            )
        else:
            basis = deliveries.due_basis(self.assessment, self.notice)
            result = signboard.late_charges(
                self.rules, tax_baht=tax, due_on=due_on, paid_on=paid_on
            )
        steps = [s.as_dict() for s in result.steps]
        return Charges(_s(result.tax_baht), [basis, *steps] if basis else steps)

    def split(
        self,
        amount_satang: int,
        unpaid: int,
        due_on: dt.date | None,
        paid_on: dt.date,
        surcharge: bool = True,
    ) -> tuple[int, Charges]:
        """The tax ``x`` a partial payment settles with its charges: the largest ``x`` with
        x + charges(x) ≤ amount; the satang left by rounding goes to the tax (up to
        ``unpaid``), the rest of it to the charges."""

        def of(x: int) -> Charges:
            return self.of(x, due_on, paid_on, surcharge)

        whole = of(10_000_00).satang  # the charge rate on 10,000 baht
        x = amount_satang * 10_000_00 // (10_000_00 + whole)
        while x > 0 and x + of(x).satang > amount_satang:
            x -= 1
        while x + 1 + of(x + 1).satang <= amount_satang:
            x += 1
        charges = of(x)
        principal = min(amount_satang - charges.satang, unpaid)
        return principal, Charges(amount_satang - principal, charges.steps)


# --- the account of an assessment --------------------------------------------------------------


@dataclass
class Part:
    number: int | None  # installment number; None: the whole tax
    due_on: dt.date | None  # when it is due: an installment's own date, or (§52) earlier
    amount: int  # satang
    paid: int = 0
    charges: Charges = field(default_factory=lambda: Charges(0, []))
    planned_on: dt.date | None = None  # an installment's date in the plan
    surcharge: bool = True  # False: made due early by a missed installment (§52)
    filing: bool = False  # the §25(1)(2) surcharges of the ภ.ป.1 (no late charges on them)

    @property
    def unpaid(self) -> int:
        return self.amount - self.paid

    @property
    def accelerated(self) -> bool:
        return self.planned_on is not None and self.planned_on != self.due_on

    def as_dict(self) -> dict[str, Any]:
        return {
            "installment": self.number,
            "part": "filing" if self.filing else "tax",
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "planned_on": self.planned_on.isoformat() if self.planned_on else None,
            "surcharge": self.surcharge,
            "amount_baht": str(_b(self.amount)),
            "paid_baht": str(_b(self.paid)),
            "unpaid_baht": str(_b(self.unpaid)),
            "charges_baht": str(_b(self.charges.satang)),
            "charge_steps": self.charges.steps,
        }


@dataclass
class Account:
    """What an assessment's taxpayer owes on ``as_of``."""

    assessment: Assessment
    as_of: dt.date
    parts: list[Part]
    payments: list[Payment]
    paid_tax: int  # satang, all counting payments up to as_of
    paid_charges: int
    warning: Reminder | None = None  # the last warning notice received by as_of
    schedule: land_building.InstallmentSchedule | None = None  # the installments (§52)
    filing: Part | None = None  # the Signboard Tax Act §25(1)(2) surcharges of the ภ.ป.1

    @property
    def filing_unpaid(self) -> int:
        return max(self.filing.unpaid, 0) if self.filing else 0

    @property
    def installments_ended(self) -> dict[str, Any] | None:
        """The installment whose miss ended the right to installments (Act §52): its number,
        its due date, the day the right ended, the explanation; None while the right holds."""
        if self.schedule is None or not self.schedule.ended:
            return None
        missed_on = self.schedule.missed_on
        assert missed_on is not None
        return {
            "installment": self.schedule.missed,
            "due_on": missed_on.isoformat(),
            "ended_on": (missed_on + dt.timedelta(days=1)).isoformat(),
            "steps": [step.as_dict() for step in self.schedule.steps],
        }

    @property
    def tax_baht(self) -> Decimal:
        return self.assessment.tax_baht

    @property
    def unpaid_baht(self) -> Decimal:
        return _b(sum(max(p.unpaid, 0) for p in self.parts))

    @property
    def charges_baht(self) -> Decimal:
        """Late charges accrued, and the return's surcharges (§25(1)(2)) still unpaid."""
        return _b(sum(p.charges.satang for p in self.parts) + self.filing_unpaid)

    @property
    def balance_baht(self) -> Decimal:
        return self.unpaid_baht + self.charges_baht

    @property
    def overpaid_baht(self) -> Decimal:
        return _b(max(0, self.paid_tax - _s(self.assessment.tax_baht)))

    @property
    def paid_tax_baht(self) -> Decimal:
        return _b(self.paid_tax)

    @property
    def paid_charges_baht(self) -> Decimal:
        return _b(self.paid_charges)

    @property
    def overdue_since(self) -> dt.date | None:
        """The earliest due date of a part still unpaid on ``as_of`` (None: nothing overdue)."""
        dates = [
            p.due_on for p in self.parts if p.unpaid > 0 and p.due_on and p.due_on < self.as_of
        ]
        return min(dates) if dates else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment.pk,
            "as_of": self.as_of.isoformat(),
            "tax_baht": str(self.tax_baht),
            "paid_tax_baht": str(self.paid_tax_baht),
            "paid_charges_baht": str(self.paid_charges_baht),
            "unpaid_baht": str(self.unpaid_baht),
            "charges_baht": str(self.charges_baht),
            "balance_baht": str(self.balance_baht),
            "overpaid_baht": str(self.overpaid_baht),
            "parts": [p.as_dict() for p in self.parts],
            "filing_charges": self.filing.as_dict() if self.filing else None,
            "installments_ended": self.installments_ended,
        }


def chain_ids(assessment: Assessment) -> list[int]:
    """The assessment and every assessment it supersedes (their payments count for it)."""
    ids = [assessment.pk]
    current = assessment.supersedes_id
    while current is not None and current not in ids:
        ids.append(current)
        current = Assessment.objects.filter(pk=current).values_list("supersedes_id", flat=True)[0]
    return ids


def compute_account(
    assessment: Assessment,
    as_of: dt.date,
    *,
    payments: list[Payment],
    installments: list[Installment],
    warnings: list[Reminder],
    rules: ChargeRules | None = None,
    notice: Notice | None = None,
) -> Account:
    """The account from loaded rows (no queries but the rules): used for one assessment and,
    with rows loaded in bulk, for the arrears of a whole city."""
    counted = [p for p in payments if not p.reversed and p.paid_on <= as_of]
    paid_tax = sum(_s(p.principal_baht) for p in counted)
    paid_charges = sum(_s(p.charges_baht) for p in counted)
    filing = None
    if assessment.filing_charges_baht:
        filing = Part(None, assessment.due_on, _s(assessment.filing_charges_baht), filing=True)
        filing.paid = sum(
            _s(Decimal(a.get("charges_baht", "0")))
            for p in counted
            for a in p.allocations
            if a.get("part") == "filing"
        )
    schedule = None
    if installments and assessment.kind == "land_building":
        rules = rules or ChargeRules(assessment, warnings)
        schedule = land_building.installment_schedule(
            rules.rules,
            parts=[(i.due_on, i.amount_baht) for i in installments],
            payments=[(p.paid_on, p.principal_baht) for p in counted],
            as_of=as_of,
        )
        parts = [
            Part(
                i.number,
                i.due_on,
                _s(i.amount_baht),
                planned_on=i.planned_on,
                surcharge=i.surcharge,
            )
            for i in schedule.parts
        ]
    elif installments:
        parts = [Part(i.number, i.due_on, _s(i.amount_baht)) for i in installments]
    else:
        parts = [Part(None, assessment.due_on, _s(assessment.tax_baht))]
    rest = paid_tax
    for part in parts:  # the tax paid goes to the parts in due order
        part.paid = min(part.amount, rest)
        rest -= part.paid
    if parts and rest > 0:
        parts[-1].paid += rest  # overpaid (after a lower re-assessment)
    if any(p.unpaid > 0 and p.due_on and p.due_on < as_of for p in parts):
        rules = rules or ChargeRules(assessment, warnings, notice)
        for part in parts:
            part.charges = rules.of(part.unpaid, part.due_on, as_of, part.surcharge)
    return Account(
        assessment,
        as_of,
        parts,
        counted,
        paid_tax,
        paid_charges,
        last_warning(warnings, as_of),
        schedule,
        filing,
    )


def accounts_for(
    municipality: Municipality, items: list[Assessment], as_of: dt.date
) -> dict[int, Account]:
    """The accounts of many assessments of a city on ``as_of`` in a few queries (the arrears,
    the tax map, the API): the payments and warning notices of superseded predecessors count
    for the assessment that replaced them. No permission check: callers check."""
    if not items:
        return {}
    chain: dict[int, int] = {}
    pairs = dict(
        Assessment.objects.filter(municipality=municipality, supersedes__isnull=False).values_list(
            "pk", "supersedes_id"
        )
    )
    for a in items:
        current = pairs.get(a.pk)
        while current is not None and current not in chain:
            chain[current] = a.pk
            current = pairs.get(current)
    paid: dict[int, list[Payment]] = defaultdict(list)
    for p in Payment.objects.filter(municipality=municipality, reversed=False, paid_on__lte=as_of):
        paid[chain.get(p.assessment_id, p.assessment_id)].append(p)
    plans: dict[int, list[Installment]] = defaultdict(list)
    for i in Installment.objects.filter(municipality=municipality).order_by("number"):
        plans[i.assessment_id].append(i)
    warnings: dict[int, list[Reminder]] = defaultdict(list)
    for r in Reminder.objects.filter(municipality=municipality):
        warnings[chain.get(r.assessment_id, r.assessment_id)].append(r)
    notices = {
        n.assessment_id: n
        for n in Notice.objects.filter(
            municipality=municipality, assessment_id__in=[a.pk for a in items]
        )
    }
    rules: dict[tuple[str, int], ChargeRules] = {}
    out = {}
    for a in items:
        key = (a.kind, a.tax_year)
        if key not in rules:
            rules[key] = ChargeRules(a)
        charge_rules = rules[key]
        charge_rules.warnings = sorted(
            (w for w in warnings[a.pk] if w.kind == Reminder.Kind.WARNING), key=lambda w: w.sent_on
        )
        charge_rules.assessment, charge_rules.notice = a, notices.get(a.pk)
        out[a.pk] = compute_account(
            a,
            as_of,
            payments=paid[a.pk],
            installments=plans[a.pk],
            warnings=warnings[a.pk],
            rules=charge_rules,
            notice=notices.get(a.pk),
        )
    return out


def account_get(
    *, actor: Any, municipality: Municipality, assessment: Assessment, as_of: dt.date | None = None
) -> Account:
    """What the taxpayer of ``assessment`` owes on ``as_of`` (default today): tax, late charges
    accrued on the unpaid tax, payments, balance (tax office only)."""
    require(actor, "tax_assessment.view", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    return _account(assessment, as_of or timezone.localdate())


def _notice(assessment: Assessment) -> Notice | None:
    return Notice.objects.filter(assessment=assessment).first()


def _account(assessment: Assessment, as_of: dt.date) -> Account:
    ids = chain_ids(assessment)
    return compute_account(
        assessment,
        as_of,
        payments=list(Payment.objects.filter(assessment_id__in=ids).order_by("paid_on", "pk")),
        installments=list(assessment.installments.order_by("number")),
        warnings=list(Reminder.objects.filter(assessment_id__in=ids)),
        notice=_notice(assessment),
    )


def payment_list(
    *, actor: Any, municipality: Municipality, assessment: Assessment
) -> list[Payment]:
    """Every payment of the assessment and of the ones it supersedes, reversed ones too."""
    require(actor, "tax_assessment.view", municipality)
    return list(
        Payment.objects.filter(assessment_id__in=chain_ids(assessment))
        .select_related("recorded_by", "reversed_by")
        .order_by("paid_on", "pk")
    )


# --- recording ---------------------------------------------------------------------------------


def parse_amount(text: Any, what: str = "amount") -> Decimal:
    try:
        amount = Decimal(thai.from_thai_digits(str(text)).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise PaymentRefused(
            _("%(what)s: %(value)r is not an amount of baht.") % {"what": what, "value": text},
            errors={what: "not a number"},
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise PaymentRefused(
            _("%(what)s: %(value)s must be a positive amount of baht, to the satang.")
            % {"what": what, "value": text},
            errors={what: "not positive"},
        )
    return amount


def parse_be(text: Any, what: str = "paid_on") -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return thai.parse_thai_date(str(text), era="be")
    except thai.ThaiValueError as exc:
        raise PaymentRefused(f"{what}: {exc.message_en}", errors={what: exc.message_en}) from None


def _next_receipt(municipality: Municipality, fiscal_year: int) -> str:
    n = Payment.objects.filter(municipality=municipality, fiscal_year=fiscal_year).count() + 1
    while True:
        number = f"{fiscal_year}-{n:06d}"
        if not Payment.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year, receipt_number=number
        ).exists():
            return number
        n += 1


def _check_receipt(municipality: Municipality, fiscal_year: int, number: str) -> None:
    taken = (
        Payment.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year, receipt_number=number
        )
        .select_related("assessment")
        .first()
    )
    if taken is not None:
        message = _(
            "Receipt number %(number)s is already used in fiscal year %(fy)s: payment %(pk)s "
            "of %(amount)s baht on assessment %(assessment)s (%(ref)s)."
        ) % {
            "number": number,
            "fy": fiscal_year,
            "pk": taken.pk,
            "amount": taken.amount_baht,
            "assessment": taken.assessment_id,
            "ref": taken.assessment.payment_reference,
        }
        raise PaymentRefused(message, errors={"receipt_number": message}, code="duplicate-receipt")


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    municipality: Municipality,
    assessment: Assessment,
    amount_baht: Decimal | str,
    paid_on: dt.date | str,
    channel: str = Payment.Channel.COUNTER,
    receipt_number: str = "",
    bank_reference: str = "",
) -> Payment:
    """Record a payment (full or partial) of an issued assessment and number its receipt.

    Refused, with the record named: an assessment that is a draft or superseded, an amount
    that is not positive or is larger than the debt on the payment date (tax + late charges),
    a payment date in the future, a receipt number already used in the fiscal year, a bank
    transaction already recorded. The payment settles the parts of the debt in due order, each
    with its late charges (the engine's explanation stored on the payment).
    """
    require(actor, "tax.collect", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    assessment = (
        Assessment.objects.select_for_update().select_related("taxpayer").get(pk=assessment.pk)
    )
    amount = amount_baht if isinstance(amount_baht, Decimal) else parse_amount(amount_baht)
    if amount <= 0 or amount != amount.quantize(CENT):
        raise PaymentRefused(
            _("%(what)s: %(value)s must be a positive amount of baht, to the satang.")
            % {"what": "amount", "value": amount}
        )
    day = parse_be(paid_on)
    if assessment.status != Assessment.Status.ISSUED:
        current = (
            Assessment.objects.filter(
                municipality=municipality,
                taxpayer=assessment.taxpayer,
                kind=assessment.kind,
                tax_year=assessment.tax_year,
                status="issued",
            )
            .values_list("pk", flat=True)
            .first()
        )
        hint = _(" Record it on the issued assessment %(pk)s.") % {"pk": current} if current else ""
        raise PaymentRefused(
            _("No payment can be recorded on %(assessment)s: it is %(status)s, not issued.")
            % {"assessment": _name(assessment), "status": assessment.get_status_display()}
            + hint,
            code="not-issued",
        )
    if day > timezone.localdate():
        raise PaymentRefused(
            _("Payment date %(date)s for %(assessment)s is in the future.")
            % {"date": thai.format_thai_date(day), "assessment": _name(assessment)}
        )
    channel = channel if channel in Payment.Channel.values else ""
    if not channel:
        raise PaymentRefused(_("Unknown payment channel."), errors={"channel": "unknown"})
    fiscal_year = thai.fiscal_year(day)
    receipt_number = receipt_number.strip()
    if receipt_number:
        _check_receipt(municipality, fiscal_year, receipt_number)
    else:
        receipt_number = _next_receipt(municipality, fiscal_year)
    bank_reference = bank_reference.strip()
    if bank_reference:
        dup = Payment.objects.filter(
            municipality=municipality, bank_reference=bank_reference, reversed=False
        ).first()
        if dup is not None:
            raise PaymentRefused(
                _("Bank transaction %(ref)s is already recorded: receipt %(receipt)s.")
                % {"ref": bank_reference, "receipt": dup.receipt_number},
                code="duplicate-transaction",
            )

    account = _account(assessment, day)
    debt = _s(account.balance_baht)
    want = _s(amount)
    if want > debt:
        message = _(
            "Payment of %(amount)s baht on %(assessment)s is larger than the debt on "
            "%(date)s: %(debt)s baht (unpaid tax %(tax)s + penalty and surcharge %(charges)s)."
        ) % {
            "amount": f"{amount:,.2f}",
            "assessment": _name(assessment),
            "date": thai.format_thai_date(day),
            "debt": f"{_b(debt):,.2f}",
            "tax": f"{account.unpaid_baht:,.2f}",
            "charges": f"{account.charges_baht:,.2f}",
        }
        raise PaymentRefused(message, errors={"amount_baht": message}, code="more-than-debt")

    rules = ChargeRules(
        assessment,
        Reminder.objects.filter(assessment_id__in=chain_ids(assessment)),
        _notice(assessment),
    )
    left = want
    allocations: list[dict[str, Any]] = []
    principal = charges = 0
    first_installment: int | None = None
    for part in account.parts:
        if left <= 0:
            break
        if part.unpaid <= 0:
            continue
        if left >= part.unpaid + part.charges.satang:
            paid, owed = part.unpaid, part.charges
        else:
            paid, owed = rules.split(left, part.unpaid, part.due_on, day, part.surcharge)
        left -= paid + owed.satang
        principal += paid
        charges += owed.satang
        if first_installment is None:
            first_installment = part.number
        allocations.append(
            {
                "installment": part.number,
                "due_on": part.due_on.isoformat() if part.due_on else None,
                "planned_on": part.planned_on.isoformat() if part.planned_on else None,
                "principal_baht": str(_b(paid)),
                "charges_baht": str(_b(owed.satang)),
                "steps": owed.steps,
            }
        )
    if left > 0 and account.filing is not None and account.filing_unpaid > 0:
        # then the return's surcharges (Signboard Tax Act §25(1)(2)): charges, not tax
        owed_filing = min(left, account.filing_unpaid)
        left -= owed_filing
        charges += owed_filing
        allocations.append(
            {
                "part": "filing",
                "installment": None,
                "due_on": account.filing.due_on.isoformat() if account.filing.due_on else None,
                "planned_on": None,
                "principal_baht": "0.00",
                "charges_baht": str(_b(owed_filing)),
                "steps": [
                    s
                    for s in assessment.steps
                    if s.get("code") in ("late_filing", "understatement", "filing_charges")
                ],
            }
        )
    payment = Payment.objects.create(
        municipality=municipality,
        assessment=assessment,
        amount_baht=amount,
        principal_baht=_b(principal),
        charges_baht=_b(charges),
        allocations=allocations,
        paid_on=day,
        channel=channel,
        receipt_number=receipt_number,
        fiscal_year=fiscal_year,
        installment_number=first_installment,
        bank_reference=bank_reference,
        recorded_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="tax.payment.record",
        municipality=municipality,
        obj=payment,
        changes={
            "assessment": assessment.pk,
            "amount_baht": str(amount),
            "tax_baht": str(payment.principal_baht),
            "charges_baht": str(payment.charges_baht),
            "paid_on": day.isoformat(),
            "channel": channel,
            "receipt_number": receipt_number,
        },
    )
    return payment


@transaction.atomic
def payment_reverse(
    *, actor: Any, municipality: Municipality, payment: Payment, reason: str
) -> Payment:
    """Reverse a payment (a bounced transfer, a typing error): it stays on record with the
    reason, who and when, and no longer counts. A reason is required."""
    require(actor, "tax.collect", municipality)
    payment = Payment.objects.select_for_update().get(pk=payment.pk, municipality=municipality)
    reason = reason.strip()[:300]
    if not reason:
        raise PaymentRefused(
            _("Give a reason to reverse the payment with receipt %(number)s.")
            % {"number": payment.receipt_number},
            errors={"reason": "required"},
        )
    if payment.reversed:
        raise PaymentRefused(
            _("The payment with receipt %(number)s was already reversed.")
            % {"number": payment.receipt_number}
        )
    payment.reversed = True
    payment.reversal_reason = reason
    payment.reversed_by = user_of(actor)
    payment.reversed_at = timezone.now()
    payment.save(update_fields=["reversed", "reversal_reason", "reversed_by", "reversed_at"])
    audit_record(
        actor=actor,
        action="tax.payment.reverse",
        municipality=municipality,
        obj=payment,
        changes={"reason": reason, "amount_baht": str(payment.amount_baht)},
    )
    return payment


def payment_get(*, actor: Any, municipality: Municipality, pk: int) -> Payment:
    require(actor, "tax_assessment.view", municipality)
    payment = (
        Payment.objects.filter(municipality=municipality, pk=pk)
        .select_related("assessment", "assessment__taxpayer", "recorded_by")
        .first()
    )
    if payment is None:
        raise NotFound()
    return payment


def payment_find(*, municipality: Municipality, reference: str) -> Assessment:
    """The issued assessment of a payment reference (Ref. 1), or a clear error."""
    reference = reference.strip().upper()
    found = (
        Assessment.objects.filter(municipality=municipality, payment_reference=reference)
        .select_related("taxpayer")
        .order_by("-pk")
        .first()
    )
    if found is None:
        raise PaymentRefused(
            _("No assessment has the payment reference %(ref)s.") % {"ref": reference or "''"},
            code="unknown-reference",
        )
    return found


# --- installments ------------------------------------------------------------------------------


@transaction.atomic
def installments_plan(
    *,
    actor: Any,
    municipality: Municipality,
    assessment: Assessment,
    requested_on: dt.date | None = None,
) -> list[Installment]:
    """Split an issued tax into the installments the rules allow (land and building tax: 3
    installments from 3,000 baht, on the rule file's dates, Act §52), requested by the
    payment deadline and before any payment."""
    require(actor, "tax.collect", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    day = requested_on or timezone.localdate()
    if assessment.status != Assessment.Status.ISSUED:
        raise PaymentRefused(
            _("Installments need an issued assessment; %(assessment)s is %(status)s.")
            % {"assessment": _name(assessment), "status": assessment.get_status_display()}
        )
    if assessment.installments.exists():
        raise PaymentRefused(
            _("%(assessment)s already has installments.") % {"assessment": _name(assessment)}
        )
    if Payment.objects.filter(assessment_id__in=chain_ids(assessment), reversed=False).exists():
        raise PaymentRefused(
            _("%(assessment)s already has payments: installments are agreed before the first.")
            % {"assessment": _name(assessment)}
        )
    if assessment.due_on and day > assessment.due_on:
        raise PaymentRefused(
            _("Installments are requested by the payment deadline (%(due)s) of %(assessment)s.")
            % {"due": thai.format_thai_date(assessment.due_on), "assessment": _name(assessment)}
        )
    if assessment.kind != "land_building":
        raise PaymentRefused(
            _(
                "The signboard tax rule file gives no installment dates (the rule is "
                "unconfirmed): %(assessment)s is paid at once."
            )
            % {"assessment": _name(assessment)}
        )
    rules = rules_for(assessment.kind, assessment.tax_year, municipality)
    parts = land_building.installments(rules, assessment.tax_baht)
    if len(parts) < 2:
        raise PaymentRefused(
            _(
                "The tax of %(assessment)s is below %(minimum)s baht: the Act allows no "
                "installments (§52)."
            )
            % {"assessment": _name(assessment), "minimum": f"{rules.installment_min_baht:,}"}
        )
    made = Installment.objects.bulk_create(
        [
            Installment(
                municipality=municipality,
                assessment=assessment,
                number=n,
                due_on=due,
                amount_baht=amount,
            )
            for n, (due, amount) in enumerate(parts, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="tax.installments.plan",
        municipality=municipality,
        obj=assessment,
        changes={"installments": [[d.isoformat(), str(a)] for d, a in parts]},
    )
    return made


def payments_for(*, actor: Any, municipality: Municipality) -> QuerySet[Payment]:
    require(actor, "tax_assessment.view", municipality)
    return Payment.objects.filter(municipality=municipality).select_related(
        "assessment", "assessment__taxpayer"
    )


# --- receipts ----------------------------------------------------------------------------------


def receipt_pdf(*, actor: Any, municipality: Municipality, payment: Payment) -> bytes:
    """The receipt of a payment as PDF (Thai, amount in words, B.E. date); it shows the
    taxpayer's name and address: an audited read of personal data."""
    from nakhon.tax.notices.receipt import ReceiptData, render

    require(actor, "tax.collect", municipality)
    require(actor, "personal_data.view", municipality)
    if payment.municipality_id != municipality.pk:
        raise NotFound()
    assessment = payment.assessment
    taxpayer = assessment.taxpayer
    notice = getattr(assessment, "notice", None)
    lines = []
    for part in payment.allocations:
        for step in part.get("steps", []):
            if step.get("code") in (
                "penalty",
                "surcharge",
                "late_payment",
                "late_filing",
                "understatement",
            ):
                lines.append((step.get("label_th", ""), step.get("value", "")))
    data = ReceiptData(
        receipt_number=payment.receipt_number,
        fiscal_year=payment.fiscal_year,
        paid_on=payment.paid_on,
        city=municipality.name_th,
        city_address=municipality.address_th,
        taxpayer_code=taxpayer.code,
        taxpayer_name=f"{taxpayer.title}{taxpayer.name}",
        taxpayer_address=taxpayer.address,
        kind=assessment.kind,
        tax_year=assessment.tax_year,
        notice_number=notice.number if notice else "-",
        payment_reference=assessment.payment_reference,
        amount_baht=payment.amount_baht,
        principal_baht=payment.principal_baht,
        charges_baht=payment.charges_baht,
        channel=payment.channel,
        installment=payment.installment_number,
        charge_lines=lines,
        reversed_reason=payment.reversal_reason if payment.reversed else "",
    )
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=taxpayer,
        changes={"fields": ["name", "title", "address"], "purpose": f"receipt {payment.pk}"},
        personal_data=True,
    )
    return render(data)
