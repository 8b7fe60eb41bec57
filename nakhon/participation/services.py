"""Writes for citizen participation: comments, ratings, data requests and their moderation.

Posts of the public pass the spam checks (``nakhon.participation.spam``) and are published or
held per the city's setting; staff of the city (members) are not checked and publish at once.
Moderation needs ``moderation.change`` (admin, data steward). Every write is audited; contact
e-mails never go into the audit log's details.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog.models import Dataset
from nakhon.catalog.selectors import dataset_get
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import is_member, require, user_of
from nakhon.participation import spam
from nakhon.participation.models import (
    Comment,
    DataRequest,
    DataRequestEvent,
    ParticipationSettings,
    Rating,
    Visibility,
)
from nakhon.participation.selectors import participation_settings_get, visitor_key

NAME_MAX = 100
COMMENT_MIN, COMMENT_MAX = 2, 2000
TITLE_MIN, TITLE_MAX = 5, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 4000
REPLY_MAX = 4000
DUPLICATE_HOURS = 24
# Reports by citizens that hold a published comment until staff look at it.
REPORTS_TO_HOLD = 3


def _clean_text(
    value: str, *, field: str, low: int, high: int, errors: dict[str, str], required: bool = True
) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            errors[field] = _("This field is required.")
        return text
    if len(text) < low:
        errors[field] = _("Please write at least %(n)s characters.") % {"n": low}
    elif len(text) > high:
        errors[field] = _("Please write at most %(n)s characters (you wrote %(m)s).") % {
            "n": high,
            "m": len(text),
        }
    return text


def _clean_email(value: str, errors: dict[str, str], field: str = "email") -> str:
    email = (value or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors[field] = _("Enter a valid e-mail address, or leave it empty.")
    return email


def _public_post_visibility(actor: Any, municipality: Municipality) -> str:
    if is_member(actor, municipality):
        return Visibility.PUBLISHED
    setting = participation_settings_get(municipality=municipality)
    if setting.moderation == ParticipationSettings.Moderation.HOLD:
        return Visibility.HELD
    return Visibility.PUBLISHED


def _check_spam(
    *,
    actor: Any,
    municipality: Municipality,
    submission: spam.Submission,
    texts: dict[str, str],
    model: type[Comment] | type[DataRequest],
    fp: str,
) -> bool:
    """Run the spam checks for the public; True when the post counts against the rate limit."""
    if is_member(actor, municipality):
        return False
    since = timezone.now() - dt.timedelta(hours=DUPLICATE_HOURS)
    duplicate = model.objects.filter(
        municipality=municipality, fingerprint=fp, created_at__gte=since
    ).exists()
    spam.check_all(submission, municipality_id=municipality.pk, texts=texts, duplicate=duplicate)
    return True


def _public_dataset(municipality: Municipality, slug: str) -> Dataset:
    # Participation is public: a dataset the public cannot see cannot be commented or rated,
    # not even by staff.
    return dataset_get(actor=None, municipality=municipality, slug=slug)


# -- comments ------------------------------------------------------------------------------------


def comment_create(
    *,
    actor: Any,
    municipality: Municipality,
    dataset_slug: str,
    body: str,
    name: str = "",
    email: str = "",
    submission: spam.Submission,
) -> Comment:
    """Add a comment to a public dataset. Raises ``NotFound`` for a dataset the public cannot
    see and ``InvalidInput`` (with field errors) for bad input or a post refused as spam."""
    dataset = _public_dataset(municipality, dataset_slug)
    errors: dict[str, str] = {}
    body = _clean_text(body, field="body", low=COMMENT_MIN, high=COMMENT_MAX, errors=errors)
    name = _clean_text(name, field="name", low=0, high=NAME_MAX, errors=errors, required=False)
    email = _clean_email(email, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    fp = spam.fingerprint(body)
    counted = _check_spam(
        actor=actor,
        municipality=municipality,
        submission=submission,
        texts={"body": body},
        model=Comment,
        fp=fp,
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            municipality=municipality,
            dataset=dataset,
            name=name,
            email=email,
            body=body,
            user=user_of(actor),
            visibility=_public_post_visibility(actor, municipality),
            fingerprint=fp,
        )
        audit_record(
            actor=actor,
            action="comment.create",
            municipality=municipality,
            obj=comment,
            changes={"dataset": dataset.slug, "visibility": comment.visibility},
        )
    if counted:
        spam.count_post(submission)
    return comment


def _comment(municipality: Municipality, comment_id: int) -> Comment:
    comment = Comment.objects.filter(municipality=municipality, pk=comment_id).first()
    if comment is None:
        raise NotFound(_("Not found."))
    return comment


def comment_report(
    *, actor: Any, municipality: Municipality, comment_id: int, submission: spam.Submission
) -> Comment:
    """A citizen flags a published comment for review; enough reports hold it."""
    comment = _comment(municipality, comment_id)
    if comment.visibility != Visibility.PUBLISHED:
        raise NotFound(_("Not found."))
    spam.check_rate(submission, kind="report", limit=spam.posts_per_window() * 2)
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(reports=F("reports") + 1, flagged=True)
        comment.refresh_from_db()
        if comment.reports >= REPORTS_TO_HOLD and comment.visibility == Visibility.PUBLISHED:
            comment.visibility = Visibility.HELD
            comment.save(update_fields=["visibility", "updated_at"])
        audit_record(
            actor=actor,
            action="comment.report",
            municipality=municipality,
            obj=comment,
            changes={"reports": comment.reports, "visibility": comment.visibility},
        )
    spam.count_post(submission, kind="report")
    return comment


def _visibility_set(
    *, actor: Any, municipality: Municipality, post: Comment | DataRequest, action: str
) -> None:
    """Publish or hide a post (clearing a comment's reports), audited as ``<kind>.<action>``."""
    before = post.visibility
    post.visibility = Visibility.PUBLISHED if action == "publish" else Visibility.HIDDEN
    fields = ["visibility", "updated_at"]
    if isinstance(post, Comment):
        post.flagged = False
        fields.append("flagged")
    with transaction.atomic():
        post.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=f"{'comment' if isinstance(post, Comment) else 'data_request'}.{action}",
            municipality=municipality,
            obj=post,
            changes={"visibility": [before, post.visibility]},
        )


def _unknown_action(action: str) -> InvalidInput:
    return InvalidInput(_("Unknown moderation action."), errors={"action": action[:20]})


def comment_moderate(
    *, actor: Any, municipality: Municipality, comment_id: int, action: str
) -> Comment | None:
    """``publish`` (show, clears reports), ``hide``, ``dismiss`` (clear reports, keep as is) or
    ``delete`` a comment. Returns the comment, or None once deleted."""
    require(actor, "moderation.change", municipality)
    comment = _comment(municipality, comment_id)
    if action in {"publish", "hide"}:
        _visibility_set(actor=actor, municipality=municipality, post=comment, action=action)
        return comment
    if action not in {"dismiss", "delete"}:
        raise _unknown_action(action)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"comment.{action}",
            municipality=municipality,
            obj=comment,
            changes={"dataset": comment.dataset.slug, "reports": comment.reports},
        )
        if action == "delete":
            comment.delete()
            return None
        comment.flagged = False
        comment.save(update_fields=["flagged", "updated_at"])
    return comment


def comment_reply(
    *, actor: Any, municipality: Municipality, comment_id: int, reply: str
) -> Comment:
    """Staff answer a comment in the name of the municipality (an empty reply removes it)."""
    require(actor, "moderation.change", municipality)
    comment = _comment(municipality, comment_id)
    errors: dict[str, str] = {}
    text = _clean_text(reply, field="reply", low=1, high=REPLY_MAX, errors=errors, required=False)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    with transaction.atomic():
        comment.reply = text
        comment.replied_at = timezone.now() if text else None
        comment.replied_by = user_of(actor) if text else None
        comment.save(update_fields=["reply", "replied_at", "replied_by", "updated_at"])
        audit_record(
            actor=actor,
            action="comment.reply",
            municipality=municipality,
            obj=comment,
            changes={"reply": text},
        )
    return comment


# -- ratings -------------------------------------------------------------------------------------


def rating_set(
    *,
    actor: Any,
    municipality: Municipality,
    dataset_slug: str,
    visitor: str,
    stars: int,
    submission: spam.Submission,
) -> Rating:
    """Rate a public dataset 1–5; the visitor's earlier rating is replaced."""
    dataset = _public_dataset(municipality, dataset_slug)
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        message = _("Choose from 1 to 5 stars.")
        raise InvalidInput(message, errors={"stars": message})
    if not visitor:
        raise InvalidInput(_("Your browser must accept cookies to rate."))
    member = is_member(actor, municipality)
    if not member:
        spam.check_honeypot(submission)
        spam.check_rate(submission, kind="rating", limit=spam.posts_per_window() * 4)
    with transaction.atomic():
        rating, created = Rating.objects.update_or_create(
            dataset=dataset,
            visitor=visitor_key(visitor),
            defaults={"municipality": municipality, "stars": stars},
        )
        audit_record(
            actor=actor,
            action="rating.create" if created else "rating.change",
            municipality=municipality,
            obj=rating,
            changes={"dataset": dataset.slug, "stars": stars},
        )
    if not member:
        spam.count_post(submission, kind="rating")
    return rating


# -- data requests -------------------------------------------------------------------------------


def request_create(
    *,
    actor: Any,
    municipality: Municipality,
    title: str,
    description: str,
    name: str = "",
    email: str = "",
    submission: spam.Submission,
) -> DataRequest:
    """A citizen asks the city for data. The request starts as *received*, with a public page."""
    errors: dict[str, str] = {}
    title = _clean_text(title, field="title", low=TITLE_MIN, high=TITLE_MAX, errors=errors)
    description = _clean_text(
        description, field="description", low=DESCRIPTION_MIN, high=DESCRIPTION_MAX, errors=errors
    )
    name = _clean_text(name, field="name", low=0, high=NAME_MAX, errors=errors, required=False)
    email = _clean_email(email, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    fp = spam.fingerprint(f"{title}\n{description}")
    counted = _check_spam(
        actor=actor,
        municipality=municipality,
        submission=submission,
        texts={"description": description, "title": title},
        model=DataRequest,
        fp=fp,
    )
    with transaction.atomic():
        data_request = DataRequest.objects.create(
            municipality=municipality,
            title=title,
            description=description,
            name=name,
            email=email,
            user=user_of(actor),
            visibility=_public_post_visibility(actor, municipality),
            fingerprint=fp,
        )
        DataRequestEvent.objects.create(
            municipality=municipality, request=data_request, status=DataRequest.Status.RECEIVED
        )
        audit_record(
            actor=actor,
            action="data_request.create",
            municipality=municipality,
            obj=data_request,
            changes={"visibility": data_request.visibility},
        )
    if counted:
        spam.count_post(submission)
    return data_request


def _request(municipality: Municipality, request_id: int) -> DataRequest:
    found = DataRequest.objects.filter(municipality=municipality, pk=request_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


def request_answer(
    *,
    actor: Any,
    municipality: Municipality,
    request_id: int,
    status: str,
    note: str = "",
    dataset_slug: str = "",
) -> DataRequestEvent:
    """Staff answer a data request publicly: a new status (or the same one with an answer).

    *published* needs the public dataset that answers it; *declined* needs a reason.
    Every change is audited."""
    require(actor, "moderation.change", municipality)
    data_request = _request(municipality, request_id)
    errors: dict[str, str] = {}
    if status not in DataRequest.Status.values:
        errors["status"] = _("Choose a status.")
    note = _clean_text(note, field="note", low=1, high=REPLY_MAX, errors=errors, required=False)
    dataset = None
    if status == DataRequest.Status.DECLINED and not note:
        errors["note"] = _("Give the reason why the request is declined.")
    if status == DataRequest.Status.PUBLISHED:
        if not dataset_slug:
            errors["dataset"] = _("Choose the published dataset that answers the request.")
        else:
            try:
                dataset = _public_dataset(municipality, dataset_slug.strip())
            except NotFound:
                errors["dataset"] = _("There is no public dataset “%(slug)s” in this city.") % {
                    "slug": dataset_slug[:80]
                }
    if status == data_request.status and not note and not errors:
        errors["note"] = _("The status is unchanged: write an answer, or choose another status.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    before = data_request.status
    with transaction.atomic():
        data_request.status = status
        if status == DataRequest.Status.PUBLISHED:
            data_request.dataset = dataset
        data_request.save(update_fields=["status", "dataset", "updated_at"])
        event = DataRequestEvent.objects.create(
            municipality=municipality,
            request=data_request,
            status=status,
            note=note,
            actor=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="data_request.status",
            municipality=municipality,
            obj=data_request,
            changes={
                "status": [before, status],
                "note": note,
                "dataset": dataset.slug if dataset else None,
            },
        )
    return event


def request_moderate(
    *, actor: Any, municipality: Municipality, request_id: int, action: str
) -> DataRequest:
    """``publish`` or ``hide`` a data request (its page and place in the list)."""
    require(actor, "moderation.change", municipality)
    data_request = _request(municipality, request_id)
    if action not in {"publish", "hide"}:
        raise _unknown_action(action)
    _visibility_set(actor=actor, municipality=municipality, post=data_request, action=action)
    return data_request


# -- settings ------------------------------------------------------------------------------------


def participation_settings_set(
    *, actor: Any, municipality: Municipality, moderation: str
) -> ParticipationSettings:
    """Choose whether new posts of the public are published at once or held for review."""
    require(actor, "moderation.change", municipality)
    if moderation not in ParticipationSettings.Moderation.values:
        message = _("Choose how new posts are handled.")
        raise InvalidInput(message, errors={"moderation": message})
    with transaction.atomic():
        setting, _created = ParticipationSettings.objects.get_or_create(municipality=municipality)
        before = setting.moderation
        setting.moderation = moderation
        setting.save()
        audit_record(
            actor=actor,
            action="participation_settings.change",
            municipality=municipality,
            obj=setting,
            changes={"moderation": [before, moderation]},
        )
    return setting
