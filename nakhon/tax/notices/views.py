"""Downloads of the ภ.ป.1 return of a sign owner and of a warning letter (PDF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.portal.decorators import municipality_view
from nakhon.tax.models import Reminder, Signboard, Taxpayer
from nakhon.tax.notices import filings


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@municipality_view
def signboard_return_pdf(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The pre-filled ภ.ป.1 of a sign owner (``?year=`` B.E., default this year); audited."""
    taxpayer = Taxpayer.objects.filter(municipality=municipality, pk=pk).first()
    if taxpayer is None:
        raise NotFound()
    try:
        year = int(request.GET.get("year") or thai.ce_to_be_year(timezone.localdate().year))
    except ValueError:
        raise NotFound() from None
    data = filings.signboard_return_pdf(
        actor=request.user, municipality=municipality, taxpayer=taxpayer, tax_year=year
    )
    return _pdf(data, f"pp1-{year}-{taxpayer.code}.pdf".replace("/", "-"))


@municipality_view
def signboard_filing_pdf(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The ภ.ป.1 filed within 15 days of installing a sign (``?changed_on=`` B.E.: of changing
    it), Signboard Tax Act §12; audited."""
    sign = (
        Signboard.objects.filter(municipality=municipality, pk=pk).select_related("owner").first()
    )
    if sign is None:
        raise NotFound()
    text = request.GET.get("changed_on", "").strip()
    try:
        changed_on = thai.parse_thai_date(text, era="be") if text else None
    except thai.ThaiValueError as exc:
        raise InvalidInput(
            f"changed_on: {exc.message_en}", errors={"changed_on": exc.message_en}
        ) from None
    data = filings.signboard_filing_pdf(
        actor=request.user, municipality=municipality, sign=sign, changed_on=changed_on
    )
    when = changed_on or sign.installed_on
    return _pdf(data, f"pp1-{'changed' if changed_on else 'new'}-{sign.code}-{when}.pdf")


@municipality_view
def warning_pdf(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The letter of a warning notice as PDF (an audited read of personal data)."""
    reminder = (
        Reminder.objects.filter(municipality=municipality, pk=pk)
        .select_related("assessment__taxpayer", "assessment__municipality")
        .first()
    )
    if reminder is None:
        raise NotFound()
    data = filings.warning_pdf(actor=request.user, municipality=municipality, reminder=reminder)
    return _pdf(data, f"warning-{reminder.pk:07d}.pdf")
