"""Reads for the catalog. The public sees public datasets only; staff of the city see all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog import vocab
from nakhon.catalog.freshness import Freshness, freshness
from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun
from nakhon.core.errors import NotFound
from nakhon.core.permissions import can, require


def dataset_list(*, actor: Any, municipality: Municipality) -> QuerySet[Dataset]:
    qs = Dataset.objects.filter(municipality=municipality).select_related("department")
    if not can(actor, "dataset.list", municipality):
        qs = qs.filter(classification__in=vocab.PUBLIC_CLASSIFICATIONS)
    return qs


def dataset_get(*, actor: Any, municipality: Municipality, slug: str) -> Dataset:
    dataset = dataset_list(actor=actor, municipality=municipality).filter(slug=slug).first()
    if dataset is None:
        raise NotFound(_("Not found."))
    return dataset


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
