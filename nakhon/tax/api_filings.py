"""API of the tax office for dates of receipt and ภ.ป.1 returns (issue #6), mounted on the tax
router (``nakhon.tax.api``). Dates are CE (``YYYY-MM-DD``), tax years B.E.; bad input is a 422
naming the field; other cities 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from nakhon.accounts.selectors import municipality_get
from nakhon.core.api_auth import actor_of
from nakhon.core.errors import NotFound
from nakhon.core.permissions import require
from nakhon.tax import deliveries, filings
from nakhon.tax.models import Notice, Reminder, SignboardFiling

router = Router(tags=["tax"])


class ReceivedIn(Schema):
    received_on: dt.date | None = Field(description="CE date it was received; null clears it.")


class NoticeReceivedOut(Schema):
    notice: str
    received_on: dt.date | None
    due_on: dt.date | None = Field(description="The assessment's due date after the change.")


class ReminderReceivedOut(Schema):
    reminder: int
    received_on: dt.date | None


class FilingIn(Schema):
    owner: str = Field(description="The taxpayer's register number.")
    tax_year: int = Field(description="Tax year (B.E.).")
    kind: Literal["yearly", "new", "changed"]
    signboards: list[str] = Field(description="Register numbers of the signs it covers.")
    filed_on: dt.date = Field(description="CE date the tax office received the return.")
    changed_on: dt.date | None = Field(None, description="CE date of the change (changed).")
    declared_tax_baht: Decimal | None = Field(
        None, ge=0, lt=10**14, description="The tax its figures come to."
    )
    prompted: bool = Field(False, description="Filed after the office notified the omission.")
    note: str = Field("", max_length=300)


class FilingOut(Schema):
    id: int
    owner: str
    tax_year: int
    kind: str
    signboards: list[str]
    filed_on: dt.date
    changed_on: dt.date | None
    declared_tax_baht: str | None
    prompted: bool


def _filing_out(f: SignboardFiling) -> dict[str, Any]:
    return {
        "id": f.pk,
        "owner": f.owner.code,
        "tax_year": f.tax_year,
        "kind": f.kind,
        "signboards": [s.code for s in f.signboards.all()],
        "filed_on": f.filed_on,
        "changed_on": f.changed_on,
        "declared_tax_baht": str(f.declared_tax_baht) if f.declared_tax_baht is not None else None,
        "prompted": f.prompted,
    }


@router.put(
    "/municipalities/{slug}/tax/assessments/{pk}/notice/received", response=NoticeReceivedOut
)
def notice_received(request: HttpRequest, slug: str, pk: int, data: ReceivedIn) -> dict[str, Any]:
    """Record when the notice of assessment ``pk`` was received (``tax.collect``): not before
    it was issued, not in the future. A signboard tax then falls due 15 days after it
    (Signboard Tax Act §19); the new due date is returned."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    require(actor, "tax.collect", m)
    notice = Notice.objects.filter(municipality=m, assessment_id=pk).first()
    if notice is None:
        raise NotFound()
    notice = deliveries.notice_receive(
        actor=actor, municipality=m, notice=notice, received_on=data.received_on
    )
    return {
        "notice": deliveries.notice_name(notice),
        "received_on": notice.received_on,
        "due_on": notice.assessment.due_on,
    }


@router.put("/municipalities/{slug}/tax/reminders/{pk}/received", response=ReminderReceivedOut)
def reminder_received(request: HttpRequest, slug: str, pk: int, data: ReceivedIn) -> dict[str, Any]:
    """Record when warning notice ``pk`` was received (``tax.collect``): not before it was
    sent, not in the future; the land and building tax penalty steps from it (Act §68)."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    require(actor, "tax.collect", m)
    reminder = Reminder.objects.filter(municipality=m, pk=pk).first()
    if reminder is None:
        raise NotFound()
    reminder = deliveries.reminder_receive(
        actor=actor, municipality=m, reminder=reminder, received_on=data.received_on
    )
    return {"reminder": reminder.pk, "received_on": reminder.received_on}


@router.get("/municipalities/{slug}/tax/filings", response=list[FilingOut])
def filing_list(
    request: HttpRequest, slug: str, year: int | None = None, owner: str = ""
) -> list[dict[str, Any]]:
    """The ภ.ป.1 returns recorded (tax office), by tax year (B.E.) and owner register number."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    found = filings.filing_list(actor=actor, municipality=m, tax_year=year)
    if owner:
        found = found.filter(owner__code=owner)
    return [_filing_out(f) for f in found[:1000]]


@router.post("/municipalities/{slug}/tax/filings", response={201: FilingOut})
def filing_record(request: HttpRequest, slug: str, data: FilingIn) -> Any:
    """Record a ภ.ป.1 received (``tax.change``, token scope ``write``); the signboard
    assessment then adds the Signboard Tax Act §25(1)(2) surcharges of a late, missing or
    understated return."""
    actor, m = actor_of(request), municipality_get(slug=slug)
    owner, signs = filings.filing_parties(
        actor=actor, municipality=m, owner_code=data.owner, sign_codes=data.signboards
    )
    filing = filings.filing_record(
        actor=actor,
        municipality=m,
        owner=owner,
        tax_year=data.tax_year,
        kind=data.kind,
        signboards=signs,
        filed_on=data.filed_on,
        changed_on=data.changed_on,
        declared_tax_baht=data.declared_tax_baht,
        prompted=data.prompted,
        note=data.note,
    )
    return Status(201, _filing_out(filing))
