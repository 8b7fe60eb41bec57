"""Pages of the tax office for dates of receipt, ภ.ป.1 returns and sign photos (issue #6).

Each view parses input, calls one service, and goes back to the page it came from with a
message (the error names the record and the field). Photos are served from here only, to tax
staff (``photos.photo_read`` checks), never from a public static or media path.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nakhon.accounts.models import Municipality
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can, require
from nakhon.portal.decorators import municipality_view
from nakhon.tax import deliveries, filings, photos
from nakhon.tax.models import Notice, Reminder, Signboard, SignboardFiling, Taxpayer


def _sign_url(municipality: Municipality, pk: int) -> str:
    return reverse("tax:record-detail", args=[municipality.slug, "signboards", pk])


def _assessment_url(municipality: Municipality, pk: int) -> str:
    return reverse("tax:assessment-detail", args=[municipality.slug, pk])


@require_POST
@municipality_view
def notice_received(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    """Record when the notice of assessment ``pk`` was received (B.E. date; empty clears)."""
    require(request.user, "tax.collect", municipality)
    notice = Notice.objects.filter(municipality=municipality, assessment_id=pk).first()
    if notice is None:
        raise NotFound()
    try:
        deliveries.notice_receive(
            actor=request.user,
            municipality=municipality,
            notice=notice,
            received_on=request.POST.get("received_on", ""),
        )
        messages.success(request, _("The date of receipt is recorded."))
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect(_assessment_url(municipality, pk))


@require_POST
@municipality_view
def reminder_received(
    request: HttpRequest, municipality: Municipality, pk: int
) -> HttpResponseBase:
    """Record when warning notice ``pk`` was received (B.E. date; empty clears)."""
    require(request.user, "tax.collect", municipality)
    reminder = Reminder.objects.filter(municipality=municipality, pk=pk).first()
    if reminder is None:
        raise NotFound()
    try:
        deliveries.reminder_receive(
            actor=request.user,
            municipality=municipality,
            reminder=reminder,
            received_on=request.POST.get("received_on", ""),
        )
        messages.success(request, _("The date of receipt is recorded."))
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect(_assessment_url(municipality, reminder.assessment_id))


@require_http_methods(["GET", "POST"])
@municipality_view
def deliveries_page(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Upload a delivery list (CSV/XLSX: document, received_on): checked, then all or nothing."""
    require(request.user, "tax.collect", municipality)
    report = None
    status = 200
    upload = request.FILES.get("file") if request.method == "POST" else None
    if isinstance(upload, UploadedFile):
        try:
            report = deliveries.deliveries_import_upload(
                actor=request.user,
                municipality=municipality,
                chunks=upload.chunks(),
                name=upload.name or "file",
                dry_run=bool(request.POST.get("check")),
            )
        except deliveries.DeliveriesRefused as exc:
            report = exc.report
            status = 422
    return render(request, "tax/deliveries.html", {"report": report}, status=status)


@require_POST
@municipality_view
def filing_record(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    """Record a ภ.ป.1 received for sign ``pk`` (and the other signs of its owner ticked)."""
    require(request.user, "tax.change", municipality)
    sign = Signboard.objects.filter(municipality=municipality, pk=pk).first()
    if sign is None or sign.owner_id is None:
        raise NotFound()
    owner = Taxpayer.objects.get(pk=sign.owner_id)
    chosen = {int(v) for v in request.POST.getlist("signs") if v.isdigit()} or {sign.pk}
    signs = Signboard.objects.filter(municipality=municipality, pk__in=chosen)
    year_text = (request.POST.get("tax_year") or "").strip()
    if not year_text.isdigit():
        messages.error(request, _("tax_year: a B.E. year such as 2568."))
        return redirect(_sign_url(municipality, sign.pk))
    try:
        year = int(year_text)
        filings.filing_record(
            actor=request.user,
            municipality=municipality,
            owner=owner,
            tax_year=year,
            kind=request.POST.get("kind", ""),
            signboards=signs,
            filed_on=request.POST.get("filed_on", ""),
            changed_on=request.POST.get("changed_on", ""),
            declared_tax_baht=request.POST.get("declared_tax_baht", ""),
            prompted=bool(request.POST.get("prompted")),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("The ภ.ป.1 is recorded."))
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect(_sign_url(municipality, sign.pk))


@require_POST
@municipality_view
def filing_delete(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    require(request.user, "tax.change", municipality)
    filing = SignboardFiling.objects.filter(municipality=municipality, pk=pk).first()
    if filing is None:
        raise NotFound()
    sign_text = (request.POST.get("sign") or "").strip()
    back = int(sign_text) if sign_text.isdigit() and len(sign_text) < 12 else 0
    filings.filing_delete(actor=request.user, municipality=municipality, filing=filing)
    messages.success(request, _("The ภ.ป.1 record is removed."))
    return redirect(
        _sign_url(municipality, back) if back else reverse("tax:home", args=[municipality.slug])
    )


@require_POST
@municipality_view
def filing_year(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Declare the ภ.ป.1 register of a tax year complete (``complete=1``) or not."""
    require(request.user, "tax.change", municipality)
    back = reverse("tax:register-list", args=[municipality.slug, "signboards"])
    year_text = (request.POST.get("tax_year") or "").strip()
    if not year_text.isdigit() or len(year_text) != 4:
        messages.error(request, _("tax_year: a B.E. year such as 2568."))
        return redirect(back)
    complete = request.POST.get("complete") == "1"
    try:
        filings.filing_year_declare(
            actor=request.user,
            municipality=municipality,
            tax_year=int(year_text),
            complete=complete,
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if complete:
        messages.success(
            request,
            _(
                "The ภ.ป.1 register of %(year)s is complete: the next signboard assessment of "
                "that year charges 10 %% on a sign with no recorded return."
            )
            % {"year": year_text},
        )
    else:
        messages.success(
            request,
            _("The ภ.ป.1 register of %(year)s is no longer marked complete.") % {"year": year_text},
        )
    return redirect(back)


@require_POST
@municipality_view
def photo_upload(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    """Add photos to sign ``pk`` (several files at once); a non-image is refused by name."""
    sign = Signboard.objects.filter(municipality=municipality, pk=pk).first()
    if sign is None:
        raise NotFound()
    files = request.FILES.getlist("photo")
    if not files:
        messages.error(request, _("Choose a photo to upload."))
    added = 0
    for upload in files:
        try:
            photos.photo_add(
                actor=request.user,
                municipality=municipality,
                signboard=sign,
                upload=upload,
                name=upload.name or "photo",
                taken_on=request.POST.get("taken_on", ""),
                note=request.POST.get("note", ""),
            )
            added += 1
        except InvalidInput as exc:
            messages.error(request, exc.message)
    if added:
        messages.success(request, _("%(n)s photo(s) added.") % {"n": added})
    return redirect(_sign_url(municipality, sign.pk))


@municipality_view
def photo_file(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """A sign photo (``?thumb=1``: a thumbnail), to tax staff only; never cached publicly."""
    data, content_type = photos.photo_read(
        actor=request.user,
        municipality=municipality,
        pk=pk,
        thumbnail=bool(request.GET.get("thumb")),
    )
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@municipality_view
def photo_delete(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    photo = photos.photo_get(actor=request.user, municipality=municipality, pk=pk)
    sign = photo.signboard_id
    photos.photo_delete(actor=request.user, municipality=municipality, photo=photo)
    messages.success(request, _("The photo is deleted."))
    return redirect(_sign_url(municipality, sign))


def panel_context(
    request: HttpRequest, municipality: Municipality, sign: Signboard
) -> dict[str, object]:
    """What the sign page shows of its returns and photos (``tax_signs.signboard_panel``)."""
    user = request.user
    staff = can(user, "tax_assessment.view", municipality)
    context: dict[str, object] = {
        "sign": sign,
        "staff": staff,
        "can_change": can(user, "tax.change", municipality),
        "municipality": municipality,
    }
    if staff:
        context["photos"] = list(sign.photos.all())
        context["filings"] = list(
            filings.filing_list(actor=user, municipality=municipality, signboard=sign)
        )
        context["owner_signs"] = (
            list(Signboard.objects.filter(owner_id=sign.owner_id).only("pk", "code"))
            if sign.owner_id
            else []
        )
        context["kinds"] = SignboardFiling.Kind.choices
    return context
