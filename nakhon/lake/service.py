"""The lake as the rest of Nakhon sees it: per dataset, with permissions and PDPA masking.

``nakhon.lake.iceberg`` is pure (tables, snapshots, scans); this module knows datasets,
versions and who may see which columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from nakhon.catalog.models import Dataset, DatasetVersion
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can
from nakhon.lake import duck

MASK = "•••"


def lake() -> Any:
    """The deployment's lake (Iceberg catalog + warehouse from the settings)."""
    from nakhon.lake.iceberg import Lake

    settings.NAKHON_LAKE_DIR.mkdir(parents=True, exist_ok=True)
    return Lake(settings.NAKHON_LAKE_DIR, settings.NAKHON_LAKE_CATALOG_URL)


def table_ref_for(dataset: Dataset) -> Any:
    from nakhon.lake.iceberg import table_ref

    return table_ref(dataset.municipality.slug, dataset.slug)


@dataclass
class Page:
    columns: list[str]
    rows: list[list[Any]]
    total: int
    offset: int
    limit: int
    version: DatasetVersion | None
    masked: list[str]


def _snapshot(
    dataset: Dataset, version: int | None, as_of: dt.datetime | None
) -> tuple[int | None, DatasetVersion | None]:
    if version is not None:
        row = DatasetVersion.objects.filter(dataset=dataset, number=version).first()
        if row is None:
            raise NotFound(_("No version %(n)s of this dataset.") % {"n": version})
        return row.snapshot_id, row
    if as_of is not None:
        row = (
            DatasetVersion.objects.filter(dataset=dataset, committed_at__lte=as_of)
            .order_by("-committed_at")
            .first()
        )
        if row is None:
            raise NotFound(_("The dataset had no published version at that time."))
        return row.snapshot_id, row
    row = DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()
    return (row.snapshot_id if row else None), row


def _scan(ref: Any, **kwargs: Any) -> Any:
    from nakhon.lake.model import LakeError

    try:
        return lake().scan(ref, **kwargs)
    except LakeError as exc:  # e.g. a version whose files were removed by hand
        raise NotFound(exc.message) from exc


def rows(
    *,
    actor: Any,
    dataset: Dataset,
    version: int | None = None,
    as_of: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """A page of the dataset's rows (current, a version, or as of a time). Personal columns
    are masked unless the actor may see personal data; an unmasked read is audited."""
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidInput(_("limit must be 1–1000 and offset ≥ 0."))
    snapshot_id, version_row = _snapshot(dataset, version, as_of)
    if snapshot_id is None:
        return Page([], [], 0, offset, limit, None, [])
    con = duck.connect()
    try:
        relation = _scan(table_ref_for(dataset), snapshot_id=snapshot_id, con=con)
        columns = list(relation.columns)
        count = relation.aggregate("count(*)").fetchone()
        total = int(count[0]) if count else 0
        # through Arrow: DuckDB's fetchall() would need pytz for timestamptz columns
        table = relation.limit(limit, offset).to_arrow_table()
        data = [tuple(row.values()) for row in table.to_pylist()]
    finally:
        con.close()
    personal = set(dataset.personal_columns())
    show_personal = can(actor, "personal_data.view", dataset.municipality)
    masked = [] if show_personal else [c for c in columns if c in personal]
    out = []
    for record in data:
        out.append(
            [MASK if (columns[i] in masked and v is not None) else v for i, v in enumerate(record)]
        )
    if show_personal and personal & set(columns) and data:
        audit_record(
            actor=actor,
            action="personal_data.read",
            municipality=dataset.municipality,
            obj=dataset,
            personal_data=True,
            changes={
                "fields": sorted(personal & set(columns)),
                "rows": len(data),
                "offset": offset,
                "version": version_row.number if version_row else None,
            },
        )
    return Page(columns, out, total, offset, limit, version_row, masked)


def diff(*, actor: Any, dataset: Dataset, old: int, new: int, limit: int = 50) -> dict[str, Any]:
    """What changed between two versions: counts, sample rows of each kind, schema changes."""
    old_row = DatasetVersion.objects.filter(dataset=dataset, number=old).first()
    new_row = DatasetVersion.objects.filter(dataset=dataset, number=new).first()
    if old_row is None or new_row is None:
        raise NotFound(_("No such version of this dataset."))
    key = dataset.table_schema.get("primary_key") or []
    personal = set(dataset.personal_columns())
    show_personal = can(actor, "personal_data.view", dataset.municipality)
    with lake().diff(
        table_ref_for(dataset), old_row.snapshot_id, new_row.snapshot_id, key=key
    ) as result:
        return _diff_dict(result, limit, masked=set() if show_personal else personal)


def _diff_dict(result: Any, limit: int, masked: set[str]) -> dict[str, Any]:
    def hidden(column: str) -> bool:
        # a changed row has old.<column> and new.<column>: mask those of personal columns too
        return column.removeprefix("old.").removeprefix("new.") in masked

    def sample(kind: str) -> dict[str, Any]:
        records = result.rows(kind, offset=0, limit=limit)
        columns = list(records[0].keys()) if records else []
        return {
            "columns": columns,
            "rows": [
                [MASK if hidden(c) and r[c] is not None else r[c] for c in columns] for r in records
            ],
        }

    return {
        "added": result.added,
        "removed": result.removed,
        "changed": result.changed,
        "schema_changes": [
            c.as_dict() if hasattr(c, "as_dict") else c for c in result.schema_changes
        ],
        "samples": {kind: sample(kind) for kind in ("added", "removed", "changed")},
    }
