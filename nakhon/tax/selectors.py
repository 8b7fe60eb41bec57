"""Reads of the local revenue registers: permission and tenancy checked here, personal data
shown only to roles with ``personal_data.view`` and every such read audited (PDPA).

``taxpayer_names`` is the one rule for every list and export of the tax office that names
taxpayers (arrears and the legal follow-up list, the revenue-gap worklists, the taxpayer list,
the API): names, ID numbers and addresses only with ``personal_data.view`` — otherwise the
taxpayer's register number stands for them — and each read written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_personal_read, audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.models import AuditEvent
from nakhon.core.permissions import can, require
from nakhon.tax.models import (
    Assessment,
    Building,
    CondoUnit,
    Parcel,
    Signboard,
    TaxKind,
    Taxpayer,
)

PERSONAL_FIELDS = list(Taxpayer.PERSONAL_FIELDS)
NAME_FIELDS = ("title", "name")


def taxpayer_names(
    *,
    actor: Any,
    municipality: Municipality,
    what: str,
    taxpayers: Iterable[int] | int,
    records: int | None = None,
    fields: Iterable[str] = NAME_FIELDS,
    details: dict[str, Any] | None = None,
    audit_empty: bool = False,
) -> bool:
    """Whether a list or export ``what`` (``arrears``, ``gap``, ``api``...) may show the
    taxpayers' ``fields`` (name, ID number, address): only with ``personal_data.view``.

    When it may, the read is written to the audit log (PDPA), one ``personal_data.read`` event
    per request: who (the actor), what (``what`` and the ``fields``), how many (``taxpayers``:
    their ids or a count; ``records``: the rows shown), and ``details`` (the query, the date).
    Nothing is audited when no taxpayer is shown, unless ``audit_empty`` (a search by name or ID
    number tells something even when it finds nobody). Without the permission the caller shows
    the register number instead (``taxpayer_label``).
    """
    if not can(actor, "personal_data.view", municipality):
        return False
    count = taxpayers if isinstance(taxpayers, int) else len(set(taxpayers))
    if count or audit_empty:
        audit_record(
            actor=actor,
            action="personal_data.read",
            municipality=municipality,
            object_type="tax.taxpayer",
            object_id=what[:100],
            object_repr=f"taxpayers' {', '.join(sorted(fields))}: {what}"[:300],
            changes={
                "fields": sorted(fields),
                "taxpayers": count,
                "records": count if records is None else records,
                **(details or {}),
            },
            personal_data=True,
        )
    return True


def taxpayer_label(*, code: str, title: str = "", name: str = "", shown: bool) -> str:
    """A taxpayer as a list shows them: the name when ``shown`` (see ``taxpayer_names``),
    else the register number, which carries no personal data."""
    return f"{title}{name}" if shown and name else code


@dataclass
class RegisterPage:
    """A register's rows for a list page; ``personal`` says whether names are shown."""

    items: QuerySet[Any]
    personal: bool
    counts: dict[str, int]


def register_counts(*, municipality: Municipality) -> dict[str, int]:
    return {
        "taxpayers": Taxpayer.objects.filter(municipality=municipality).count(),
        "parcels": Parcel.objects.filter(municipality=municipality).count(),
        "buildings": Building.objects.filter(municipality=municipality).count(),
        "units": CondoUnit.objects.filter(municipality=municipality).count(),
        "signboards": Signboard.objects.filter(municipality=municipality).count(),
    }


def register_summary(*, actor: Any, municipality: Municipality) -> dict[str, Any]:
    """Counts of each register (no personal data): the tax desk's front page."""
    require(actor, "tax.view", municipality)
    return {
        "counts": register_counts(municipality=municipality),
        "personal": can(actor, "personal_data.view", municipality),
        "can_import": can(actor, "tax.import", municipality),
    }


def taxpayer_list(*, actor: Any, municipality: Municipality, q: str = "") -> RegisterPage:
    """Taxpayers, searched by register number (and by name or ID number for officers).

    Names and ID numbers are personal: only with ``personal_data.view``, and the read of
    the list (its query and size) is audited.
    """
    require(actor, "tax.view", municipality)
    personal = can(actor, "personal_data.view", municipality)
    items = Taxpayer.objects.filter(municipality=municipality).annotate(
        holding_count=Count("holdings", distinct=True),
        sign_count=Count("signboards", distinct=True),
    )
    q = q.strip()
    if q:
        match = Q(code__icontains=q)
        if personal:
            match |= Q(name__icontains=q) | Q(national_id__startswith=q.replace("-", ""))
        items = items.filter(match)
    if personal:
        taxpayer_names(
            actor=actor,
            municipality=municipality,
            what="list",
            taxpayers=items.count(),
            fields=("title", "name", "national_id"),
            details={"query": q},
            audit_empty=True,
        )
    return RegisterPage(items.order_by("code"), personal, {})


def taxpayer_get(*, actor: Any, municipality: Municipality, pk: int) -> tuple[Taxpayer, bool]:
    """One taxpayer and whether its personal data may be shown (that read is audited)."""
    require(actor, "tax.view", municipality)
    taxpayer = Taxpayer.objects.filter(municipality=municipality, pk=pk).first()
    if taxpayer is None:
        raise NotFound()
    personal = can(actor, "personal_data.view", municipality)
    if personal:
        audit_personal_read(
            actor=actor,
            municipality=municipality,
            obj=taxpayer,
            fields=PERSONAL_FIELDS,
            purpose="tax register",
        )
    return taxpayer, personal


def _search(items: QuerySet[Any], q: str, fields: list[str]) -> QuerySet[Any]:
    q = q.strip()
    if not q:
        return items
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": q})
    return items.filter(match)


def parcel_list(*, actor: Any, municipality: Municipality, q: str = "") -> QuerySet[Parcel]:
    """Parcels, searched by register, title deed or parcel number."""
    require(actor, "tax.view", municipality)
    items = Parcel.objects.filter(municipality=municipality).prefetch_related("uses")
    return _search(items, q, ["code", "deed_number", "parcel_number"])


def building_list(*, actor: Any, municipality: Municipality, q: str = "") -> QuerySet[Building]:
    """Buildings, searched by register number, class or parcel."""
    require(actor, "tax.view", municipality)
    items = Building.objects.filter(municipality=municipality).select_related("parcel")
    return _search(items.prefetch_related("uses"), q, ["code", "building_class", "parcel__code"])


def unit_list(*, actor: Any, municipality: Municipality, q: str = "") -> QuerySet[CondoUnit]:
    """Condominium units, searched by register number, condominium or unit number."""
    require(actor, "tax.view", municipality)
    items = CondoUnit.objects.filter(municipality=municipality).prefetch_related("uses")
    return _search(items, q, ["code", "condominium", "unit_number"])


def signboard_list(*, actor: Any, municipality: Municipality, q: str = "") -> QuerySet[Signboard]:
    """Signboards, searched by register number or business name."""
    require(actor, "tax.view", municipality)
    items = Signboard.objects.filter(municipality=municipality).select_related("owner")
    return _search(items, q, ["code", "business_name", "owner__code"])


MODELS: dict[str, Any] = {
    "parcel": Parcel,
    "building": Building,
    "unit": CondoUnit,
    "signboard": Signboard,
}


def record_get(*, actor: Any, municipality: Municipality, kind: str, pk: int) -> Any:
    """One parcel, building, unit or signboard of the municipality (no personal fields)."""
    require(actor, "tax.view", municipality)
    model = MODELS.get(kind)
    obj = model.objects.filter(municipality=municipality, pk=pk).first() if model else None
    if obj is None:
        raise NotFound()
    return obj


def record_history(*, actor: Any, municipality: Municipality, obj: Any) -> QuerySet[AuditEvent]:
    """Every audited change (and, for a taxpayer, personal-data read) of a record, newest first."""
    require(actor, "tax.view", municipality)
    meta = obj._meta
    return AuditEvent.objects.filter(
        municipality=municipality,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(obj.pk),
    ).order_by("-at", "-id")


def assessment_search(
    *,
    actor: Any,
    municipality: Municipality,
    tax_year: int | None = None,
    kind: str = "",
    status: str = "",
    taxpayer: str = "",
) -> QuerySet[Assessment]:
    """The city's assessments (tax office only), newest tax year first, by tax year, tax
    (``signboard`` | ``land_building``), status and taxpayer register number."""
    require(actor, "tax_assessment.view", municipality)
    items = Assessment.objects.filter(municipality=municipality).select_related(
        "taxpayer", "municipality", "notice"
    )
    if tax_year:
        items = items.filter(tax_year=tax_year)
    if kind in TaxKind.values:
        items = items.filter(kind=kind)
    elif kind:
        raise InvalidInput(_("Unknown tax: %(kind)s.") % {"kind": kind}, errors={"kind": kind})
    if status in Assessment.Status.values:
        items = items.filter(status=status)
    elif status:
        raise InvalidInput(
            _("Unknown status: %(status)s.") % {"status": status}, errors={"status": status}
        )
    if taxpayer.strip():
        items = items.filter(taxpayer__code=taxpayer.strip())
    return items.order_by("-tax_year", "kind", "taxpayer__code", "-pk")
