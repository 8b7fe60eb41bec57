"""API for datasets: metadata, freshness, versions, rows as of a version or a date, diffs,
and ingest runs (upload a file; follow the run's state and report)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from nakhon.accounts import selectors as account_selectors
from nakhon.catalog import selectors
from nakhon.catalog.models import IngestRun
from nakhon.core.api_auth import actor_of
from nakhon.core.permissions import require
from nakhon.ingestion import pipeline
from nakhon.lake import service as lake_service

router = Router(tags=["datasets"])


class DatasetOut(Schema):
    slug: str
    title_th: str
    title_en: str
    department: str
    data_type: str
    classification: str
    update_frequency_unit: str
    update_frequency_interval: int
    last_published_at: dt.datetime | None
    rows: int | None
    freshness: str
    expected_by: dt.datetime | None


class VersionOut(Schema):
    number: int
    snapshot_id: int
    published_at: str
    published_by: str
    operation: str
    rows_total: int | None
    rows_added: int | None
    rows_deleted: int | None
    schema_changes: list[Any]
    source: str


class RowsOut(Schema):
    version: int | None
    columns: list[str]
    rows: list[list[Any]]
    total: int
    offset: int
    limit: int
    masked: list[str]


class RunOut(Schema):
    id: int
    dataset: str | None
    state: str
    final: bool
    progress: int
    source_name: str
    rows_read: int
    rows_valid: int | None
    rows_error: int | None
    error_code: str
    error_message: str
    snapshot_id: int | None
    summary: dict[str, Any]


def _run_out(run: IngestRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "dataset": run.dataset.slug if run.dataset else None,
        "state": run.state,
        "final": run.is_final,
        "progress": run.progress,
        "source_name": run.source_name,
        "rows_read": run.rows_read,
        "rows_valid": run.rows_valid,
        "rows_error": run.rows_error,
        "error_code": run.error_code,
        "error_message": run.error_message,
        "snapshot_id": run.snapshot_id,
        "summary": run.summary or {},
    }


class SearchOut(Schema):
    count: int
    datasets: list[DatasetOut]
    facets: dict[str, dict[str, int]]


@router.get("/municipalities/{slug}/datasets", response=list[DatasetOut])
def datasets(request: HttpRequest, slug: str) -> Any:
    """Datasets with their freshness (public datasets only, unless you are staff of the city)."""
    m = account_selectors.municipality_get(slug=slug)
    return [
        selectors.dataset_summary(d)
        for d in selectors.dataset_list(actor=actor_of(request), municipality=m)
    ]


@router.get("/municipalities/{slug}/search", response=SearchOut)
def search(
    request: HttpRequest,
    slug: str,
    q: str = "",
    filter: Query[list[str] | None] = None,
    sort: str = "",
    limit: int = 20,
    offset: int = 0,
    facet: Query[list[str] | None] = None,
) -> Any:
    """Search the catalog: ``q`` in Thai or English (Thai is cut into words, so ``ภาษีป้าย``
    finds ``ข้อมูลภาษีป้ายประจำปี``; small typos are forgiven), ``filter=organization:health``
    (repeatable; fields: organization, groups, tags, res_format, data_type, freshness,
    geo_coverage), ``sort`` as in CKAN (``score desc``, ``metadata_modified desc``,
    ``title_string asc``, ``views_recent desc``), facet counts for each ``facet``."""
    m = account_selectors.municipality_get(slug=slug)
    filters = [f for text in filter or [] for f in selectors.parse_fq(text)]
    result = selectors.dataset_search(
        actor=actor_of(request),
        municipality=m,
        q=q,
        filters=filters,
        sort=sort,
        rows=limit,
        start=offset,
        facet_fields=facet or [],
        full=False,  # the summary needs no tags, themes or resources
    )
    return {
        "count": result.count,
        "datasets": [selectors.dataset_summary(d) for d in result.datasets],
        "facets": result.facets,
    }


@router.get("/municipalities/{slug}/datasets/{ds}", response=DatasetOut)
def dataset(request: HttpRequest, slug: str, ds: str) -> Any:
    m = account_selectors.municipality_get(slug=slug)
    return selectors.dataset_summary(
        selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    )


@router.get("/municipalities/{slug}/datasets/{ds}/versions", response=list[VersionOut])
def versions(request: HttpRequest, slug: str, ds: str) -> Any:
    """Published versions, newest first: who, when, row counts, schema changes."""
    m = account_selectors.municipality_get(slug=slug)
    d = selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    pipeline.versions_sync(d)
    return [
        v.as_dict()
        for v in selectors.version_list(actor=actor_of(request), municipality=m, dataset=d)
    ]


@router.get("/municipalities/{slug}/datasets/{ds}/rows", response=RowsOut)
def rows(
    request: HttpRequest,
    slug: str,
    ds: str,
    version: int | None = None,
    as_of: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Any:
    """Rows of the current version, of ``version``, or as they were at ``as_of`` (ISO time).
    Personal-data columns are masked unless your role (and token scope) allows them."""
    m = account_selectors.municipality_get(slug=slug)
    d = selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    page = lake_service.rows(
        actor=actor_of(request), dataset=d, version=version, as_of=as_of, limit=limit, offset=offset
    )
    return {
        "version": page.version.number if page.version else None,
        "columns": page.columns,
        "rows": page.rows,
        "total": page.total,
        "offset": offset,
        "limit": limit,
        "masked": page.masked,
    }


class QueryOut(Schema):
    version: int | None
    columns: list[str]
    types: dict[str, str]
    rows: list[dict[str, Any]]
    total: int | None
    offset: int
    limit: int
    hidden: list[str]


def _pairs(values: list[str] | None, name: str, parts: int) -> list[list[str]]:
    from nakhon.core.errors import InvalidInput

    out = []
    for value in values or []:
        pieces = value.split(":", parts - 1)
        if len(pieces) != parts:
            raise InvalidInput(
                f"{name} must look like "
                + ("column:op:value" if parts == 3 else "function:column"),
                errors={name: value},
            )
        out.append(pieces)
    return out


@router.get("/municipalities/{slug}/datasets/{ds}/query", response=QueryOut)
def query(
    request: HttpRequest,
    slug: str,
    ds: str,
    fields: str = "",
    filter: Query[list[str] | None] = None,
    q: str = "",
    sort: str = "",
    group_by: str = "",
    aggregate: Query[list[str] | None] = None,
    limit: int = 100,
    offset: int = 0,
    include_total: bool = True,
    version: int | None = None,
    as_of: dt.datetime | None = None,
) -> Any:
    """Rows answered by a question, of the current version, of ``version`` or as of ``as_of``:
    ``fields=a,b`` · ``filter=column:op:value`` (repeatable; op: eq, ne, lt, lte, gt, gte,
    contains, in (values split by ``|``), null, notnull) · ``q`` (text in any text column) ·
    ``sort=a,-b`` (``-`` descending) · ``group_by=a,b`` with ``aggregate=sum:b``
    (repeatable; count, count_distinct, sum, avg, min, max; ``count:*``) · ``limit`` (≤ 10,000)
    and ``offset``. Personal-data columns are left out unless your role (and token scope)
    allows them; such reads are audited. There is no SQL here."""
    from nakhon.lake import query as lake_query

    d = selectors.dataset_get_by_slugs(actor=actor_of(request), municipality_slug=slug, slug=ds)
    conditions = [
        lake_query.Condition(c, op, v.split("|") if op == "in" else v)
        for c, op, v in _pairs(filter, "filter", 3)
    ]
    spec = lake_query.Spec(
        columns=[f.strip() for f in fields.split(",") if f.strip()] or None,
        conditions=conditions,
        q=q,
        sort=[
            (s.strip().lstrip("-"), s.strip().startswith("-")) for s in sort.split(",") if s.strip()
        ],
        limit=limit,
        offset=offset,
        group_by=[g.strip() for g in group_by.split(",") if g.strip()],
        aggregates=[(f, c) for f, c in _pairs(aggregate, "aggregate", 2)],
        include_total=include_total,
    )
    page = lake_service.query(
        actor=actor_of(request), dataset=d, spec=spec, version=version, as_of=as_of
    )
    data = {
        "version": page.version.number if page.version else None,
        "columns": page.result.columns,
        "types": page.result.types,
        "rows": page.result.rows,
        "total": page.result.total,
        "offset": offset,
        "limit": limit,
        "hidden": page.hidden,
    }
    # rendered as QueryOut says, without validating every row again (the service built them)
    from nakhon.config.api import api

    return api.create_response(request, data, status=200)


class SqlIn(Schema):
    sql: str


class SqlOut(Schema):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    seconds: float
    tables: list[str]


@router.post("/municipalities/{slug}/sql", response=SqlOut, tags=["staff"])
def sql(request: HttpRequest, slug: str, body: SqlIn) -> Any:
    """**Staff only** (data steward, executive, admin of the city): one read-only ``SELECT``
    in DuckDB SQL over the current version of the city's datasets (table names: the dataset
    slug with ``_`` for ``-``). No file or network access, a time limit, a row cap; personal
    columns exist only for roles that may see personal data. Every query is audited."""
    from nakhon.lake import sql as lake_sql

    m = account_selectors.municipality_get(slug=slug)
    result = lake_sql.run(actor=actor_of(request), municipality=m, sql=body.sql)
    return {
        "columns": result.columns,
        "rows": result.rows,
        "truncated": result.truncated,
        "seconds": result.seconds,
        "tables": result.tables,
    }


@router.get("/municipalities/{slug}/datasets/{ds}/download/{fmt}")
def download(request: HttpRequest, slug: str, ds: str, fmt: str, version: int | None = None) -> Any:
    """The whole version as ``csv`` (UTF-8 with BOM), ``xlsx``, ``json``, ``geojson`` (datasets
    with a geometry or latitude/longitude) or ``parquet``."""
    from django.http import FileResponse

    m = account_selectors.municipality_get(slug=slug)
    d = selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    out = lake_service.export(actor=actor_of(request), dataset=d, fmt=fmt, version=version)
    handle = out.path.open("rb")
    if out.temporary:
        out.path.unlink()
    return FileResponse(
        handle, as_attachment=True, filename=out.filename, content_type=out.content_type
    )


@router.get("/municipalities/{slug}/datasets/{ds}/diff")
def diff(request: HttpRequest, slug: str, ds: str, old: int, new: int) -> Any:
    """Rows added, removed and changed between versions ``old`` and ``new``, and schema changes."""
    m = account_selectors.municipality_get(slug=slug)
    d = selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    return lake_service.diff(actor=actor_of(request), dataset=d, old=old, new=new)


@router.post("/municipalities/{slug}/datasets/{ds}/runs", response={202: RunOut})
def upload(
    request: HttpRequest,
    slug: str,
    ds: str,
    file: File[UploadedFile],
    publish: Form[bool] = True,
    sheet: Form[str] = "",
) -> Any:
    """Upload a file for the dataset: it is validated and (with ``publish``) published as a new
    version when the dataset's policy allows. Follow the returned run until ``final``."""
    m = account_selectors.municipality_get(slug=slug)
    d = selectors.dataset_get(actor=actor_of(request), municipality=m, slug=ds)
    require(actor_of(request), "dataset.ingest" if publish else "dataset.validate", m)
    path = pipeline.upload_store(municipality=m, name=file.name or "upload", chunks=file.chunks())
    run = pipeline.ingest_in_background(
        actor=actor_of(request),
        municipality=m,
        dataset=d,
        path=path,
        source_name=file.name or path.name,
        publish=publish,
        sheet=pipeline.sheet_choice(sheet),
    )
    return Status(202, _run_out(run))


@router.get("/municipalities/{slug}/runs/{run_id}", response=RunOut)
def run(request: HttpRequest, slug: str, run_id: int) -> Any:
    m = account_selectors.municipality_get(slug=slug)
    found = selectors.run_get(actor=actor_of(request), municipality=m, run_id=run_id)
    if not found.is_final and pipeline.runs_reap(m, run_id=found.pk):
        found.refresh_from_db()  # its worker died: failed, not at work forever
    return _run_out(found)
