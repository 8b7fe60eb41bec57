"""API input and output of participation. No output schema has a field for an e-mail address,
except the moderation queue's, which only moderators who may read personal data get."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class _SpamFields(Schema):
    website: str = Field("", description="Honeypot: leave empty (a filled one is refused).")
    form_token: str = Field(
        "",
        description=(
            "From `GET …/participation/form-token`, at least `min_seconds` old when posting "
            "(not needed for staff of the city)."
        ),
    )


class CommentIn(_SpamFields):
    body: str = Field(..., max_length=5000)
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254, description="Never shown publicly.")


class CommentOut(Schema):
    id: int
    name: str
    body: str
    created_at: dt.datetime
    reply: str | None
    replied_at: dt.datetime | None
    reply_by: str | None


class CommentCreatedOut(CommentOut):
    visibility: str = Field(description="`published`, or `held` until staff review it.")


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    website: str = Field("", description="Honeypot: leave empty.")


class RatingOut(Schema):
    average: float | None
    count: int
    yours: int | None


class FormTokenOut(Schema):
    form_token: str
    min_seconds: int


class DataRequestIn(_SpamFields):
    title: str = Field(..., max_length=400)
    description: str = Field(..., max_length=8000)
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254, description="Never shown publicly.")


class DataRequestEventOut(Schema):
    status: str
    status_label: str
    note: str
    at: dt.datetime


class DataRequestOut(Schema):
    id: int
    title: str
    description: str
    name: str
    status: str
    status_label: str
    dataset: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DataRequestDetailOut(DataRequestOut):
    history: list[DataRequestEventOut]
    visibility: str | None = None


class DataRequestCreatedOut(DataRequestOut):
    visibility: str


class AnswerIn(Schema):
    status: str = Field(description="received, in_progress, published or declined")
    note: str = Field("", description="The public answer; required to decline.")
    dataset: str = Field("", description="Slug of the public dataset; required to publish.")


class ModerateIn(Schema):
    action: str = Field(
        description="Comments: publish, hide, dismiss, delete. Requests: publish, hide."
    )


class QueueCommentOut(CommentOut):
    dataset: str
    visibility: str
    reports: int
    flagged: bool
    email: str | None = None


class QueueRequestOut(DataRequestOut):
    visibility: str
    email: str | None = None


class ModerationQueueOut(Schema):
    comments: list[QueueCommentOut]
    hidden_comments: list[QueueCommentOut]
    requests: list[QueueRequestOut]
    open_requests: list[DataRequestOut]
    moderation: str
    contacts: bool
