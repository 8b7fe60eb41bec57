"""The tax map (issue #6): parcels (polygons) and signboards (points) coloured by their status in a
tax year, and the revenue-gap findings (``nakhon.tax.gap``).

A record's status comes from the year's **issued** assessments that name it (a parcel can be on
several: one per owner), each with its balance on the day (``payments.accounts_for``: tax, late
charges, payments, installments):

- ``arrears``: a part of the tax is unpaid after its due date;
- ``due``: tax unpaid, not yet due;
- ``paid``: nothing left to pay;
- ``exempt``: assessed at no tax (an exemption, the primary-home allowance, a sign exempted in
  the register);
- ``unassessed``: on no issued assessment of the year (a draft run does not count).

A record on several assessments takes the most pressing status (arrears, due, paid, exempt, in
that order). No personal data: register numbers, uses and statuses only, no names and no
amounts per record.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.permissions import can, require
from nakhon.tax.gap import gap_report
from nakhon.tax.models import Assessment, Parcel, PropertyUse, Signboard, TaxKind
from nakhon.tax.payments import accounts_for

STATUSES = {
    "paid": gettext_lazy("paid"),
    "due": gettext_lazy("due, not yet late"),
    "arrears": gettext_lazy("in arrears"),
    "exempt": gettext_lazy("exempt or no tax"),
    "unassessed": gettext_lazy("not assessed"),
}
# the map's and the legend's colours (the page passes them to nakhon/static/nakhon/taxmap.js)
COLOURS = {
    "paid": "#2e7d32",
    "due": "#1565c0",
    "arrears": "#6a1b9a",
    "exempt": "#9e9e9e",
    "unassessed": "#f9a825",
    "gap": "#c62828",
}
# which status a record on several assessments shows: the most pressing
RANK = {"arrears": 4, "due": 3, "paid": 2, "exempt": 1}


def map_year(municipality: Municipality) -> int:
    """The tax year the map shows by default: the latest with issued assessments, not after the
    current B.E. year (the office issues a year's notices early in it); else the current year."""
    current = thai.ce_to_be_year(timezone.localdate().year)
    latest = Assessment.objects.filter(
        municipality=municipality, status=Assessment.Status.ISSUED, tax_year__lte=current
    ).aggregate(year=Max("tax_year"))["year"]
    return latest or current


def assessment_status(account: Any) -> str:
    """paid | due | arrears | exempt of one issued assessment's account on its date."""
    if account.tax_baht <= 0:
        return "exempt"
    if account.balance_baht <= 0:
        return "paid"
    return "arrears" if account.overdue_since is not None else "due"


def record_statuses(municipality: Municipality, year: int, kind: str) -> dict[str, dict[int, str]]:
    """``{"parcels": {pk: status}, "signboards": {pk: status}}`` from the year's issued
    assessments of ``kind`` and their balances today."""
    year_items = Assessment.objects.filter(municipality=municipality, tax_year=year, kind=kind)
    items = list(year_items.filter(status=Assessment.Status.ISSUED).select_related("municipality"))
    accounts = accounts_for(municipality, items, timezone.localdate())
    of_assessment = {pk: assessment_status(account) for pk, account in accounts.items()}
    # a tax of 0 gets no notice: it stays a draft of the issued run
    for pk in year_items.filter(
        status=Assessment.Status.DRAFT, tax_baht=0, run__state="issued"
    ).values_list("pk", flat=True):
        of_assessment[pk] = "exempt"
    through = ["signboards"] if kind == TaxKind.SIGNBOARD else ["parcels"]
    out: dict[str, dict[int, str]] = {name: {} for name in through}
    for name in through:
        field = f"{name[:-1]}_id"
        links = getattr(Assessment, name).through.objects.filter(
            assessment_id__in=list(of_assessment)
        )
        for assessment_id, pk in links.values_list("assessment_id", field):
            status = of_assessment[assessment_id]
            if RANK[status] > RANK.get(out[name].get(pk, ""), 0):
                out[name][pk] = status
    return out


def tax_map(
    *, actor: Any, municipality: Municipality, tax_year: int | None = None
) -> dict[str, Any]:
    """GeoJSON of the parcels and signboards with their status in the tax year (default:
    ``map_year``) — paid, due, arrears, exempt, not assessed — and the revenue-gap findings.

    Needs ``tax.view`` (executives too: statuses carry no names or amounts); the gap findings
    need ``tax_assessment.view``. No personal data.
    """
    require(actor, "tax.view", municipality)
    year = tax_year or map_year(municipality)
    parcel_status = record_statuses(municipality, year, TaxKind.LAND_BUILDING)["parcels"]
    sign_status = record_statuses(municipality, year, TaxKind.SIGNBOARD)["signboards"]
    uses: dict[int, list[str]] = defaultdict(list)
    for pk, use in PropertyUse.objects.filter(
        municipality=municipality, parcel__isnull=False
    ).values_list("parcel_id", "use"):
        uses[pk].append(use)
    features: list[dict[str, Any]] = []
    for pk, code, geometry in (
        Parcel.objects.filter(municipality=municipality, geometry__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "geometry")
    ):
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "layer": "parcel",
                    "id": pk,
                    "code": code,
                    "status": parcel_status.get(pk, "unassessed"),
                    "uses": sorted(set(uses.get(pk, []))),
                },
            }
        )
    for pk, code, lat, lon, exemption in (
        Signboard.objects.filter(municipality=municipality, latitude__isnull=False)
        .order_by("code")
        .values_list("pk", "code", "latitude", "longitude", "exemption")
    ):
        status = sign_status.get(pk) or ("exempt" if exemption else "unassessed")
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon or 0), float(lat or 0)]},
                "properties": {"layer": "signboard", "id": pk, "code": code, "status": status},
            }
        )
    counts: dict[str, dict[str, int]] = {
        "parcel": dict.fromkeys(STATUSES, 0),
        "signboard": dict.fromkeys(STATUSES, 0),
    }
    for f in features:
        counts[f["properties"]["layer"]][f["properties"]["status"]] += 1
    if can(actor, "tax_assessment.view", municipality):
        report = gap_report(actor=actor, municipality=municipality, tax_year=year, names=False)
        for w in report.lists.values():
            for finding in w.findings:
                if finding.geometry is None:
                    continue
                features.append(
                    {
                        "type": "Feature",
                        "geometry": finding.geometry,
                        "properties": {
                            "layer": "gap",
                            "list": finding.worklist,
                            "code": finding.key,
                            "parcel": finding.parcel,
                            "evidence": finding.evidence,
                            "tax_baht": str(finding.tax_baht),
                        },
                    }
                )
    return {
        "type": "FeatureCollection",
        "tax_year": year,
        "as_of": timezone.localdate().isoformat(),
        "counts": counts,
        "features": features,
    }
