"""API operations for municipalities, departments, staff and the audit log.

Thin: parse input, call one selector/service with ``actor=actor_of(request)``, return output.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from nakhon.accounts import selectors, services
from nakhon.accounts.models import Membership, Municipality, User
from nakhon.accounts.schemas import (
    AuditEventOut,
    AuditFilters,
    DepartmentOut,
    DepartmentPatchIn,
    MemberDetailOut,
    MemberOut,
    MeOut,
    MunicipalityDetailOut,
    MunicipalityOut,
)
from nakhon.core import thai
from nakhon.core.api_auth import actor_of
from nakhon.core.errors import NotAuthenticated
from nakhon.core.pagination import BoundedLimitOffset
from nakhon.core.permissions import TokenActor, user_of

router = Router(tags=["municipalities"])


@router.get("/municipalities", response=list[MunicipalityOut])
def municipalities(request: HttpRequest) -> Any:
    """Every municipality this deployment serves (public)."""
    return selectors.municipality_list()


@router.get("/municipalities/{slug}", response=MunicipalityDetailOut)
def municipality_detail(request: HttpRequest, slug: str, include_boundary: bool = False) -> Any:
    """One municipality's public profile; the boundary GeoJSON with ``include_boundary``."""
    m = selectors.municipality_get(slug=slug)
    return {
        **{f: getattr(m, f) for f in MunicipalityDetailOut.model_fields if hasattr(m, f)},
        "province_id": m.province_id,
        "area_km2": float(m.area_km2) if m.area_km2 is not None else None,
        "tambon_codes": [t.code for t in m.tambons.all()],
        "fiscal_year_be": thai.fiscal_year(
            timezone.localdate(), start_month=m.fiscal_year_start_month
        ),
        "boundary": m.boundary if include_boundary else None,
    }


@router.get("/municipalities/{slug}/departments", response=list[DepartmentOut])
def departments(request: HttpRequest, slug: str) -> Any:
    """The municipality's departments (public)."""
    m = selectors.municipality_get(slug=slug)
    return selectors.department_list(actor=actor_of(request), municipality=m)


@router.get("/municipalities/{slug}/departments/{department_id}", response=DepartmentOut)
def department_detail(request: HttpRequest, slug: str, department_id: int) -> Any:
    m = selectors.municipality_get(slug=slug)
    return selectors.department_get(
        actor=actor_of(request), municipality=m, department_id=department_id
    )


@router.patch("/municipalities/{slug}/departments/{department_id}", response=DepartmentOut)
def department_patch(
    request: HttpRequest, slug: str, department_id: int, payload: DepartmentPatchIn
) -> Any:
    """Change a department (admin role; a token needs the ``write`` scope). Audited."""
    m = selectors.municipality_get(slug=slug)
    department = selectors.department_get(
        actor=actor_of(request), municipality=m, department_id=department_id
    )
    return services.department_update(
        actor=actor_of(request),
        municipality=m,
        department=department,
        data=payload.model_dump(exclude_unset=True),
    )


def _member_rows(memberships: list[Membership]) -> list[dict[str, Any]]:
    by_user: dict[int, dict[str, Any]] = {}
    for ms in memberships:
        row = by_user.setdefault(
            ms.user_id,
            {
                "user_id": ms.user_id,
                "username": ms.user.get_username(),
                "display_name": ms.user.display_name(),
                "roles": [],
            },
        )
        row["roles"].append(
            {
                "role": ms.role,
                "department_code": ms.department.code if ms.department else None,
                "position_th": ms.position_th,
            }
        )
    return list(by_user.values())


@router.get("/municipalities/{slug}/members", response=list[MemberOut])
def members(request: HttpRequest, slug: str) -> Any:
    """Staff and their roles (staff only; no contact details)."""
    m = selectors.municipality_get(slug=slug)
    return _member_rows(list(selectors.member_list(actor=actor_of(request), municipality=m)))


@router.get("/municipalities/{slug}/members/{user_id}", response=MemberDetailOut)
def member_detail(request: HttpRequest, slug: str, user_id: int) -> Any:
    """A staff member with contact details: personal data (admin; ``personal`` scope for a
    token). Every call is written to the audit log."""
    m = selectors.municipality_get(slug=slug)
    user, memberships = selectors.member_get(
        actor=actor_of(request), municipality=m, user_id=user_id, purpose="api: member detail"
    )
    row = _member_rows(memberships)[0]
    return {
        **row,
        **{f: getattr(user, f) for f in User.PERSONAL_FIELDS},
    }


@router.get("/municipalities/{slug}/audit", response=list[AuditEventOut])
@paginate(BoundedLimitOffset)
def audit_events(request: HttpRequest, slug: str, filters: Query[AuditFilters]) -> Any:
    """The municipality's audit log, newest first (admin and executive roles)."""
    m = selectors.municipality_get(slug=slug)
    return selectors.audit_event_list(
        actor=actor_of(request), municipality=m, filters=filters.model_dump(exclude_none=True)
    )


@router.get("/me", response=MeOut, tags=["accounts"])
def me(request: HttpRequest) -> Any:
    """Who the request is authenticated as, and where."""
    user = user_of(actor_of(request))
    if user is None:
        raise NotAuthenticated("Sign in or send an API token.")
    actor = actor_of(request)
    memberships = Membership.objects.filter(user=user, is_active=True).select_related(
        "municipality"
    )
    token = actor.token if isinstance(actor, TokenActor) else None
    if token is not None:
        memberships = memberships.filter(municipality_id=token.municipality_id)
    return {
        "username": user.get_username(),
        "display_name": user.display_name(),
        "is_superuser": user.is_superuser,
        "memberships": [
            {"municipality": ms.municipality.slug, "role": ms.role} for ms in memberships
        ],
        "token_municipality": token.municipality.slug if token else None,
        "token_scopes": token.scopes if token else None,
    }


def municipality_for(slug: str) -> Municipality:
    return selectors.municipality_get(slug=slug)
