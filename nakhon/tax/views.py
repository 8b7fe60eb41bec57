"""Pages of local revenue: the public tax calculator, and the registers for tax officers.

Each view parses input, calls one selector or service, renders; the calculator has a JSON twin
(``?format=json``) built from the same quote function.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import can, require
from nakhon.portal.decorators import municipality_view, wants_json
from nakhon.tax import imports, quotes, selectors
from nakhon.tax.forms import ImportForm, LandBuildingQuoteForm, SignboardQuoteForm

PAGE_SIZE = 50


def _calculate(form: Any, municipality: Municipality) -> Any:
    data = form.cleaned_data
    try:
        if isinstance(form, SignboardQuoteForm):
            return quotes.quote_signboard(
                tax_year=data["year"],
                sign_type=data["sign_type"],
                moving=data["moving"],
                width_cm=data["width_cm"],
                height_cm=data["height_cm"],
                faces=data["faces"] or 1,
                installed_on=data["installed_on"],
                municipality=municipality,
            )
        return quotes.quote_land_building(
            tax_year=data["year"],
            owner=data["owner"],
            use=data["use"],
            value_baht=data["value_baht"],
            vacant_years=data["vacant_years"],
            municipality=municipality,
        )
    except InvalidInput as exc:
        for field, message in exc.errors.items() or [(None, exc.message)]:
            form.add_error(field if field in form.fields else None, message)
        return None


@require_http_methods(["GET", "POST"])
@municipality_view
def calculator(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The public tax calculator: one form per tax, the result with its explanation.

    Works without JavaScript (a plain form, GET or POST); ``?format=json`` is its twin.
    """
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind", "")
    sign_form = SignboardQuoteForm(data if kind == "signboard" else None)
    land_form = LandBuildingQuoteForm(data if kind == "land-building" else None)
    form = {"signboard": sign_form, "land-building": land_form}.get(kind)
    result = None
    if form is not None and form.is_valid():
        result = _calculate(form, municipality)
    if wants_json(request):
        if form is None:
            return JsonResponse({"error": {"code": "invalid", "message": "kind?"}}, status=400)
        if result is None:
            errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
            return JsonResponse(
                {"error": {"code": "invalid", "message": "invalid", "errors": errors}},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return JsonResponse(quotes.quote_json(result), json_dumps_params={"ensure_ascii": False})
    status = 422 if form is not None and result is None and form.is_bound else 200
    return render(
        request,
        "tax/calculator.html",
        {
            "sign_form": sign_form,
            "land_form": land_form,
            "kind": kind,
            "result": result,
            "baht_words": thai.baht_text(result.tax_baht) if result else "",
        },
        status=status,
    )


@municipality_view
def home(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The tax desk: the registers and their sizes (tax officers, administrators, executives)."""
    summary = selectors.register_summary(actor=request.user, municipality=municipality)
    return render(request, "tax/home.html", summary)


def _page(request: HttpRequest, items: Any) -> tuple[Any, str]:
    paginator = Paginator(items, PAGE_SIZE)
    q = request.GET.get("q", "")
    return paginator.get_page(request.GET.get("page")), q


@municipality_view
def taxpayer_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Taxpayers; names and ID numbers only for roles that may see personal data (audited)."""
    q = request.GET.get("q", "")[:100]
    page = selectors.taxpayer_list(actor=request.user, municipality=municipality, q=q)
    rows, _q = _page(request, page.items)
    return render(
        request,
        "tax/taxpayer_list.html",
        {"page": rows, "q": q, "personal": page.personal},
    )


@municipality_view
def taxpayer_detail(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """One taxpayer, their property and signs, and the history of the record."""
    taxpayer, personal = selectors.taxpayer_get(
        actor=request.user, municipality=municipality, pk=pk
    )
    history = selectors.record_history(actor=request.user, municipality=municipality, obj=taxpayer)
    masked = ""
    if taxpayer.kind == taxpayer.Kind.PERSON and personal:
        masked = thai.format_thai_id(taxpayer.national_id)
    elif personal:
        masked = thai.format_juristic_id(taxpayer.national_id)
    return render(
        request,
        "tax/taxpayer_detail.html",
        {
            "taxpayer": taxpayer,
            "personal": personal,
            "id_shown": masked,
            "holdings": taxpayer.holdings.select_related("parcel", "building", "unit"),
            "signboards": taxpayer.signboards.all(),
            "history": history[:100],
            "can_assess": can(request.user, "tax.assess", municipality),
            "year": thai.ce_to_be_year(timezone.localdate().year),
        },
    )


REGISTER_LISTS = {
    "parcels": ("parcel", selectors.parcel_list),
    "buildings": ("building", selectors.building_list),
    "units": ("unit", selectors.unit_list),
    "signboards": ("signboard", selectors.signboard_list),
}


@municipality_view
def register_list(request: HttpRequest, municipality: Municipality, register: str) -> HttpResponse:
    """Parcels, buildings, condominium units or signboards, with search."""
    from nakhon.core.errors import NotFound

    if register not in REGISTER_LISTS:
        raise NotFound()
    kind, select = REGISTER_LISTS[register]
    q = request.GET.get("q", "")[:100]
    rows, _q = _page(request, select(actor=request.user, municipality=municipality, q=q))
    context: dict[str, Any] = {"page": rows, "q": q, "register": register, "kind": kind}
    if kind == "signboard":
        from nakhon.tax.models import SignboardFilingYear

        context["filing_years"] = SignboardFilingYear.objects.filter(
            municipality=municipality
        ).order_by("-tax_year")
        context["can_declare"] = can(request.user, "tax.change", municipality)
    return render(request, f"tax/{kind}_list.html", context)


@municipality_view
def record_detail(
    request: HttpRequest, municipality: Municipality, register: str, pk: int
) -> HttpResponse:
    """One parcel, building, unit or signboard: its values, owners, uses and history."""
    from nakhon.core.errors import NotFound

    if register not in REGISTER_LISTS:
        raise NotFound()
    kind = REGISTER_LISTS[register][0]
    obj = selectors.record_get(actor=request.user, municipality=municipality, kind=kind, pk=pk)
    history = selectors.record_history(actor=request.user, municipality=municipality, obj=obj)
    fields = [
        (f.verbose_name, _display(obj, f))
        for f in obj._meta.concrete_fields
        if f.name not in {"id", "municipality", "geometry", "owner", "photo"}
    ]
    return render(
        request,
        "tax/record_detail.html",
        {
            "obj": obj,
            "kind": kind,
            "register": register,
            "fields": fields,
            "holdings": obj.holdings.select_related("taxpayer") if hasattr(obj, "holdings") else [],
            "uses": obj.uses.all() if hasattr(obj, "uses") else [],
            "history": history[:100],
            # the 15-day ภ.ป.1 of a new or changed sign (Signboard Tax Act §12), for the staff
            # who may print a return (it shows the owner's personal data)
            "can_file": kind == "signboard"
            and obj.owner_id is not None
            and can(request.user, "tax.assess", municipality)
            and can(request.user, "personal_data.view", municipality),
        },
    )


def _display(obj: Any, field: Any) -> Any:
    if field.name == "area_sq_wah":
        return f"{obj.area_rnw} ({obj.area_sq_wah} {_sq_wah()})"
    if field.name == "year_built" and obj.year_built:
        return obj.year_built + thai.BE_OFFSET
    display = getattr(obj, f"get_{field.name}_display", None)
    if display is not None:
        return display()
    value = getattr(obj, field.name)
    if hasattr(value, "isoformat") and not hasattr(value, "hour"):
        return thai.format_thai_date(value)
    return "—" if value in (None, "") else value


def _sq_wah() -> str:
    from django.utils.translation import gettext as _

    return _("square wah")


@require_http_methods(["GET", "POST"])
@municipality_view
def import_page(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Upload a register file → the report (a dry run) → confirm to save, all or nothing.

    The checked file waits for the confirmation in this city only (``imports.PendingUpload``);
    it is deleted when saved, cancelled, replaced by another upload or older than 24 hours."""
    from django.utils.translation import gettext as _

    require(request.user, "tax.import", municipality)
    form = ImportForm()
    report = None
    error = ""
    pending = imports.PendingUpload.from_session(request.session.get(SESSION_IMPORT))
    if pending is not None and pending.municipality_id != municipality.pk:
        other, pending = pending, None  # another city's: not shown, not confirmed, kept
    else:
        other = None
    if request.method == "POST" and ("confirm" in request.POST or "cancel" in request.POST):
        imports.uploads_sweep()
        if other is not None:
            error = _(
                "The file checked last was for another municipality: confirm or cancel it "
                "on that municipality's import page."
            )
        elif "cancel" in request.POST:
            _pending_drop(request, pending)
            pending = None
        elif pending is None or pending.expired() or not pending.path.exists():
            error = _("Nothing to save: the checked file is gone (saved, cancelled, or older "
                      "than 24 hours). Upload it again.")  # fmt: skip
            _pending_drop(request, pending)
            pending = None
        else:
            try:
                report, _saved = _run_import(request, municipality, pending, dry_run=False)
            finally:
                _pending_drop(request, pending)
                pending = None
    elif request.method == "POST":
        imports.uploads_sweep()
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            _pending_drop(request, pending or other)  # a new upload replaces the one waiting
            other = None
            stored = imports.upload_store(
                chunks=upload.chunks(),
                name=upload.name,
                register=form.cleaned_data["register"],
                municipality=municipality,
            )
            report, accepted = _run_import(request, municipality, stored, dry_run=True)
            if accepted:
                request.session[SESSION_IMPORT] = stored.as_session()
                pending = stored
            else:
                stored.discard()
                pending = None
    return render(
        request,
        "tax/import.html",
        {
            "form": form,
            "report": report,
            "error": error,
            "pending": pending,
            "can_import": can(request.user, "tax.import", municipality),
        },
        status=422 if error else 200,
    )


SESSION_IMPORT = "tax_import"


def _run_import(
    request: HttpRequest,
    municipality: Municipality,
    pending: imports.PendingUpload,
    *,
    dry_run: bool,
) -> tuple[imports.ImportReport, bool]:
    """Check (``dry_run``) or save a pending upload: (its report, whether every row passed)."""
    try:
        report = imports.register_import(
            actor=request.user,
            municipality=municipality,
            register=pending.register,
            path=pending.path,
            dry_run=dry_run,
            name=pending.name,
        )
    except imports.ImportRefused as exc:
        return exc.report, False
    return report, True


def _pending_drop(request: HttpRequest, pending: imports.PendingUpload | None) -> None:
    """Delete a pending upload's file and forget it."""
    if pending is not None:
        pending.discard()
    request.session.pop(SESSION_IMPORT, None)
