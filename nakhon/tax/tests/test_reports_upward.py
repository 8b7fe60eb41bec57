"""The upward reports by category (``nakhon.tax.reports_upward``): the land and building tax by
the use categories of the Act §37, the signboard tax by sign type and movement; the figures
checked against the register and the payments read independently (ORM aggregates), the XLSX
read back with openpyxl; the e-LAAS revenue code on the existing upward export."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone, translation

from nakhon.core.errors import InvalidInput, PermissionDenied
from nakhon.core.thai import format_thai_date
from nakhon.tax import arrears, reports_upward
from nakhon.tax.models import Assessment, Payment, PropertyUse, Signboard
from nakhon.tax.reports_upward import share_paid, sign_items, use_groups

D = Decimal


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def step(code: str, value: str = "", label_en: str = "", **extra: object) -> dict[str, object]:
    return {"code": code, "label_th": "", "label_en": label_en, "value": value} | extra


# Steps as nakhon.tax.assessments writes them (heading per use, items, then the group's figures):
# a primary home (land 6,000,000 + building 1,200,000 = 7,200,000, fully exempt up to 50 M) and
# a shop (land 2,000,000 at 0.3 % = 6,000.00, reduced 90 % by 5,400.00 → 600.00).
LAND_STEPS = [
    step("use", label_en="Use: residential-primary", heading=True),
    step("land_value", "6,000,000.00"),
    step("building_value", "1,200,000.00"),
    step("base", "7,200,000.00"),
    step("exemption", "7,200,000.00"),
    step("taxable", "0.00"),
    step("bracket_tax", "0.00"),
    step("tax", "0.00"),
    step("use", label_en="Use: commercial", heading=True),
    step("land_value", "2,000,000.00"),
    step("base", "2,000,000.00"),
    step("taxable", "2,000,000.00"),
    step("band", "6,000.00"),
    step("bracket_tax", "6,000.00"),
    step("reduction", "-5400.00"),
    step("tax", "600.00"),
    step("total", "600.00"),
]


def test_use_groups_read_the_explanation() -> None:
    home, shop = use_groups(LAND_STEPS)
    assert (home.use, home.parcels, home.buildings, home.units) == ("residential_primary", 1, 1, 0)
    assert home.appraised_baht == D("7200000.00") and home.exempt_baht == D("7200000.00")
    assert home.tax_baht == 0
    assert (shop.use, shop.parcels, shop.appraised_baht) == ("commercial", 1, D("2000000.00"))
    assert shop.bracket_tax_baht == D("6000.00") and shop.reduction_baht == D("5400.00")
    assert shop.tax_baht == D("600.00")
    assert use_groups([step("tax", "1.00")]) == []  # no heading: nothing to classify


def test_sign_items_read_type_movement_and_exemption() -> None:
    steps = [
        step("sign", label_en="Sign S-1", heading=True),
        step("rate", "52", label_en="Rate, type 2 moving (baht per unit)"),
        step("tax", "1,040.00"),
        step("sign", label_en="Sign S-2", heading=True),
        step("exemption", "temple", label_en="Exempt: a temple's sign (§8)"),
        step("tax", "0.00"),
    ]
    moving, exempt = sign_items(steps)
    assert (moving.code, moving.sign_type, moving.moving, moving.exempt) == ("S-1", 2, True, False)
    assert moving.tax_baht == D("1040.00")
    assert (exempt.code, exempt.sign_type, exempt.exempt, exempt.tax_baht) == ("S-2", None, True, 0)


@pytest.mark.parametrize(
    ("paid", "taxes", "shares"),
    [
        ("100.00", ["600.00", "0.00"], ["100.00", "0.00"]),
        ("100.00", ["1.00", "1.00", "1.00"], ["33.33", "33.33", "33.34"]),
        ("0.00", ["5.00", "5.00"], ["0.00", "0.00"]),
        ("10.00", ["0.00", "0.00"], ["0.00", "0.00"]),  # no tax: nothing to share
        ("10.00", [], []),
    ],
)
def test_share_paid_adds_up(paid, taxes, shares) -> None:
    got = share_paid(D(paid), [D(t) for t in taxes])
    assert got == [D(s) for s in shares]


@pytest.fixture
def report(demo_collection):
    officer = demo_collection.user("kk-tax")
    return reports_upward.category_report(
        actor=officer, municipality=demo_collection.kk, tax_year=2568, as_of=timezone.localdate()
    )


def _issued(demo, kind: str) -> list[Assessment]:
    return list(
        Assessment.objects.filter(
            municipality=demo.kk, kind=kind, tax_year=2568, status="issued"
        ).order_by("pk")
    )


def _paid(demo, kind: str) -> Decimal:
    """The tax (principal) paid on every assessment of the tax year, read without the report's
    code: payments of a superseded assessment count for the one that replaced it."""
    return Payment.objects.filter(
        municipality=demo.kk,
        assessment__kind=kind,
        assessment__tax_year=2568,
        reversed=False,
        paid_on__lte=timezone.localdate(),
    ).aggregate(s=Sum("principal_baht"))["s"] or D(0)


def test_land_by_category_against_the_register_and_payments(demo_collection, report) -> None:
    demo = demo_collection
    issued = _issued(demo, "land_building")
    total = report.total(report.land_categories)
    # the Act §37 order; no unclassified row: every assessment has its uses
    assert [r.key for r in report.land_categories] == [
        "agricultural",
        "residential",
        "other",
        "vacant",
    ]
    assert total.tax_baht == sum((a.tax_baht for a in issued), D(0))
    assert len(total.assessments) == len(issued)
    assert len(total.taxpayers) == len({a.taxpayer_id for a in issued})
    assert total.paid_baht == _paid(demo, "land_building") > 0
    assert total.outstanding_baht == total.tax_baht - total.paid_baht
    # the six uses add up to the four categories
    by_use = {r.key: r for r in report.land_uses}
    residential = report.land_categories[1]
    assert residential.tax_baht == sum(
        (by_use[u].tax_baht for u in reports_upward.CATEGORY_OF_USE if u.startswith("residential")),
        D(0),
    )
    # items per use, from the register (PropertyUse of each assessed record), not the steps
    expected: Counter[tuple[str, str]] = Counter()
    for a in issued:
        for kind, code in a.records:
            field = {"parcel": "parcel", "building": "building", "unit": "unit"}[kind]
            uses = set(
                PropertyUse.objects.filter(municipality=demo.kk, **{f"{field}__code": code})
                .values_list("use", flat=True)
                .distinct()
            )
            for use in uses:
                expected[(use, kind)] += 1
    for use, _label in reports_upward.USES:
        row = by_use[use]
        got = (row.parcels, row.buildings, row.units)
        assert got == tuple(expected[(use, k)] for k in ("parcel", "building", "unit")), use
    # the tax of assessments with a single use goes whole to that use
    vacant_only = [
        a for a in issued if {g.use for g in use_groups(a.steps)} == {"vacant"}
    ]  # fmt: skip
    assert vacant_only, "the demo has vacant land"
    assert by_use["vacant"].tax_baht >= sum((a.tax_baht for a in vacant_only), D(0))


def test_signs_by_type_against_the_register(demo_collection, report) -> None:
    demo = demo_collection
    issued = _issued(demo, "signboard")
    total = report.total(report.signs)
    assert total.tax_baht == sum((a.tax_baht for a in issued), D(0))
    assert total.paid_baht == _paid(demo, "signboard") > 0
    register = {
        s.code: (s.sign_type, s.moving) for s in Signboard.objects.filter(municipality=demo.kk)
    }
    expected = Counter(register[code] for a in issued for _kind, code in a.records)
    got = {r.key: r.signs for r in report.signs}
    for (sign_type, moving), n in expected.items():
        assert got[f"type{sign_type}-{'moving' if moving else 'static'}"] == n
    assert total.signs == sum(expected.values())
    assert {r.key for r in report.signs} == {
        f"type{t}-{m}" for t in (1, 2, 3) for m in ("moving", "static")
    }


def test_xlsx_read_back(demo_collection, report) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    book = load_workbook(io.BytesIO(reports_upward.to_xlsx(report)))
    assert book.sheetnames == ["ที่ดินฯ ตามประเภท", "ที่ดินฯ ตามการใช้", "ภาษีป้าย"]
    land = book["ที่ดินฯ ตามประเภท"]
    assert land["A1"].value == "รายงานผลการจัดเก็บภาษีที่ดินและสิ่งปลูกสร้าง ประจำปีภาษี 2568"
    assert demo_collection.kk.name_th in land["A2"].value
    assert land["A3"].value == "ข้อมูล ณ วันที่ " + format_thai_date(timezone.localdate(), style="long")
    assert "พ.ศ. 25" in land["A3"].value
    assert "Nakhon" in land["A5"].value  # labelled as our layout
    header = [c.value for c in land[7]]
    assert header == reports_upward.LAND_HEADER
    labels = [land.cell(row=r, column=1).value for r in range(8, 13)]
    assert labels == [label for _key, label in reports_upward.CATEGORIES] + ["รวม"]
    total = report.total(report.land_categories)
    last = land[12]
    assert last[10].value == pytest.approx(float(total.tax_baht))  # ภาษีที่ประเมิน
    assert last[11].value == pytest.approx(float(_paid(demo_collection, "land_building")))
    assert last[1].value == len(total.taxpayers)
    assert last[10].number_format == "#,##0.00" and last[1].number_format == "#,##0"
    signs = book["ภาษีป้าย"]
    assert "41100003" in signs["A4"].value and "e-LAAS" in signs["A4"].value
    assert [c.value for c in signs[7]] == reports_upward.SIGN_HEADER
    sign_total = signs[signs.max_row]
    assert sign_total[0].value == "รวม"
    assert sign_total[4].value == pytest.approx(float(report.total(report.signs).tax_baht))


def test_pages_and_twins(demo_collection, client_as) -> None:
    client = client_as("kk-executive")  # totals only: executives may read them
    url = "/khon-kaen/tax/reports/"
    page = client.get(url, {"fy": "2568"}).content.decode()
    assert 'data-testid="tax-land-categories"' in page and 'data-testid="tax-sign-types"' in page
    assert "report=categories&amp;format=xlsx" in page and "ประกอบเกษตรกรรม" in page
    today = format_thai_date(timezone.localdate(), style="numeric")
    query = {"fy": "2568", "report": "categories", "as_of": today}
    data = json.loads(client.get(url, query | {"format": "json"}).content)
    assert data["layout"] == "nakhon" and data["elaas_revenue_codes"]["signboard"] == "41100003"
    land_total = data["land_building"]["total"]
    assert D(land_total["paid_baht"]) == _paid(demo_collection, "land_building")
    assert "name" not in json.dumps(data)  # no personal data
    xlsx = client.get(url, query | {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert "tax-categories-khon-kaen-2568" in xlsx["Content-Disposition"]
    csv_text = client.get(url, query | {"format": "csv", "tax": "signboard"}).content
    lines = csv_text.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["ประเภทป้าย", "จำนวนราย (ผู้เสียภาษี)", "จำนวนป้าย"]
    assert len(lines) == 1 + 6 + 1
    bad = client.get(url, query | {"format": "csv", "tax": "nope"})
    assert bad.status_code == 422 and "nope" in bad.content.decode()
    assert client_as("kk-viewer").get(url, query | {"format": "json"}).status_code == 403


def test_service_refuses(demo) -> None:
    with pytest.raises(PermissionDenied):
        reports_upward.category_report(
            actor=demo.user("kk-viewer"), municipality=demo.kk, tax_year=2568,
            as_of=dt.date(2025, 9, 30),
        )  # fmt: skip
    with pytest.raises(InvalidInput, match=r"B\.E\. year"):
        reports_upward.category_report(
            actor=demo.user("kk-tax"), municipality=demo.kk, tax_year=2025,
            as_of=dt.date(2025, 9, 30),
        )  # fmt: skip


def test_upward_export_has_the_elaas_code(demo_collection) -> None:
    officer = demo_collection.user("kk-tax")
    fy = 2568
    city = demo_collection.kk
    report = arrears.collection_report(actor=officer, municipality=city, fiscal_year=fy)
    owed = arrears.arrears_get(
        actor=officer, municipality=demo_collection.kk, as_of=dt.date(2025, 9, 30)
    )
    header, rows = arrears.upward_rows(report, owed)
    assert header[2] == "รหัสรายรับ (e-LAAS)"
    codes = {row[1]: row[2] for row in rows}
    assert codes == {"ภาษีที่ดินและสิ่งปลูกสร้าง": "", "ภาษีป้าย": "41100003"}
