"""API of local revenue: public tax quotes (no account), GET with query parameters or POST
with a JSON body; bad input is a 422 with a message per field.

For the tax office (``/municipalities/{slug}/tax/…``): assessments with their balance, record a
payment (the same checks as the counter), arrears, the collection report. Executives read the
report and the arrears totals only. Taxpayers' names only with ``personal_data.view`` (a token
needs the ``personal`` scope), and that read is audited. Other cities: 404. Dates are CE
(``YYYY-MM-DD``), tax and fiscal years B.E., amounts in baht as text with two decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from nakhon.accounts.models import Municipality
from nakhon.accounts.selectors import municipality_get
from nakhon.core import thai
from nakhon.core.api_auth import actor_of
from nakhon.tax import arrears, assessments, payments, quotes, selectors
from nakhon.tax.api_filings import router as filings_router
from nakhon.tax.api_photos import router as photos_router
from nakhon.tax.models import Assessment, Payment

router = Router(tags=["tax"])

Use = Literal[
    "agricultural",
    "residential-primary",
    "residential-building-only",
    "residential-other",
    "commercial",
    "vacant",
]


class StepOut(Schema):
    code: str
    label_th: str
    label_en: str
    value: str
    rule: str
    unconfirmed: bool


class QuoteOut(Schema):
    tax_baht: str = Field(description="The tax in baht, two decimals, as text.")
    steps: list[StepOut]
    tax_year: int
    unconfirmed: bool = Field(description="True when a step uses an unconfirmed rule.")


class SignboardQuoteIn(Schema):
    year: int = Field(description="Tax year in the Buddhist Era, e.g. 2568.")
    sign_type: int = Field(description="1: Thai only; 2: Thai mixed; 3: no Thai / Thai below.")
    moving: bool = False
    width_cm: int
    height_cm: int
    faces: int = 1
    installed_on: dt.date | None = Field(
        None, description="CE date (YYYY-MM-DD) a sign was installed during the tax year."
    )
    municipality: str | None = Field(None, description="City slug: apply its local rules.")


class LandBuildingQuoteIn(Schema):
    year: int = Field(description="Tax year in the Buddhist Era, e.g. 2568.")
    owner: Literal["individual", "juristic"]
    use: Use
    value_baht: Decimal = Field(description="Appraised value in baht.")
    vacant_years: int = 0
    municipality: str | None = Field(None, description="City slug: apply its local rules.")


def _out(assessment: Any) -> dict[str, Any]:
    return {
        **quotes.quote_json(assessment),
        "tax_year": assessment.tax_year,
        "unconfirmed": assessment.unconfirmed,
    }


def _signboard(data: SignboardQuoteIn) -> dict[str, Any]:
    city = municipality_get(slug=data.municipality) if data.municipality else None
    return _out(
        quotes.quote_signboard(
            tax_year=data.year,
            sign_type=data.sign_type,
            moving=data.moving,
            width_cm=data.width_cm,
            height_cm=data.height_cm,
            faces=data.faces,
            installed_on=data.installed_on,
            municipality=city,
        )
    )


def _land_building(data: LandBuildingQuoteIn) -> dict[str, Any]:
    city = municipality_get(slug=data.municipality) if data.municipality else None
    return _out(
        quotes.quote_land_building(
            tax_year=data.year,
            owner=data.owner,
            use=data.use,
            value_baht=data.value_baht,
            vacant_years=data.vacant_years,
            municipality=city,
        )
    )


@router.get("/tax/quote/signboard", response=QuoteOut, auth=None)
def quote_signboard_get(request: HttpRequest, data: Query[SignboardQuoteIn]) -> dict[str, Any]:
    """Signboard tax of one sign, with every step and its legal source (public)."""
    return _signboard(data)


@router.post("/tax/quote/signboard", response=QuoteOut, auth=None)
def quote_signboard_post(request: HttpRequest, data: SignboardQuoteIn) -> dict[str, Any]:
    """Signboard tax of one sign, from a JSON body (public)."""
    return _signboard(data)


@router.get("/tax/quote/land-building", response=QuoteOut, auth=None)
def quote_land_building_get(
    request: HttpRequest, data: Query[LandBuildingQuoteIn]
) -> dict[str, Any]:
    """Land and building tax of one property of one use, from its appraised value (public)."""
    return _land_building(data)


@router.post("/tax/quote/land-building", response=QuoteOut, auth=None)
def quote_land_building_post(request: HttpRequest, data: LandBuildingQuoteIn) -> dict[str, Any]:
    """Land and building tax of one property, from a JSON body (public)."""
    return _land_building(data)


# --- the tax office: assessments, payments, arrears, the collection report -------------------


class AssessmentOut(Schema):
    id: int
    kind: str = Field(description="signboard | land_building")
    tax_year: int
    status: str = Field(description="draft | issued | superseded")
    taxpayer: str = Field(description="The taxpayer's register number.")
    taxpayer_name: str | None = Field(
        None, description="Only with personal_data.view (token scope personal)."
    )
    payment_reference: str
    notice_number: str | None
    due_on: dt.date | None
    tax_baht: str
    paid_tax_baht: str
    paid_charges_baht: str
    unpaid_baht: str
    charges_baht: str = Field(description="Late charges accrued on the unpaid tax, as of today.")
    balance_baht: str
    overdue_since: dt.date | None
    as_of: dt.date
    records: list[list[str]] = Field(description="[kind, register number] of each record.")


class PaymentOut(Schema):
    id: int
    assessment: int
    receipt_number: str
    fiscal_year: int
    paid_on: dt.date
    channel: str
    amount_baht: str
    principal_baht: str
    charges_baht: str
    reversed: bool
    reversal_reason: str
    allocations: list[dict[str, Any]]


class AssessmentDetailOut(AssessmentOut):
    steps: list[dict[str, Any]]
    parts: list[dict[str, Any]]
    installments_ended: dict[str, Any] | None = Field(
        None,
        description="Land and building tax Act §52: the installment whose miss ended the right "
        "to installments (number, due date, the day the right ended, explanation); null while "
        "the right holds or without installments.",
    )
    payments: list[PaymentOut]


class AssessmentFilters(Schema):
    year: int | None = Field(None, description="Tax year (B.E.).")
    kind: str = ""
    status: str = ""
    taxpayer: str = Field("", description="A taxpayer's register number.")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


class PaymentIn(Schema):
    amount_baht: Decimal = Field(description="Amount in baht, to the satang.")
    paid_on: dt.date | None = Field(None, description="CE date; default today.")
    channel: Literal["counter", "transfer"] = "counter"
    receipt_number: str = Field("", max_length=40, description="Default: the next number.")
    bank_reference: str = Field("", max_length=60)


class ArrearsGroupOut(Schema):
    key: str
    count: int
    unpaid_baht: str
    charges_baht: str
    balance_baht: str


class ArrearsOut(Schema):
    as_of: dt.date
    count: int
    total_baht: str
    by_year: list[ArrearsGroupOut]
    by_tambon: list[ArrearsGroupOut]
    by_bucket: list[ArrearsGroupOut]
    by_taxpayer: list[dict[str, Any]] | None = Field(None, description="Tax office only.")
    rows: list[dict[str, Any]] | None = Field(None, description="Tax office only.")
    legal_follow_up: list[int] | None = Field(None, description="Tax office only.")


class ReportOut(Schema):
    fiscal_year: int
    months: list[dict[str, Any]]
    totals: dict[str, dict[str, str]]
    assessed: dict[str, dict[str, Any]]
    arrears_count: int
    arrears_baht: str


def _names(actor: Any, m: Municipality, taxpayer_ids: set[int]) -> bool:
    """Whether names are shown; the read is audited (``selectors.taxpayer_names``)."""
    return bool(taxpayer_ids) and selectors.taxpayer_names(
        actor=actor, municipality=m, what="api", taxpayers=taxpayer_ids
    )


def _assessment_out(a: Assessment, account: payments.Account, named: bool) -> dict[str, Any]:
    notice = getattr(a, "notice", None)
    return {
        "id": a.pk,
        "kind": a.kind,
        "tax_year": a.tax_year,
        "status": a.status,
        "taxpayer": a.taxpayer.code,
        "taxpayer_name": f"{a.taxpayer.title}{a.taxpayer.name}" if named else None,
        "payment_reference": a.payment_reference,
        "notice_number": notice.number if notice else None,
        "due_on": a.due_on,
        "tax_baht": str(a.tax_baht),
        "paid_tax_baht": str(account.paid_tax_baht),
        "paid_charges_baht": str(account.paid_charges_baht),
        "unpaid_baht": str(account.unpaid_baht),
        "charges_baht": str(account.charges_baht),
        "balance_baht": str(account.balance_baht),
        "overdue_since": account.overdue_since,
        "as_of": account.as_of,
        "records": a.records,
    }


def _payment_out(p: Payment) -> dict[str, Any]:
    return {
        "id": p.pk,
        "assessment": p.assessment_id,
        "receipt_number": p.receipt_number,
        "fiscal_year": p.fiscal_year,
        "paid_on": p.paid_on,
        "channel": p.channel,
        "amount_baht": str(p.amount_baht),
        "principal_baht": str(p.principal_baht),
        "charges_baht": str(p.charges_baht),
        "reversed": p.reversed,
        "reversal_reason": p.reversal_reason,
        "allocations": p.allocations,
    }


def _detail(actor: Any, m: Municipality, a: Assessment) -> dict[str, Any]:
    account = payments.account_get(actor=actor, municipality=m, assessment=a)
    return {
        **_assessment_out(a, account, _names(actor, m, {a.taxpayer_id})),
        "steps": a.steps,
        "parts": [p.as_dict() for p in account.parts],
        "installments_ended": account.installments_ended,
        "payments": [
            _payment_out(p)
            for p in payments.payment_list(actor=actor, municipality=m, assessment=a)
        ],
    }


@router.get("/municipalities/{slug}/tax/assessments", response=AssessmentPage)
def assessment_list(
    request: HttpRequest, slug: str, filters: Query[AssessmentFilters]
) -> dict[str, Any]:
    """Assessments of the city with their balance today (tax office: ``tax_assessment.view``),
    by tax year, tax, status and taxpayer register number; newest tax year first."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    found = selectors.assessment_search(
        actor=actor,
        municipality=m,
        tax_year=filters.year,
        kind=filters.kind,
        status=filters.status,
        taxpayer=filters.taxpayer,
    )
    page = list(found[filters.offset : filters.offset + filters.limit])
    accounts = payments.accounts_for(m, page, timezone.localdate())
    named = _names(actor, m, {a.taxpayer_id for a in page})
    return {
        "count": found.count(),
        "items": [_assessment_out(a, accounts[a.pk], named) for a in page],
    }


@router.get("/municipalities/{slug}/tax/assessments/{pk}", response=AssessmentDetailOut)
def assessment_get(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    """One assessment: its explanation steps, the parts of its debt, its payments and balance
    (tax office)."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    return _detail(actor, m, assessments.assessment_get(actor=actor, municipality=m, pk=pk))


@router.post("/municipalities/{slug}/tax/assessments/{pk}/payments", response={201: PaymentOut})
def payment_record(request: HttpRequest, slug: str, pk: int, data: PaymentIn) -> Any:
    """Record a payment of an issued assessment (``tax.collect``, token scope ``write``), with
    the counter's checks: not a draft or superseded assessment, a positive amount to the satang
    not larger than the debt on the payment date, no future date, no receipt number or bank
    transaction used twice (422 with the record named). Returns the payment and its receipt."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    item = assessments.assessment_get(actor=actor, municipality=m, pk=pk)
    payment = payments.payment_record(
        actor=actor,
        municipality=m,
        assessment=item,
        amount_baht=data.amount_baht,
        paid_on=data.paid_on or timezone.localdate(),
        channel=data.channel,
        receipt_number=data.receipt_number,
        bank_reference=data.bank_reference,
    )
    return Status(201, _payment_out(payment))


@router.get("/municipalities/{slug}/tax/arrears", response=ArrearsOut, exclude_none=True)
def arrears_summary(
    request: HttpRequest, slug: str, as_of: dt.date | None = None, kind: str = ""
) -> dict[str, Any]:
    """Arrears on ``as_of`` (CE, default today) by tax year, tambon and age (``tax.view``:
    executives too); the tax office also gets the rows, per taxpayer and the legal follow-up
    list, with names only with ``personal_data.view``."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    owed = arrears.arrears_get(actor=actor, municipality=m, as_of=as_of, kind=kind, names=True)
    return owed.as_dict()  # names only with personal_data.view, audited by arrears_get


@router.get("/municipalities/{slug}/tax/report", response=ReportOut)
def collection_report(
    request: HttpRequest, slug: str, fiscal_year: int | None = None
) -> dict[str, Any]:
    """Collection against target by month and tax of a fiscal year (B.E., October–September;
    default the current one), the tax assessed for the tax year of that number, and the
    arrears at the end of the year (or today). No personal data (``tax.view``)."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    today = timezone.localdate()
    fy = fiscal_year or thai.fiscal_year(today)
    report = arrears.collection_report(actor=actor, municipality=m, fiscal_year=fy)
    _first, last = thai.fiscal_year_range(fy)
    owed = arrears.arrears_get(actor=actor, municipality=m, as_of=min(last, today), names=False)
    return {
        **report.as_dict(),
        "arrears_count": len(owed.rows),
        "arrears_baht": str(owed.total_baht),
    }


router.add_router("", filings_router)  # receipts and ภ.ป.1 returns (nakhon.tax.api_filings)
router.add_router("", photos_router)  # photos of signboards (nakhon.tax.api_photos)
