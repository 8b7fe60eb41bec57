"""Writes to the local revenue registers, each checked and written to the audit log.

``record_save`` creates or updates one record of a register (taxpayer, parcel, building,
condominium unit, signboard) from raw values (a form's or an import row's), with its owners
and uses; the audit log keeps who changed what and when (the record's history, needed when an
assessment is appealed). Personal fields of a taxpayer are never written into the log in
clear: the log says that they changed. Imports are in ``nakhon.tax.imports``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record, diff_fields
from nakhon.core.errors import InvalidInput
from nakhon.core.models import AdminArea
from nakhon.core.permissions import require
from nakhon.tax.models import (
    Building,
    CondoUnit,
    Holding,
    Parcel,
    PropertyUse,
    Signboard,
    Taxpayer,
)
from nakhon.tax.validate import CLEANERS, Problem

KINDS = ("taxpayer", "parcel", "building", "unit", "signboard")
MODELS: dict[str, type[Model]] = {
    "taxpayer": Taxpayer,
    "parcel": Parcel,
    "building": Building,
    "unit": CondoUnit,
    "signboard": Signboard,
}
# The model fields each register writes (owners, uses, references are handled apart).
FIELDS = {
    "taxpayer": (
        "kind",
        "national_id",
        "title",
        "name",
        "address",
        "tambon_id",
        "phone",
        "email",
    ),
    "parcel": (
        "deed_kind",
        "deed_number",
        "parcel_number",
        "survey_page",
        "area_sq_wah",
        "price_per_sq_wah",
        "tambon_id",
        "geometry",
        "bbox",
    ),
    "building": (
        "parcel_id",
        "building_class",
        "structure",
        "floor_area_m2",
        "year_built",
        "floors",
        "price_per_m2",
    ),
    "unit": (
        "condominium",
        "unit_number",
        "floor",
        "deed_number",
        "area_m2",
        "price_per_m2",
        "tambon_id",
    ),
    "signboard": (
        "owner_id",
        "business_name",
        "sign_type",
        "moving",
        "width_cm",
        "height_cm",
        "faces",
        "installed_on",
        "removed_on",
        "exemption",
        "latitude",
        "longitude",
        "tambon_id",
    ),
}
PERSONAL = {"taxpayer": set(Taxpayer.PERSONAL_FIELDS)}
REDACTED = "(personal data changed)"


@dataclass
class Checked:
    """A record's cleaned values with its references resolved, or its problems."""

    kind: str
    values: dict[str, Any]
    problems: list[Problem]
    instance: Model | None  # the existing record with the same code, if any


def _problems_error(problems: list[Problem], record: str = "") -> InvalidInput:
    """One error naming the record (``parcel P-0001``) and each field's problems."""
    from django.utils.translation import get_language

    language = get_language() or "th"
    errors: dict[str, str] = {}
    for p in problems:
        errors[p.field] = "; ".join(filter(None, [errors.get(p.field), p.message(language)]))
    text = "; ".join(f"{field}: {message}" for field, message in errors.items())
    return InvalidInput(f"{record}: {text}" if record else text, errors=errors)


def record_check(
    kind: str,
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    exemptions: tuple[str, ...] = (),
) -> Checked:
    """Clean one record of ``kind`` and resolve its references inside the municipality.

    Reads only; the import runs it on every row before writing anything.
    """
    cleaner: Any = CLEANERS[kind]
    if kind == "signboard" and "owner" not in data and "owners" in data:
        # an import maps the "owner" / "เจ้าของ" column to ``owners`` (the holdings of parcels,
        # buildings, units): a sign has one owner, which was dropped without a word
        data = {**data, "owner": data["owners"]}
    if kind == "signboard":
        values, problems = cleaner(data, exemptions=exemptions)
    else:
        values, problems = cleaner(data)
    model = MODELS[kind]
    instance = None
    if values.get("code"):
        instance = model._default_manager.filter(
            municipality=municipality, code=values["code"]
        ).first()
    tambon = values.pop("tambon", None)
    if tambon is not None:
        values["tambon_id"] = tambon or None
        if tambon and not AdminArea.objects.filter(code=tambon, level="subdistrict").exists():
            problems.append(Problem("tambon", "no tambon with this code", "ไม่มีตำบลรหัสนี้", tambon))
    if kind == "taxpayer" and values.get("national_id"):
        clash = Taxpayer.objects.filter(
            municipality=municipality, national_id=values["national_id"]
        ).exclude(code=values.get("code"))
        if clash.exists():
            problems.append(
                Problem(
                    "national_id",
                    f"the same ID number is already registered as taxpayer {clash[0].code}",
                    f"เลขประจำตัวนี้มีในทะเบียนแล้ว ผู้เสียภาษี {clash[0].code}",
                )
            )
    if kind == "building":
        code = values.pop("parcel", "")
        values["parcel_id"] = None
        if code:
            parcel = Parcel.objects.filter(municipality=municipality, code=code).first()
            if parcel is None:
                problems.append(
                    Problem("parcel", "no parcel with this number", "ไม่มีแปลงที่ดินเลขนี้", code)
                )
            else:
                values["parcel_id"] = parcel.pk
    if kind == "signboard":
        code = values.pop("owner", "")
        values["owner_id"] = None
        if code:
            owner = Taxpayer.objects.filter(municipality=municipality, code=code).first()
            if owner is None:
                problems.append(
                    Problem("owner", "no taxpayer with this number", "ไม่มีผู้เสียภาษีเลขนี้", code)
                )
            else:
                values["owner_id"] = owner.pk
    if "owners" in values:
        resolved = []
        for code, share in values["owners"]:
            owner = (
                code
                if isinstance(code, Taxpayer)
                else Taxpayer.objects.filter(municipality=municipality, code=code).first()
            )
            if owner is None:
                problems.append(
                    Problem("owners", "no taxpayer with this number", "ไม่มีผู้เสียภาษีเลขนี้", code)
                )
            else:
                resolved.append((owner, share))
        values["owners"] = resolved
        for owner, _share in resolved:
            home = {"residential_primary", "residential_building_only"}
            if owner.kind == Taxpayer.Kind.JURISTIC and any(
                u in home for u, _s in values.get("uses", [])
            ):
                problems.append(
                    Problem(
                        "use",
                        "a primary home (Act §41, §42) belongs to a person, not a juristic person",
                        "บ้านหลังหลัก (มาตรา 41, 42) เป็นของบุคคลธรรมดา ไม่ใช่นิติบุคคล",
                    )
                )
                break
    if kind == "parcel":
        geometry = values.get("geometry")
        values["bbox"] = None
        if geometry:
            from nakhon.core import geo

            try:
                values["bbox"] = geo.bbox(geo.load_geometry(geometry, where="geometry"))
            except InvalidInput as exc:
                problems.append(Problem("geometry", exc.message, exc.message))
    return Checked(kind, values, problems, instance)


def _number(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _shown(kind: str, obj: Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in FIELDS[kind]:
        value = getattr(obj, name)
        row[name] = _number(value) if isinstance(value, Decimal) else value
    for relation in ("holdings", "uses"):
        if obj.pk is None or not hasattr(obj, relation):
            continue
        if relation == "holdings":
            items = [
                f"{h.taxpayer.code}:{_number(h.share_percent)}"
                + (f" ({h.role})" if h.role != Holding.Role.OWNER else "")
                for h in obj.holdings.all()  # type: ignore[attr-defined]
            ]
            row["owners"] = "; ".join(sorted(items))
        else:
            items = [
                f"{u.use}:{_number(u.share_percent)}"
                + (f" vacant since {u.vacant_since}" if u.vacant_since else "")
                for u in obj.uses.all()  # type: ignore[attr-defined]
            ]
            row["uses"] = "; ".join(sorted(items))
    return row


def _redact(kind: str, changes: dict[str, Any]) -> dict[str, Any]:
    personal = PERSONAL.get(kind, set())
    return {k: (REDACTED if k in personal else v) for k, v in changes.items()}


def record_write(checked: Checked, *, actor: Any, municipality: Municipality) -> tuple[Model, str]:
    """Write a checked record (no problems); returns it and ``created|changed|unchanged``.

    The caller holds the transaction and has checked the permission (``record_save``,
    ``nakhon.tax.imports``).
    """
    kind, values = checked.kind, dict(checked.values)
    model = MODELS[kind]
    obj: Any = checked.instance or model(municipality=municipality, code=values["code"])
    created = obj.pk is None
    before = {} if created else _shown(kind, obj)
    owners = values.pop("owners", None)
    role = values.pop("holder_role", None) or Holding.Role.OWNER
    uses = values.pop("uses", None)
    vacant_since = values.pop("vacant_since", None)
    for name in FIELDS[kind]:
        setattr(obj, name, values.get(name))
    obj.full_clean(exclude=["municipality", "photo"])
    obj.save()
    target = {"unit" if kind == "unit" else kind: obj}
    if owners is not None and kind in ("parcel", "building", "unit"):
        current = sorted((h.taxpayer_id, h.share_percent, h.role) for h in obj.holdings.all())
        wanted = sorted((t.pk, Decimal(s), role) for t, s in owners)
        if current != wanted:
            obj.holdings.all().delete()
            Holding.objects.bulk_create(
                [
                    Holding(
                        municipality=municipality,
                        taxpayer=t,
                        share_percent=s,
                        role=role,
                        **target,
                    )
                    for t, s in owners
                ]
            )
    if uses is not None and kind in ("parcel", "building", "unit"):
        current_uses = sorted((u.use, u.share_percent, u.vacant_since) for u in obj.uses.all())
        wanted_uses = sorted(
            (u, Decimal(s), vacant_since if u == "vacant" else None) for u, s in uses
        )
        if current_uses != wanted_uses:
            obj.uses.all().delete()
            PropertyUse.objects.bulk_create(
                [
                    PropertyUse(
                        municipality=municipality,
                        use=u,
                        share_percent=s,
                        vacant_since=v,
                        **target,
                    )
                    for u, s, v in wanted_uses
                ]
            )
    after = _shown(kind, obj)
    changes = _redact(kind, diff_fields(before, after))
    if created:
        audit_record(
            actor=actor,
            action=f"tax.{kind}.create",
            municipality=municipality,
            obj=obj,
            changes=changes,
        )
        return obj, "created"
    if changes:
        audit_record(
            actor=actor,
            action=f"tax.{kind}.change",
            municipality=municipality,
            obj=obj,
            changes=changes,
        )
        return obj, "changed"
    return obj, "unchanged"


@transaction.atomic
def record_save(
    kind: str,
    *,
    actor: Any,
    municipality: Municipality,
    data: Mapping[str, Any],
) -> Model:
    """Create or update (by its ``code``) one record of a register; audited.

    ``kind``: taxpayer, parcel, building, unit, signboard. ``data``: the record's values as
    text (as an import row or a form gives them) or typed; ``owners`` as
    ``"TP-1:60; TP-2:40"`` and ``use`` as ``"residential-primary:70; commercial:30"``;
    ``holder_role`` (``owner``/``possessor``, Thai ``เจ้าของ``/``ผู้ครอบครอง``) is the role of
    all of them — blank: possessor on a possession document (น.ส.3, น.ส.3 ก., ส.ค.1,
    ส.ป.ก.), owner otherwise (``nakhon.tax.validate.POSSESSION_DEEDS``).
    Raises ``InvalidInput`` with a message per field.
    """
    require(actor, "tax.change", municipality)
    if kind not in KINDS:
        raise InvalidInput(errors={"kind": f"expected one of {', '.join(KINDS)}"})
    exemptions = signboard_exemptions(municipality) if kind == "signboard" else ()
    checked = record_check(kind, municipality=municipality, data=data, exemptions=exemptions)
    if checked.problems:
        code = str(checked.values.get("code") or data.get("code") or "?")
        raise _problems_error(checked.problems, record=f"{kind} {code}")
    obj, _state = record_write(checked, actor=actor, municipality=municipality)
    return obj


def taxpayer_save(*, actor: Any, municipality: Municipality, data: Mapping[str, Any]) -> Taxpayer:
    """Create or update a taxpayer (Thai ID or juristic number checked); audited, redacted."""
    obj = record_save("taxpayer", actor=actor, municipality=municipality, data=data)
    assert isinstance(obj, Taxpayer)
    return obj


def parcel_save(*, actor: Any, municipality: Municipality, data: Mapping[str, Any]) -> Parcel:
    """Create or update a parcel (area ``2-1-35`` or ``area_sq_wah``), owners and uses."""
    obj = record_save("parcel", actor=actor, municipality=municipality, data=data)
    assert isinstance(obj, Parcel)
    return obj


def building_save(*, actor: Any, municipality: Municipality, data: Mapping[str, Any]) -> Building:
    """Create or update a building (year built in B.E.), owners and uses."""
    obj = record_save("building", actor=actor, municipality=municipality, data=data)
    assert isinstance(obj, Building)
    return obj


def unit_save(*, actor: Any, municipality: Municipality, data: Mapping[str, Any]) -> CondoUnit:
    """Create or update a condominium unit, owners and uses."""
    obj = record_save("unit", actor=actor, municipality=municipality, data=data)
    assert isinstance(obj, CondoUnit)
    return obj


def signboard_save(*, actor: Any, municipality: Municipality, data: Mapping[str, Any]) -> Signboard:
    """Create or update a signboard (type 1-3, size in cm, dates in B.E.)."""
    obj = record_save("signboard", actor=actor, municipality=municipality, data=data)
    assert isinstance(obj, Signboard)
    return obj


def signboard_exemptions(municipality: Municipality | None) -> tuple[str, ...]:
    """The exemption codes of the current year's signboard rules (with the city's own)."""
    from django.utils import timezone

    from nakhon.tax.quotes import rules_for
    from nakhon.tax.rules import RuleNotFound

    year = timezone.localdate().year + thai.BE_OFFSET
    try:
        rules = rules_for("signboard", year, municipality)
    except (RuleNotFound, InvalidInput):
        return ()
    return tuple(rules.exemptions)
