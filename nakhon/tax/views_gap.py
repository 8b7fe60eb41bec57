"""Revenue-gap pages for the tax office: the four worklists (``/<city>/tax/gap/``, with a JSON
twin and CSV / XLSX exports of each list) and the tax map (``/<city>/tax/map/`` and its
GeoJSON). Executives see counts and totals; the public and other cities nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.portal.decorators import municipality_view, wants_json
from nakhon.tax import gap, tax_map


def _params(request: HttpRequest) -> dict[str, object]:
    try:
        year = int(request.GET.get("year") or 0) or None
        radius = float(request.GET.get("radius") or gap.SIGN_RADIUS_M)
        drop = Decimal(request.GET.get("drop") or gap.DROP_PERCENT)
    except (ValueError, InvalidOperation):
        raise InvalidInput(_("year, radius and drop must be numbers.")) from None
    if not 0 < radius <= 1000 or not 0 < drop < 100:
        raise InvalidInput(_("radius: 1–1000 m; drop: 1–99 %."))
    return {"tax_year": year, "radius_m": radius, "drop_percent": drop}


def _export(report: gap.Gap, name: str, fmt: str) -> HttpResponse:
    if not report.rows:
        raise NotFound()
    rows = gap.export_rows(report.lists[name], report.personal)
    filename = f"tax-gap-{name}-{report.municipality.slug}-{report.tax_year}"
    if fmt == "xlsx":
        from openpyxl import Workbook  # type: ignore[import-untyped]

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = name
        for row in rows:
            ws.append([str(v) if isinstance(v, Decimal) else v for v in row])
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@municipality_view
def gap_page(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The four worklists with their evidence and estimated tax at stake; ``?format=json``,
    ``?format=csv|xlsx&list=<name>``; ``?sort=tax|key|parcel|taxpayer`` (``-`` descending)."""
    report = gap.gap_report(actor=request.user, municipality=municipality, **_params(request))  # type: ignore[arg-type]
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        name = request.GET.get("list", "")
        if name not in gap.LISTS:
            raise NotFound()
        return _export(report, name, fmt)
    if wants_json(request):
        return JsonResponse(report.as_dict(), json_dumps_params={"ensure_ascii": False})
    sort = request.GET.get("sort", "-tax")
    if sort.lstrip("-") not in gap.SORTS:
        sort = "-tax"
    lists = [
        (w, gap.sort_findings(w.findings, sort) if report.rows else [])
        for w in report.lists.values()
    ]
    return render(request, "tax/gap.html", {"report": report, "lists": lists, "sort": sort})


@municipality_view
def map_page(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Parcels and signboards coloured by status (paid, due, arrears, exempt, not assessed) in
    a tax year (``?year=``, default: the latest issued), and the gap findings, on a map."""
    year = _params(request)["tax_year"]
    data = tax_map.tax_map(actor=request.user, municipality=municipality, tax_year=year)  # type: ignore[arg-type]
    url = request.path + f"?format=json&year={data['tax_year']}"
    if wants_json(request):
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    statuses = {k: str(v) for k, v in tax_map.STATUSES.items()}
    config = {
        "geojson_url": url,
        "boundary": municipality.boundary or None,
        "icon_path": static("vendor/leaflet/images/"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "colours": tax_map.COLOURS,
        "text": {
            "loading": _("Loading the map…"),
            "failed": _("The map could not be loaded."),
            "shown": _("%(count)s places on the map."),
            "parcel": _("Parcel"),
            "signboard": _("Signboard"),
            "gap": _("Gap finding"),
            "status": _("Status"),
            "use": _("Use"),
            "estimate": _("Estimated tax at stake (baht)"),
            "statuses": statuses,
            "lists": {k: str(v) for k, v in gap.LIST_TITLES.items()},
        },
    }
    legend = [
        (key, label, tax_map.COLOURS[key], data["counts"]["parcel"][key],
         data["counts"]["signboard"][key])
        for key, label in statuses.items()
    ]  # fmt: skip
    return render(
        request,
        "tax/map.html",
        {
            "config": config,
            "year": data["tax_year"],
            "as_of": thai.format_thai_date(timezone.localdate()),
            "legend": legend,
            "gap_colour": tax_map.COLOURS["gap"],
        },
    )
