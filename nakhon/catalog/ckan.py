"""The CKAN Action API (read side), as a thin adapter over the catalog's selectors.

Existing open-data tools speak CKAN: ``ckanapi``, data.go.th's harvesters, CKAN's own
harvester, QGIS and R clients. Each municipality answers at ``/<slug>/api/3/action/<name>``
(and ``/<slug>/api/action/<name>``, which ``ckanapi`` calls), every municipality together at
``/api/3/action/<name>``. Results have CKAN's envelope (``help``, ``success``, ``result``) and
its error shapes (``__type``: ``Not Found Error``, ``Validation Error``, ``Authorization
Error``, ``Search Query Error``) with CKAN's status codes (404, 409, 403, 400).

Mapping, so a CKAN client finds what it expects:

* package = dataset: ``id`` a stable UUID (uuid5 of city and slug), ``name`` the slug (in the
  all-cities API ``<city>--<slug>``, since slugs are unique per city only), the GD Catalog
  fields of data.go.th's ``ckanext-thai-gdc`` schema as top-level keys with their Thai values
  (``data_type``, ``data_category``, ``objective``, ``update_frequency_unit`` …), plus
  ``title_translated``/``notes_translated`` ({"th", "en"}) as ckanext-fluent does;
* organization = department; group = theme; tag = tag;
* resources = one per download format of the current version (the CSV one is
  ``datastore_active``), then the dataset's own files and links;
* ``datastore_search`` reads the lake through ``nakhon.lake.service.query``: personal
  columns are left out for anyone who may not see personal data, and there is no SQL action.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from nakhon.accounts.models import Department, Municipality
from nakhon.catalog import selectors, vocab
from nakhon.catalog.extras import extras_public
from nakhon.catalog.models import Dataset, Resource, Tag, Theme
from nakhon.core.errors import InvalidInput, NakhonError, NotFound, PermissionDenied

NAMESPACE = uuid.UUID("6f1c2a3e-4b5d-5e6f-8a9b-0c1d2e3f4a5b")
CKAN_VERSION = "2.10.4"
API_VERSION = 3
ACTIONS: dict[str, Callable[[Context, dict[str, Any]], Any]] = {}
DATASTORE_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "bool",
    "TINYINT": "int",
    "SMALLINT": "int",
    "INTEGER": "int",
    "BIGINT": "int",
    "HUGEINT": "numeric",
    "FLOAT": "float",
    "DOUBLE": "float",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


class CkanError(Exception):
    """An error in CKAN's shape: ``__type``, HTTP status, message, and per-field errors."""

    def __init__(
        self, kind: str, status: int, message: str, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.kind, self.status, self.message, self.fields = kind, status, message, fields or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"__type": self.kind, "message": self.message}
        error.update({k: v if isinstance(v, list) else [v] for k, v in self.fields.items()})
        return error

    @classmethod
    def from_nakhon(cls, exc: NakhonError) -> CkanError:
        if isinstance(exc, NotFound):
            return cls("Not Found Error", 404, f"Not found: {exc.message}")
        if isinstance(exc, PermissionDenied) or exc.status in (401, 403):
            return cls("Authorization Error", 403, f"Access denied: {exc.message}")
        fields = getattr(exc, "errors", None) or {}
        return cls("Validation Error", 409, exc.message, fields)


@dataclass
class Context:
    actor: Any
    municipality: Municipality | None  # None: every municipality (public data only)
    base_url: str  # scheme://host, for absolute URLs

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def action(name: str) -> Callable[[Callable[[Context, dict[str, Any]], Any]], Any]:
    def register(func: Callable[[Context, dict[str, Any]], Any]) -> Any:
        ACTIONS[name] = func
        return func

    return register


def call(ctx: Context, name: str, data: dict[str, Any]) -> Any:
    """Run one action; domain errors become CKAN errors."""
    func = ACTIONS.get(name)
    if func is None:
        raise CkanError(
            "Bad request - Action name not known", 400, f"Action name not known: {name}"
        )
    try:
        return func(ctx, data)
    except NakhonError as exc:
        raise CkanError.from_nakhon(exc) from None


# -- identifiers -----------------------------------------------------------------------------


def package_id(d: Dataset) -> str:
    return str(uuid.uuid5(NAMESPACE, f"package:{d.municipality.slug}:{d.slug}"))


def resource_id(d: Dataset, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"resource:{d.municipality.slug}:{d.slug}:{key}"))


def _org_id(dept: Department) -> str:
    return str(uuid.uuid5(NAMESPACE, f"organization:{dept.municipality_id}:{dept.code}"))


def _group_id(theme: Theme) -> str:
    return str(uuid.uuid5(NAMESPACE, f"group:{theme.municipality_id}:{theme.slug}"))


def package_name(ctx: Context, d: Dataset) -> str:
    return d.slug if ctx.municipality is not None else f"{d.municipality.slug}--{d.slug}"


def _visible(ctx: Context) -> list[Dataset]:
    """Every dataset the caller may see in this API's scope (a small list: catalogs hold
    thousands, not millions)."""
    if ctx.municipality is None:
        return list(selectors.public_dataset_list())
    qs = selectors.dataset_list(actor=ctx.actor, municipality=ctx.municipality)
    return list(qs.select_related("municipality", "department"))


def _find_dataset(ctx: Context, ref: Any) -> Dataset:
    ref = _text(ref, "id")
    for d in _visible(ctx):
        if ref in (package_id(d), package_name(ctx, d), f"{d.municipality.slug}--{d.slug}"):
            return _full(d)
    raise CkanError("Not Found Error", 404, "Not found: Dataset not found")


def _full(d: Dataset) -> Dataset:
    return (
        Dataset.objects.select_related("municipality", "department")
        .prefetch_related("tags", "themes", "resources")
        .get(pk=d.pk)
    )


# -- shapes ------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _label(terms: tuple[vocab.Term, ...], code: str) -> str:
    found = vocab.term(terms, code)
    return found.gdc if found else code


def _labels(terms: tuple[vocab.Term, ...], codes: list[str]) -> list[str]:
    return [_label(terms, c) for c in codes]


def organization_dict(ctx: Context, dept: Department, count: int | None = None) -> dict[str, Any]:
    return {
        "id": _org_id(dept),
        "name": dept.code,
        "title": dept.name_th,
        "title_translated": {"th": dept.name_th, "en": dept.name_en},
        "display_name": dept.name_th,
        "description": dept.description_th,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(dept.created_at),
        "package_count": count,
        "municipality": dept.municipality.slug,
    }


def group_dict(theme: Theme, count: int | None = None) -> dict[str, Any]:
    return {
        "id": _group_id(theme),
        "name": theme.slug,
        "title": theme.name_th,
        "title_translated": {"th": theme.name_th, "en": theme.name_en},
        "display_name": theme.name_th,
        "description": theme.description_th,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(theme.created_at),
        "package_count": count,
    }


def tag_dict(tag: Tag) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"tag:{tag.name}")),
        "name": tag.name,
        "display_name": tag.name,
        "state": "active",
        "vocabulary_id": None,
    }


FORMATS = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GeoJSON", "parquet": "Parquet"}


def resource_dicts(ctx: Context, d: Dataset) -> list[dict[str, Any]]:
    from nakhon.lake import service as lake_service

    out: list[dict[str, Any]] = []
    pid = package_id(d)
    if d.current_snapshot_id is not None:
        for position, fmt in enumerate(lake_service.export_formats(d)):
            path = reverse(
                "portal:dataset-download",
                kwargs={"slug": d.municipality.slug, "ds": d.slug, "fmt": fmt},
            )
            out.append(
                {
                    "id": resource_id(d, fmt),
                    "package_id": pid,
                    "name": f"{d.title_th} ({FORMATS[fmt]})",
                    "name_translated": {"th": d.title_th, "en": d.title_en},
                    "description": "",
                    "format": FORMATS[fmt],
                    "mimetype": lake_service.EXPORT_FORMATS[fmt][0].split(";")[0],
                    "url": ctx.url(path),
                    "url_type": None,
                    "datastore_active": fmt == "csv",
                    "state": "active",
                    "position": position,
                    "created": _iso(d.created_at),
                    "last_modified": _iso(d.last_published_at),
                    "metadata_modified": _iso(d.last_published_at),
                    "resource_type": "table",
                }
            )
    for resource in d.resources.all():
        if resource.kind == Resource.Kind.TABLE:
            continue  # the lake table is the downloads above
        out.append(
            {
                "id": resource_id(d, f"r{resource.pk}"),
                "package_id": pid,
                "name": resource.name_th,
                "name_translated": {"th": resource.name_th, "en": resource.name_en},
                "description": resource.description_th,
                "format": resource.format.upper(),
                "url": resource.url,
                "datastore_active": False,
                "state": "active",
                "position": len(out),
                "created": _iso(resource.created_at),
                "last_modified": _iso(resource.updated_at),
                "resource_type": resource.kind,
            }
        )
    return out


def package_dict(ctx: Context, d: Dataset) -> dict[str, Any]:
    tags = list(d.tags.all())
    themes = list(d.themes.all())
    resources = resource_dicts(ctx, d)
    landing = reverse("portal:dataset-detail", kwargs={"slug": d.municipality.slug, "ds": d.slug})
    licence = vocab.term(vocab.LICENSES, d.license)
    out: dict[str, Any] = {
        "id": package_id(d),
        "name": package_name(ctx, d),
        "title": d.title_th,
        "title_translated": {"th": d.title_th, "en": d.title_en},
        "notes": d.description_th,
        "notes_translated": {"th": d.description_th, "en": d.description_en},
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": d.license.startswith(("cc-", "odc-")),
        "author": d.department.name_th,
        "author_email": d.department.email,
        "maintainer": d.maintainer,
        "maintainer_email": d.maintainer_email,
        "license_id": licence.gdc if licence else d.license,
        "license_title": licence.en if licence else d.license,
        "metadata_created": _iso(d.created_at),
        "metadata_modified": _iso(d.updated_at),
        "version": str(d.versions.count()) if d.current_snapshot_id is not None else None,
        "url": d.url or ctx.url(landing),
        "owner_org": _org_id(d.department),
        "organization": organization_dict(ctx, d.department),
        "groups": [group_dict(t) for t in themes],
        "tags": [tag_dict(t) for t in tags],
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [  # the metadata fields plugins add (nakhon.catalog.extras)
            {"key": key, "value": value if isinstance(value, str) else json.dumps(value)}
            for key, value in extras_public(d.extras or {}).items()
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        # the GD Catalog (data.go.th, ckanext-thai-gdc) fields, with their Thai values
        "data_type": _label(vocab.DATA_TYPES, d.data_type),
        "data_category": _label(vocab.CLASSIFICATIONS, d.classification),
        "objective": _labels(vocab.OBJECTIVES, d.objective),
        "objective_other": d.objective_other,
        "update_frequency_unit": _label(vocab.FREQUENCY_UNITS, d.update_frequency_unit),
        "update_frequency_interval": str(d.update_frequency_interval),
        "geo_coverage": _label(vocab.GEO_COVERAGES, d.geo_coverage),
        "data_source": d.data_source,
        "data_format": _labels(vocab.DATA_FORMATS, d.data_format),
        "accessible_condition": d.accessible_condition,
        "data_collect": _label(vocab.COLLECTION_UNITS, d.data_collect),
        "data_language": _labels(vocab.LANGUAGES, d.data_language),
        "created_date": _iso(d.created_date),
        "last_updated_date": _iso(d.last_published_at.date() if d.last_published_at else None),
        "data_release_calendar": _iso(d.release_calendar),
        # Nakhon's own: freshness and the city
        "freshness": selectors.dataset_freshness(d).state,
        "municipality": d.municipality.slug,
        "num_rows": d.row_count,
    }
    if d.data_type == "statistical":
        out.update(
            {
                "first_year_of_data": str(d.first_year_be or ""),
                "last_year_of_data": str(d.last_year_be or ""),
                "disaggregate": _labels(vocab.DISAGGREGATIONS, d.disaggregate),
                "unit_of_measure": d.unit_of_measure,
                "unit_of_multiplier": _label(vocab.MULTIPLIERS, d.unit_multiplier),
                "calculation_method": d.calculation_method,
                "standard": d.standard,
            }
        )
    if d.data_type == "geospatial":
        out.update(
            {
                "geographic_data_set": _label(vocab.GEOGRAPHIC_DATA_SETS, d.geographic_data_set),
                "equivalent_scale": d.equivalent_scale,
            }
        )
    return out


# -- parameters --------------------------------------------------------------------------------


def _text(value: Any, name: str, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise CkanError("Validation Error", 409, "Missing value", {name: "Missing value"})
        return ""
    if isinstance(value, (dict, list)):
        raise CkanError("Validation Error", 409, "Invalid value", {name: "Must be a string"})
    return str(value)[:2000]


def _int(value: Any, name: str, default: int, low: int = 0, high: int = 1000) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise CkanError(
            "Validation Error", 409, "Invalid integer", {name: "Invalid integer"}
        ) from None
    if not low <= number <= high:
        raise CkanError(
            "Validation Error", 409, f"Must be {low}–{high}", {name: f"Must be {low}–{high}"}
        )
    return number


def _bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


def _json_list(value: Any, name: str) -> list[str]:
    """A list given as a list, a JSON list or comma-separated text (CKAN accepts each)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise CkanError(
                    "Validation Error", 409, "Invalid JSON list", {name: "Invalid JSON list"}
                ) from None
        else:
            value = [v.strip() for v in text.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise CkanError("Validation Error", 409, "Must be a list", {name: "Must be a list"})
    return [str(v) for v in value]


# -- actions -----------------------------------------------------------------------------------


@action("status_show")
def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    import nakhon

    city = ctx.municipality
    return {
        "site_title": city.name_th if city else "Nakhon",
        "site_description": (city.name_en if city else "Nakhon: open data of Thai cities"),
        "site_url": ctx.url(f"/{city.slug}/" if city else "/"),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "th",
        "extensions": ["datastore", "scheming_datasets", "fluent", "dcat", "thai_gdc"],
        "nakhon_version": nakhon.__version__,
    }


@action("site_read")
def site_read(ctx: Context, data: dict[str, Any]) -> bool:
    return True


@action("package_list")
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    limit = _int(data.get("limit"), "limit", 1_000_000, 0, 1_000_000)
    offset = _int(data.get("offset"), "offset", 0, 0, 10_000_000)
    names = sorted(package_name(ctx, d) for d in _visible(ctx))
    return names[offset : offset + limit]


@action("package_show")
def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return package_dict(ctx, _find_dataset(ctx, data.get("id") or data.get("name_or_id")))


_FACET_ALIASES = {"license_id": None}


@action("package_search")
def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    q = _text(data.get("q"), "q", required=False)
    fq = _text(data.get("fq"), "fq", required=False)
    for extra in _json_list(data.get("fq_list"), "fq_list"):
        fq = f"{fq} {extra}".strip()
    rows = _int(data.get("rows"), "rows", 10, 0, 1000)
    start = _int(data.get("start"), "start", 0, 0, 10_000_000)
    facet_fields = _json_list(data.get("facet.field"), "facet.field")
    facet_limit = _int(data.get("facet.limit"), "facet.limit", 50, -1, 1000)
    try:
        filters = selectors.parse_fq(fq) if fq else []
        result = selectors.dataset_search(
            actor=ctx.actor,
            municipality=ctx.municipality,
            q=q,
            filters=filters,
            sort=_text(data.get("sort"), "sort", required=False),
            rows=rows,
            start=start,
            facet_fields=facet_fields if _bool(data.get("facet"), True) else [],
            facet_limit=facet_limit if facet_limit >= 0 else 1000,
        )
    except InvalidInput as exc:
        raise CkanError("Search Query Error", 409, f"Search Query Error: {exc.message}") from None
    titles = _facet_titles(ctx, result.facets)
    return {
        "count": result.count,
        "sort": _text(data.get("sort"), "sort", required=False)
        or "score desc, metadata_modified desc",
        "results": [package_dict(ctx, d) for d in result.datasets],
        "facets": result.facets,
        "search_facets": {
            name: {
                "title": name,
                "items": [
                    {"name": value, "display_name": titles.get((name, value), value), "count": n}
                    for value, n in counts.items()
                ],
            }
            for name, counts in result.facets.items()
        },
    }


def _facet_titles(ctx: Context, facets: dict[str, dict[str, int]]) -> dict[tuple[str, str], str]:
    titles: dict[tuple[str, str], str] = {}
    if "organization" in facets:
        for dept in _departments(ctx):
            titles[("organization", dept.code)] = dept.name_th
    if "groups" in facets:
        for theme in _themes(ctx):
            titles[("groups", theme.slug)] = theme.name_th
    if "data_type" in facets:
        for t in vocab.DATA_TYPES:
            titles[("data_type", t.code)] = t.th
    return titles


def _departments(ctx: Context) -> list[Department]:
    qs = Department.objects.select_related("municipality")
    if ctx.municipality is not None:
        qs = qs.filter(municipality=ctx.municipality)
    return list(qs.order_by("code"))


def _themes(ctx: Context) -> list[Theme]:
    qs = Theme.objects.all()
    if ctx.municipality is not None:
        qs = qs.filter(municipality=ctx.municipality)
    return list(qs.order_by("slug"))


def _counts(ctx: Context, attr: str) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    visible = _visible(ctx)
    if attr == "department":
        for d in visible:
            counts[d.department_id] = counts.get(d.department_id, 0) + 1
        return counts
    through = Dataset.themes.through if attr == "themes" else Dataset.tags.through
    column = "theme_id" if attr == "themes" else "tag_id"
    rows = (
        through.objects.filter(dataset_id__in=[d.pk for d in visible])
        .values(column)
        .annotate(n=Count("dataset_id"))
    )
    return {r[column]: r["n"] for r in rows}


@action("organization_list")
def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    counts = _counts(ctx, "department")
    depts = _departments(ctx)
    if ctx.municipality is None:  # across cities: those that publish something
        depts = [d for d in depts if counts.get(d.pk)]
    if _bool(data.get("all_fields")):
        return [organization_dict(ctx, d, counts.get(d.pk, 0)) for d in depts]
    return [d.code if ctx.municipality else f"{d.municipality.slug}--{d.code}" for d in depts]


@action("organization_show")
def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = _text(data.get("id"), "id")
    for dept in _departments(ctx):
        names: tuple[str, ...] = (
            dept.code,
            _org_id(dept),
            f"{dept.municipality.slug}--{dept.code}",
        )
        if ctx.municipality is None:
            names = names[1:]
        if ref in names:
            out = organization_dict(ctx, dept, _counts(ctx, "department").get(dept.pk, 0))
            if _bool(data.get("include_datasets")):
                visible = [d for d in _visible(ctx) if d.department_id == dept.pk]
                out["packages"] = [package_dict(ctx, _full(d)) for d in visible[:1000]]
            return out
    raise CkanError("Not Found Error", 404, "Not found: Organization was not found.")


@action("group_list")
def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    counts = _counts(ctx, "themes")
    themes = _themes(ctx)
    if ctx.municipality is None:
        themes = [t for t in themes if counts.get(t.pk)]
    if _bool(data.get("all_fields")):
        return [group_dict(t, counts.get(t.pk, 0)) for t in themes]
    return [t.slug for t in themes]


@action("tag_list")
def tag_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    counts = _counts(ctx, "tags")
    query = _text(data.get("query"), "query", required=False)
    qs = Tag.objects.filter(pk__in=[pk for pk, n in counts.items() if n])
    if query:
        qs = qs.filter(Q(name__icontains=query))
    tags = list(qs.order_by("name"))
    names = list(dict.fromkeys(t.name for t in tags))
    if _bool(data.get("all_fields")):
        seen: dict[str, Tag] = {}
        for t in tags:
            seen.setdefault(t.name, t)
        return [tag_dict(t) for t in seen.values()]
    return names


def _find_resource(ctx: Context, ref: Any) -> tuple[Dataset, dict[str, Any]]:
    ref = _text(ref, "id")
    for d in _visible(ctx):
        keys = [*FORMATS, *(f"r{pk}" for pk in d.resources.values_list("pk", flat=True))]
        if any(resource_id(d, key) == ref for key in keys):
            full = _full(d)
            for resource in resource_dicts(ctx, full):
                if resource["id"] == ref:
                    return full, resource
    raise CkanError("Not Found Error", 404, "Not found: Resource was not found.")


@action("resource_show")
def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _find_resource(ctx, data.get("id"))[1]


def _datastore_filters(value: Any) -> list[Any]:
    from nakhon.lake.query import Condition

    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise CkanError(
                "Validation Error", 409, "filters: invalid JSON", {"filters": "Invalid JSON"}
            ) from None
    if not isinstance(value, dict):
        raise CkanError(
            "Validation Error", 409, "filters must be an object", {"filters": "Not a JSON object"}
        )
    out = []
    for column, wanted in value.items():
        if isinstance(wanted, list):
            out.append(Condition(str(column), "in", wanted))
        else:
            out.append(Condition(str(column), "eq", wanted))
    return out


def _datastore_sort(value: Any) -> list[tuple[str, bool]]:
    out = []
    for clause in _json_list(value, "sort"):
        parts = clause.strip().rsplit(" ", 1)
        if len(parts) == 2 and parts[1].lower() in ("asc", "desc"):
            name, descending = parts[0].strip().strip('"'), parts[1].lower() == "desc"
        else:
            name, descending = clause.strip().strip('"'), False
        out.append((name, descending))
    return out


@action("datastore_search")
def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    from nakhon.lake import query as lake_query
    from nakhon.lake import service as lake_service

    rid = _text(data.get("resource_id") or data.get("id"), "resource_id")
    dataset, resource = _find_resource(ctx, rid)
    if not resource.get("datastore_active") and resource["resource_type"] != "table":
        raise CkanError("Not Found Error", 404, "Not found: Resource has no datastore table.")
    q = data.get("q")
    if isinstance(q, dict):
        raise CkanError(
            "Validation Error", 409, "q by field is not supported", {"q": "Give q as text"}
        )
    spec = lake_query.Spec(
        columns=_json_list(data.get("fields"), "fields") or None,
        conditions=_datastore_filters(data.get("filters")),
        q=_text(q, "q", required=False),
        sort=_datastore_sort(data.get("sort")),
        limit=_int(data.get("limit"), "limit", 100, 0, 32_000),
        offset=_int(data.get("offset"), "offset", 0, 0, 100_000_000),
        include_total=_bool(data.get("include_total"), True),
    )
    if spec.limit > lake_query.MAX_LIMIT:
        spec = lake_query.Spec(**{**spec.__dict__, "limit": lake_query.MAX_LIMIT})
    page = lake_service.query(actor=ctx.actor, dataset=dataset, spec=spec)
    result = page.result
    records = [{k: _json_value(v) for k, v in row.items()} for row in result.rows]
    out: dict[str, Any] = {
        "resource_id": rid,
        "fields": [
            {"id": name, "type": _datastore_type(result.types.get(name, "VARCHAR"))}
            for name in result.columns
        ],
        "records": records,
        "records_format": "objects",
        "limit": spec.limit,
        "offset": spec.offset,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={rid}",
            "next": f"/api/3/action/datastore_search?resource_id={rid}"
            f"&offset={spec.offset + spec.limit}",
        },
    }
    if spec.include_total:
        out["total"] = result.total
        out["total_was_estimated"] = False
    if page.hidden:
        out["nakhon_hidden_fields"] = page.hidden
    return out


def _datastore_type(kind: str) -> str:
    if kind.startswith("DECIMAL"):
        return "numeric"
    return DATASTORE_TYPES.get(kind, "text")


def _json_value(value: Any) -> Any:
    import decimal

    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value
