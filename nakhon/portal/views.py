"""Pages of the site. Each view parses input, calls one selector/service, renders output;
public pages have a JSON twin (``?format=json``) built from the same data function."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from nakhon.accounts import selectors, services
from nakhon.accounts.models import Department, Municipality
from nakhon.core import geo, thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import Role, can, roles_of
from nakhon.ingestion.report import escape_formula
from nakhon.portal.decorators import municipality_view, wants_json
from nakhon.portal.panels import panels_for


def index(request: HttpRequest) -> HttpResponse:
    """The deployment's front page: every municipality it serves."""
    data = index_data()
    if wants_json(request):
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return render(request, "portal/index.html", {"municipalities": selectors.municipality_list()})


def index_data() -> dict[str, Any]:
    return {"municipalities": [municipality_summary(m) for m in selectors.municipality_list()]}


def municipality_summary(m: Municipality) -> dict[str, Any]:
    return {
        "slug": m.slug,
        "lao_code": m.lao_code,
        "kind": m.kind,
        "name_th": m.name_th,
        "name_en": m.name_en,
        "province_code": m.province_id,
        "province_th": m.province.name_th,
        "province_en": m.province.name_en,
        "area_km2": float(m.area_km2) if m.area_km2 is not None else None,
        "bbox": m.bbox,
        "website": m.website,
    }


def after_login(request: HttpRequest) -> HttpResponse:
    """Send a user who just signed in to their municipality (or the list)."""
    mine = selectors.municipality_list_for(actor=request.user)
    if len(mine) >= 1:
        return redirect("portal:municipality-home", mine[0].slug)
    return redirect("portal:index")


def municipality_home_data(*, actor: Any, municipality: Municipality) -> dict[str, Any]:
    today = timezone.localdate()
    fy = thai.fiscal_year(today, start_month=municipality.fiscal_year_start_month)
    fy_start, fy_end = thai.fiscal_year_range(fy, start_month=municipality.fiscal_year_start_month)
    departments = selectors.department_list(actor=actor, municipality=municipality)
    return {
        **municipality_summary(municipality),
        "address_th": municipality.address_th,
        "phone": municipality.phone,
        "fiscal_year_be": fy,
        "fiscal_year_start": fy_start.isoformat(),
        "fiscal_year_end": fy_end.isoformat(),
        "tambons": [
            {"code": t.code, "name_th": t.name_th, "name_en": t.name_en}
            for t in municipality.tambons.all()
        ],
        "departments": [
            {"id": d.pk, "code": d.code, "name_th": d.name_th, "name_en": d.name_en}
            for d in departments
        ],
        "boundary_source": municipality.boundary_source,
    }


@municipality_view
def municipality_home(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """A municipality's home page: public facts; staff also see their roles and links."""
    data = municipality_home_data(actor=request.user, municipality=municipality)
    if wants_json(request):
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    outline = None
    if municipality.boundary:
        outline = geo.svg_outline(geo.load_geometry(municipality.boundary))
    roles = roles_of(request.user, municipality)
    role_labels = [label for code, label in Role.CHOICES if code in roles]
    return render(
        request,
        "portal/municipality_home.html",
        {
            "data": data,
            "outline": outline,
            "role_labels": role_labels,
            "fy_start": date.fromisoformat(data["fiscal_year_start"]),
            "fy_end": date.fromisoformat(data["fiscal_year_end"]),
            "today": timezone.localdate(),
            "panels": panels_for(municipality=municipality, request=request, staff=bool(roles)),
        },
    )


@municipality_view
def department_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    departments = selectors.department_list(actor=request.user, municipality=municipality)
    if wants_json(request):
        return JsonResponse(
            {"departments": [department_data(d) for d in departments]},
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request,
        "portal/department_list.html",
        {
            "departments": departments,
            "can_change": can(request.user, "department.change", municipality),
        },
    )


def department_data(d: Department) -> dict[str, Any]:
    return {
        "id": d.pk,
        "code": d.code,
        "name_th": d.name_th,
        "name_en": d.name_en,
        "description_th": d.description_th,
        "description_en": d.description_en,
        "email": d.email,
        "phone": d.phone,
    }


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = list(services.DEPARTMENT_EDITABLE)
        widgets = {
            "description_th": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }


@municipality_view
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    department = selectors.department_get(
        actor=request.user, municipality=municipality, department_id=pk
    )
    from nakhon.core.permissions import require

    require(request.user, "department.change", municipality)
    form = DepartmentForm(request.POST or None, instance=Department.objects.get(pk=department.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(
                actor=request.user,
                municipality=municipality,
                department=department,
                data={f: form.cleaned_data[f] for f in services.DEPARTMENT_EDITABLE},
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("portal:department-list", municipality.slug)
    return render(request, "portal/department_edit.html", {"form": form, "department": department})


@municipality_view
def member_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    members = selectors.member_list(actor=request.user, municipality=municipality)
    return render(
        request,
        "portal/member_list.html",
        {"members": members, "can_view": can(request.user, "member.view", municipality)},
    )


@municipality_view
def member_detail(request: HttpRequest, municipality: Municipality, user_id: int) -> HttpResponse:
    user, memberships = selectors.member_get(
        actor=request.user, municipality=municipality, user_id=user_id, purpose="web: member page"
    )
    return render(
        request, "portal/member_detail.html", {"member": user, "memberships": memberships}
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=[
            ("read", gettext_lazy("read")),
            ("write", gettext_lazy("write")),
            ("personal", gettext_lazy("personal data")),
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=730, initial=90
    )


@municipality_view
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    tokens = selectors.api_token_list(actor=request.user, municipality=municipality)
    form = TokenForm(request.POST if request.POST.get("create") else None)
    issued = None
    if request.method == "POST" and request.POST.get("revoke"):
        raw_id = request.POST["revoke"]
        token = tokens.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
        if token is not None:
            services.api_token_revoke(actor=request.user, municipality=municipality, token=token)
            messages.success(request, _("The token was revoked."))
        return redirect("portal:token-list", municipality.slug)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                actor=request.user,
                municipality=municipality,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            form = TokenForm()
    response = render(
        request, "portal/token_list.html", {"tokens": tokens, "form": form, "issued": issued}
    )
    response["Cache-Control"] = "no-store"  # the page may show a new token once
    return response


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    actor = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    action = forms.CharField(label=gettext_lazy("Action"), required=False, max_length=100)
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=100)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    personal_data = forms.NullBooleanField(
        label=gettext_lazy("Personal data"),
        required=False,
        widget=forms.Select(
            choices=[("", "—"), ("true", gettext_lazy("yes")), ("false", gettext_lazy("no"))]
        ),
    )


AUDIT_COLUMNS = (
    "at",
    "actor_label",
    "token_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "personal_data",
    "via",
    "ip",
    "user_agent",
    "request_id",
    "changes",
)


@municipality_view
def audit_list(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        # an invalid field (say a bad date) is shown with its error; the valid ones still apply
        form.is_valid()
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    events = selectors.audit_event_list(
        actor=request.user, municipality=municipality, filters=filters
    )
    export = request.GET.get("export")
    if export in {"csv", "json"}:
        return audit_export(request, municipality, events, export, filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_export": can(request.user, "audit.export", municipality),
        },
    )


def audit_export(
    request: HttpRequest, municipality: Municipality, events: Any, fmt: str, filters: dict[str, Any]
) -> HttpResponseBase:
    from nakhon.core.permissions import require

    require(request.user, "audit.export", municipality)
    audit_record(
        actor=request.user,
        action="audit.export",
        municipality=municipality,
        changes={"format": fmt, "filters": filters},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"audit-{municipality.slug}-{stamp}.{fmt}"
    rows = events.values_list(*AUDIT_COLUMNS).iterator(chunk_size=2000)
    if fmt == "json":
        body = json.dumps(
            [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows],
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=1,
        )
        response: HttpResponseBase = HttpResponse(
            body, content_type="application/json; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(_csv_rows(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 Thai text correctly
    yield writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        values = [
            json.dumps(v, ensure_ascii=False)
            if isinstance(v, dict)
            else timezone.localtime(v).isoformat()
            if hasattr(v, "tzinfo")
            else v
            for v in row
        ]
        # a cell starting with = + - @ would run as a formula in a spreadsheet
        yield writer.writerow([escape_formula(v) for v in values])
