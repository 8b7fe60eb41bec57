"""API of citizen participation: comments and ratings of public datasets, data requests, and
the staff's moderation. Posts of the public pass the same spam checks as the web forms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.responses import Status

from nakhon.accounts import selectors as account_selectors
from nakhon.core.api_auth import actor_of
from nakhon.core.middleware import client_ip
from nakhon.participation import selectors, services, spam
from nakhon.participation.schemas import (
    AnswerIn,
    CommentCreatedOut,
    CommentIn,
    CommentOut,
    DataRequestCreatedOut,
    DataRequestDetailOut,
    DataRequestIn,
    DataRequestOut,
    FormTokenOut,
    ModerateIn,
    ModerationQueueOut,
    RatingIn,
    RatingOut,
)
from nakhon.participation.views import ensure_visitor, visitor_id

router = Router(tags=["participation"])


def _submission(request: HttpRequest, body: Any) -> spam.Submission:
    return spam.Submission(
        ip=client_ip(request),
        honeypot=getattr(body, "website", ""),
        form_token=getattr(body, "form_token", ""),
    )


@router.get("/municipalities/{slug}/participation/form-token", response=FormTokenOut)
def form_token(request: HttpRequest, slug: str) -> Any:
    """A signed timestamp to send back with a comment or a data request. Posting sooner than
    ``min_seconds`` after getting it is refused (spam protection); it is valid for a day."""
    m = account_selectors.municipality_get(slug=slug)
    return {
        "form_token": spam.form_token(municipality_id=m.pk),
        "min_seconds": spam.min_fill_seconds(),
    }


@router.get("/municipalities/{slug}/datasets/{ds}/comments", response=list[CommentOut])
def comments(request: HttpRequest, slug: str, ds: str) -> Any:
    """The published comments of a public dataset, oldest first, with the city's replies."""
    m = account_selectors.municipality_get(slug=slug)
    dataset = selectors.commentable_dataset(municipality=m, slug=ds)
    return selectors.comment_list(actor=actor_of(request), municipality=m, dataset=dataset)


@router.post("/municipalities/{slug}/datasets/{ds}/comments", response={201: CommentCreatedOut})
def comment_create(request: HttpRequest, slug: str, ds: str, body: CommentIn) -> Any:
    """Comment on a public dataset. Refusals (422, 429 when too many posts come from one
    address) carry a code: ``invalid``, ``spam-honeypot``, ``spam-too-fast``,
    ``spam-rate-limit``, ``spam-links``, ``spam-duplicate``."""
    m = account_selectors.municipality_get(slug=slug)
    comment = services.comment_create(
        actor=actor_of(request),
        municipality=m,
        dataset_slug=ds,
        body=body.body,
        name=body.name,
        email=body.email,
        submission=_submission(request, body),
    )
    return Status(201, {**selectors.comment_public(comment, m), "visibility": comment.visibility})


@router.get("/municipalities/{slug}/datasets/{ds}/rating", response=RatingOut)
def rating(request: HttpRequest, slug: str, ds: str) -> Any:
    """Average stars (1–5) and count of a public dataset, and yours if you rated it."""
    m = account_selectors.municipality_get(slug=slug)
    dataset = selectors.commentable_dataset(municipality=m, slug=ds)
    return selectors.rating_summary(
        municipality=m, dataset=dataset, visitor=visitor_id(request, actor_of(request))
    )


@router.put("/municipalities/{slug}/datasets/{ds}/rating", response=RatingOut)
def rate(request: HttpRequest, response: HttpResponse, slug: str, ds: str, body: RatingIn) -> Any:
    """Rate a public dataset. One rating per visitor (the signed ``nakhon_visitor`` cookie
    this sets, or your account); rating again replaces it."""
    m = account_selectors.municipality_get(slug=slug)
    visitor = ensure_visitor(request, response, visitor_id(request, actor_of(request)))
    rated = services.rating_set(
        actor=actor_of(request),
        municipality=m,
        dataset_slug=ds,
        visitor=visitor,
        stars=body.stars,
        submission=_submission(request, body),
    )
    return selectors.rating_summary(municipality=m, dataset=rated.dataset, visitor=visitor)


@router.get("/municipalities/{slug}/requests", response=list[DataRequestOut])
def requests(request: HttpRequest, slug: str, status: str | None = None) -> Any:
    """The city's published data requests, newest first; ``status``: received, in_progress,
    published or declined."""
    m = account_selectors.municipality_get(slug=slug)
    return selectors.request_list(actor=actor_of(request), municipality=m, status=status)


@router.post("/municipalities/{slug}/requests", response={201: DataRequestCreatedOut})
def request_create(request: HttpRequest, slug: str, body: DataRequestIn) -> Any:
    """Ask the city for data. Same spam checks and refusal codes as comments."""
    m = account_selectors.municipality_get(slug=slug)
    created = services.request_create(
        actor=actor_of(request),
        municipality=m,
        title=body.title,
        description=body.description,
        name=body.name,
        email=body.email,
        submission=_submission(request, body),
    )
    return Status(201, {**selectors.request_public(created), "visibility": created.visibility})


@router.get("/municipalities/{slug}/requests/{request_id}", response=DataRequestDetailOut)
def request_detail(request: HttpRequest, slug: str, request_id: int) -> Any:
    """A data request with its public history of statuses and answers."""
    m = account_selectors.municipality_get(slug=slug)
    return selectors.request_get(
        actor=actor_of(request), municipality=m, request_id=request_id, purpose="api"
    )


@router.post("/municipalities/{slug}/requests/{request_id}/answer", response=DataRequestDetailOut)
def request_answer(request: HttpRequest, slug: str, request_id: int, body: AnswerIn) -> Any:
    """Staff (admin, data steward): a new status and/or a public answer. ``declined`` needs a
    reason in ``note``; ``published`` needs the public ``dataset`` that answers it."""
    m = account_selectors.municipality_get(slug=slug)
    actor = actor_of(request)
    services.request_answer(
        actor=actor,
        municipality=m,
        request_id=request_id,
        status=body.status,
        note=body.note,
        dataset_slug=body.dataset,
    )
    row = selectors.request_get(actor=actor, municipality=m, request_id=request_id, purpose="api")
    row.pop("email", None)
    return row


@router.post("/municipalities/{slug}/requests/{request_id}/moderate", response={204: None})
def request_moderate(request: HttpRequest, slug: str, request_id: int, body: ModerateIn) -> Any:
    """Staff: ``publish`` or ``hide`` a data request."""
    m = account_selectors.municipality_get(slug=slug)
    services.request_moderate(
        actor=actor_of(request), municipality=m, request_id=request_id, action=body.action
    )
    return Status(204, None)


@router.post("/municipalities/{slug}/comments/{comment_id}/moderate", response={204: None})
def comment_moderate(request: HttpRequest, slug: str, comment_id: int, body: ModerateIn) -> Any:
    """Staff: ``publish``, ``hide``, ``dismiss`` (the reports) or ``delete`` a comment."""
    m = account_selectors.municipality_get(slug=slug)
    services.comment_moderate(
        actor=actor_of(request), municipality=m, comment_id=comment_id, action=body.action
    )
    return Status(204, None)


@router.get("/municipalities/{slug}/moderation", response=ModerationQueueOut)
def moderation(request: HttpRequest, slug: str) -> Any:
    """Staff: held and reported comments, held or hidden requests, open requests. Contact
    e-mails only for those who may read personal data (token scope ``personal``); audited."""
    m = account_selectors.municipality_get(slug=slug)
    return selectors.moderation_queue(actor=actor_of(request), municipality=m, purpose="api")
