"""API for datasets: metadata, freshness, versions, rows as of a version or a date, diffs,
and ingest runs (upload a file; follow the run's state and report)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
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


@router.get("/municipalities/{slug}/datasets", response=list[DatasetOut])
def datasets(request: HttpRequest, slug: str) -> Any:
    """Datasets with their freshness (public datasets only, unless you are staff of the city)."""
    m = account_selectors.municipality_get(slug=slug)
    return [
        selectors.dataset_summary(d)
        for d in selectors.dataset_list(actor=actor_of(request), municipality=m)
    ]


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
    return _run_out(selectors.run_get(actor=actor_of(request), municipality=m, run_id=run_id))
