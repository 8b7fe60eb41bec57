"""The lake as the rest of Nakhon sees it: per dataset, with permissions and PDPA masking.

``nakhon.lake.iceberg`` is pure (tables, snapshots, scans); this module knows datasets,
versions and who may see which columns.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from nakhon.catalog.models import Dataset, DatasetVersion
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can
from nakhon.lake import duck, serving, serving_index
from nakhon.lake.diff import quote

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
    row = _latest_version(dataset)
    return (row.snapshot_id if row else None), row


# dataset id -> its latest version; versions never change once recorded
_latest: dict[int, DatasetVersion] = {}


def _latest_version(dataset: Dataset) -> DatasetVersion | None:
    """The dataset's latest version, without a query when it is the one this process saw last:
    the dataset row (read for this request) names its current snapshot, which a publish sets
    in the same step as it records the version."""
    current = dataset.current_snapshot_id
    seen = _latest.get(dataset.pk)
    if current is not None and seen is not None and seen.snapshot_id == current:
        return copy.copy(seen)  # a request's own instance: what it caches on it stays its own
    row = DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()
    if row is not None and current is not None and row.snapshot_id == current:
        if len(_latest) > 10_000:
            _latest.clear()
        _latest[dataset.pk] = copy.copy(row)
    return row


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
    con = serving.cursor()
    try:
        relation = _served(dataset, snapshot_id, con)
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
    if show_personal and data:
        _audit_personal(actor, dataset, columns, version_row, rows=len(data), offset=offset)
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


def _served(dataset: Dataset, snapshot_id: int, con: Any) -> Any:
    """The version as a relation on ``con`` (a cursor of the serving database): its in-memory
    copy when it is kept there, else a scan of the lake."""
    found = _served_table(dataset, snapshot_id)
    if found:
        return con.table(found[0])
    return _scan(table_ref_for(dataset), snapshot_id=snapshot_id, con=con)


def _served_table(dataset: Dataset, snapshot_id: int) -> tuple[str, dict[str, str]] | None:
    """(name, column types) of the version's in-memory copy, loaded on first use; None when
    it is too big to keep. Keyed by the dataset's id: the table reference (city and dataset
    slugs) costs a database query, and is only needed to load the copy."""

    def scan(cursor: Any) -> Any:
        return _scan(table_ref_for(dataset), snapshot_id=snapshot_id, con=cursor)

    return serving.cached(f"dataset:{dataset.pk}", snapshot_id, scan)


def _visible_columns(actor: Any, dataset: Dataset, snapshot_id: int) -> tuple[list[str], list[str]]:
    """(columns the actor may read, personal columns left out for them)."""
    con = duck.connect()
    try:
        columns = list(_scan(table_ref_for(dataset), snapshot_id=snapshot_id, con=con).columns)
    finally:
        con.close()
    personal = set(dataset.personal_columns())
    if can(actor, "personal_data.view", dataset.municipality):
        return columns, []
    return [c for c in columns if c not in personal], [c for c in columns if c in personal]


def _audit_personal(
    actor: Any, dataset: Dataset, columns: list[str], version: DatasetVersion | None, **extra: Any
) -> None:
    personal = sorted(set(dataset.personal_columns()) & set(columns))
    if personal:
        audit_record(
            actor=actor,
            action="personal_data.read",
            municipality=dataset.municipality,
            obj=dataset,
            personal_data=True,
            changes={"fields": personal, "version": version.number if version else None, **extra},
        )


@dataclass
class QueryPage:
    result: Any  # nakhon.lake.query.Result
    version: DatasetVersion | None
    hidden: list[str]  # personal columns left out for this actor


def query(
    *,
    actor: Any,
    dataset: Dataset,
    spec: Any,
    version: int | None = None,
    as_of: dt.datetime | None = None,
) -> QueryPage:
    """Rows of a version answered by ``spec`` (``nakhon.lake.query.Spec``): filters, text,
    sort, page, group-by. Personal columns are *left out* (not masked) for an actor who may not
    see personal data, so they cannot be filtered, sorted or searched on either; a read that
    includes them is audited. A bad spec raises InvalidInput naming the parameter."""
    from nakhon.lake import query as lake_query

    snapshot_id, version_row = _snapshot(dataset, version, as_of)
    if snapshot_id is None:
        empty = lake_query.Result([], {}, [], 0, spec.limit, spec.offset)
        return QueryPage(empty, None, [])
    personal = set(dataset.personal_columns())
    # no permission lookup when the dataset declares no personal column
    may_see = not personal or can(actor, "personal_data.view", dataset.municipality)
    con = serving.cursor()
    try:
        found = _served_table(dataset, snapshot_id)
        relation = (
            con.table(found[0])
            if found
            else _scan(table_ref_for(dataset), snapshot_id=snapshot_id, con=con)
        )
        types = found[1] if found else lake_query.column_types(relation)
        hidden = [] if may_see else [c for c in types if c in personal]
        visible = [c for c in types if c not in hidden]
        result = None
        if not (personal & set(visible)):
            # the indexed SQLite copy (nakhon.lake.serving_index) holds no personal column
            served = _serving_copy(dataset, snapshot_id, types, personal)
            if served is not None and lake_query.sqlite_answers(spec, served.indexed):
                result = lake_query.run_sqlite(
                    serving_index.connection(served),
                    serving_index.TABLE,
                    spec,
                    types=served.types,
                    con=con,
                    rows=served.rows,
                )
        if result is None and found:
            # straight from the in-memory table: no view to register per request
            source = (
                quote(found[0])
                if not hidden
                else f"(SELECT {', '.join(quote(c) for c in visible)} FROM {quote(found[0])})"  # noqa: S608
            )
            if hidden:
                relation = relation.project(", ".join(quote(c) for c in visible))
            result = lake_query.run(
                con, relation, spec, source=source, types={c: types[c] for c in visible}
            )
        elif result is None:
            if hidden:
                relation = relation.project(", ".join(quote(c) for c in visible))
            result = lake_query.run(con, relation, spec)
    except lake_query.QueryError as exc:
        raise InvalidInput(
            exc.message, errors={exc.param: exc.message} if exc.param else None
        ) from None
    finally:
        con.close()
    if result.rows:
        _audit_personal(actor, dataset, result.columns, version_row, rows=len(result.rows))
    return QueryPage(result, version_row, hidden)


def _serving_copy(
    dataset: Dataset, snapshot_id: int, types: dict[str, str], personal: set[str]
) -> Any:
    """The version's indexed SQLite copy (its columns that are not personal) when it is
    ready, else None — and then it is built in the background if the version is big enough."""

    def source() -> Any:
        ref = table_ref_for(dataset)
        return lambda cursor: _scan(ref, snapshot_id=snapshot_id, con=cursor)

    public = {c: t for c, t in types.items() if c not in personal}
    return serving_index.copy_for(f"dataset-{dataset.pk}", snapshot_id, public, source)


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "geojson": ("application/geo+json", "geojson"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
}
XLSX_MAX_ROWS = 1_048_575


@dataclass
class Export:
    path: Any  # pathlib.Path
    filename: str
    content_type: str
    temporary: bool  # delete after sending (it holds personal data)
    version: DatasetVersion


def geometry_columns(dataset: Dataset) -> tuple[str | None, tuple[str, str] | None]:
    """(GeoJSON geometry column, (latitude, longitude) columns) from the table schema."""
    columns = dataset.table_schema.get("columns", [])
    geometry = next((c["name"] for c in columns if c.get("type") == "geometry"), None)
    lat = next((c["name"] for c in columns if c.get("type") == "latitude"), None)
    lon = next((c["name"] for c in columns if c.get("type") == "longitude"), None)
    return geometry, ((lat, lon) if lat and lon else None)


def export_formats(dataset: Dataset) -> list[str]:
    geometry, point = geometry_columns(dataset)
    return [f for f in EXPORT_FORMATS if f != "geojson" or geometry or point]


def export(*, actor: Any, dataset: Dataset, fmt: str, version: int | None = None) -> Export:
    """A download of a version in ``fmt``. What the public may see is written once per version
    and kept (versions never change); a download with personal columns is written for this
    request only, deleted once sent, and audited."""
    import os
    import tempfile
    from pathlib import Path

    if fmt not in EXPORT_FORMATS or fmt not in export_formats(dataset):
        raise NotFound(_("This dataset has no %(fmt)s download.") % {"fmt": fmt})
    snapshot_id, version_row = _snapshot(dataset, version, None)
    if snapshot_id is None or version_row is None:
        raise NotFound(_("This dataset has no published version yet."))
    visible, _hidden = _visible_columns(actor, dataset, snapshot_id)
    personal = bool(set(dataset.personal_columns()) & set(visible))
    content_type, ext = EXPORT_FORMATS[fmt]
    filename = f"{dataset.municipality.slug}-{dataset.slug}-v{version_row.number}.{ext}"
    cache = Path(settings.DATA_DIR) / "cache" / "downloads" / dataset.municipality.slug
    cache = cache / dataset.slug
    cache.mkdir(parents=True, exist_ok=True)
    # the key holds the columns written: marking a column personal later never serves a file
    # written before with it
    import hashlib

    columns_key = hashlib.sha256("\x1f".join(visible).encode()).hexdigest()[:12]
    target = cache / f"{snapshot_id}-{columns_key}.{ext}"
    if not personal and target.exists():
        return Export(target, filename, content_type, False, version_row)
    fd, tmp_name = tempfile.mkstemp(dir=cache, suffix=f".{ext}.part")
    os.close(fd)
    tmp = Path(tmp_name)
    con = duck.connect()
    try:
        relation = _scan(table_ref_for(dataset), snapshot_id=snapshot_id, columns=visible, con=con)
        _write(con, relation, fmt, tmp, dataset)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    if personal:
        _audit_personal(actor, dataset, visible, version_row, download=fmt)
        return Export(tmp, filename, content_type, True, version_row)
    os.replace(tmp, target)
    return Export(target, filename, content_type, False, version_row)


def _write(con: Any, relation: Any, fmt: str, path: Any, dataset: Dataset) -> None:
    relation.create_view("nakhon_export", replace=True)
    target = str(path).replace("'", "''")
    if fmt == "parquet":
        con.execute(f"COPY nakhon_export TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    elif fmt == "json":
        con.execute(f"COPY nakhon_export TO '{target}' (FORMAT json, ARRAY true)")
    elif fmt == "csv":
        _write_csv(relation, path)
    elif fmt == "xlsx":
        _write_xlsx(relation, path)
    else:
        _write_geojson(relation, path, dataset)


def _batches(relation: Any) -> Any:
    reader = relation.to_arrow_reader(batch_size=50_000)
    yield from reader


def _write_csv(relation: Any, path: Any) -> None:
    """UTF-8 with a byte-order mark, so Excel opens Thai text right."""
    import pyarrow.csv as pacsv

    with open(path, "wb") as out:
        out.write(b"\xef\xbb\xbf")
        writer = None
        for batch in _batches(relation):
            if writer is None:
                writer = pacsv.CSVWriter(out, batch.schema)
            writer.write_batch(batch)
        if writer is None:
            out.write((",".join(relation.columns) + "\n").encode())
        else:
            writer.close()


def _write_xlsx(relation: Any, path: Any) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    count = relation.aggregate("count(*)").fetchone()
    if count and int(count[0]) > XLSX_MAX_ROWS:
        raise InvalidInput(
            _("This version has %(n)s rows, more than Excel's limit; download CSV or Parquet.")
            % {"n": f"{int(count[0]):,}"}
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(list(relation.columns))
    for batch in _batches(relation):
        for row in batch.to_pylist():
            sheet.append([_xlsx_cell(v) for v in row.values()])
    book.save(path)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        from nakhon.ingestion.report import escape_formula

        return escape_formula(value)
    return value


def _write_geojson(relation: Any, path: Any, dataset: Dataset) -> None:
    """A FeatureCollection: the geometry column (GeoJSON text), or a point from the latitude
    and longitude columns; the other columns are the properties."""
    import json

    geometry, point = geometry_columns(dataset)
    columns = list(relation.columns)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        first = True
        for batch in _batches(relation):
            for row in batch.to_pylist():
                shape = None
                if geometry and geometry in columns and row.get(geometry):
                    try:
                        shape = json.loads(row[geometry])
                    except ValueError:
                        shape = None
                elif point and row.get(point[0]) is not None and row.get(point[1]) is not None:
                    shape = {
                        "type": "Point",
                        "coordinates": [float(row[point[1]]), float(row[point[0]])],
                    }
                props = {k: v for k, v in row.items() if k != geometry}
                feature = {"type": "Feature", "geometry": shape, "properties": props}
                out.write(
                    ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False, default=str)
                )
                first = False
        out.write("\n]}\n")
