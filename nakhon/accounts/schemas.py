"""API input/output schemas for municipalities, departments, staff and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class MunicipalityOut(Schema):
    slug: str
    lao_code: str = Field(description="7-digit code of the local administrative organisation")
    kind: str
    name_th: str
    name_en: str
    province_code: str = Field(alias="province_id")
    area_km2: float | None = Field(None, description="Geodesic area of the boundary, km²")
    bbox: list[float] | None = Field(None, description="[min lon, min lat, max lon, max lat]")
    website: str
    fiscal_year_start_month: int


class MunicipalityDetailOut(MunicipalityOut):
    short_name_th: str
    short_name_en: str
    address_th: str
    phone: str
    locale: str
    primary_color: str
    boundary_source: str
    tambon_codes: list[str]
    fiscal_year_be: int = Field(description="Current fiscal year, Buddhist Era")
    boundary: dict[str, Any] | None = Field(
        None, description="GeoJSON geometry (WGS 84), with ?include_boundary=true"
    )


class DepartmentOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    description_th: str
    description_en: str
    email: str
    phone: str


class DepartmentPatchIn(Schema):
    name_th: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description_th: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)


class RoleOut(Schema):
    role: str
    department_code: str | None = None
    position_th: str = ""


class MemberOut(Schema):
    user_id: int
    username: str
    display_name: str
    roles: list[RoleOut]


class MemberDetailOut(MemberOut):
    email: str
    phone: str
    first_name: str
    last_name: str
    full_name_th: str


class MembershipOut(Schema):
    municipality: str
    role: str


class MeOut(Schema):
    username: str
    display_name: str
    is_superuser: bool
    memberships: list[MembershipOut]
    token_municipality: str | None = None
    token_scopes: list[str] | None = None


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str = Field(alias="actor_label")
    token: str = Field(alias="token_label")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    personal_data: bool
    via: str
    ip: str | None
    request_id: str
    changes: dict[str, Any]


class AuditFilters(Schema):
    actor: str | None = None
    action: str | None = Field(None, description="exact, or a prefix ending in '.'")
    object_type: str | None = None
    since: date | None = None
    until: date | None = None
    personal_data: bool | None = None
    q: str | None = Field(None, max_length=100)
