"""Data pages: the catalog of a city, dataset pages with versions, and the steward's desk
(new dataset → upload → review the report → publish), with the run's state shown live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nakhon.accounts.models import Department, Municipality
from nakhon.catalog import extras, selectors, services, vocab
from nakhon.catalog.models import Dataset, IngestRun
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import can, require
from nakhon.ingestion import pipeline
from nakhon.lake import service as lake_service
from nakhon.portal import visuals
from nakhon.portal.decorators import municipality_view, wants_json

PAGE_SIZE = 20
LIST_FACETS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "data_type",
    "freshness",
    "geo_coverage",
)
LIST_SORTS = {
    "relevance": "score desc, metadata_modified desc",
    "recent": "metadata_modified desc",
    "popular": "views_recent desc, metadata_modified desc",
    "title": "title_string asc",
}


@municipality_view
def dataset_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The catalog: search (Thai words found inside Thai text), facets, sort, pages."""
    q = request.GET.get("q", "").strip()[:200]
    sort_key = request.GET.get("sort") or ("relevance" if q else "title")
    if sort_key not in LIST_SORTS:
        sort_key = "title"
    filters = [
        (name, value, False)
        for name in LIST_FACETS
        for value in request.GET.getlist(name)[:10]
        if value
    ]
    page = max(_int(request.GET.get("page")) or 1, 1)
    result = selectors.dataset_search(
        actor=request.user,
        municipality=municipality,
        q=q,
        filters=filters,
        sort=LIST_SORTS[sort_key],
        rows=PAGE_SIZE,
        start=(page - 1) * PAGE_SIZE,
        facet_fields=LIST_FACETS,
    )
    now = timezone.now()
    if wants_json(request):
        return JsonResponse(
            {
                "count": result.count,
                "page": page,
                "datasets": [selectors.dataset_summary(d, now) for d in result.datasets],
                "facets": result.facets,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    pages = (result.count + PAGE_SIZE - 1) // PAGE_SIZE
    return render(
        request,
        "portal/data/dataset_list.html",
        {
            "rows": [(d, selectors.dataset_freshness(d, now)) for d in result.datasets],
            "count": result.count,
            "q": q,
            "sort": sort_key,
            "sorts": _sort_choices(q),
            "facets": _facet_blocks(request, municipality, result.facets, filters),
            "active": [
                (name, value, _facet_label(municipality, name, value)) for name, value, _ in filters
            ],
            "page": page,
            "pages": pages,
            "prev_query": _query(request, page=page - 1) if page > 1 else None,
            "next_query": _query(request, page=page + 1) if page < pages else None,
            "can_steward": can(request.user, "dataset.create", municipality),
        },
    )


def _sort_choices(q: str) -> list[tuple[str, str]]:
    choices = [
        ("recent", _("Recently updated")),
        ("popular", _("Most viewed")),
        ("title", _("Title")),
    ]
    return ([("relevance", _("Relevance"))] if q else []) + choices


def _query(request: HttpRequest, **changes: Any) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = str(value)
    return params.urlencode()


FACET_TITLES = {
    "organization": gettext_lazy("Department"),
    "groups": gettext_lazy("Theme"),
    "tags": gettext_lazy("Tag"),
    "res_format": gettext_lazy("Format"),
    "data_type": gettext_lazy("Data type"),
    "freshness": gettext_lazy("Freshness"),
    "geo_coverage": gettext_lazy("Geographic coverage"),
}


def _facet_label(municipality: Municipality, name: str, value: str) -> str:
    from django.utils.translation import get_language

    english = (get_language() or "th").startswith("en")
    if name == "organization":
        dept = Department.objects.filter(municipality=municipality, code=value).first()
        return (dept.name_en if english and dept.name_en else dept.name_th) if dept else value
    if name == "groups":
        from nakhon.catalog.models import Theme

        theme = Theme.objects.filter(municipality=municipality, slug=value).first()
        return (theme.name_en if english and theme.name_en else theme.name_th) if theme else value
    terms = {
        "data_type": vocab.DATA_TYPES,
        "geo_coverage": vocab.GEO_COVERAGES,
    }.get(name)
    if terms:
        term = vocab.term(terms, value)
        return (term.en if english else term.th) if term else value
    if name == "freshness":
        return {"fresh": _("Fresh"), "due": _("Due"), "overdue": _("Overdue")}.get(value, value)
    return value


def _facet_blocks(
    request: HttpRequest,
    municipality: Municipality,
    facets: dict[str, dict[str, int]],
    filters: list[tuple[str, str, bool]],
) -> list[dict[str, Any]]:
    chosen = {(name, value) for name, value, _ in filters}
    blocks = []
    for name in LIST_FACETS:
        items = []
        for value, count in list(facets.get(name, {}).items())[:12]:
            params = request.GET.copy()
            params.pop("page", None)
            values = params.getlist(name)
            active = (name, value) in chosen
            params.setlist(name, [v for v in values if v != value] if active else [*values, value])
            items.append(
                {
                    "label": _facet_label(municipality, name, value),
                    "count": count,
                    "active": active,
                    "query": params.urlencode(),
                }
            )
        if items:
            blocks.append({"name": name, "title": FACET_TITLES[name], "items": items})
    return blocks


def _metadata_rows(d: Dataset) -> list[tuple[str, str]]:
    def label(terms: tuple[vocab.Term, ...], code: str) -> str:
        term = vocab.term(terms, code)
        return term.th if term else code

    def labels(terms: tuple[vocab.Term, ...], codes: list[str]) -> str:
        return ", ".join(label(terms, c) for c in codes) or "—"

    rows = [
        (_("Data type"), label(vocab.DATA_TYPES, d.data_type)),
        (_("Organisation"), d.department.name_th),
        (_("Contact"), d.maintainer or "—"),
        (_("Data classification"), label(vocab.CLASSIFICATIONS, d.classification)),
        (_("Objective"), labels(vocab.OBJECTIVES, d.objective)),
        (
            _("Update frequency"),
            f"{d.update_frequency_interval} / "
            f"{label(vocab.FREQUENCY_UNITS, d.update_frequency_unit)}",
        ),
        (_("Geographic coverage"), label(vocab.GEO_COVERAGES, d.geo_coverage)),
        (_("Source"), d.data_source or "—"),
        (_("Format"), labels(vocab.DATA_FORMATS, d.data_format)),
        (_("Licence"), label(vocab.LICENSES, d.license)),
        (_("Smallest unit of collection"), label(vocab.COLLECTION_UNITS, d.data_collect)),
        (_("Language"), labels(vocab.LANGUAGES, d.data_language)),
    ]
    if d.accessible_condition:
        rows.append((_("Accessible condition"), d.accessible_condition))
    if d.data_type == "statistical":
        rows += [
            (_("Years of data (B.E.)"), f"{d.first_year_be or '—'} – {d.last_year_be or '—'}"),
            (_("Disaggregation"), labels(vocab.DISAGGREGATIONS, d.disaggregate)),
            (_("Unit of measure"), d.unit_of_measure or "—"),
            (_("Unit multiplier"), label(vocab.MULTIPLIERS, d.unit_multiplier) or "—"),
            (_("Calculation method"), d.calculation_method or "—"),
        ]
    if d.data_type == "geospatial":
        rows += [
            (
                _("Geographic data set"),
                label(vocab.GEOGRAPHIC_DATA_SETS, d.geographic_data_set) or "—",
            ),
            (_("Equivalent scale"), d.equivalent_scale or "—"),
        ]
    return rows + extras.extras_rows(d.extras or {})


@municipality_view
def dataset_detail(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponse:
    """A dataset: metadata, freshness, versions, a preview (of ?version=N too), downloads,
    API examples and a citation with a version-stable address."""
    dataset = selectors.dataset_get(actor=request.user, municipality=municipality, slug=ds)
    pipeline.versions_sync(dataset)
    dataset.refresh_from_db()
    versions = list(dataset.versions.order_by("-number")[:10])
    version = _int(request.GET.get("version"))
    preview = lake_service.rows(actor=request.user, dataset=dataset, version=version, limit=20)
    services.dataset_seen(dataset, actor=request.user)
    shown = preview.version
    downloads = _downloads(municipality, dataset, shown.number if shown else None)
    if wants_json(request):
        return JsonResponse(
            {
                **selectors.dataset_summary(dataset),
                "description_th": dataset.description_th,
                "description_en": dataset.description_en,
                "table_schema": dataset.table_schema,
                "extras": extras.extras_public(dataset.extras or {}),
                "versions": [v.as_dict() for v in versions],
                "version": shown.number if shown else None,
                "preview": {
                    "columns": preview.columns,
                    "rows": preview.rows,
                    "total": preview.total,
                    "masked": preview.masked,
                },
                "downloads": {fmt: request.build_absolute_uri(url) for fmt, url in downloads},
            },
            json_dumps_params={"ensure_ascii": False, "default": str},
        )
    runs = []
    if can(request.user, "dataset.validate", municipality):
        runs = list(dataset.runs.order_by("-id")[:10])
    return render(
        request,
        "portal/data/dataset_detail.html",
        {
            "dataset": dataset,
            "freshness": selectors.dataset_freshness(dataset),
            "metadata": _metadata_rows(dataset),
            "versions": versions,
            "preview": preview,
            "shown": shown,
            "pinned": version is not None,
            "downloads": downloads,
            "examples": _examples(request, municipality, dataset, downloads),
            "citation": _citation(request, municipality, dataset, shown),
            "runs": runs,
            "can_upload": can(request.user, "dataset.ingest", municipality),
            **visuals.page_context(
                municipality, dataset, downloads, shown, language=get_language() or "th"
            ),
        },
    )


def _downloads(
    municipality: Municipality, dataset: Dataset, version: int | None
) -> list[tuple[str, str]]:
    from django.urls import reverse

    if version is None:
        return []
    out = []
    for fmt in lake_service.export_formats(dataset):
        url = reverse(
            "portal:dataset-download",
            kwargs={"slug": municipality.slug, "ds": dataset.slug, "fmt": fmt},
        )
        out.append((fmt, f"{url}?version={version}"))
    return out


def _examples(
    request: HttpRequest,
    municipality: Municipality,
    dataset: Dataset,
    downloads: list[tuple[str, str]],
) -> dict[str, str]:
    """Ready-to-run API examples (curl, Python) for this dataset."""
    base = request.build_absolute_uri("/").rstrip("/")
    city = f"{base}/{municipality.slug}"
    rows = f"{base}/api/v1/municipalities/{municipality.slug}/datasets/{dataset.slug}/rows?limit=10"
    csv_url = base + dict(downloads).get("csv", "") if downloads else ""
    return {
        "curl": f"curl '{rows}'\n"
        f"curl -X POST '{city}/api/3/action/package_show' -H 'Content-Type: application/json' "
        f'-d \'{{"id": "{dataset.slug}"}}\'',
        "python": "import ckanapi\n"
        f"city = ckanapi.RemoteCKAN('{city}')\n"
        f"dataset = city.action.package_show(id='{dataset.slug}')\n"
        + (f"import pandas\ntable = pandas.read_csv('{csv_url}')" if csv_url else ""),
    }


def _citation(
    request: HttpRequest, municipality: Municipality, dataset: Dataset, version: Any
) -> str:
    """APA-style, with the version-stable address of the version shown."""
    from django.urls import reverse

    from nakhon.core import thai

    url = request.build_absolute_uri(
        reverse("portal:dataset-detail", kwargs={"slug": municipality.slug, "ds": dataset.slug})
    )
    english = (request.LANGUAGE_CODE or "th").startswith("en")
    name = municipality.name_en if english else municipality.name_th
    title = dataset.title_en if english and dataset.title_en else dataset.title_th
    if version is None:
        return f"{name}. {title}. {url}"
    year = version.committed_at.year if english else version.committed_at.year + 543
    today = timezone.localdate()
    retrieved = (
        f"Retrieved {today.isoformat()}" if english else f"สืบค้นเมื่อ {thai.format_thai_date(today)}"
    )
    label = "version" if english else "รุ่น"
    stable = f"{url}?version={version.number}"
    return f"{name}. ({year}). {title} [{label} {version.number}]. {retrieved}, {stable}"


ROW_OPERATORS = (
    ("eq", "="),
    ("ne", "≠"),
    ("lt", "<"),
    ("lte", "≤"),
    ("gt", ">"),
    ("gte", "≥"),
    ("contains", gettext_lazy("contains")),
)


@municipality_view
def dataset_rows(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponse:
    """Rows of the current version, of a version (?version=N) or as of a date (?as_of=),
    with a text search (?q=), a filter (?col=&op=&val=), a sort (?sort=&desc=1) and pages."""
    from nakhon.lake import query as lake_query

    dataset = selectors.dataset_get(actor=request.user, municipality=municipality, slug=ds)
    version = _int(request.GET.get("version"))
    as_of = _as_of(request.GET.get("as_of"))
    limit = min(_int(request.GET.get("limit")) or 50, 1000)
    offset = max(_int(request.GET.get("offset")) or 0, 0)
    column, op, value = (request.GET.get(k, "") for k in ("col", "op", "val"))
    conditions = [lake_query.Condition(column, op or "eq", value)] if column and value else []
    sort = request.GET.get("sort", "")
    spec = lake_query.Spec(
        conditions=conditions,
        q=request.GET.get("q", ""),
        sort=[(sort, request.GET.get("desc") == "1")] if sort else [],
        limit=limit,
        offset=offset,
    )
    page = lake_service.query(
        actor=request.user, dataset=dataset, spec=spec, version=version, as_of=as_of
    )
    result = page.result
    total = result.total or 0
    if wants_json(request):
        return JsonResponse(
            {
                "version": page.version.number if page.version else None,
                "columns": result.columns,
                "rows": [list(r.values()) for r in result.rows],
                "total": total,
                "offset": offset,
                "limit": limit,
                "hidden": page.hidden,
            },
            json_dumps_params={"ensure_ascii": False, "default": str},
        )
    return render(
        request,
        "portal/data/dataset_rows.html",
        {
            "dataset": dataset,
            "page": page,
            "columns": result.columns,
            "rows": [list(r.values()) for r in result.rows],
            "total": total,
            "as_of": request.GET.get("as_of", ""),
            "params": {
                "q": spec.q,
                "col": column,
                "op": op or "eq",
                "val": value,
                "sort": sort,
                "desc": request.GET.get("desc") == "1",
            },
            "operators": ROW_OPERATORS,
            "sort_links": {
                c: _query(
                    request, sort=c, desc="0" if sort == c and spec.sort[0][1] else "1", offset=0
                )
                for c in result.columns
            },
            "next_query": _query(request, offset=offset + limit)
            if offset + limit < total
            else None,
            "prev_query": _query(request, offset=max(offset - limit, 0)) if offset else None,
            "versions": list(dataset.versions.order_by("-number")),
        },
    )


@municipality_view
def dataset_diff(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponse:
    dataset = selectors.dataset_get(actor=request.user, municipality=municipality, slug=ds)
    old, new = _int(request.GET.get("from")), _int(request.GET.get("to"))
    versions = list(dataset.versions.order_by("-number"))
    if (old is None or new is None) and len(versions) >= 2:
        new, old = versions[0].number, versions[1].number
    result = None
    if old is not None and new is not None:
        result = lake_service.diff(actor=request.user, dataset=dataset, old=old, new=new)
    if wants_json(request):
        return JsonResponse(
            {"from": old, "to": new, "diff": result},
            json_dumps_params={"ensure_ascii": False, "default": str},
        )
    return render(
        request,
        "portal/data/dataset_diff.html",
        {
            "dataset": dataset,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": result,
        },
    )


# --- the steward's desk -------------------------------------------------------------------


def _clean_file(form: forms.Form) -> Any:
    upload = form.cleaned_data["file"]
    suffixes = pipeline.upload_suffixes()
    if Path(upload.name).suffix.lower() not in suffixes:
        raise forms.ValidationError(
            _("Nakhon reads %(kinds)s files.") % {"kinds": ", ".join(sorted(suffixes))}
        )
    return upload


class NewDatasetForm(forms.Form):
    slug = forms.SlugField(
        label=gettext_lazy("Short name (in addresses)"),
        max_length=80,
        help_text=gettext_lazy("Lower-case letters, digits and hyphens."),
    )
    title_th = forms.CharField(label=gettext_lazy("Title (Thai)"), max_length=300)
    title_en = forms.CharField(
        label=gettext_lazy("Title (English)"), max_length=300, required=False
    )
    department = forms.ChoiceField(label=gettext_lazy("Department"))
    data_type = forms.ChoiceField(
        label=gettext_lazy("Data type"), choices=vocab.choices(vocab.DATA_TYPES)
    )
    classification = forms.ChoiceField(
        label=gettext_lazy("Data classification"), choices=vocab.choices(vocab.CLASSIFICATIONS)
    )
    update_frequency_unit = forms.ChoiceField(
        label=gettext_lazy("Updated every"), choices=vocab.choices(vocab.FREQUENCY_UNITS)
    )
    update_frequency_interval = forms.IntegerField(
        label=gettext_lazy("Interval"), min_value=1, initial=1
    )
    mode = forms.ChoiceField(label=gettext_lazy("Publish mode"), choices=Dataset.Mode.choices)
    policy = forms.ChoiceField(label=gettext_lazy("Publish policy"), choices=Dataset.Policy.choices)
    description_th = forms.CharField(
        label=gettext_lazy("Description (Thai)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or TIS-620), Excel, JSON, GeoJSON, zipped Shapefile or Parquet."
        ),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet or layer (optional)"), required=False, max_length=100
    )

    clean_file = _clean_file

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            (d.code, d.name_th) for d in Department.objects.filter(municipality=municipality)
        ]
        self.extra_fields = extras.metadata_fields()  # the fields plugins add
        for field in self.extra_fields:
            self.fields[field.form_name] = field.form_field(get_language())

    def metadata(self) -> dict[str, Any]:
        """The cleaned metadata for ``dataset_create``, with the plugins' fields in ``extras``."""
        names = {f.form_name for f in self.extra_fields}
        skip = {"slug", "file", "sheet", *names}
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        if self.extra_fields:
            data["extras"] = {f.name: self.cleaned_data.get(f.form_name) for f in self.extra_fields}
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    sheet = forms.CharField(
        label=gettext_lazy("Sheet or layer (optional)"), required=False, max_length=100
    )
    publish = forms.BooleanField(label=gettext_lazy("Publish at once if valid"), required=False)

    clean_file = _clean_file


@municipality_view
def desk(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    require(request.user, "dataset.validate", municipality)
    pipeline.runs_reap(municipality)
    due = selectors.datasets_due(actor=request.user, municipality=municipality)
    runs = IngestRun.objects.filter(municipality=municipality).select_related("dataset")[:20]
    if wants_json(request):
        return JsonResponse(
            {"due": [selectors.dataset_summary(d) for d, _f in due]},
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request,
        "portal/data/desk.html",
        {
            "due": due,
            "runs": runs,
            "can_create": can(request.user, "dataset.create", municipality),
        },
    )


def _start(
    request: HttpRequest, municipality: Municipality, dataset: Dataset, form: Any, *, publish: bool
) -> IngestRun:
    upload = form.cleaned_data["file"]
    # the same check ingest_in_background makes, before the file is kept: a refused upload
    # must not stay on disk (it may hold personal data, and no run would ever sweep it)
    require(request.user, "dataset.ingest" if publish else "dataset.validate", municipality)
    path = pipeline.upload_store(
        municipality=municipality, name=upload.name, chunks=upload.chunks()
    )
    return pipeline.ingest_in_background(
        actor=request.user,
        municipality=municipality,
        dataset=dataset,
        path=path,
        source_name=upload.name,
        publish=publish,
        sheet=pipeline.sheet_choice(form.cleaned_data["sheet"]),
    )


@municipality_view
@require_http_methods(["GET", "POST"])
def dataset_new(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    require(request.user, "dataset.create", municipality)
    form = NewDatasetForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.metadata()
        try:
            dataset = services.dataset_create(
                actor=request.user,
                municipality=municipality,
                slug=form.cleaned_data["slug"],
                data=data,
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            run = _start(request, municipality, dataset, form, publish=False)
            return redirect("portal:run-detail", municipality.slug, run.pk)
    return render(request, "portal/data/dataset_new.html", {"form": form})


@municipality_view
@require_http_methods(["GET", "POST"])
def dataset_upload(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponseBase:
    require(request.user, "dataset.ingest", municipality)
    dataset = selectors.dataset_get(actor=request.user, municipality=municipality, slug=ds)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = _start(request, municipality, dataset, form, publish=form.cleaned_data["publish"])
        return redirect("portal:run-detail", municipality.slug, run.pk)
    return render(request, "portal/data/dataset_upload.html", {"dataset": dataset, "form": form})


@municipality_view
def run_detail(request: HttpRequest, municipality: Municipality, run_id: int) -> HttpResponse:
    run = selectors.run_get(actor=request.user, municipality=municipality, run_id=run_id)
    if not run.is_final and pipeline.runs_reap(municipality, run_id=run.pk):
        run.refresh_from_db()  # its worker died: the page shows it failed, not at work forever
    summary = run.summary or {}
    context = {
        "run": run,
        "summary": summary,
        "problems": summary.get("problems", [])[:100],
        "rule_counts": summary.get("counts", []),
        "schema": (run.dataset.table_schema if run.dataset else {}) or {},
        "can_publish": selectors.run_publishable(
            actor=request.user, municipality=municipality, run=run
        ),
    }
    if wants_json(request):
        return JsonResponse(
            {
                "id": run.pk,
                "state": run.state,
                "progress": run.progress,
                "rows_read": run.rows_read,
                "rows_valid": run.rows_valid,
                "rows_error": run.rows_error,
                "error_code": run.error_code,
                "error_message": run.error_message,
                "summary": summary,
                "snapshot_id": run.snapshot_id,
                "final": run.is_final,
            },
            json_dumps_params={"ensure_ascii": False, "default": str},
        )
    template = (
        "portal/data/_run_state.html"
        if request.headers.get("HX-Request")
        else "portal/data/run_detail.html"
    )
    return render(request, template, context)


@municipality_view
@require_POST
def run_publish(request: HttpRequest, municipality: Municipality, run_id: int) -> HttpResponseBase:
    run = selectors.run_get(actor=request.user, municipality=municipality, run_id=run_id)
    new_run = pipeline.run_publish(actor=request.user, municipality=municipality, run=run)
    return redirect("portal:run-detail", municipality.slug, new_run.pk)


@municipality_view
def run_report(request: HttpRequest, municipality: Municipality, run_id: int) -> HttpResponseBase:
    """The whole problem list of a run as CSV (UTF-8 with BOM, opens in Excel)."""
    run = selectors.run_get(actor=request.user, municipality=municipality, run_id=run_id)
    path = Path(run.report_file) if run.report_file else None
    if path is None or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"report-{municipality.slug}-run-{run.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@municipality_view
def dataset_download(
    request: HttpRequest, municipality: Municipality, ds: str, fmt: str
) -> HttpResponseBase:
    """The current version (or ?version=N) as CSV (UTF-8 with BOM), XLSX, JSON, GeoJSON or
    Parquet; personal columns left out unless the reader may see them."""
    dataset = selectors.dataset_get(actor=request.user, municipality=municipality, slug=ds)
    out = lake_service.export(
        actor=request.user, dataset=dataset, fmt=fmt, version=_int(request.GET.get("version"))
    )
    services.dataset_seen(dataset, actor=request.user, download=True)
    handle = out.path.open("rb")
    if out.temporary:  # personal data: nothing stays on disk once sent
        out.path.unlink()
    response = FileResponse(
        handle, as_attachment=True, filename=out.filename, content_type=out.content_type
    )
    if out.temporary or not dataset.is_public:
        response["Cache-Control"] = "private, no-store"
        return response
    response["Access-Control-Allow-Origin"] = "*"
    response["ETag"] = f'"{out.path.stem}"'
    pinned = request.GET.get("version") is not None  # a version never changes
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if pinned else "public, max-age=300"
    )
    return response


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        raise InvalidInput(_("Expected a whole number, got %(v)s.") % {"v": value}) from None


def _as_of(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    from nakhon.core import thai

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        try:
            day = thai.parse_thai_date(value, era="auto")
        except thai.ThaiDateError as exc:
            raise InvalidInput(exc.message_en) from None
    end = dt.datetime.combine(day, dt.time.max)
    return timezone.make_aware(end)


@municipality_view
@require_http_methods(["GET", "POST"])
def sql_console(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Staff-only, read-only SQL over the city's lake tables (nakhon.lake.sql)."""
    from nakhon.lake import sql as lake_sql

    available = lake_sql.tables(actor=request.user, municipality=municipality)
    text = request.POST.get("sql", "") if request.method == "POST" else request.GET.get("sql", "")
    result, error = None, ""
    if request.method == "POST" and text.strip():
        try:
            result = lake_sql.run(actor=request.user, municipality=municipality, sql=text)
        except InvalidInput as exc:
            error = exc.message
    if not text and available:
        first = available[0]
        text = f"SELECT *\nFROM {first.name}\nLIMIT 20"
    return render(
        request,
        "portal/data/sql_console.html",
        {"tables": available, "sql": text, "result": result, "error": error},
        status=422 if error else 200,
    )
