"""Both taxes against worked examples published by others, each with its source and figures.

The expected value of every case is the source's own figure, never our engine's output. Where
a source disagrees with the engine the case is ``xfail(strict=True)`` with the reason, so a
change that makes them agree (or a new disagreement) is noticed.

Sources (also listed in docs/tax-rules.md, "Worked examples used in tests"):

[M] "คู่มือปฏิบัติงาน ตามพระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ.2562" (LBT operations
    manual, publisher not shown on the flipbook; the same manual as [S35] [S55] [S58]),
    http://online.flipbuilder.com/lbfca/hclp/files/basic-html/page58.html, page59.html,
    page61.html, page63.html. Its examples use the statutory rates (the case of p. 59 says
    "มีชื่อในทะเบียนบ้าน ณ วันที่ 1 มกราคม 2563") and no reduction decree.
[N] เทศบาลตำบลหนองขาม (tbnongkham.go.th), "จ่าย ช้า มีค่าปรับ และเงินเพิ่ม" การชำระภาษีที่ดินและ
    สิ่งปลูกสร้าง ประจำปี 2564, http://tbnongkham.go.th/index.php/news-th/news-information-th/
    384-nf640608-01 (penalty and surcharge of the tax year 2564, due date 30 June 2564).
[Z] Mazars Thailand, "Signboard Tax in Thailand",
    https://www.mazars.co.th/Home/Doing-Business-in-Thailand/Tax/Signboard-Tax-in-Thailand
    (rates of Ministerial Regulation No. 5 B.E. 2535: 3 / 20 / 40 baht per 500 cm²; a firm's
    guide, not an official one).

No Department of Local Administration, Treasury Department or Fiscal Policy Office worked
example with figures was found in the stored public pages (searched: DLA handbooks, MoF Q&A,
municipal pages reproducing them, news); see the report of issue #6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nakhon.tax.rules import land_building, load_rules, signboard


def _steps(result: land_building.Assessment) -> dict[str, str]:
    return {s.code: s.value for s in result.steps}


# --- land and building tax: the manual [M] ----------------------------------------------------


@pytest.mark.parametrize("year", [2563, 2568])
def test_m58_case4_individual_chicken_farm_is_exempt(year: int) -> None:
    # [M] p. 58, กรณีที่ 4: "นาย ก มีที่ดิน 1 ไร่ ราคาประเมินตารางวาละ 5,000 บาท ปลูกสร้างโรงเรือนไม้
    # เลี้ยงไก่เพื่อขาย เนื้อที่ 700 ตารางเมตร ราคาประเมินของโรงเรือนเลี้ยงสัตว์ตารางเมตรละ 3,550 บาท
    # อายุโรงเรือน 4 ปี"; "1 ไร่ = 400 x 5,000 = 2,000,000 บาท"; "700 x 3,550 = 2,485,000 บาท
    # หักค่าเสื่อมราคาร้อยละ 12 … = 2,186,800 บาท"; "ฐานภาษี … = 4,186,800 บาท"; "นาย ก ได้รับ
    # ยกเว้นภาษี … ฐานภาษีไม่เกิน 50 ล้านบาท". Exempt in 2563 (§96, whole) and 2568 (§40, 50M).
    result = land_building.quote(
        load_rules("land_building", year),
        owner_kind="individual",
        use="agricultural",
        land_rnw="1-0-00",
        price_per_sq_wah=5_000,
        buildings=[
            {"floor_area_m2": 700, "price_per_m2": 3_550, "structure": "wood", "age_years": 4}
        ],
    )
    values = _steps(result)
    assert values["land_value"] == "2,000,000.00"
    assert values["building_value"] == "2,186,800.00"
    assert values["base"] == "4,186,800.00"
    assert result.tax_baht == Decimal("0.00")


def _m59_case1() -> land_building.Assessment:
    # [M] p. 59, กรณีที่ 1: "นาย ก. มีที่ดิน 100 ตารางวา ราคาประเมินตารางวาละ 30,000 บาท ปลูกบ้าน
    # พักอาศัย 1 หลังเต็มพื้นที่ เป็นบ้านไม้ 1 ชั้น พื้นที่ 80 ตารางเมตร ปลูกสร้างมาแล้ว 10 ปี ราคา
    # ประเมิน ตารางเมตรละ 7,500 บาท มีชื่อในทะเบียนบ้าน ณ วันที่ 1 มกราคม 2563"; "100 x 30,000 =
    # 3,000,000 บาท"; "80 x 7,500 = 600,000 บาท … หักค่าเสื่อมร้อยละ 40 … = 360,000 บาท";
    # "นาย ก. ได้รับการยกเว้นภาษีเพราะมูลค่าฐานภาษีไม่เกิน 50 ล้านบาท".
    return land_building.quote(
        load_rules("land_building", 2563),
        owner_kind="individual",
        use="residential-primary",
        land_rnw="0-1-00",
        price_per_sq_wah=30_000,
        buildings=[
            {"floor_area_m2": 80, "price_per_m2": 7_500, "structure": "wood", "age_years": 10}
        ],
    )


def test_m59_case1_primary_home_under_50m() -> None:
    result = _m59_case1()
    values = _steps(result)
    assert values["land_value"] == "3,000,000.00"
    assert values["building_value"] == "360,000.00"
    assert result.tax_baht == Decimal("0.00")


@pytest.mark.xfail(
    strict=True,
    reason="[M] p. 59 prints 'ฐานภาษี = 3,000,000 + 360,000 = 3,600,000 บาท': an arithmetic slip "
    "of the manual (the sum is 3,360,000); its parts and its conclusion (exempt) agree",
)
def test_m59_case1_base_as_printed() -> None:
    assert _steps(_m59_case1())["base"] == "3,600,000.00"


def _m61(year: int) -> land_building.Assessment:
    # [M] p. 61 (the second house of the case begun on p. 60, let on a registered lease):
    # "ฐานภาษีส่วนของที่ดินของบ้านหลังที่ 2 และบ้านหลังที่ 2 = 2,400,000 + 360,000 = 2,760,000 บาท";
    # "เนื่องจากเป็นการเช่าโดยจดทะเบียนการเช่าและใช้อยู่อาศัย … จะต้องเสียภาษีในอัตราอยู่อาศัย";
    # "2,760,000 x 0.02% = 552 บาท"; "สรุป นาย ก. เสียภาษีทั้งหมดจํานวน 552 บาท". The house: "80
    # ตารางเมตร = 80 x 7,500 = 600,000 บาท ปลูกสร้างมาแล้ว 10 ปี หักค่าเสื่อมร้อยละ 40 … = 360,000".
    # The land's own inputs are on p. 60 (not found), so its value 2,400,000 is given as is.
    return land_building.quote(
        load_rules("land_building", year),
        owner_kind="individual",
        use="residential-other",
        value_baht=2_400_000,
        buildings=[
            {"floor_area_m2": 80, "price_per_m2": 7_500, "structure": "wood", "age_years": 10}
        ],
    )


@pytest.mark.parametrize("year", [2565, 2567, 2568, 2569])
def test_m61_let_second_house_years_without_reduction(year: int) -> None:
    result = _m61(year)
    assert _steps(result)["base"] == "2,760,000.00"
    assert result.tax_baht == Decimal("552.00")


def test_m61_let_second_house_in_2563_before_the_reduction() -> None:
    # The manual's 552 is the tax by the rates; in 2563 the Royal Decree on reduction B.E. 2563
    # (90 %, rule file 2563 [reduction]) applies after it: 552 − 496.80 = 55.20. Not a
    # disagreement: the manual does not apply the decree.
    result = _m61(2563)
    assert _steps(result)["bracket_tax"] == "552.00"
    assert result.tax_baht == Decimal("55.20")


def test_m63_apartment_owner_flat_is_exempt() -> None:
    # [M] p. 63: "ฐานภาษีส่วนของที่ดินและอพาร์ทเมนท์ = 500,000 + 10,530,000 = 11,030,000 บาท";
    # "ขนาดพื้นที่ของอพาร์ทเมนท์ทั้งหมด 1,500 ตารางเมตร ใช้เพื่ออยู่อาศัย 1 ห้อง ขนาด 50 ตารางเมตร
    # คิดเป็นสัดส่วน = 50 x 100 / 1,500 = 3.3%"; "ฐานภาษี … ที่ใช้เพื่ออยู่อาศัย = 11,030,000 x 3.3%
    # = 363,990 บาท"; "นาย ก ได้รับยกเว้นไม่ต้องเสียภาษีสําหรับ … ส่วนที่ใช้เพื่ออยู่อาศัย". The
    # manual rounds the share to 3.3 % (the exact share 1/30 gives 367,666.67; the register keeps
    # shares to 0.01 %, 3.33 % → 367,299.00); either way the part is under the 50M of §41. The
    # tax of the let part (96.7 %) is on the next page (not found), so it is not tested.
    result = land_building.quote(
        load_rules("land_building", 2563),
        owner_kind="individual",
        use="residential-primary",
        value_baht=Decimal("11030000") * Decimal("0.033"),
    )
    assert _steps(result)["base"] == "363,990.00"
    assert result.tax_baht == Decimal("0.00")


# --- land and building tax: penalty and surcharge [N] -----------------------------------------

# [N]: "1. ชำระก่อนออกหนังสือแจ้งเตือนการชำระภาษี ต้องชำระเบี้ยปรับ 10% บวกเงินเพิ่ม 1% ( 11%)
# ของค่าภาษีที่ค้าง 2. ชำระภายในวันที่กำหนดไว้ในหนังสือแจ้งเตือนการชำระภาษี ต้องชำระเบี้ยปรับ 20%
# บวกเงินเพิ่ม 1% ( 21%) … 3. ชำระเกินวันที่กำหนดไว้ในหนังสือแจ้งเตือนการชำระภาษี ต้องชำระเบี้ยปรับ
# 40% บวกเงินเพิ่ม 1% ( 41%)"; tax year 2564, "โปรดชำระภายในเดือน มิถุนายน 2564". The source's
# 1 % is one month of §70; the dates below are all within the first month after 30 June 2564
# (a fraction of a month counts as one). Tax 10,000 baht (ours; the source gives percents).
LATE_2564 = [
    # paid, warning received, warning's deadline, source's percent of the tax
    (dt.date(2021, 7, 15), None, None, 11),
    (dt.date(2021, 7, 19), dt.date(2021, 7, 5), dt.date(2021, 7, 20), 21),
    (dt.date(2021, 7, 25), dt.date(2021, 7, 5), dt.date(2021, 7, 20), 41),
]


@pytest.mark.parametrize(("paid", "warned", "warning_due", "percent"), LATE_2564)
def test_n_penalty_and_surcharge_2564(paid, warned, warning_due, percent) -> None:
    result = land_building.late_charges(
        load_rules("land_building", 2564),
        tax_baht=10_000,
        paid_on=paid,
        warning_received_on=warned,
        warning_due_on=warning_due,
    )
    assert _steps(result)["due"] == "2564-06-30"
    assert result.tax_baht == Decimal(10_000 * percent) / 100


# --- signboard tax [Z] ------------------------------------------------------------------------


def test_z_type2_10000_cm2_old_rate() -> None:
    # [Z]: "A signboard containing both Thai and foreign words and covering an area of 10,000
    # square centimetres. 10,000 sq cm / 500 sq cm = 20; 20 x Baht 20 = Baht 400". Rate of type
    # 2 under MR No. 5 B.E. 2535 (20 baht), which our rule file applies to the tax year 2563
    # (the last year of the old rates). The sign: 100 × 100 cm.
    result = signboard.quote(
        load_rules("signboard", 2563), sign_type=2, moving=False, width_cm=100, height_cm=100
    )
    assert result.tax_baht == Decimal("400.00")
