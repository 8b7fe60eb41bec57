"""Pages of the assessment cycle for the tax office: start a run (progress polled with htmx),
review its results, issue it, print a notice, re-assess a taxpayer. Executives see the runs
and their totals only; the public nothing."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can
from nakhon.portal.decorators import municipality_view
from nakhon.tax import assessments
from nakhon.tax.models import Taxpayer
from nakhon.tax.notices import service as notices


@require_http_methods(["GET", "POST"])
@municipality_view
def run_list(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """The runs with their totals; tax officers start a new one here."""
    error = ""
    if request.method == "POST":
        try:
            run = assessments.run_start(
                actor=request.user,
                municipality=municipality,
                kind=request.POST.get("kind", ""),
                tax_year=int(request.POST.get("year") or 0),
            )
            return redirect("tax:run-detail", municipality.slug, run.pk)
        except (InvalidInput, ValueError) as exc:
            error = getattr(exc, "message", str(exc))
    runs = assessments.run_list(actor=request.user, municipality=municipality)[:50]
    year = thai.ce_to_be_year(timezone.localdate().year)
    return render(
        request,
        "tax/run_list.html",
        {
            "runs": runs,
            "error": error,
            "year": year,
            "kinds": assessments.available_kinds(),
            "can_assess": can(request.user, "tax.assess", municipality),
        },
        status=422 if error else 200,
    )


@municipality_view
def run_detail(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """A run's state (polled while it works), totals, and, for the tax office, its results."""
    run = assessments.run_get(actor=request.user, municipality=municipality, pk=pk)
    assessments.runs_reap(municipality)
    run.refresh_from_db()
    context: dict[str, object] = {
        "run": run,
        "can_assess": can(request.user, "tax.assess", municipality),
        "can_review": can(request.user, "tax_assessment.view", municipality),
    }
    if request.headers.get("HX-Request"):
        return render(request, "tax/_run_state.html", context)
    if context["can_review"] and run.is_final:
        q = request.GET.get("q", "")[:100]
        status = request.GET.get("status", "")
        taxed = request.GET.get("taxed", "")
        items = assessments.assessment_list(
            actor=request.user, municipality=municipality, run=run, q=q, status=status, taxed=taxed
        )
        context |= {
            "page": Paginator(items, 50).get_page(request.GET.get("page")),
            "q": q,
            "status": status,
            "taxed": taxed,
        }
    return render(request, "tax/run_detail.html", context)


@require_POST
@municipality_view
def run_issue(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponseBase:
    run = assessments.run_get(actor=request.user, municipality=municipality, pk=pk)
    assessments.run_issue(actor=request.user, municipality=municipality, run=run)
    return redirect("tax:run-detail", municipality.slug, run.pk)


@require_http_methods(["GET", "POST"])
@municipality_view
def assessment_detail(
    request: HttpRequest, municipality: Municipality, pk: int
) -> HttpResponseBase:
    """One assessment: the explanation steps, its notice (PDF), re-assessment."""
    item = assessments.assessment_get(actor=request.user, municipality=municipality, pk=pk)
    if request.method == "POST":
        new = assessments.reassess(
            actor=request.user,
            municipality=municipality,
            taxpayer=item.taxpayer,
            kind=item.kind,
            tax_year=item.tax_year,
            reason=request.POST.get("reason", "")[:300],
        )
        return redirect("tax:assessment-detail", municipality.slug, new.pk)
    collection: dict[str, object] = {}
    if item.status != "draft":
        from nakhon.tax import payments

        collection = {
            "account": payments.account_get(
                actor=request.user, municipality=municipality, assessment=item
            ),
            "payments": payments.payment_list(
                actor=request.user, municipality=municipality, assessment=item
            ),
            "can_collect": can(request.user, "tax.collect", municipality),
            "paid": request.GET.get("paid"),
        }
    return render(
        request,
        "tax/assessment_detail.html",
        {
            **collection,
            "item": item,
            "result": {"steps": item.steps},
            "baht_words": thai.baht_text(item.tax_baht),
            "has_notice": hasattr(item, "notice"),
            "can_assess": can(request.user, "tax.assess", municipality),
            "history": item.taxpayer.assessments.filter(kind=item.kind, tax_year=item.tax_year),
        },
    )


@municipality_view
def notice_pdf(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The notice of an issued assessment as PDF (an audited read of personal data)."""
    item = assessments.assessment_get(actor=request.user, municipality=municipality, pk=pk)
    data = notices.notice_pdf(actor=request.user, municipality=municipality, assessment=item)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"{item.notice.form}-{item.tax_year}-{item.notice.sequence:07d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
@municipality_view
def taxpayer_reassess(
    request: HttpRequest, municipality: Municipality, pk: int
) -> HttpResponseBase:
    """Re-assess a taxpayer (after a correction of their records) from their page."""
    taxpayer = Taxpayer.objects.filter(municipality=municipality, pk=pk).first()
    if taxpayer is None:
        raise NotFound()
    try:
        year = int(request.POST.get("year") or 0)
    except ValueError:
        year = 0
    new = assessments.reassess(
        actor=request.user,
        municipality=municipality,
        taxpayer=taxpayer,
        kind=request.POST.get("kind", ""),
        tax_year=year,
        reason=request.POST.get("reason", "")[:300],
    )
    return redirect("tax:assessment-detail", municipality.slug, new.pk)
