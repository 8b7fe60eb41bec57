"""Reads for citizen participation. Everything the public gets is a plain dict without contact
e-mails; staff who may see personal data get them, and every such read is audited (PDPA)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog.models import Dataset
from nakhon.catalog.selectors import dataset_get
from nakhon.core.audit import audit_record
from nakhon.core.errors import NotFound
from nakhon.core.permissions import can, require
from nakhon.participation.models import (
    Comment,
    DataRequest,
    ParticipationSettings,
    Rating,
    Visibility,
)

PUBLIC_COMMENTS_MAX = 200
QUEUE_MAX = 200


def visitor_key(raw: str) -> str:
    """What is stored for a rating's visitor: a hash of ``user:<id>`` or of the cookie id."""
    return hashlib.sha256(raw.encode()).hexdigest()


def participation_settings_get(*, municipality: Municipality) -> ParticipationSettings:
    """The city's setting (not saved when the city never chose: publish at once)."""
    found = ParticipationSettings.objects.filter(municipality=municipality).first()
    return found or ParticipationSettings(municipality=municipality)


def can_moderate(actor: Any, municipality: Municipality) -> bool:
    return can(actor, "moderation.change", municipality)


def can_see_contacts(actor: Any, municipality: Municipality) -> bool:
    """Contact e-mails: for moderators who may also read personal data (the admin role)."""
    return can(actor, "moderation.view", municipality) and can(
        actor, "personal_data.view", municipality
    )


def _audit_contacts(
    actor: Any, municipality: Municipality, object_type: str, rows: list[dict[str, Any]], why: str
) -> None:
    read = [str(r["id"]) for r in rows if r.get("email")]
    if read:
        audit_record(
            actor=actor,
            action="personal_data.read",
            municipality=municipality,
            object_type=object_type,
            object_id=",".join(read)[:100],
            object_repr=_("Contact e-mails of %(n)s posts") % {"n": len(read)},
            changes={"fields": ["email"], "ids": read, "purpose": why},
            personal_data=True,
        )


# -- comments ------------------------------------------------------------------------------------


def comment_public(c: Comment, municipality: Municipality) -> dict[str, Any]:
    """A comment as the public sees it: never the e-mail address."""
    return {
        "id": c.pk,
        "name": c.name,
        "body": c.body,
        "created_at": c.created_at,
        "reply": c.reply or None,
        "replied_at": c.replied_at,
        "reply_by": municipality.name() if c.reply else None,
    }


def _comment_staff(c: Comment, municipality: Municipality, contacts: bool) -> dict[str, Any]:
    row = {
        **comment_public(c, municipality),
        "dataset": c.dataset.slug,
        "visibility": c.visibility,
        "reports": c.reports,
        "flagged": c.flagged,
    }
    if contacts:
        row["email"] = c.email
    return row


def commentable_dataset(*, municipality: Municipality, slug: str) -> Dataset:
    """The dataset, if the public may see (and so comment on and rate) it; else ``NotFound``."""
    return dataset_get(actor=None, municipality=municipality, slug=slug)


def comment_list(
    *, actor: Any, municipality: Municipality, dataset: Dataset
) -> list[dict[str, Any]]:
    """The published comments of a public dataset, oldest first."""
    commentable_dataset(municipality=municipality, slug=dataset.slug)
    qs = Comment.objects.filter(
        municipality=municipality, dataset=dataset, visibility=Visibility.PUBLISHED
    ).order_by("-created_at", "-id")[:PUBLIC_COMMENTS_MAX]
    return [comment_public(c, municipality) for c in reversed(list(qs))]


def comment_count(*, municipality: Municipality, dataset: Dataset) -> int:
    return Comment.objects.filter(
        municipality=municipality, dataset=dataset, visibility=Visibility.PUBLISHED
    ).count()


# -- ratings -------------------------------------------------------------------------------------


def rating_summary(
    *, municipality: Municipality, dataset: Dataset, visitor: str | None = None
) -> dict[str, Any]:
    """Average (one decimal), count, and this visitor's own stars (or None)."""
    agg = Rating.objects.filter(municipality=municipality, dataset=dataset).aggregate(
        avg=Avg("stars"), n=Count("id")
    )
    mine = None
    if visitor:
        mine = (
            Rating.objects.filter(dataset=dataset, visitor=visitor_key(visitor))
            .values_list("stars", flat=True)
            .first()
        )
    return {
        "average": round(float(agg["avg"]), 1) if agg["avg"] is not None else None,
        "count": agg["n"],
        "yours": mine,
    }


# -- data requests -------------------------------------------------------------------------------


def request_public(r: DataRequest, *, events: bool = False) -> dict[str, Any]:
    """A data request as the public sees it: never the e-mail address."""
    row: dict[str, Any] = {
        "id": r.pk,
        "title": r.title,
        "description": r.description,
        "name": r.name,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "dataset": r.dataset.slug if r.dataset else None,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }
    if events:
        row["history"] = [
            {
                "status": e.status,
                "status_label": str(e.get_status_display()),
                "note": e.note,
                "at": e.created_at,
            }
            for e in r.events.all()
        ]
    return row


def request_list(
    *, actor: Any, municipality: Municipality, status: str | None = None
) -> list[dict[str, Any]]:
    """The published data requests of a city, newest first, optionally of one status."""
    qs = DataRequest.objects.filter(
        municipality=municipality, visibility=Visibility.PUBLISHED
    ).select_related("dataset")
    if status:
        if status not in DataRequest.Status.values:
            return []
        qs = qs.filter(status=status)
    return [request_public(r) for r in qs[:500]]


def request_status_counts(*, municipality: Municipality) -> dict[str, int]:
    rows = (
        DataRequest.objects.filter(municipality=municipality, visibility=Visibility.PUBLISHED)
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(DataRequest.Status.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def request_get(
    *, actor: Any, municipality: Municipality, request_id: int, purpose: str = ""
) -> dict[str, Any]:
    """One request with its public history. Held or hidden requests exist only for moderators;
    they also get ``visibility`` and, where allowed, the contact e-mail (audited)."""
    found = (
        DataRequest.objects.filter(municipality=municipality, pk=request_id)
        .select_related("dataset")
        .prefetch_related("events")
        .first()
    )
    staff = can(actor, "moderation.view", municipality)
    if found is None or (found.visibility != Visibility.PUBLISHED and not staff):
        raise NotFound(_("Not found."))
    row = request_public(found, events=True)
    if staff:
        row["visibility"] = found.visibility
        if can_see_contacts(actor, municipality):
            row["email"] = found.email
            _audit_contacts(actor, municipality, "participation.datarequest", [row], purpose)
    return row


# -- moderation ----------------------------------------------------------------------------------


def moderation_queue(
    *, actor: Any, municipality: Municipality, purpose: str = ""
) -> dict[str, Any]:
    """What waits for staff: held or reported comments, held requests, and the latest hidden
    ones (to undo a mistake). Contact e-mails for those who may read them, audited."""
    require(actor, "moderation.view", municipality)
    contacts = can_see_contacts(actor, municipality)
    base = Comment.objects.filter(municipality=municipality).select_related("dataset")
    waiting = base.filter(visibility=Visibility.HELD) | base.filter(flagged=True)
    comments = [
        _comment_staff(c, municipality, contacts)
        for c in waiting.order_by("created_at", "id")[:QUEUE_MAX]
    ]
    hidden = [
        _comment_staff(c, municipality, contacts)
        for c in base.filter(visibility=Visibility.HIDDEN).order_by("-updated_at")[:20]
    ]
    reqs = DataRequest.objects.filter(municipality=municipality)
    requests = []
    for r in reqs.exclude(visibility=Visibility.PUBLISHED).order_by("created_at")[:QUEUE_MAX]:
        row = {**request_public(r), "visibility": r.visibility}
        if contacts:
            row["email"] = r.email
        requests.append(row)
    open_requests = [
        request_public(r)
        for r in reqs.filter(
            visibility=Visibility.PUBLISHED,
            status__in=[DataRequest.Status.RECEIVED, DataRequest.Status.IN_PROGRESS],
        ).order_by("created_at")[:QUEUE_MAX]
    ]
    if contacts:
        _audit_contacts(actor, municipality, "participation.comment", comments + hidden, purpose)
        _audit_contacts(actor, municipality, "participation.datarequest", requests, purpose)
    return {
        "comments": comments,
        "hidden_comments": hidden,
        "requests": requests,
        "open_requests": open_requests,
        "moderation": participation_settings_get(municipality=municipality).moderation,
        "contacts": contacts,
    }
