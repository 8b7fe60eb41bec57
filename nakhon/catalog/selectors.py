"""Reads for the catalog. The public sees public datasets only; staff of the city see all."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.accounts.selectors import municipality_get
from nakhon.catalog import search, vocab
from nakhon.catalog.freshness import Freshness, freshness
from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can, require


def dataset_list(*, actor: Any, municipality: Municipality) -> QuerySet[Dataset]:
    qs = Dataset.objects.filter(municipality=municipality).select_related("department")
    if not can(actor, "dataset.list", municipality):
        qs = qs.filter(classification__in=vocab.PUBLIC_CLASSIFICATIONS)
    return qs


def public_dataset_list() -> QuerySet[Dataset]:
    """Public datasets of every active municipality: the cross-city catalog (DCAT-AP)."""
    return Dataset.objects.filter(
        municipality__is_active=True, classification__in=vocab.PUBLIC_CLASSIFICATIONS
    ).select_related("department", "municipality")


def dataset_get(*, actor: Any, municipality: Municipality, slug: str) -> Dataset:
    dataset = dataset_list(actor=actor, municipality=municipality).filter(slug=slug).first()
    if dataset is None:
        raise NotFound(_("Not found."))
    return dataset


def dataset_get_by_slugs(*, actor: Any, municipality_slug: str, slug: str) -> Dataset:
    """``dataset_get`` of the active municipality ``municipality_slug``, in one query when the
    dataset is there and visible (the row queries' hot path); otherwise the answer, or the
    error, of ``municipality_get`` and ``dataset_get``."""
    dataset = (
        Dataset.objects.select_related("municipality", "department")
        .filter(municipality__slug=municipality_slug, municipality__is_active=True, slug=slug)
        .first()
    )
    if dataset is not None and (
        dataset.classification in vocab.PUBLIC_CLASSIFICATIONS
        or can(actor, "dataset.list", dataset.municipality)
    ):
        return dataset
    municipality = municipality_get(slug=municipality_slug)
    return dataset_get(actor=actor, municipality=municipality, slug=slug)


def dataset_freshness(dataset: Dataset, now: Any = None) -> Freshness:
    return freshness(
        dataset.update_frequency_unit,
        dataset.update_frequency_interval,
        dataset.last_published_at,
        now or timezone.now(),
        created=dataset.created_at,
    )


def dataset_summary(d: Dataset, now: Any = None) -> dict[str, Any]:
    """A dataset's catalog entry with its freshness: the list pages, their JSON twins and the
    API all show this."""
    f = dataset_freshness(d, now)
    return {
        "slug": d.slug,
        "title_th": d.title_th,
        "title_en": d.title_en,
        "department": d.department.code,
        "data_type": d.data_type,
        "classification": d.classification,
        "update_frequency_unit": d.update_frequency_unit,
        "update_frequency_interval": d.update_frequency_interval,
        "last_published_at": d.last_published_at,
        "rows": d.row_count,
        "freshness": f.state,
        "expected_by": f.expected_by,
    }


def datasets_due(*, actor: Any, municipality: Municipality) -> list[tuple[Dataset, Freshness]]:
    """The steward's list: datasets due or overdue, the most overdue first."""
    require(actor, "dataset.list", municipality)
    now = timezone.now()
    rows = [
        (d, dataset_freshness(d, now)) for d in dataset_list(actor=actor, municipality=municipality)
    ]
    late = [(d, f) for d, f in rows if f.state != "fresh"]
    order = {"overdue": 0, "due": 1}
    return sorted(late, key=lambda r: (order[r[1].state], r[1].expected_by or now))


def version_list(
    *, actor: Any, municipality: Municipality, dataset: Dataset
) -> QuerySet[DatasetVersion]:
    dataset_get(actor=actor, municipality=municipality, slug=dataset.slug)
    return DatasetVersion.objects.filter(dataset=dataset).order_by("-number")


def version_get(
    *, actor: Any, municipality: Municipality, dataset: Dataset, number: int
) -> DatasetVersion:
    version = (
        version_list(actor=actor, municipality=municipality, dataset=dataset)
        .filter(number=number)
        .first()
    )
    if version is None:
        raise NotFound(_("No version %(n)s of this dataset.") % {"n": number})
    return version


def run_publishable(*, actor: Any, municipality: Municipality, run: IngestRun) -> bool:
    """Whether the file a validation run checked may be published now: the run is validated,
    its file kept, the actor may publish, and its errors (if any) do not block the dataset's
    policy (quarantine publishes the valid rows)."""
    return (
        run.municipality_id == municipality.pk
        and run.state == IngestRun.State.VALIDATED
        and bool(run.stored_file)
        and run.dataset is not None
        and can(actor, "dataset.publish", municipality)
        and (
            not (run.summary or {}).get("blocking")
            or run.dataset.policy == Dataset.Policy.QUARANTINE
        )
    )


def run_get(*, actor: Any, municipality: Municipality, run_id: int) -> IngestRun:
    require(actor, "dataset.validate", municipality)
    run = IngestRun.objects.filter(municipality=municipality, pk=run_id).first()
    if run is None:
        raise NotFound(_("Not found."))
    return run


# -- search ------------------------------------------------------------------------------------

SEARCH_FACETS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "data_type",
    "freshness",
    "geo_coverage",
    "municipality",
)
SEARCH_SORTS = {
    "score": None,
    "metadata_modified": "modified",
    "metadata_created": "created",
    "title_string": "title",
    "name": "slug",
    "views_recent": "popularity",
    "popularity": "popularity",
}
MAX_SEARCH_ROWS = 1000


@dataclass(frozen=True)
class _Doc:
    """What search needs of a dataset, cached with the index."""

    pk: int
    municipality_id: int
    municipality: str
    slug: str
    title: str
    title_en: str
    organization: str
    groups: tuple[str, ...]
    tags: tuple[str, ...]
    res_format: tuple[str, ...]
    data_type: str
    geo_coverage: str
    frequency: tuple[str, int]
    last_published_at: Any
    created: Any
    modified: Any
    popularity: int


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, dict[str, int]]
    scores: dict[int, float]


_search_cache: dict[Any, tuple[Any, Any, dict[int, _Doc]]] = {}
_search_lock = threading.Lock()


def _search_scope(municipality: Municipality | None) -> QuerySet[Dataset]:
    qs = Dataset.objects.all()
    return qs.filter(municipality=municipality) if municipality is not None else qs


_public_cache: dict[Any, tuple[Any, frozenset[int]]] = {}
_PUBLIC = Q(classification__in=vocab.PUBLIC_CLASSIFICATIONS)


def _catalog_state(municipality: Municipality | None) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(the catalog's state, the public set's fingerprint), in one query answered from an index:
    the number of datasets, their latest change and highest id; the public ones' number, sum and
    sum of squares of ids, latest change. A change of either means the cached index, or the
    cached set of public ids, is out of date."""
    row = _search_scope(municipality).aggregate(
        n=Count("pk"),
        m=Max("updated_at"),
        p=Max("pk"),
        pn=Count("pk", filter=_PUBLIC),
        ps=Sum("pk", filter=_PUBLIC),
        pq=Sum(F("pk") * F("pk"), filter=_PUBLIC),
        pm=Max("updated_at", filter=_PUBLIC),
    )
    return (row["n"], row["m"], row["p"]), (row["pn"], row["ps"], row["pq"], row["pm"])


def _public_ids(municipality: Municipality | None, fingerprint: tuple[Any, ...]) -> frozenset[int]:
    """Ids of the public datasets of active cities in scope, kept between searches while the
    public set's fingerprint (read from the database on every search) is unchanged, so a
    dataset that becomes non-public drops out of search at once."""
    from nakhon.accounts.models import Municipality as City

    active = tuple(City.objects.filter(is_active=True).values_list("pk", flat=True))
    key = (municipality.pk if municipality is not None else None, fingerprint, active)
    with _search_lock:
        cached = _public_cache.get(key[0])
        if cached and cached[0] == key:
            return cached[1]
    qs = _search_scope(municipality).filter(_PUBLIC, municipality__is_active=True)
    ids = frozenset(qs.values_list("pk", flat=True))
    with _search_lock:
        _public_cache[key[0]] = (key, ids)
    return ids


def _search_index(
    municipality: Municipality | None, generation: tuple[Any, ...]
) -> tuple[search.Index, dict[int, _Doc]]:
    """The index of a municipality's datasets (or of all), rebuilt when a dataset changes."""
    scope = _search_scope(municipality)
    key = municipality.pk if municipality is not None else None
    with _search_lock:
        cached = _search_cache.get(key)
        if cached and cached[0] == generation:
            return cached[1], cached[2]
    datasets = scope.select_related("department", "municipality").prefetch_related("tags", "themes")
    docs: dict[int, _Doc] = {}
    documents = []
    for d in datasets:
        tags = tuple(t.name for t in d.tags.all())
        themes = d.themes.all()
        docs[d.pk] = _Doc(
            pk=d.pk,
            municipality_id=d.municipality_id,
            municipality=d.municipality.slug,
            slug=d.slug,
            title=d.title_th,
            title_en=d.title_en,
            organization=d.department.code,
            groups=tuple(t.slug for t in themes),
            tags=tags,
            res_format=tuple(f.upper() for f in d.data_format),
            data_type=d.data_type,
            geo_coverage=d.geo_coverage,
            frequency=(d.update_frequency_unit, d.update_frequency_interval),
            last_published_at=d.last_published_at,
            created=d.created_at,
            modified=d.updated_at,
            popularity=d.view_count + d.download_count,
        )
        text = " ".join(
            [
                d.description_th,
                d.description_en,
                d.department.name_th,
                d.department.name_en,
                " ".join(f"{t.name_th} {t.name_en}" for t in themes),
                d.data_source,
                d.municipality.name_th,
                d.municipality.name_en,
            ]
        )
        documents.append(search.Document(d.pk, f"{d.title_th} {d.title_en} {d.slug}", tags, text))
    index = search.Index(documents)
    with _search_lock:
        _search_cache[key] = (generation, index, docs)
    return index, docs


_FQ = re.compile(r'([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|\S+)')


def parse_fq(fq: str) -> list[tuple[str, str, bool]]:
    """CKAN/Solr filter queries as (field, value, negated): ``organization:health
    -tags:"ภาษี ป้าย" res_format:CSV``. Unknown fields are refused."""
    out = []
    rest = _FQ.sub("", fq).replace("AND", "").strip()
    if rest:
        raise InvalidInput(_("Cannot read the filter %(fq)s.") % {"fq": fq}, errors={"fq": fq})
    for sign, name, value in _FQ.findall(fq):
        if name not in SEARCH_FACETS and name not in ("name", "license_id", "classification"):
            raise InvalidInput(_("Unknown filter field %(f)s.") % {"f": name}, errors={"fq": name})
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"')
        out.append((name, value, sign == "-"))
    return out


def _doc_values(doc: _Doc, name: str, now: Any) -> tuple[str, ...]:
    if name in ("groups", "tags", "res_format"):
        return tuple(getattr(doc, name))
    if name == "freshness":
        unit, interval = doc.frequency
        return (freshness(unit, interval, doc.last_published_at, now, created=doc.created).state,)
    if name == "name":
        return (doc.slug,)
    return (str(getattr(doc, name, "")),)


def dataset_search(
    *,
    actor: Any,
    municipality: Municipality | None,
    q: str = "",
    filters: Sequence[tuple[str, str, bool]] = (),
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: Sequence[str] = (),
    facet_limit: int = 50,
    full: bool = True,
) -> SearchResult:
    """Datasets the actor may see (one municipality's, or the public ones of every city),
    matching ``q`` (Thai-segmented, typo-tolerant) and ``filters``, sorted by ``sort``
    (``score desc``, ``metadata_modified desc``, ``title_string asc``, ``views_recent desc``,
    …), one page, with facet counts over every match."""
    if not 0 <= rows <= MAX_SEARCH_ROWS or start < 0:
        raise InvalidInput(
            _("rows must be 0–%(max)s and start ≥ 0.") % {"max": MAX_SEARCH_ROWS},
            errors={"rows": str(rows)},
        )
    for name in facet_fields:
        if name not in SEARCH_FACETS:
            raise InvalidInput(
                _("Unknown facet field %(f)s.") % {"f": name}, errors={"facet.field": name}
            )
    state, public = _catalog_state(municipality)
    index, docs = _search_index(municipality, state)
    if municipality is not None and can(actor, "dataset.list", municipality):
        allowed: set[int] | frozenset[int] = set(docs)  # the city's staff see all of theirs
    else:
        allowed = _public_ids(municipality, public) & docs.keys()
    if q.strip() and q.strip() != "*:*":
        hits = index.search(q)
        scores = {h.key: h.score for h in hits if h.key in allowed}
        candidates = [h.key for h in hits if h.key in allowed]
    else:
        scores = {}
        candidates = sorted(allowed, key=lambda pk: docs[pk].title)
    now = timezone.now()
    for name, value, negated in filters:
        wanted = value.casefold()
        candidates = [
            pk
            for pk in candidates
            if any(v.casefold() == wanted for v in _doc_values(docs[pk], name, now)) != negated
        ]
    candidates = _sorted(candidates, docs, scores, sort)
    facets: dict[str, dict[str, int]] = {}
    for name in facet_fields:
        counter: Counter[str] = Counter()
        for pk in candidates:
            counter.update(v for v in _doc_values(docs[pk], name, now) if v)
        facets[name] = dict(counter.most_common(facet_limit))
    page = candidates[start : start + rows]
    found = Dataset.objects.filter(pk__in=page).select_related("department", "municipality")
    if full:
        found = found.prefetch_related("tags", "themes", "resources")
    by_pk = {d.pk: d for d in found}
    return SearchResult(len(candidates), [by_pk[pk] for pk in page if pk in by_pk], facets, scores)


def _sorted(
    candidates: list[int], docs: dict[int, _Doc], scores: dict[int, float], sort: str
) -> list[int]:
    """Apply a CKAN sort string: ``field [asc|desc][, field [asc|desc]]``."""
    clauses = [c.strip() for c in (sort or "").split(",") if c.strip()]
    if not clauses:
        clauses = ["score desc", "metadata_modified desc"] if scores else ["title_string asc"]
    keys: list[tuple[str, bool]] = []
    for clause in clauses:
        parts = clause.split()
        name = parts[0]
        direction = parts[1].lower() if len(parts) > 1 else "asc"
        if name not in SEARCH_SORTS or direction not in ("asc", "desc") or len(parts) > 2:
            raise InvalidInput(_("Cannot sort by %(s)s.") % {"s": clause}, errors={"sort": clause})
        keys.append((name, direction == "desc"))
    ordered = list(candidates)
    for name, descending in reversed(keys):  # stable sorts, last key first
        attr = SEARCH_SORTS[name]
        if attr is None:
            ordered.sort(key=lambda pk: scores.get(pk, 0.0), reverse=descending)
        else:
            ordered.sort(key=lambda pk: _sort_value(docs[pk], attr), reverse=descending)
    return ordered


def _sort_value(doc: _Doc, attr: str) -> Any:
    return getattr(doc, attr)
