"""Register writes: cleaning, references, the audit history, personal data kept out of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nakhon.core.errors import InvalidInput, NotFound, PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.tax import services
from nakhon.tax.models import Building, Parcel, PropertyUse, rai_ngan_wah
from nakhon.tax.tests.conftest import valid_id


def test_rai_ngan_wah_display() -> None:
    assert rai_ngan_wah(Decimal(935)) == "2-1-35"
    assert rai_ngan_wah(Decimal("100.50")) == "0-1-0.5"


def test_taxpayer_checksum_and_history_without_personal_values(demo) -> None:
    officer = demo.user("kk-tax")
    with pytest.raises(InvalidInput) as err:
        services.taxpayer_save(
            actor=officer,
            municipality=demo.kk,
            data={"code": "T-1", "kind": "person", "national_id": "1101700207511", "name": "ก"},
        )
    assert "national_id" in err.value.errors
    number = valid_id(1)
    taxpayer = services.taxpayer_save(
        actor=officer,
        municipality=demo.kk,
        data={"code": "T-1", "kind": "person", "national_id": number, "name": "ทดสอบ ระบบ"},
    )
    services.taxpayer_save(
        actor=officer,
        municipality=demo.kk,
        data={"code": "T-1", "kind": "person", "national_id": number, "name": "ทดสอบ ใหม่"},
    )
    events = AuditEvent.objects.filter(object_type="tax.taxpayer", object_id=str(taxpayer.pk))
    assert [e.action for e in events.order_by("id")] == [
        "tax.taxpayer.create",
        "tax.taxpayer.change",
    ]
    change = events.get(action="tax.taxpayer.change")
    assert change.actor == officer and change.changes == {"name": services.REDACTED}
    text = str(list(events.values_list("changes", "object_repr")))
    assert number not in text and "ทดสอบ" not in text


def test_juristic_number_and_duplicate_id(demo) -> None:
    officer = demo.user("kk-tax")
    company = valid_id(2, "0")
    services.taxpayer_save(
        actor=officer,
        municipality=demo.kk,
        data={"code": "C-1", "kind": "juristic", "national_id": company, "name": "บริษัท ก จำกัด"},
    )
    with pytest.raises(InvalidInput) as err:
        services.taxpayer_save(
            actor=officer,
            municipality=demo.kk,
            data={"code": "C-2", "kind": "นิติบุคคล", "national_id": company, "name": "ซ้ำ"},
        )
    assert "national_id" in err.value.errors


def test_parcel_with_owners_mixed_use_and_diff(demo) -> None:
    officer = demo.user("kk-tax")
    parcel = services.parcel_save(
        actor=officer,
        municipality=demo.kk,
        data={
            "code": "X-1",
            "area": "2-1-35",
            "owners": "TP-0001:50; TP-0002:50",
            "use": "residential-primary:60; commercial:40",
            "price_per_sq_wah": "12,000",
        },
    )
    assert parcel.area_sq_wah == Decimal(935) and parcel.area_rnw == "2-1-35"
    assert parcel.holdings.count() == 2
    assert sorted(PropertyUse.objects.filter(parcel=parcel).values_list("use", flat=True)) == [
        "commercial",
        "residential_primary",
    ]
    services.parcel_save(
        actor=officer,
        municipality=demo.kk,
        data={
            "code": "X-1",
            "area": "2-1-36",
            "owners": "TP-0001",
            "use": "vacant",
            "vacant_since": "1 ม.ค. 2560",
        },
    )
    change = AuditEvent.objects.get(action="tax.parcel.change", object_id=str(parcel.pk))
    assert change.changes["area_sq_wah"] == ["935", "936"]
    assert change.changes["owners"][1] == "TP-0001:100"
    assert "vacant since 2017-01-01" in change.changes["uses"][1]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "X-2", "area": "1-5-20", "use": "commercial"}, "area"),
        ({"code": "X-2", "area": "-1-0-0", "use": "commercial"}, "area"),
        ({"code": "X-2", "area": "0-0-0", "use": "commercial"}, "area"),
        ({"code": "X-2", "area": "60000-0-0", "use": "commercial"}, "area"),
        ({"code": "X-2", "area": "1-0-0", "use": "shop"}, "use"),
        ({"code": "X-2", "area": "1-0-0", "use": "commercial:60;vacant:30"}, "use"),
        ({"code": "X-2", "area": "1-0-0", "use": "commercial", "owners": "NOBODY"}, "owners"),
        (
            {"code": "X-2", "area": "1-0-0", "use": "commercial", "price_per_sq_wah": "-5"},
            "price_per_sq_wah",
        ),
        (
            {"code": "X-2", "area": "1-0-0", "use": "residential-primary", "owners": "TP-0031"},
            "use",
        ),
    ],
)
def test_parcel_bad_input(demo, data, field) -> None:
    with pytest.raises(InvalidInput) as err:
        services.parcel_save(actor=demo.user("kk-tax"), municipality=demo.kk, data=data)
    assert field in err.value.errors, err.value.errors
    assert not Parcel.objects.filter(municipality=demo.kk, code="X-2").exists()


def test_building_year_be_stored_ce_and_signboard(demo) -> None:
    officer = demo.user("kk-admin")
    building = services.building_save(
        actor=officer,
        municipality=demo.kk,
        data={
            "code": "BX",
            "parcel": "P-0001",
            "building_class": "1",
            "structure": "ตึก",
            "floor_area_m2": "120.5",
            "year_built": "2550",
            "floors": "2",
            "use": "commercial",
        },
    )
    assert building.year_built == 2007 and building.age_years(2568) == 18
    with pytest.raises(InvalidInput) as err:
        services.building_save(
            actor=officer,
            municipality=demo.kk,
            data={"code": "BY", "building_class": "1", "floor_area_m2": "-3", "use": "x"},
        )
    assert {"floor_area_m2", "use"} <= set(err.value.errors)
    assert not Building.objects.filter(code="BY").exists()
    with pytest.raises(InvalidInput) as err:
        services.signboard_save(
            actor=officer,
            municipality=demo.kk,
            data={"code": "SX", "sign_type": "4", "width_cm": "100", "height_cm": "50"},
        )
    assert "sign_type" in err.value.errors
    sign = services.signboard_save(
        actor=officer,
        municipality=demo.kk,
        data={
            "code": "SX",
            "sign_type": "2",
            "moving": "ไม่",
            "width_cm": "100",
            "height_cm": "50",
            "installed_on": "15/08/2568",
            "owner": "TP-0031",
        },
    )
    assert str(sign.installed_on) == "2025-08-15" and sign.owner.code == "TP-0031"


def test_writes_need_a_tax_role(demo) -> None:
    data = {"code": "X-9", "area": "1-0-0", "use": "commercial"}
    with pytest.raises(PermissionDenied):
        services.parcel_save(actor=demo.user("kk-executive"), municipality=demo.kk, data=data)
    with pytest.raises(NotFound):
        services.parcel_save(actor=demo.user("sila-admin"), municipality=demo.kk, data=data)
