"""Use and ownership shares total exactly 100 % (issue #6, docs/tax.md "Registers"): a list of
one item with a share below 100 (``commercial:60``, ``TP-0001:50``) used to pass and leave the
rest of the land or of its ownership untaxed. Refused with the record and the total found, in
the cleaner, the services and the import's per-row report; parcels, buildings and units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from nakhon.core.errors import InvalidInput
from nakhon.tax import services
from nakhon.tax.imports import ImportRefused, register_import
from nakhon.tax.models import Building, Parcel
from nakhon.tax.validate import clean_building, clean_parcel, clean_unit

PARCEL = {"code": "P-T1", "area": "1-0-0"}
BUILDING = {"code": "B-T1", "building_class": "1", "floor_area_m2": "100"}
UNIT = {"code": "U-T1", "condominium": "C", "unit_number": "101", "area_m2": "30"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _problems(cleaner, raw) -> dict[str, str]:
    _values, problems = cleaner(raw)
    return {p.field: p.en for p in problems}


@pytest.mark.parametrize(
    ("cleaner", "base"), [(clean_parcel, PARCEL), (clean_building, BUILDING), (clean_unit, UNIT)]
)
def test_one_item_below_100_is_refused_with_the_total(cleaner, base) -> None:
    found = _problems(cleaner, {**base, "use": "commercial:60", "owners": "TP-0001:50"})
    assert set(found) == {"use", "owners"}
    assert "the use shares total 60 %" in found["use"] and "exactly 100 %" in found["use"]
    assert "the owner shares total 50 %" in found["owners"]


@pytest.mark.parametrize(
    ("use", "owners", "refused"),
    [
        ("commercial", "TP-0001", set()),  # one item, no share: 100 %
        ("commercial:100", "TP-0001:100", set()),
        ("commercial:60;residential-other:40", "TP-0001:50;TP-0002:50", set()),
        ("commercial:33.33;vacant:33.33;agricultural:33.34", "TP-0001:99.99", {"owners"}),
        ("commercial:60;residential-other:30", "TP-0001:60;TP-0002:60", {"use", "owners"}),
        ("commercial:0.5", "TP-0001", {"use"}),
    ],
)
def test_totals(use, owners, refused) -> None:
    assert set(_problems(clean_parcel, {**PARCEL, "use": use, "owners": owners})) == refused


def test_typed_lists_from_a_service_are_checked_too() -> None:
    raw = {**PARCEL, "use": [("commercial", Decimal(60))], "owners": []}
    found = _problems(clean_parcel, raw)
    assert "the use shares total 60 %" in found["use"]
    ok = {**PARCEL, "use": [("commercial", 60), ("vacant", "40")], "owners": [("TP-0001", 100)]}
    assert _problems(clean_parcel, ok) == {}
    thai = clean_parcel({**PARCEL, "use": "commercial:60"})[1][0].th
    assert "60 %" in thai and "100 %" in thai


def test_service_names_the_record_and_saves_nothing(demo) -> None:
    officer = demo.user("kk-tax")
    with pytest.raises(InvalidInput) as refused:
        services.parcel_save(
            actor=officer,
            municipality=demo.kk,
            data={**PARCEL, "use": "commercial:60", "owners": "TP-0001"},
        )
    assert refused.value.message.startswith("parcel P-T1: ")
    assert "use shares total 60 %" in refused.value.message
    assert "use" in refused.value.errors
    assert not Parcel.objects.filter(municipality=demo.kk, code="P-T1").exists()
    with pytest.raises(InvalidInput, match=r"building B-T1: .*owner shares total 50 %"):
        services.building_save(
            actor=officer,
            municipality=demo.kk,
            data={**BUILDING, "use": "commercial", "owners": "TP-0001:50"},
        )
    assert not Building.objects.filter(municipality=demo.kk, code="B-T1").exists()


def test_import_report_names_row_record_and_total(demo, write_csv) -> None:
    path = write_csv(
        "parcels.csv",
        "code,area,owners,use\n",
        ["NP-1,1-0-0,TP-0001,commercial", "NP-2,1-0-0,TP-0001:50,commercial:60"],
    )
    with pytest.raises(ImportRefused) as refused:
        register_import(
            actor=demo.user("kk-tax"), municipality=demo.kk, register="parcels", path=path
        )
    problems = {p.column: p for p in refused.value.report.problems}
    assert set(problems) == {"owners", "use"}
    assert problems["use"].row == 3 and problems["use"].record == "NP-2"
    assert problems["use"].reason_en.startswith("parcel NP-2: the use shares total 60 %")
    assert "50 %" in problems["owners"].reason_en
    assert not Parcel.objects.filter(municipality=demo.kk, code__in=["NP-1", "NP-2"]).exists()
