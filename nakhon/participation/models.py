"""Citizen participation: comments and ratings on public datasets, data requests that staff
answer publicly, and each city's moderation setting.

Contact e-mails are personal data (PDPA): they are never part of a public page, JSON twin or
API answer, and every read of them by staff is written to the audit log (selectors do it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nakhon.core.models import TenantModel


class Visibility(models.TextChoices):
    """Whether the public sees a comment or a request."""

    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for review")
    HIDDEN = "hidden", _("Hidden by staff")


class ParticipationSettings(TenantModel):
    """A municipality's moderation choice. Without a row, new posts are published at once."""

    class Moderation(models.TextChoices):
        PUBLISH = "publish", _("Publish at once (staff can hide)")
        HOLD = "hold", _("Hold for review before publishing")

    moderation = models.CharField(
        _("new posts from the public"),
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.PUBLISH,
    )

    class Meta:
        verbose_name = _("participation settings")
        verbose_name_plural = _("participation settings")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="participation_settings_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} · {self.get_moderation_display()}"


class PublicPost(TenantModel):
    """What comments and data requests share: an optional name shown with the post, an
    optional contact e-mail (personal data, never shown publicly), the signed-in author if
    any, whether the public sees it, and the fingerprint of its text (duplicates)."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed-in author"),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLISHED,
        db_index=True,
    )
    fingerprint = models.CharField(_("body fingerprint"), max_length=64, db_index=True)

    class Meta:
        abstract = True


class Comment(PublicPost):
    """A comment of a citizen on a public dataset, with the municipality's optional reply."""

    dataset = models.ForeignKey(
        "catalog.Dataset",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("dataset"),
    )
    body = models.TextField(_("comment"))
    reports = models.PositiveIntegerField(_("reports"), default=0)
    flagged = models.BooleanField(_("reported for review"), default=False, db_index=True)
    reply = models.TextField(_("reply of the municipality"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["municipality", "visibility", "flagged"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.body[:60]}"


class Rating(TenantModel):
    """One visitor's 1–5 stars for a dataset; rating again replaces it."""

    dataset = models.ForeignKey(
        "catalog.Dataset",
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("dataset"),
    )
    visitor = models.CharField(_("visitor"), max_length=64)  # a hash: user id or cookie id
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "visitor"], name="rating_one_per_visitor"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} · {self.stars}"


class DataRequest(PublicPost):
    """A citizen's request for data, answered publicly by staff through its status history."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    dataset = models.ForeignKey(
        "catalog.Dataset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published dataset"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        indexes = [models.Index(fields=["municipality", "visibility", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title[:80]}"


class DataRequestEvent(TenantModel):
    """One step of a request's public history: a status change or an answer of the staff."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    status = models.CharField(_("status"), max_length=12, choices=DataRequest.Status.choices)
    note = models.TextField(_("public answer"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("data request event")
        verbose_name_plural = _("data request events")

    def __str__(self) -> str:
        return f"{self.request_id} → {self.status}"
