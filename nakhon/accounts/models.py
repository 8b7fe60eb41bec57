"""Users, municipalities (the tenants), memberships with roles, departments, API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nakhon.core.models import BilingualName, TenantModel
from nakhon.core.permissions import Role


class User(AbstractUser):
    """A staff user. Citizens need no account. Personal data: name, e-mail, phone (PDPA)."""

    full_name_th = models.CharField(_("full name (Thai)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=5, choices=[("th", "ไทย"), ("en", "English")], default="th"
    )

    PERSONAL_FIELDS = ("first_name", "last_name", "full_name_th", "email", "phone")

    def display_name(self) -> str:
        return self.full_name_th or self.get_full_name() or self.get_username()


class Municipality(BilingualName, models.Model):
    """A local administrative organisation (อปท.) served by this deployment: the tenant."""

    class Kind(models.TextChoices):
        CITY = "city", _("City municipality (เทศบาลนคร)")
        TOWN = "town", _("Town municipality (เทศบาลเมือง)")
        SUBDISTRICT = "subdistrict", _("Subdistrict municipality (เทศบาลตำบล)")
        SAO = "sao", _("Subdistrict administrative organisation (อบต.)")
        PAO = "pao", _("Provincial administrative organisation (อบจ.)")
        SPECIAL = "special", _("Special local administration")

    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, help_text=_("Used in addresses: /<slug>/")
    )
    lao_code = models.CharField(
        _("LAO code"),
        max_length=7,
        unique=True,
        validators=[RegexValidator(r"^\d{7}$", _("The LAO code has 7 digits."))],
        help_text=_(
            "Code of the local administrative organisation (Department of Local Administration)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CITY)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name_th = models.CharField(_("short name (Thai)"), max_length=100, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=100, blank=True)
    province = models.ForeignKey(
        "core.AdminArea",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
        verbose_name=_("province"),
    )
    tambons = models.ManyToManyField(
        "core.AdminArea",
        blank=True,
        related_name="+",
        limit_choices_to={"level": "subdistrict"},
        verbose_name=_("subdistricts (tambon) covered"),
    )
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON geometry in WGS 84")
    )
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=10
    )
    locale = models.CharField(_("default language"), max_length=5, default="th")
    website = models.URLField(_("website"), blank=True)
    address_th = models.TextField(_("office address (Thai)"), blank=True)
    phone = models.CharField(_("office phone"), max_length=50, blank=True)
    primary_color = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#0b5394",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b5394."))],
    )
    boundary_source = models.CharField(_("boundary source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name_th


class Department(BilingualName, TenantModel):
    """A municipal department (สำนัก / กอง): owns datasets, employs staff."""

    code = models.SlugField(_("code"), max_length=60)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["municipality", "name_th"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="department_code_unique")
        ]

    def __str__(self) -> str:
        return self.name_th


class Membership(TenantModel):
    """A user's role in a municipality. A user may hold several roles, in several cities."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.CHOICES)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    position_th = models.CharField(_("position (Thai)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["municipality", "user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "user", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} · {self.get_role_display()}"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(TenantModel):
    """A bearer token for the API, bound to one municipality and narrowed by scopes.

    Only a SHA-256 digest is stored; the token itself is shown once, when it is created.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.is_active
        )


class LoginLink(models.Model):
    """A one-time sign-in link (printed by `nakhon` for the demo admin, or by `login-link`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    next_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")

    def __str__(self) -> str:
        return f"sign-in link for {self.user_id} (expires {self.expires_at:%Y-%m-%d %H:%M})"
