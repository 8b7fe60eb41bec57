"""Onboarding a municipality from a profile file: ``nakhon city add PROFILE.toml``.

A new city is data (ARCHITECTURE.md, 8): names, LAO code, province, tambons, boundary GeoJSON,
fiscal calendar, branding and departments, in one TOML file. See docs/cli.md for the format and
``nakhon/demo/profiles/`` for real examples.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from nakhon.accounts.models import Department, Municipality
from nakhon.core import geo
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput
from nakhon.core.models import AdminArea
from nakhon.core.reference import admin_areas_ensure

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("slug", "lao_code", "kind", "name_th", "name_en", "province_code")
_OPTIONAL_TEXT = (
    "short_name_th",
    "short_name_en",
    "website",
    "address_th",
    "phone",
    "boundary_source",
)
_KNOWN_KEYS = {
    *_REQUIRED,
    *_OPTIONAL_TEXT,
    "tambon_codes",
    "boundary",
    "fiscal_year_start_month",
    "locale",
    "branding",
    "departments",
    "_base_dir",
}
_DEPARTMENT_KEYS = {
    "code",
    "name_th",
    "name_en",
    "description_th",
    "description_en",
    "email",
    "phone",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_departments(departments: Any, errors: dict[str, str]) -> None:
    if not isinstance(departments, list):
        errors["departments"] = "use [[departments]] tables"
        return
    seen: set[str] = set()
    for i, dept in enumerate(departments, start=1):
        where = f"departments[{i}]"
        if not isinstance(dept, dict):
            errors[where] = "must be a table with code and name_th"
            continue
        unknown = sorted(set(dept) - _DEPARTMENT_KEYS)
        if unknown:
            errors[where] = "unknown keys: " + ", ".join(unknown)
        code = str(dept.get("code", ""))
        if not _SLUG.match(code) or len(code) > 60:
            errors[f"{where}.code"] = "required: lower-case letters, digits and hyphens"
        elif code in seen:
            errors[f"{where}.code"] = f"“{code}” appears twice"
        seen.add(code)
        if not str(dept.get("name_th", "")).strip():
            errors[f"{where}.name_th"] = "required"
        if dept.get("email") and not _EMAIL.match(str(dept["email"])):
            errors[f"{where}.email"] = "not an e-mail address"


def profile_load(path: Path) -> dict[str, Any]:
    """Read and check a profile; raises ``InvalidInput`` listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: a profile must be UTF-8 text") from None
    try:
        profile = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc})") from None
    profile["_base_dir"] = str(path.resolve().parent)
    return profile


def _check(profile: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in _REQUIRED:
        if not str(profile.get(key, "")).strip():
            errors[key] = "required"
    slug = str(profile.get("slug", ""))
    if slug and (not _SLUG.match(slug) or len(slug) > 60):
        errors["slug"] = "use lower-case letters, digits and hyphens, e.g. khon-kaen"
    if slug in {
        "api",
        "admin",
        "accounts",
        "static",
        "healthz",
        "version",
        "i18n",
        "media",
        "welcome",
    }:
        errors["slug"] = f"“{slug}” is reserved for the site itself"
    code = str(profile.get("lao_code", ""))
    if code and not re.fullmatch(r"\d{7}", code):
        errors["lao_code"] = "the LAO code has 7 digits"
    if profile.get("kind") and profile["kind"] not in Municipality.Kind.values:
        errors["kind"] = "one of " + ", ".join(Municipality.Kind.values)
    month = profile.get("fiscal_year_start_month", 10)
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors["fiscal_year_start_month"] = "a month number 1–12"
    branding = profile.get("branding", {})
    if not isinstance(branding, dict):
        errors["branding"] = "use a [branding] table"
    elif not re.fullmatch(r"#[0-9a-fA-F]{6}", str(branding.get("primary_color", "#0b5394"))):
        errors["branding.primary_color"] = "a colour like #0b5394"
    if profile.get("locale", "th") not in {"th", "en"}:
        errors["locale"] = "th or en"
    website = str(profile.get("website", ""))
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
        errors["website"] = "an address starting with https://"
    if not isinstance(profile.get("tambon_codes", []), list):
        errors["tambon_codes"] = 'a list such as ["400101"]'
    unknown = sorted(set(profile) - _KNOWN_KEYS)
    if unknown:
        errors["profile"] = "unknown keys (a typo?): " + ", ".join(unknown)
    _check_departments(profile.get("departments", []), errors)
    return errors


@transaction.atomic
def municipality_onboard(
    *, profile: dict[str, Any], actor: Any = None, update: bool = False
) -> Municipality:
    """Create (or with ``update=True`` refresh) a municipality and its departments."""
    admin_areas_ensure()
    errors = _check(profile)
    province = AdminArea.objects.filter(
        code=str(profile.get("province_code", "")), level="province"
    ).first()
    if province is None and "province_code" not in errors:
        errors["province_code"] = f"no province with DOPA code {profile.get('province_code')!r}"
    raw_codes = profile.get("tambon_codes", [])
    tambon_codes = [str(c) for c in raw_codes] if isinstance(raw_codes, list) else []
    tambons = list(AdminArea.objects.filter(code__in=tambon_codes, level="subdistrict"))
    missing = sorted(set(tambon_codes) - {t.code for t in tambons})
    if missing:
        errors["tambon_codes"] = "unknown subdistrict codes: " + ", ".join(missing)
    elif province and any(not t.code.startswith(province.code) for t in tambons):
        errors["tambon_codes"] = "every tambon must be in the profile's province"
    geom = None
    if profile.get("boundary"):
        try:
            geom = geo.load_geometry(
                Path(profile.get("_base_dir", ".")) / profile["boundary"], where="boundary"
            )
        except InvalidInput as exc:
            errors["boundary"] = exc.message.removeprefix("boundary: ")
    existing = Municipality.objects.filter(slug=profile.get("slug")).first()
    if existing and not update:
        errors["slug"] = f"a municipality “{existing.slug}” exists already (use --update)"
    other = Municipality.objects.filter(lao_code=profile.get("lao_code")).exclude(
        slug=profile.get("slug")
    )
    if other.exists():
        errors["lao_code"] = f"LAO code {profile.get('lao_code')} belongs to another municipality"
    if errors:
        raise InvalidInput("The municipality profile has problems.", errors=errors)
    assert province is not None
    values: dict[str, Any] = {
        "lao_code": profile["lao_code"],
        "kind": profile["kind"],
        "name_th": profile["name_th"].strip(),
        "name_en": profile["name_en"].strip(),
        "province": province,
        "fiscal_year_start_month": profile.get("fiscal_year_start_month", 10),
        "locale": profile.get("locale", "th"),
        "primary_color": (profile.get("branding") or {}).get("primary_color", "#0b5394"),
        **{key: str(profile.get(key, "")).strip() for key in _OPTIONAL_TEXT},
    }
    if geom is not None:
        values["boundary"] = geo.to_geojson(geom)
        values["bbox"] = geo.bbox(geom)
        values["area_km2"] = Decimal(f"{geo.area_km2(geom):.2f}")
    municipality, created = Municipality.objects.update_or_create(
        slug=profile["slug"], defaults=values
    )
    municipality.tambons.set(tambons)
    for dept in profile.get("departments", []):
        Department.objects.update_or_create(
            municipality=municipality,
            code=dept["code"],
            defaults={
                "name_th": dept["name_th"],
                "name_en": dept.get("name_en", ""),
                "description_th": dept.get("description_th", ""),
                "description_en": dept.get("description_en", ""),
                "email": dept.get("email", ""),
                "phone": dept.get("phone", ""),
            },
        )
    audit_record(
        actor=actor,
        action="municipality.onboard" if created else "municipality.update",
        municipality=municipality,
        obj=municipality,
        changes={
            "profile": profile.get("slug"),
            "departments": len(profile.get("departments", [])),
        },
    )
    return municipality
