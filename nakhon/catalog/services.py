"""Writes for the catalog: datasets and their metadata, overdue notices.

Publishing rows goes through ``nakhon.ingestion.pipeline`` (read → validate → lake), which
calls ``version_record`` here once the lake has committed a snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Department, Municipality
from nakhon.catalog import vocab
from nakhon.catalog.extras import extras_clean
from nakhon.catalog.freshness import freshness
from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun, Tag, Theme
from nakhon.core.audit import audit_record, diff_fields
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of

logger = logging.getLogger(__name__)

METADATA_FIELDS = (
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "maintainer",
    "maintainer_email",
    "data_type",
    "classification",
    "objective",
    "objective_other",
    "update_frequency_unit",
    "update_frequency_interval",
    "geo_coverage",
    "data_source",
    "data_format",
    "license",
    "accessible_condition",
    "data_collect",
    "data_language",
    "url",
    "created_date",
    "release_calendar",
    "first_year_be",
    "last_year_be",
    "disaggregate",
    "unit_of_measure",
    "unit_multiplier",
    "calculation_method",
    "standard",
    "geographic_data_set",
    "equivalent_scale",
    "mode",
    "policy",
    "source_url",
    "pull_every_hours",
    "notify_webhook",
)
_LIST_VOCAB = {
    "objective": vocab.OBJECTIVES,
    "data_format": vocab.DATA_FORMATS,
    "data_language": vocab.LANGUAGES,
    "disaggregate": vocab.DISAGGREGATIONS,
}


def _check_lists(data: dict[str, Any], errors: dict[str, str]) -> None:
    for field, terms in _LIST_VOCAB.items():
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
            data[field] = value
        if not isinstance(value, list):
            errors[field] = _("A list of codes.")
            continue
        allowed = {t.code for t in terms}
        bad = [v for v in value if v not in allowed]
        if bad:
            errors[field] = _("Unknown codes: %(codes)s. Allowed: %(allowed)s") % {
                "codes": ", ".join(map(str, bad)),
                "allowed": ", ".join(sorted(allowed)),
            }


def _apply(dataset: Dataset, municipality: Municipality, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = set(data) - set(METADATA_FIELDS) - {"department", "tags", "themes", "steward"}
    unknown.discard("extras")
    for field in sorted(unknown):
        errors[field] = _("Unknown field.")
    _check_lists(data, errors)
    if "extras" in data:  # the fields plugins add: {name: value}, errors by form field name
        extras, extra_errors = extras_clean(dict(data["extras"] or {}), dict(dataset.extras or {}))
        errors.update(extra_errors)
        dataset.extras = extras
    for field in METADATA_FIELDS:
        if field in data and field not in errors:
            value = data[field]
            setattr(dataset, field, value.strip() if isinstance(value, str) else value)
    if "department" in data:
        dept = Department.objects.filter(
            municipality=municipality, code=str(data["department"])
        ).first()
        if dept is None:
            errors["department"] = _("No department with code %(code)s in this municipality.") % {
                "code": data["department"]
            }
        else:
            dataset.department = dept
    if (
        dataset.first_year_be
        and dataset.last_year_be
        and dataset.first_year_be > dataset.last_year_be
    ):
        errors["last_year_be"] = _("The last year is before the first year.")
    for field in ("first_year_be", "last_year_be"):
        year = getattr(dataset, field)
        if year and not 2400 <= int(year) <= 2700:
            errors[field] = _("A Buddhist-Era year such as 2566.")
    try:
        dataset.full_clean(exclude=["department", "municipality"] if errors else ["municipality"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    return errors


def _set_tags(dataset: Dataset, municipality: Municipality, data: dict[str, Any]) -> None:
    if "tags" in data:
        names = data["tags"]
        if isinstance(names, str):
            names = [n for n in (x.strip() for x in names.split(",")) if n]
        tags = [
            Tag.objects.get_or_create(municipality=municipality, name=n[:100])[0] for n in names
        ]
        dataset.tags.set(tags)
    if "themes" in data:
        slugs = data["themes"]
        if isinstance(slugs, str):
            slugs = [s.strip() for s in slugs.split(",") if s.strip()]
        dataset.themes.set(Theme.objects.filter(municipality=municipality, slug__in=slugs))


@transaction.atomic
def dataset_create(
    *,
    actor: Any,
    municipality: Municipality,
    slug: str,
    data: dict[str, Any],
    table_schema: dict[str, Any] | None = None,
) -> Dataset:
    """Create a dataset (data steward or admin). ``data`` holds GD Catalog metadata."""
    require(actor, "dataset.create", municipality)
    data = dict(data)
    errors: dict[str, str] = {}
    if Dataset.objects.filter(municipality=municipality, slug=slug).exists():
        errors["slug"] = _("A dataset %(slug)s exists already.") % {"slug": slug}
    dataset = Dataset(municipality=municipality, slug=slug, table_schema=table_schema or {})
    if "department" not in data:
        errors["department"] = _("Choose the department that owns the dataset.")
    if not str(data.get("title_th", "")).strip():
        errors["title_th"] = _("The Thai title is required.")
    errors.update({k: v for k, v in _apply(dataset, municipality, data).items() if k not in errors})
    if errors:
        raise InvalidInput(_("The dataset has problems."), errors=errors)
    dataset.steward = user_of(actor)
    dataset.save()
    _set_tags(dataset, municipality, data)
    audit_record(
        actor=actor,
        action="dataset.create",
        municipality=municipality,
        obj=dataset,
        changes={"slug": slug, "title_th": dataset.title_th},
    )
    return dataset


@transaction.atomic
def dataset_update(
    *, actor: Any, municipality: Municipality, dataset: Dataset, data: dict[str, Any]
) -> Dataset:
    require(actor, "dataset.change", municipality)
    if dataset.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    before = {f: getattr(dataset, f) for f in (*METADATA_FIELDS, "extras")}
    errors = _apply(dataset, municipality, dict(data))
    if errors:
        dataset.refresh_from_db()
        raise InvalidInput(_("The dataset has problems."), errors=errors)
    dataset.save()
    _set_tags(dataset, municipality, data)
    after = {f: getattr(dataset, f) for f in (*METADATA_FIELDS, "extras")}
    audit_record(
        actor=actor,
        action="dataset.update",
        municipality=municipality,
        obj=dataset,
        changes=diff_fields(before, after),
    )
    return dataset


@transaction.atomic
def version_record(
    *,
    dataset: Dataset,
    run: IngestRun | None,
    actor: Any,
    snapshot_id: int,
    committed_at: dt.datetime,
    operation: str,
    rows_total: int | None,
    rows_added: int | None,
    rows_deleted: int | None,
    table_schema: dict[str, Any],
    schema_changes: list[Any],
    source_name: str,
) -> DatasetVersion:
    """Mirror a committed lake snapshot as the dataset's next version (idempotent)."""
    existing = DatasetVersion.objects.filter(dataset=dataset, snapshot_id=snapshot_id).first()
    if existing is not None:
        return existing
    last = DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()
    user = user_of(actor)
    version = DatasetVersion.objects.create(
        municipality_id=dataset.municipality_id,
        dataset=dataset,
        number=(last.number + 1) if last else 1,
        snapshot_id=snapshot_id,
        run=run,
        actor=user,
        actor_label=user.get_username() if user else "",
        committed_at=committed_at,
        operation=operation,
        rows_total=rows_total,
        rows_added=rows_added,
        rows_deleted=rows_deleted,
        table_schema=table_schema,
        schema_changes=schema_changes,
        source_name=source_name[:500],
    )
    Dataset.objects.filter(pk=dataset.pk).update(
        last_published_at=committed_at,
        current_snapshot_id=snapshot_id,
        row_count=rows_total,
        table_schema=table_schema,
        overdue_notified_at=None,
    )
    audit_record(
        actor=actor,
        action="dataset.publish",
        municipality=dataset.municipality,
        obj=dataset,
        changes={
            "version": version.number,
            "snapshot_id": snapshot_id,
            "rows_total": rows_total,
            "source": source_name,
        },
    )
    return version


def notify_overdue(*, now: dt.datetime | None = None) -> list[Dataset]:
    """E-mail the maintainer (and call the webhook) of every overdue dataset, once per period.

    Returns the datasets notified. A failing webhook is logged, never fatal.
    """
    now = now or timezone.now()
    notified = []
    for dataset in Dataset.objects.select_related("municipality", "steward"):
        state = freshness(
            dataset.update_frequency_unit,
            dataset.update_frequency_interval,
            dataset.last_published_at,
            now,
            created=dataset.created_at,
        )
        if state.state != "overdue" or dataset.overdue_notified_at is not None:
            continue
        recipients = [
            e for e in {dataset.maintainer_email, getattr(dataset.steward, "email", "")} if e
        ]
        subject = f"[Nakhon] ชุดข้อมูลเลยกำหนดปรับปรุง / Dataset overdue: {dataset.title_th}"
        body = (
            f"ชุดข้อมูล “{dataset.title_th}” ({dataset.municipality.slug}/{dataset.slug}) "
            f"เลยกำหนดปรับปรุงแล้ว (ควรปรับปรุงภายใน {state.expected_by:%Y-%m-%d}).\n"
            f"The dataset “{dataset.title_en or dataset.title_th}” is overdue "
            f"(expected by {state.expected_by:%Y-%m-%d}).\n"
            if state.expected_by
            else f"ชุดข้อมูล “{dataset.title_th}” ยังไม่เคยเผยแพร่ / has never been published.\n"
        )
        if recipients:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        if dataset.notify_webhook:
            _post_webhook(
                dataset.notify_webhook,
                {
                    "event": "dataset.overdue",
                    "municipality": dataset.municipality.slug,
                    "dataset": dataset.slug,
                    "title_th": dataset.title_th,
                    "expected_by": state.expected_by.isoformat() if state.expected_by else None,
                    "last_published_at": (
                        dataset.last_published_at.isoformat() if dataset.last_published_at else None
                    ),
                },
            )
        Dataset.objects.filter(pk=dataset.pk).update(overdue_notified_at=now)
        audit_record(
            actor=None,
            action="dataset.overdue_notice",
            municipality=dataset.municipality,
            obj=dataset,
            changes={"to": recipients, "webhook": bool(dataset.notify_webhook)},
        )
        notified.append(dataset)
    return notified


def _post_webhook(url: str, payload: dict[str, Any]) -> None:
    if not url.startswith(("https://", "http://")):
        logger.warning("overdue webhook %s ignored: not an http(s) URL", url)
        return
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "nakhon"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the steward's own URL
            pass
    except OSError as exc:
        logger.warning("overdue webhook %s failed: %s", url, exc)


def dataset_seen(dataset: Dataset, *, actor: Any, download: bool = False) -> None:
    """Count a public view or download (the popularity sort). Staff of the city are not
    counted; the dataset's ``updated_at`` is not touched."""
    from django.db.models import F

    from nakhon.core.permissions import can

    if can(actor, "dataset.list", dataset.municipality):
        return
    field = "download_count" if download else "view_count"
    Dataset.objects.filter(pk=dataset.pk).update(**{field: F(field) + 1})
