"""Pages of collection for the tax office: record a payment, receipts, reversal, installments,
bank statement import, arrears (with warning notices and the legal follow-up list), collection
reports against target (with the upward export), objections. Executives read the reports and
the arrears totals (no personal data); the public nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import can
from nakhon.portal.decorators import municipality_view
from nakhon.tax import arrears as arrears_service
from nakhon.tax import assessments, bank_import, objections, payments, reports_upward
from nakhon.tax.models import Payment


def _date(text: str | None, default: dt.date | None = None) -> dt.date | None:
    if not text:
        return default
    try:
        return thai.parse_thai_date(text, era="be")
    except thai.ThaiValueError:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{text!r}: not a date (B.E., e.g. 15/06/2568)") from None


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
@municipality_view
def assessment_pay(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    """Record a payment of an assessment (counter or transfer); the form shows the balance."""
    item = assessments.assessment_get(actor=request.user, municipality=municipality, pk=pk)
    error = ""
    today = timezone.localdate()
    if request.method == "POST":
        try:
            payment = payments.payment_record(
                actor=request.user,
                municipality=municipality,
                assessment=item,
                amount_baht=payments.parse_amount(request.POST.get("amount", "")),
                paid_on=_date(request.POST.get("paid_on"), today) or today,
                channel=request.POST.get("channel", "counter"),
                receipt_number=request.POST.get("receipt_number", "")[:40],
            )
            return redirect(f"/{municipality.slug}/tax/assessments/{item.pk}/?paid={payment.pk}")
        except InvalidInput as exc:
            error = exc.message
    account = payments.account_get(actor=request.user, municipality=municipality, assessment=item)
    return render(
        request,
        "tax/payment_form.html",
        {
            "item": item,
            "account": account,
            "error": error,
            "today": thai.format_thai_date(today),
            "channels": [(c, label) for c, label in Payment.Channel.choices if c != "bank_import"],
        },
        status=422 if error else 200,
    )


@require_POST
@municipality_view
def assessment_installments(
    request: HttpRequest, municipality: Municipality, pk: int
) -> HttpResponseBase:
    item = assessments.assessment_get(actor=request.user, municipality=municipality, pk=pk)
    payments.installments_plan(
        actor=request.user,
        municipality=municipality,
        assessment=item,
        requested_on=_date(request.POST.get("requested_on")),
    )
    return redirect("tax:assessment-detail", municipality.slug, item.pk)


@require_POST
@municipality_view
def assessment_object(
    request: HttpRequest, municipality: Municipality, pk: int
) -> HttpResponseBase:
    item = assessments.assessment_get(actor=request.user, municipality=municipality, pk=pk)
    objections.objection_file(
        actor=request.user,
        municipality=municipality,
        assessment=item,
        filed_on=_date(request.POST.get("filed_on"), timezone.localdate()) or timezone.localdate(),
        grounds=request.POST.get("grounds", ""),
    )
    return redirect("tax:objection-list", municipality.slug)


@municipality_view
def payment_receipt(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The receipt of a payment as PDF (an audited read of personal data)."""
    payment = payments.payment_get(actor=request.user, municipality=municipality, pk=pk)
    data = payments.receipt_pdf(actor=request.user, municipality=municipality, payment=payment)
    response = HttpResponse(data, content_type="application/pdf")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in payment.receipt_number)
    response["Content-Disposition"] = f'inline; filename="receipt-{safe}.pdf"'
    return response


@require_POST
@municipality_view
def payment_reverse(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    payment = payments.payment_get(actor=request.user, municipality=municipality, pk=pk)
    payments.payment_reverse(
        actor=request.user,
        municipality=municipality,
        payment=payment,
        reason=request.POST.get("reason", ""),
    )
    return redirect("tax:assessment-detail", municipality.slug, payment.assessment_id)


@require_http_methods(["GET", "POST"])
@municipality_view
def payments_import(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Upload a bank statement (CSV): every row is recorded, or none (the report says why)."""
    report = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput("Choose a file.")
            report = bank_import.payments_import(
                actor=request.user,
                municipality=municipality,
                data=upload.read(),
                dry_run=request.POST.get("dry_run") == "1",
            )
        except bank_import.ImportRefused as exc:
            report, error = exc.report, exc.message
        except InvalidInput as exc:
            error = exc.message
    elif not can(request.user, "tax.collect", municipality):
        from nakhon.core.errors import PermissionDenied

        raise PermissionDenied()
    return render(
        request,
        "tax/payment_import.html",
        {"report": report, "error": error},
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@municipality_view
def arrears_page(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Arrears aged by year, tambon and days (everyone with ``tax.view``), by taxpayer and the
    legal follow-up list (tax office; names only with ``personal_data.view``, each request's
    read audited by ``arrears_get``); CSV/XLSX/JSON twins; warning notices generated here."""
    today = timezone.localdate()
    if request.method == "POST":
        made = arrears_service.reminders_generate(
            actor=request.user,
            municipality=municipality,
            sent_on=_date(request.POST.get("sent_on"), today),
            respond_days=int(request.POST.get("respond_days") or 30),
        )
        return redirect(f"/{municipality.slug}/tax/arrears/?warned={len(made)}")
    as_of = _date(request.GET.get("as_of"), today) or today
    kind = request.GET.get("kind", "")
    data = arrears_service.arrears_get(
        actor=request.user, municipality=municipality, as_of=as_of, kind=kind, names=True
    )
    fmt = request.GET.get("format", "")
    if fmt == "json":
        return JsonResponse(data.as_dict(), json_dumps_params={"ensure_ascii": False})
    if fmt in ("csv", "xlsx"):
        header, rows = arrears_service.arrears_rows(data)
        name = f"arrears-{municipality.slug}-{as_of.isoformat()}"
        if fmt == "csv":
            return _download(arrears_service.to_csv(header, rows), f"{name}.csv", "text/csv")
        return _download(arrears_service.to_xlsx([("arrears", header, rows)]), f"{name}.xlsx", XLSX)
    return render(
        request,
        "tax/arrears.html",
        {
            "data": data,
            "as_of": thai.format_thai_date(as_of),
            "kind": kind,
            "warned": request.GET.get("warned"),
            "can_collect": can(request.user, "tax.collect", municipality),
            "buckets": arrears_service.BUCKETS,
        },
    )


@require_http_methods(["GET", "POST"])
@municipality_view
def reports_page(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Collection against target by month of a fiscal year; the upward report (CSV/XLSX); the
    tax year of the same number by use category and sign type (``?report=categories``)."""
    today = timezone.localdate()
    try:
        fy = int(request.GET.get("fy") or request.POST.get("fy") or thai.fiscal_year(today))
    except ValueError:
        fy = thai.fiscal_year(today)
    if request.method == "POST":
        arrears_service.target_set(
            actor=request.user,
            municipality=municipality,
            fiscal_year=fy,
            kind=request.POST.get("kind", ""),
            target_baht=payments.parse_amount(request.POST.get("target", ""), "target"),
        )
        return redirect(f"/{municipality.slug}/tax/reports/?fy={fy}")
    fmt = request.GET.get("format", "")
    if request.GET.get("report") == "categories":
        return _categories_export(request, municipality, fy, fmt)
    report = arrears_service.collection_report(
        actor=request.user, municipality=municipality, fiscal_year=fy
    )
    _first, last = thai.fiscal_year_range(fy)
    owed = arrears_service.arrears_get(
        actor=request.user, municipality=municipality, as_of=min(last, today), names=False
    )
    if fmt == "json":
        return JsonResponse(report.as_dict(), json_dumps_params={"ensure_ascii": False})
    if fmt in ("csv", "xlsx"):
        header, rows = arrears_service.upward_rows(report, owed)
        name = f"tax-collection-{municipality.slug}-fy{fy}"
        if fmt == "csv":
            return _download(arrears_service.to_csv(header, rows), f"{name}.csv", "text/csv")
        m_header, m_rows = arrears_service.monthly_rows(report)
        sheets = [("summary", header, rows), ("by month", m_header, m_rows)]
        return _download(arrears_service.to_xlsx(sheets), f"{name}.xlsx", XLSX)
    header, rows = arrears_service.upward_rows(report, owed)
    by_category = _categories(request, municipality, fy)
    land_header, land_rows = reports_upward.land_rows(by_category.land_categories)
    sign_header, sign_rows = reports_upward.sign_rows(by_category.signs)
    return render(
        request,
        "tax/reports.html",
        {
            "report": report,
            "fy": fy,
            "header": header,
            "rows": rows,
            "by_category": by_category,
            "land_header": land_header,
            "land_rows": _shown(land_rows),
            "sign_header": sign_header,
            "sign_rows": _shown(sign_rows),
            "elaas": reports_upward.ELAAS_REVENUE_CODES,
            "kinds": assessments.available_kinds(),
            "can_collect": can(request.user, "tax.collect", municipality),
            "total": sum((m["total"] for m in report.months), Decimal(0)),
        },
    )


def _shown(rows: list[list[object]]) -> list[list[str]]:
    """Rows for the page: amounts as 1,234.50, counts as 1,234."""

    def shown(v: object) -> str:
        if isinstance(v, Decimal):
            return thai.format_baht(v)
        return f"{v:,}" if isinstance(v, int) else str(v)

    return [[shown(v) for v in row] for row in rows]


def _categories(
    request: HttpRequest, municipality: Municipality, fy: int
) -> reports_upward.CategoryReport:
    """The tax year ``fy`` by use category and sign type, collected up to ``?as_of=`` (B.E.),
    by default the end of the fiscal year of the same number or today, whichever is earlier
    (as the arrears of the summary)."""
    _first, last = thai.fiscal_year_range(fy)
    default = min(last, timezone.localdate())
    return reports_upward.category_report(
        actor=request.user,
        municipality=municipality,
        tax_year=fy,
        as_of=_date(request.GET.get("as_of"), default) or default,
    )


def _categories_export(
    request: HttpRequest, municipality: Municipality, fy: int, fmt: str
) -> HttpResponse:
    """``?report=categories&format=json|xlsx|csv[&tax=land_building|signboard]``."""
    data = _categories(request, municipality, fy)
    name = f"tax-categories-{municipality.slug}-{fy}"
    if fmt == "xlsx":
        return _download(reports_upward.to_xlsx(data), f"{name}.xlsx", XLSX)
    if fmt == "csv":
        section = request.GET.get("tax") or "land_building"
        csv_data = reports_upward.to_csv(data, section)
        return _download(csv_data, f"{name}-{section}.csv", "text/csv")
    return JsonResponse(data.as_dict(), json_dumps_params={"ensure_ascii": False})


@municipality_view
def objection_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    items = objections.objection_list(actor=request.user, municipality=municipality)[:200]
    return render(
        request,
        "tax/objection_list.html",
        {
            "items": [(o, objections.is_late(o)) for o in items],
            "can_collect": can(request.user, "tax.collect", municipality),
        },
    )


@require_POST
@municipality_view
def objection_decide(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    item = objections.objection_get(actor=request.user, municipality=municipality, pk=pk)
    objections.objection_decide(
        actor=request.user,
        municipality=municipality,
        objection=item,
        decision=request.POST.get("decision", ""),
        note=request.POST.get("note", ""),
    )
    return redirect("tax:objection-list", municipality.slug)
