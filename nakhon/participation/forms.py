"""Web forms of participation. They parse input only; services validate and check for spam."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nakhon.participation import spam
from nakhon.participation.models import DataRequest, ParticipationSettings
from nakhon.participation.services import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    REPLY_MAX,
    TITLE_MAX,
)

_EMAIL_HELP = _(
    "Optional. Never shown publicly; only the municipality's staff can see it, to contact you."
)


class _PublicForm(forms.Form):
    """Carries the spam-check fields: the honeypot and the signed "form served at" time."""

    website = forms.CharField(required=False)  # the honeypot: people never see it
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, municipality_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = spam.form_token(municipality_id=municipality_id)

    def renew_token(self, municipality_id: int) -> None:
        """After a refusal: keep a valid token (the time spent counts), replace a bad one."""
        if not spam.token_valid(self.data.get("form_token", ""), municipality_id=municipality_id):
            data = dict(self.data.items())
            data["form_token"] = spam.form_token(municipality_id=municipality_id)
            self.data = data


class CommentForm(_PublicForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("Optional. Shown with your comment."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False, help_text=_EMAIL_HELP)
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text, up to %(n)s characters; at most two links.") % {"n": COMMENT_MAX},
    )


class RequestForm(_PublicForm):
    title = forms.CharField(
        label=_("What data do you need?"),
        max_length=TITLE_MAX,
        help_text=_("A short title, e.g. “Flood points in the municipality”."),
    )
    description = forms.CharField(
        label=_("Details"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you want to do with it, the area and the years you need."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("Optional. Shown on the request's public page."),
    )
    email = forms.EmailField(label=_("Contact e-mail"), required=False, help_text=_EMAIL_HELP)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DataRequest.Status.choices)
    note = forms.CharField(
        label=_("Public answer"),
        required=False,
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the request's page. Required when declining: give the reason."),
    )
    dataset = forms.ChoiceField(
        label=_("Published dataset"),
        required=False,
        help_text=_("Required for “published”: the dataset that answers the request."),
    )

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["dataset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *datasets]


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply as the municipality"),
        required=False,
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SettingsForm(forms.Form):
    moderation = forms.ChoiceField(
        label=_("New comments and requests from the public"),
        choices=ParticipationSettings.Moderation.choices,
    )
