"""Owners and possessors on the register (Land and Building Tax Act B.E. 2562 §5: the taxpayer
is the owner, or the possessor or user of state land or buildings): the ``holder_role`` /
``ประเภทผู้ถือครอง`` column, its default from the land document, the services, refusals and
the record page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from nakhon.core.errors import InvalidInput
from nakhon.core.models import AuditEvent
from nakhon.tax import services
from nakhon.tax.imports import ImportRefused, register_import
from nakhon.tax.models import Building, Holding, Parcel

THAI_HEADER = [
    "เลขทะเบียน",
    "ประเภทเอกสารสิทธิ์",
    "เลขที่เอกสารสิทธิ์",
    "เนื้อที่ (ไร่-งาน-วา)",
    "เจ้าของ",
    "ประเภทผู้ถือครอง",
    "การใช้ประโยชน์",
]


def _import(demo, register: str, path: Path):
    return register_import(
        actor=demo.user("kk-tax"), municipality=demo.kk, register=register, path=path
    )


def _roles(code: str) -> list[tuple[str, str]]:
    return sorted(Holding.objects.filter(parcel__code=code).values_list("taxpayer__code", "role"))


def _excel(tmp_path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนทรัพย์สิน เทศบาลนครขอนแก่น"])  # a title row above the header
    sheet.append(THAI_HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "parcels.xlsx"
    book.save(path)
    return path


def test_excel_import_with_the_thai_header(demo, tmp_path: Path) -> None:
    path = _excel(
        tmp_path,
        [
            ["HR-1", "โฉนด", "901", "1-0-0", "TP-0001:60; TP-0002:40", "ผู้ครอบครอง", "commercial"],
            ["HR-2", "โฉนด", "902", "1-0-0", "TP-0001", "เจ้าของ", "commercial"],
            ["HR-3", "ส.ป.ก. 4-01", "903", "2-0-0", "TP-0001", "", "agricultural"],
            ["HR-4", "น.ส.3 ก.", "904", "1-0-0", "TP-0001", "owner", "commercial"],
            ["HR-5", "โฉนด", "905", "1-0-0", "TP-0002", None, "commercial"],
        ],
    )
    report = _import(demo, "parcels", path)
    assert report.created == 5, report.as_dict()
    assert _roles("HR-1") == [("TP-0001", "possessor"), ("TP-0002", "possessor")]
    assert _roles("HR-2") == [("TP-0001", "owner")]
    assert _roles("HR-3") == [("TP-0001", "possessor")]  # ส.ป.ก. 4-01: possessor by default
    assert _roles("HR-4") == [("TP-0001", "owner")]  # the column overrides the document
    assert _roles("HR-5") == [("TP-0002", "owner")]  # a title deed: owner by default
    again = _import(demo, "parcels", path)
    assert (again.changed, again.unchanged) == (0, 5)


def test_possession_documents_default_to_possessor(demo, write_csv) -> None:
    path = write_csv(
        "p.csv",
        "code,deed_kind,area,owners,use\n",
        [
            "HD-1,ns3,1-0-0,TP-0001,commercial",
            "HD-2,ns3k,1-0-0,TP-0001,commercial",
            "HD-3,ส.ค.1,1-0-0,TP-0001,commercial",
            "HD-4,spk,1-0-0,TP-0001,agricultural",
            "HD-5,chanote,1-0-0,TP-0001,commercial",
            "HD-6,other,1-0-0,TP-0001,commercial",
        ],
    )
    _import(demo, "parcels", path)
    roles = {c: _roles(c)[0][1] for c in ("HD-1", "HD-2", "HD-3", "HD-4", "HD-5", "HD-6")}
    assert roles == {
        "HD-1": "possessor",
        "HD-2": "possessor",
        "HD-3": "possessor",
        "HD-4": "possessor",
        "HD-5": "owner",
        "HD-6": "owner",
    }


def test_services_set_and_change_the_role(demo) -> None:
    actor = demo.user("kk-tax")
    parcel = services.parcel_save(
        actor=actor,
        municipality=demo.kk,
        data={
            "code": "HS-1",
            "area": "1-0-0",
            "owners": "TP-0001",
            "holder_role": "possessor",
            "use": "commercial",
        },
    )
    assert list(parcel.holdings.values_list("role", flat=True)) == ["possessor"]
    services.parcel_save(
        actor=actor,
        municipality=demo.kk,
        data={"code": "HS-1", "area": "1-0-0", "owners": "TP-0001", "use": "commercial"},
    )
    assert list(parcel.holdings.values_list("role", flat=True)) == ["owner"]
    change = AuditEvent.objects.filter(action="tax.parcel.change", object_id=str(parcel.pk))
    assert change.exists()
    assert "(possessor)" in str(change.latest("pk").changes)  # the history keeps the old role
    building = services.building_save(
        actor=actor,
        municipality=demo.kk,
        data={
            "code": "HS-B1",
            "building_class": "100",
            "floor_area_m2": "120",
            "owners": [(demo_taxpayer(demo), 100)],
            "holder_role": "ผู้ครอบครอง",
            "use": "commercial",
        },
    )
    assert isinstance(building, Building)
    assert list(building.holdings.values_list("role", flat=True)) == ["possessor"]


def demo_taxpayer(demo):
    from nakhon.tax.models import Taxpayer

    return Taxpayer.objects.get(municipality=demo.kk, code="TP-0001")


def test_unknown_role_is_refused_naming_row_and_column(demo, tmp_path: Path) -> None:
    path = _excel(
        tmp_path,
        [
            ["HX-1", "โฉนด", "911", "1-0-0", "TP-0001", "เจ้าของ", "commercial"],
            ["HX-2", "โฉนด", "912", "1-0-0", "TP-0001", "ผู้เช่า", "commercial"],
        ],
    )
    with pytest.raises(ImportRefused) as err:
        _import(demo, "parcels", path)
    report = err.value.report
    assert report.problem_total == 1 and not report.saved
    problem = report.problems[0]
    assert (problem.column, problem.value, problem.record) == ("ประเภทผู้ถือครอง", "ผู้เช่า", "HX-2")
    assert problem.row == 4  # the title row, the header, HX-1, then HX-2
    assert "owner" in problem.reason_en and "possessor" in problem.reason_en
    assert "ผู้ครอบครอง" in problem.reason_th
    assert not Parcel.objects.filter(code__in=["HX-1", "HX-2"]).exists()


def test_role_without_holders_and_bad_role_in_services(demo) -> None:
    actor = demo.user("kk-tax")
    with translation.override("en"), pytest.raises(InvalidInput) as err:
        services.parcel_save(
            actor=actor,
            municipality=demo.kk,
            data={"code": "HZ-1", "area": "1-0-0", "holder_role": "possessor"},
        )
    assert "parcel HZ-1" in err.value.message and "holder_role" in err.value.errors
    with translation.override("en"), pytest.raises(InvalidInput) as err:
        services.unit_save(
            actor=actor,
            municipality=demo.kk,
            data={
                "code": "HZ-U1",
                "condominium": "x",
                "unit_number": "1",
                "area_m2": "30",
                "owners": "TP-0001",
                "holder_role": "tenant",
                "use": "commercial",
            },
        )
    assert "unit HZ-U1" in err.value.message and "unknown holder role" in err.value.message
    assert not Parcel.objects.filter(code="HZ-1").exists()


def test_the_record_page_shows_the_role(demo, client_as) -> None:
    parcel = services.parcel_save(
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        data={"code": "HP-1", "deed_kind": "spk", "area": "3-0-0", "owners": "TP-0001",
              "use": "agricultural"},
    )  # fmt: skip
    url = reverse("tax:record-detail", args=[demo.kk.slug, "parcels", parcel.pk])
    page = client_as("kk-tax").get(url).content.decode()
    assert '<span data-testid="holder-role">ผู้ครอบครอง</span>' in page
    with translation.override("en"):
        page = client_as("kk-tax").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span data-testid="holder-role">possessor</span>' in page
