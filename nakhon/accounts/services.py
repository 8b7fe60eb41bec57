"""Writes for accounts: municipalities (onboarding), departments, memberships, tokens, links.

Every service takes the actor and the municipality explicitly, checks permission with
``require`` and writes the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import (
    ApiToken,
    Department,
    LoginLink,
    Membership,
    Municipality,
    User,
    token_digest,
)
from nakhon.core.audit import audit_record, diff_fields
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import TOKEN_SCOPES, Role, require

DEPARTMENT_EDITABLE = ("name_th", "name_en", "description_th", "description_en", "email", "phone")


@transaction.atomic
def department_update(
    *, actor: Any, municipality: Municipality, department: Department, data: dict[str, Any]
) -> Department:
    """Change a department's names, description or contacts (admin role)."""
    require(actor, "department.change", municipality)
    if department.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    unknown = set(data) - set(DEPARTMENT_EDITABLE)
    if unknown:
        raise InvalidInput(errors={f: _("This field cannot be changed.") for f in sorted(unknown)})
    errors: dict[str, str] = {}
    if "name_th" in data and not str(data["name_th"] or "").strip():
        errors["name_th"] = _("The Thai name is required.")
    for field, value in data.items():
        max_length = getattr(Department._meta.get_field(field), "max_length", None)
        if max_length and len(str(value or "")) > max_length:
            errors[field] = _("At most %(n)d characters.") % {"n": max_length}
    if errors:
        raise InvalidInput(errors=errors)
    before = {f: getattr(department, f) for f in DEPARTMENT_EDITABLE}
    for field, value in data.items():
        setattr(department, field, (value or "").strip() if isinstance(value, str) else value)
    department.full_clean()
    department.save()
    after = {f: getattr(department, f) for f in DEPARTMENT_EDITABLE}
    audit_record(
        actor=actor,
        action="department.update",
        municipality=municipality,
        obj=department,
        changes=diff_fields(before, after),
    )
    return department


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    municipality: Municipality,
    user: User,
    role: str,
    department: Department | None = None,
    position_th: str = "",
) -> Membership:
    """Give ``user`` a role in ``municipality`` (admin role)."""
    require(actor, "member.manage", municipality)
    if role not in Role.ALL:
        raise InvalidInput(errors={"role": _("Unknown role.")})
    if department is not None and department.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    membership, created = Membership.objects.get_or_create(
        municipality=municipality,
        user=user,
        role=role,
        defaults={"department": department, "position_th": position_th},
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action="member.grant",
        municipality=municipality,
        obj=membership,
        changes={"user": user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, municipality: Municipality, membership: Membership) -> None:
    require(actor, "member.manage", municipality)
    if membership.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="member.revoke", municipality=municipality, obj=membership)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once


@transaction.atomic
def api_token_create(
    *,
    actor: Any,
    municipality: Municipality,
    user: User,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = 365,
) -> IssuedToken:
    """Issue an API token for ``user`` bound to ``municipality``.

    A user may make their own token (any member); making one for somebody else needs the
    ``token.manage`` action. The raw token is returned once and never stored.
    """
    require(actor, "staff.home", municipality)
    if getattr(actor, "pk", None) != user.pk:
        require(actor, "token.manage", municipality)
    if (
        not Membership.objects.filter(municipality=municipality, user=user, is_active=True).exists()
        and not user.is_superuser
    ):
        raise InvalidInput(errors={"user": _("The user is not a member of this municipality.")})
    bad = [s for s in scopes if s not in TOKEN_SCOPES]
    if bad or not scopes:
        raise InvalidInput(
            errors={"scopes": _("Choose scopes among: %(s)s") % {"s": ", ".join(TOKEN_SCOPES)}}
        )
    if not name.strip():
        raise InvalidInput(errors={"name": _("Give the token a name.")})
    prefix = secrets.token_hex(4)
    raw = f"nkh_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        municipality=municipality,
        user=user,
        name=name.strip()[:100],
        prefix=prefix,
        digest=token_digest(raw),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(
        actor=actor,
        action="token.create",
        municipality=municipality,
        obj=token,
        changes={"user": user.get_username(), "scopes": token.scopes},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, actor: Any, municipality: Municipality, token: ApiToken) -> None:
    require(actor, "staff.home", municipality)
    if token.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    if getattr(actor, "pk", None) != token.user_id:
        require(actor, "token.manage", municipality)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="token.revoke", municipality=municipality, obj=token)


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token for a raw bearer string, or None. Updates ``last_used_at``."""
    if not raw.startswith("nkh_") or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "municipality")
        .filter(digest=token_digest(raw))
        .first()
    )
    if token is None or not token.is_usable():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def login_link_create(*, user: User, next_url: str = "", hours: int | None = None) -> str:
    """Make a one-time sign-in link path for ``user`` (CLI only: it prints the link)."""
    raw = secrets.token_urlsafe(32)
    LoginLink.objects.create(
        user=user,
        digest=token_digest(raw),
        next_url=next_url,
        expires_at=timezone.now() + timedelta(hours=hours or settings.NAKHON_LOGIN_LINK_HOURS),
    )
    audit_record(
        actor=None, action="auth.login_link.create", obj=user, object_repr=user.get_username()
    )
    return f"/accounts/link/{raw}/"


@transaction.atomic
def login_link_redeem(*, raw: str) -> LoginLink | None:
    """Use a sign-in link once. Returns the link (with its user) or None if invalid/used."""
    link = (
        LoginLink.objects.select_for_update()
        .select_related("user")
        .filter(digest=token_digest(raw))
        .first()
    )
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        return None
    if not link.user.is_active:
        return None
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link
