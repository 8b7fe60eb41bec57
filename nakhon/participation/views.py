"""Participation pages: comments and ratings of a dataset, data requests, the staff's
moderation queue. Public pages have JSON twins (``?format=json``) built from the same selectors.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nakhon.accounts.models import Municipality
from nakhon.catalog import selectors as catalog_selectors
from nakhon.core.errors import InvalidInput
from nakhon.core.middleware import client_ip
from nakhon.core.permissions import user_of
from nakhon.participation import selectors, services, spam
from nakhon.participation.forms import (
    AnswerForm,
    CommentForm,
    ReplyForm,
    RequestForm,
    SettingsForm,
)
from nakhon.participation.models import DataRequest, Visibility
from nakhon.portal.decorators import municipality_view, wants_json

VISITOR_COOKIE = "nakhon_visitor"
_VISITOR_SALT = "nakhon.participation.visitor"


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )


def _submission(request: HttpRequest) -> spam.Submission:
    return spam.Submission(
        ip=client_ip(request),
        honeypot=request.POST.get(spam.HONEYPOT_FIELD, ""),
        form_token=request.POST.get(spam.TOKEN_FIELD, ""),
    )


def _form_errors(form: Any, exc: InvalidInput) -> None:
    for field, message in (exc.errors or {"__all__": exc.message}).items():
        form.add_error(field if field in form.fields else None, message)


P = TypeVar("P")


def _post_public(
    request: HttpRequest,
    form: CommentForm | RequestForm,
    municipality: Municipality,
    create: Callable[[dict[str, Any], spam.Submission], P],
) -> P | None:
    """Validate the form and call ``create``; on a refusal, put the messages into the form
    (and renew a spent form token) and return None."""
    if form.is_valid():
        try:
            return create(form.cleaned_data, _submission(request))
        except InvalidInput as exc:
            _form_errors(form, exc)
    form.renew_token(municipality.pk)
    return None


def visitor_id(request: HttpRequest, actor: Any = None) -> str | None:
    """Who rates: the signed-in user (or the API token's), else the signed visitor cookie
    (None if not set yet)."""
    user = user_of(actor if actor is not None else getattr(request, "user", None))
    if user is not None:
        return f"user:{user.pk}"
    value = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=_VISITOR_SALT)
    return f"cookie:{value}" if value else None


def ensure_visitor(request: HttpRequest, response: HttpResponse, visitor: str | None) -> str:
    """The visitor id, setting the signed cookie on ``response`` for a new visitor."""
    if visitor:
        return visitor
    value = secrets.token_urlsafe(18)
    response.set_signed_cookie(
        VISITOR_COOKIE,
        value,
        salt=_VISITOR_SALT,
        max_age=2 * 365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return f"cookie:{value}"


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _dataset_url(municipality: Municipality, slug: str, anchor: str = "") -> str:
    url = reverse("portal:dataset-detail", kwargs={"slug": municipality.slug, "ds": slug})
    return f"{url}#{anchor}" if anchor else url


# -- comments and ratings ----------------------------------------------------------------------


def dataset_participation(
    request: HttpRequest, municipality: Municipality, dataset: Any
) -> dict[str, Any]:
    """The data of a dataset's participation block (page, JSON twin and template tag)."""
    return {
        "comments": selectors.comment_list(
            actor=request.user, municipality=municipality, dataset=dataset
        ),
        "rating": selectors.rating_summary(
            municipality=municipality, dataset=dataset, visitor=visitor_id(request)
        ),
    }


@municipality_view
@require_http_methods(["GET", "HEAD", "POST"])
def dataset_comments(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponse:
    """A dataset's comments and rating (JSON twin); POST adds a comment."""
    dataset = selectors.commentable_dataset(municipality=municipality, slug=ds)
    form = CommentForm(request.POST or None, municipality_id=municipality.pk)
    status = 200
    if request.method == "POST":
        comment = _post_public(
            request,
            form,
            municipality,
            lambda data, sub: services.comment_create(
                actor=request.user,
                municipality=municipality,
                dataset_slug=dataset.slug,
                body=data["body"],
                name=data["name"],
                email=data["email"],
                submission=sub,
            ),
        )
        if comment is not None and comment.visibility == Visibility.PUBLISHED:
            messages.success(request, _("Thank you: your comment is published."))
            return redirect(_dataset_url(municipality, dataset.slug, f"comment-{comment.pk}"))
        if comment is not None:
            messages.success(
                request, _("Thank you: your comment will appear after the staff review it.")
            )
            return redirect(_dataset_url(municipality, dataset.slug, "comments"))
        status = 422
    data = dataset_participation(request, municipality, dataset)
    if wants_json(request):
        return _json({"dataset": dataset.slug, **data})
    return render(
        request,
        "participation/dataset_comments.html",
        {
            "dataset": dataset,
            **data,
            "form": form,
            "can_moderate": selectors.can_moderate(request.user, municipality),
        },
        status=status,
    )


@municipality_view
@require_POST
def dataset_rate(request: HttpRequest, municipality: Municipality, ds: str) -> HttpResponse:
    """Rate a dataset 1–5; rating again replaces the visitor's earlier stars."""
    response = redirect(_dataset_url(municipality, ds, "rating"))
    visitor = ensure_visitor(request, response, visitor_id(request))
    try:
        stars = int(request.POST.get("stars", ""))
    except ValueError:
        stars = 0
    try:
        services.rating_set(
            actor=request.user,
            municipality=municipality,
            dataset_slug=ds,
            visitor=visitor,
            stars=stars,
            submission=_submission(request),
        )
    except InvalidInput as exc:
        messages.error(request, exc.errors.get("stars") or exc.message)
    else:
        messages.success(request, _("Thank you: your rating is saved."))
    return response


@municipality_view
@require_POST
def comment_report(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """A citizen reports a comment; staff see it in the moderation queue."""
    comment = services.comment_report(
        actor=request.user,
        municipality=municipality,
        comment_id=pk,
        submission=_submission(request),
    )
    messages.success(request, _("Thank you: the staff will review this comment."))
    return redirect(_dataset_url(municipality, comment.dataset.slug, "comments"))


@municipality_view
@require_POST
def comment_moderate(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Staff: publish, hide, dismiss reports, delete, or reply to a comment."""
    default = reverse("participation:moderation", args=[municipality.slug])
    action = request.POST.get("action", "")
    try:
        if action == "reply":
            form = ReplyForm(request.POST)
            form.is_valid()
            services.comment_reply(
                actor=request.user,
                municipality=municipality,
                comment_id=pk,
                reply=form.cleaned_data.get("reply", ""),
            )
        else:
            services.comment_moderate(
                actor=request.user, municipality=municipality, comment_id=pk, action=action
            )
    except InvalidInput as exc:
        messages.error(request, " ".join([exc.message, *map(str, exc.errors.values())]))
    else:
        messages.success(request, _("Done."))
    return redirect(_back(request, default))


# -- data requests -------------------------------------------------------------------------------


def _status_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in DataRequest.Status.choices]


@municipality_view
@require_http_methods(["GET", "HEAD", "POST"])
def request_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The city's data requests, filtered by status; POST files a new one."""
    form = RequestForm(request.POST or None, municipality_id=municipality.pk)
    status = 200
    if request.method == "POST":
        created = _post_public(
            request,
            form,
            municipality,
            lambda data, sub: services.request_create(
                actor=request.user,
                municipality=municipality,
                title=data["title"],
                description=data["description"],
                name=data["name"],
                email=data["email"],
                submission=sub,
            ),
        )
        if created is not None and created.visibility == Visibility.PUBLISHED:
            messages.success(request, _("Thank you: your request is received."))
            return redirect("participation:request-detail", municipality.slug, created.pk)
        if created is not None:
            messages.success(
                request, _("Thank you: your request will appear after the staff review it.")
            )
            return redirect("participation:request-list", municipality.slug)
        status = 422
    chosen = request.GET.get("status") or ""
    if chosen not in DataRequest.Status.values:
        chosen = ""
    rows = selectors.request_list(actor=request.user, municipality=municipality, status=chosen)
    counts = selectors.request_status_counts(municipality=municipality)
    if wants_json(request):
        return _json({"status": chosen or None, "counts": counts, "requests": rows})
    return render(
        request,
        "participation/request_list.html",
        {
            "requests": rows,
            "chosen": chosen,
            "statuses": [(v, label, counts[v]) for v, label in _status_choices()],
            "total": sum(counts.values()),
            "form": form,
        },
        status=status,
    )


def _answer_form(municipality: Municipality, data: Any = None) -> AnswerForm:
    datasets = [
        (d.slug, d.title_th)
        for d in catalog_selectors.dataset_list(actor=None, municipality=municipality).order_by(
            "title_th"
        )
    ]
    return AnswerForm(data, datasets=datasets)


@municipality_view
def request_detail(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """A data request's public page with its status history and the staff's answers."""
    row = selectors.request_get(
        actor=request.user, municipality=municipality, request_id=pk, purpose="web: request page"
    )
    if wants_json(request):
        return _json(row)
    can_moderate = selectors.can_moderate(request.user, municipality)
    return render(
        request,
        "participation/request_detail.html",
        {
            "req": row,
            "can_moderate": can_moderate,
            "answer_form": _answer_form(municipality) if can_moderate else None,
        },
    )


@municipality_view
@require_POST
def request_answer(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Staff: a new status and/or a public answer; a declined request needs a reason."""
    form = _answer_form(municipality, request.POST)
    form.is_valid()
    try:
        services.request_answer(
            actor=request.user,
            municipality=municipality,
            request_id=pk,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            dataset_slug=request.POST.get("dataset", ""),
        )
    except InvalidInput as exc:
        _form_errors(form, exc)
        row = selectors.request_get(actor=request.user, municipality=municipality, request_id=pk)
        return render(
            request,
            "participation/request_detail.html",
            {"req": row, "can_moderate": True, "answer_form": form},
            status=422,
        )
    messages.success(request, _("The answer is published."))
    return redirect("participation:request-detail", municipality.slug, pk)


@municipality_view
@require_POST
def request_moderate(request: HttpRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Staff: publish or hide a data request."""
    services.request_moderate(
        actor=request.user,
        municipality=municipality,
        request_id=pk,
        action=request.POST.get("action", ""),
    )
    messages.success(request, _("Done."))
    return redirect(
        _back(request, reverse("participation:request-detail", args=[municipality.slug, pk]))
    )


# -- moderation ----------------------------------------------------------------------------------


@municipality_view
@require_http_methods(["GET", "HEAD", "POST"])
def moderation(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Staff: the queue of held and reported posts, and the city's moderation setting."""
    if request.method == "POST":
        settings_form = SettingsForm(request.POST)
        if settings_form.is_valid():
            services.participation_settings_set(
                actor=request.user,
                municipality=municipality,
                moderation=settings_form.cleaned_data["moderation"],
            )
            messages.success(request, _("Saved."))
            return redirect("participation:moderation", municipality.slug)
    queue = selectors.moderation_queue(
        actor=request.user, municipality=municipality, purpose="web: moderation queue"
    )
    if wants_json(request):
        return _json(queue)
    return render(
        request,
        "participation/moderation.html",
        {
            **queue,
            "settings_form": SettingsForm(initial={"moderation": queue["moderation"]}),
            "reply_form": ReplyForm(),
        },
    )
