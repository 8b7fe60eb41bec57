"""Shared kernel models: the tenant-owned base, the audit log, national reference areas."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BilingualName:
    """Mixin for models with ``name_th`` and ``name_en``: the name in the active language."""

    name_th: str
    name_en: str

    def name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "th"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_th


class TenantModel(models.Model):
    """Base of every tenant-owned model: it carries its municipality (ARCHITECTURE.md, 8)."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class AuditEvent(models.Model):
    """One entry of the append-only audit log: who did what, when, from where, to what.

    Written for every write and for every read of personal data. Rows are never updated or
    deleted: the model refuses it and database triggers refuse it too (migration 0002).
    Foreign keys carry no database constraint so a later change elsewhere never touches a row.
    """

    class Via(models.TextChoices):
        WEB = "web", _("web")
        API = "api", _("API")
        ADMIN = "admin", _("admin site")
        CLI = "cli", _("command line")
        SYSTEM = "system", _("system")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=200, blank=True)
    token_label = models.CharField(_("API token"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    personal_data = models.BooleanField(_("personal data"), default=False)
    changes = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.SYSTEM)
    request_id = models.CharField(_("request id"), max_length=40, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["municipality", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class AdminArea(models.Model):
    """A Thai administrative area by its DOPA code: province (2 digits), district (4), tambon (6).

    National reference data (not tenant-owned), loaded from GeoThai (CC BY 4.0), see
    ``nakhon/core/data/README.md``.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("province (changwat)")
        DISTRICT = "district", _("district (amphoe)")
        SUBDISTRICT = "subdistrict", _("subdistrict (tambon)")

    code = models.CharField(_("DOPA code"), max_length=6, primary_key=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    name_th = models.CharField(_("Thai name"), max_length=100, db_index=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    postal_code = models.CharField(
        _("postal code"), max_length=30, blank=True, help_text=_("One or more, space-separated.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"
