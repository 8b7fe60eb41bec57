"""Reads for accounts. Tenancy and permission are checked here, so UI, API and CLI agree."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import ApiToken, Department, Membership, Municipality, User
from nakhon.core.audit import audit_personal_read
from nakhon.core.errors import NotFound
from nakhon.core.models import AuditEvent
from nakhon.core.permissions import is_member, require, user_of


def municipality_list() -> QuerySet[Municipality]:
    """Active municipalities: public information."""
    return Municipality.objects.filter(is_active=True).select_related("province")


def municipality_get(*, slug: str) -> Municipality:
    municipality = municipality_list().filter(slug=slug).first()
    if municipality is None:
        raise NotFound(_("There is no municipality “%(slug)s”.") % {"slug": slug[:60]})
    return municipality


def municipality_list_for(*, actor: Any) -> list[Municipality]:
    """The municipalities where the actor is staff (all of them for a platform superuser)."""
    user = user_of(actor)
    if user is None:
        return []
    qs = municipality_list()
    if not user.is_superuser:
        qs = qs.filter(membership_set_for_user(user))
    return list(qs.distinct())


def membership_set_for_user(user: User) -> Q:
    ids = Membership.objects.filter(user=user, is_active=True).values("municipality_id")
    return Q(pk__in=ids)


def department_list(*, actor: Any, municipality: Municipality) -> QuerySet[Department]:
    require(actor, "department.view", municipality)
    return Department.objects.filter(municipality=municipality)


def department_get(*, actor: Any, municipality: Municipality, department_id: int) -> Department:
    department = (
        department_list(actor=actor, municipality=municipality).filter(pk=department_id).first()
    )
    if department is None:
        raise NotFound(_("Not found."))
    return department


def member_list(*, actor: Any, municipality: Municipality) -> QuerySet[Membership]:
    """Staff of the municipality (names and roles only: no contact details)."""
    require(actor, "member.list", municipality)
    return (
        Membership.objects.filter(municipality=municipality, is_active=True)
        .select_related("user", "department")
        .order_by("user__username", "role")
    )


def member_get(
    *, actor: Any, municipality: Municipality, user_id: int, purpose: str = ""
) -> tuple[User, list[Membership]]:
    """A staff member with contact details: personal data, so the read is audited.

    Needs ``member.view`` and ``personal_data.view`` (a token needs the ``personal`` scope).
    """
    require(actor, "member.view", municipality)
    require(actor, "personal_data.view", municipality)
    memberships = list(
        Membership.objects.filter(municipality=municipality, user_id=user_id).select_related(
            "user", "department"
        )
    )
    if not memberships:
        raise NotFound(_("Not found."))
    user = memberships[0].user
    audit_personal_read(
        actor=actor,
        municipality=municipality,
        obj=user,
        fields=list(User.PERSONAL_FIELDS),
        purpose=purpose or "member detail",
    )
    return user, memberships


def api_token_list(*, actor: Any, municipality: Municipality) -> QuerySet[ApiToken]:
    """The actor's own tokens; all of the municipality's for ``token.manage``."""
    require(actor, "staff.home", municipality)
    qs = ApiToken.objects.filter(municipality=municipality).select_related("user")
    from nakhon.core.permissions import can

    if not can(actor, "token.manage", municipality):
        qs = qs.filter(user=user_of(actor))
    return qs


AUDIT_FILTERS = ("actor", "action", "object_type", "since", "until", "personal_data", "q")


def audit_event_list(
    *, actor: Any, municipality: Municipality, filters: dict[str, Any] | None = None
) -> QuerySet[AuditEvent]:
    """The municipality's audit log, newest first, filtered.

    Filters: ``actor`` (user name), ``action`` (exact or prefix ending in ``.``),
    ``object_type``, ``since``/``until`` (dates, inclusive, Asia/Bangkok),
    ``personal_data`` (bool), ``q`` (text in the object's name).
    """
    require(actor, "audit.view", municipality)
    qs = AuditEvent.objects.filter(municipality=municipality)
    f = filters or {}
    if f.get("actor"):
        qs = qs.filter(actor_label=f["actor"])
    if f.get("action"):
        action = str(f["action"])
        qs = (
            qs.filter(action__startswith=action)
            if action.endswith(".")
            else qs.filter(action=action)
        )
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"])
    if f.get("since"):
        qs = qs.filter(at__gte=_day_start(f["since"]))
    if f.get("until"):
        qs = qs.filter(at__lt=_day_start(f["until"]) + timedelta(days=1))
    if f.get("personal_data") is not None and f.get("personal_data") != "":
        qs = qs.filter(personal_data=f["personal_data"] in (True, "1", "true", "on"))
    if f.get("q"):
        qs = qs.filter(object_repr__icontains=str(f["q"])[:100])
    return qs.order_by("-at", "-id")


def _day_start(value: date | datetime) -> datetime:
    day = value.date() if isinstance(value, datetime) else value
    return timezone.make_aware(datetime.combine(day, time.min))


def is_staff_of(actor: Any, municipality: Municipality) -> bool:
    return is_member(actor, municipality)
