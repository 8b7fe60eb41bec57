"""Land and building tax against the worked examples of shared/thai-local-tax.md B.10."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import polars as pl
import pytest

from nakhon.tax.rules import TaxInputError, land_building, load_rules, parse_rai_ngan_wah
from nakhon.tax.rules.loop import land_building_taxes


def quote(year: int, **kwargs) -> Decimal:
    return land_building.quote(load_rules("land_building", year), **kwargs).tax_baht


def test_lbt_1_primary_home_under_50m() -> None:
    # LBT-1, LBT operations manual p. 59 case 1 [S55]: 100 sq wah × 30,000 = 3,000,000; wooden
    # house 80 m² × 7,500 = 600,000 less 40 % (10 years) = 360,000; primary home → tax 0.
    result = land_building.quote(
        load_rules("land_building", 2563),
        owner_kind="individual",
        use="residential-primary",
        land_rnw="0-1-00",
        price_per_sq_wah=30_000,
        buildings=[
            {"floor_area_m2": 80, "price_per_m2": 7_500, "structure": "wood", "age_years": 10}
        ],
    )
    values = {s.code: s.value for s in result.steps}
    assert values["land_value"] == "3,000,000.00"
    assert values["building_value"] == "360,000.00"
    assert values["base"] == "3,360,000.00"
    assert result.tax_baht == 0


@pytest.mark.parametrize(
    ("year", "owner", "use", "value", "expected"),
    [
        # LBT-2: juristic agricultural 5M × 0.01 % = 500, less the 90 % reduction of 2563
        # (Royal Decree on reduction B.E. 2563) → 50 [S48].
        (2563, "juristic", "agricultural", 5_000_000, "50.00"),
        (2564, "juristic", "agricultural", 5_000_000, "50.00"),  # RD No. 2 B.E. 2564 [S72]
        # LBT-3: second home (condominium) 5M × 0.02 % = 1,000 less 90 % → 100 [S48].
        (2563, "individual", "residential-other", 5_000_000, "100.00"),
        # LBT-4: the same in 2566 (15 % reduction, RD No. 3 B.E. 2566 [S78]) → 850.
        (2566, "individual", "residential-other", 5_000_000, "850.00"),
        # LBT-5: the same in 2567, no reduction [S40] → 1,000.
        (2567, "individual", "residential-other", 5_000_000, "1000.00"),
        # 2565: no reduction [S77] → 1,000.
        (2565, "individual", "residential-other", 5_000_000, "1000.00"),
        # Agricultural, individual: fully exempt 2563-2565 (§96) [S47][S52] …
        (2565, "individual", "agricultural", 80_000_000, "0.00"),
        # … from 2566 the first 50M is exempt (§40): 30M × 0.01 % = 3,000 less 15 % = 2,550.
        (2566, "individual", "agricultural", 80_000_000, "2550.00"),
        (2567, "individual", "agricultural", 50_000_000, "0.00"),
        # Primary home 60M (§41): base after 50M = 10M × 0.03 % = 3,000 (B.7, both readings).
        (2568, "individual", "residential-primary", 60_000_000, "3000.00"),
        # Bracket edge, primary home: 75M gross = 25M after exemption, all at 0.03 % = 7,500;
        # 100M gross: 25M × 0.03 % + 25M × 0.05 % = 20,000 (marginal, UNCONFIRMED B.7).
        (2568, "individual", "residential-primary", 75_000_000, "7500.00"),
        (2568, "individual", "residential-primary", 100_000_000, "20000.00"),
        # Building only (§42): first 10M exempt; 20M → 10M × 0.02 % = 2,000 (edges UNCONFIRMED).
        (2568, "individual", "residential-building-only", 20_000_000, "2000.00"),
        # Commercial 60M, B.7 DERIVED marginal: 50M × 0.3 % + 10M × 0.4 % = 190,000.
        (2568, "juristic", "commercial", 60_000_000, "190000.00"),
        # Bracket edge: exactly 50M is all in the first band: 150,000.
        (2568, "juristic", "commercial", 50_000_000, "150000.00"),
        # One baht over the edge: 150,000 + 1 × 0.4 % = 150,000.004 → 150,000.00 (satang).
        (2568, "juristic", "commercial", 50_000_001, "150000.00"),
        # 125 baht over: + 0.50 baht.
        (2568, "juristic", "commercial", 50_000_125, "150000.50"),
        # Residential other at the 50M / 75M / 100M edges: 10,000; 17,500; 30,000.
        (2568, "juristic", "residential-other", 50_000_000, "10000.00"),
        (2568, "juristic", "residential-other", 75_000_000, "17500.00"),
        (2568, "juristic", "residential-other", 100_000_000, "30000.00"),
        # Agricultural juristic 100M: 75M × 0.01 % + 25M × 0.03 % = 7,500 + 7,500 = 15,000.
        (2568, "juristic", "agricultural", 100_000_000, "15000.00"),
        # Satang rounding half up: 1,234,567.89 × 0.3 % = 3,703.70367 → 3,703.70.
        (2568, "juristic", "commercial", "1234567.89", "3703.70"),
        # 0.01 % of 12,345 = 1.2345 → 1.23; 0.01 % of 12,350 = 1.235 → 1.24 (half up).
        (2568, "juristic", "agricultural", 12_345, "1.23"),
        (2568, "juristic", "agricultural", 12_350, "1.24"),
    ],
)
def test_examples_and_edges(year, owner, use, value, expected) -> None:
    assert quote(year, owner_kind=owner, use=use, value_baht=value) == Decimal(expected)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        # Act §37 para 3 [S40][S42]: +0.3 % every 3 consecutive vacant years, cap 3 %; layered
        # on every band (UNCONFIRMED). 60M vacant in 2568:
        (0, "190000.00"),  # 50M × 0.3 % + 10M × 0.4 %
        (2, "190000.00"),
        (3, "370000.00"),  # 50M × 0.6 % + 10M × 0.7 %
        (6, "550000.00"),  # 0.9 % / 1.0 %
        (24, "1630000.00"),  # 50M × 2.7 % + 10M × 2.8 %
        (27, "1800000.00"),  # 0.3 + 2.7 = 3.0 %; 0.4 + 2.7 = 3.1 → capped 3 %: 60M × 3 %
        (60, "1800000.00"),  # every band at the 3 % cap
    ],
)
def test_vacant_escalation(years, expected) -> None:
    assert quote(
        2568, owner_kind="juristic", use="vacant", value_baht=60_000_000, vacant_years=years
    ) == Decimal(expected)


def test_section_97_relief() -> None:
    # §97: old tax + 25 % of the increase in 2563 [S65]; 75 % in 2565 [C2]. Commercial 10M:
    # 30,000 less 90 % = 3,000 (2563); old tax 1,000 → 1,000 + 25 % × 2,000 = 1,500.
    assert quote(
        2563, owner_kind="juristic", use="commercial", value_baht=10_000_000, old_tax_baht=1_000
    ) == Decimal("1500.00")
    # 2565: 30,000 (no reduction); old 10,000 → 10,000 + 75 % × 20,000 = 25,000.
    assert quote(
        2565, owner_kind="juristic", use="commercial", value_baht=10_000_000, old_tax_baht=10_000
    ) == Decimal("25000.00")
    # No relief when the new tax is not higher [C2], nor after 2565.
    assert quote(
        2565, owner_kind="juristic", use="commercial", value_baht=10_000_000, old_tax_baht=40_000
    ) == Decimal("30000.00")
    assert quote(
        2566, owner_kind="juristic", use="commercial", value_baht=10_000_000, old_tax_baht=1_000
    ) == Decimal("25500.00")


def test_aggregation_per_owner_and_use() -> None:
    # Two commercial parcels of one owner: 30M + 30M = 60M aggregated → 190,000 (marginal),
    # not 2 × 90,000 = 180,000 (UNCONFIRMED reading of §38-§41).
    rules = load_rules("land_building", 2568)
    parcels = pl.DataFrame(
        {
            "parcel_id": ["p1", "p2", "p3"],
            "owner_id": ["A", "A", "B"],
            "owner_kind": ["juristic"] * 3,
            "use": ["commercial", "commercial", "commercial"],
            "area_rnw": ["0-1-00", "0-1-00", "0-1-00"],
            "price_per_sq_wah": [300_000, 300_000, 1],
        }
    )
    result = land_building.assess(rules, parcels=parcels).sort("owner_id")
    assert result.get_column("tax_satang").to_list() == [19_000_000, 30]


def test_whole_value_method_is_one_switch(tmp_path) -> None:
    local = tmp_path / "land_building"
    local.mkdir()
    (local / "2568.toml").write_text(
        'kind = "land_building"\ntax_year = 2568\n[brackets]\nsource = "test"\n'
        'status = "unconfirmed"\nmethod = "whole"\n',
        encoding="utf-8",
    )
    rules = load_rules("land_building", 2568, [tmp_path])
    # B.7 DERIVED whole-value: 60M × 0.4 % = 240,000.
    assert land_building.quote(
        rules, owner_kind="juristic", use="commercial", value_baht=60_000_000
    ).tax_baht == Decimal("240000.00")


@pytest.mark.parametrize(
    ("text", "sq_wah"), [("2-1-35", "935"), ("0-0-99.5", "99.5"), ("10-3-0", "4300")]
)
def test_rai_ngan_wah(text, sq_wah) -> None:
    assert parse_rai_ngan_wah(text) == Decimal(sq_wah)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1-5-20", "ngan must be 0-3"),
        ("1-1-100", "below 100"),
        ("one rai", "not rai-ngan-wah"),
    ],
)
def test_rai_ngan_wah_refused(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rai_ngan_wah(text)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"land_rnw": "1-5-20", "price_per_sq_wah": 1000}, "ngan", "ngan must be 0-3"),
        ({"land_rnw": "1-1-120", "price_per_sq_wah": 1000}, "wah", "below 100"),
        ({"land_rnw": "1-1-20", "price_per_sq_wah": -5}, "price_per_sq_wah", "price"),
        ({"value_baht": -1}, "value_baht", "appraised value"),
        ({"value_baht": 10**15}, "value_baht", "appraised value"),
        ({"value_baht": 1, "use": "casino"}, "use", "unknown use"),
        (
            {"value_baht": 1, "owner_kind": "juristic", "use": "residential-primary"},
            "use",
            "individual",
        ),
        ({"value_baht": 1, "vacant_years": 3}, "vacant_years", "not vacant"),
        (
            {
                "buildings": [
                    {"floor_area_m2": 0, "price_per_m2": 1, "structure": "wood", "age_years": 1}
                ]
            },
            "floor_area_m2",
            "floor area",
        ),
        (
            {
                "buildings": [
                    {"floor_area_m2": 10, "price_per_m2": 1, "structure": "steel", "age_years": 1}
                ]
            },
            "structure",
            "structure",
        ),
    ],
)
def test_bad_input(kwargs, field, reason) -> None:
    args = {"owner_kind": "individual", "use": "commercial", **kwargs}
    with pytest.raises(TaxInputError) as error:
        land_building.quote(load_rules("land_building", 2568), owner_id="OWNER-9", **args)
    problem = error.value.problems[0]
    assert problem.field == field and reason in problem.reason


# The Treasury building price list by class (rule file [building_cost."<code>"]; the rows as
# published by อบต.เกาะปันหยี, kohpanyee.saraban.cloud: "100 | ประเภทบ้านเดี่ยว | 7,250",
# "513 | โรงงาน | 6,350"). LBT manual p. 59 case 1 [S55]: 80 m² wooden house, 10 years, 40 %
# depreciation (there at the manual's own price, 7,500 baht/m²).
@pytest.mark.parametrize(
    ("building", "value", "basis"),
    [
        # no own price: 80 × 7,250 = 580,000 less 40 % = 348,000, by class 100
        ({"building_class": "100"}, "348,000.00", "class"),
        # the building's own appraised price wins over its class: 80 × 7,500 less 40 %
        ({"building_class": "100", "price_per_m2": 7_500}, "360,000.00", "register"),
        ({"price_per_m2": 7_500}, "360,000.00", "register"),
        # class 513 (factory) 6,350: 80 × 6,350 = 508,000 less 40 % = 304,800
        ({"building_class": " 513 "}, "304,800.00", "class"),
    ],
)
def test_building_price_by_class(building, value, basis) -> None:
    rules = load_rules("land_building", 2568)
    result = land_building.quote(
        rules,
        owner_kind="individual",
        use="residential-other",
        buildings=[{"floor_area_m2": 80, "structure": "wood", "age_years": 10, **building}],
    )
    step = next(s for s in result.steps if s.code == "building_value")
    assert step.value == value
    if basis == "class":
        code = building["building_class"].strip()
        entry = rules.building_cost[code]
        assert f"class {code} ({entry.label_en})" in step.label_en
        assert f"{entry.price_satang // 100:,}.00 baht/m²" in step.label_en
        assert entry.label_th in step.label_th
        assert "kohpanyee.saraban.cloud" in step.rule and step.unconfirmed
    else:
        assert "own appraised price on the register" in step.label_en
        assert "kohpanyee" not in step.rule


@pytest.mark.parametrize(
    ("building", "field"),
    [
        ({"building_class": "999"}, "building_class"),  # not in the table, no own price
        ({"building_class": ""}, "building_class"),
        ({"building_class": "100", "price_per_m2": -1}, "price_per_m2"),  # a bad own price
    ],
)
def test_building_without_a_price_is_refused(building, field) -> None:
    with pytest.raises(TaxInputError) as error:
        land_building.quote(
            load_rules("land_building", 2568),
            owner_kind="individual",
            use="residential-other",
            buildings=[{"floor_area_m2": 80, "structure": "wood", "age_years": 10, **building}],
        )
    problem = error.value.problems[0]
    assert problem.record == "building 1" and problem.field == field
    if field == "building_class":
        assert "building price table of tax year 2568" in problem.reason


def test_every_year_has_the_building_price_table() -> None:
    for year in range(2563, 2570):
        table = load_rules("land_building", year).building_cost
        assert table["100"].price_satang == 725_000 and table["513"].price_satang == 635_000


def test_owner_both_individual_and_juristic_is_refused() -> None:
    values = pl.DataFrame(
        {
            "item_id": ["a", "b"],
            "owner_id": ["X", "X"],
            "owner_kind": ["individual", "juristic"],
            "use": ["commercial", "commercial"],
            "value_baht": [1, 2],
        }
    )
    with pytest.raises(TaxInputError, match="owner X"):
        land_building.assess(load_rules("land_building", 2568), values=values)


def late_charges_of_10000(year, due, paid, warned, warning_due):
    return land_building.late_charges(
        load_rules("land_building", year),
        tax_baht=10_000,
        due_on=due,
        paid_on=paid,
        warning_received_on=warned,
        warning_due_on=warning_due,
    )


@pytest.mark.parametrize(
    ("year", "due", "paid", "warned", "warning_due", "expected"),
    [
        # Act §68-§70 [S65][S68][S69]: tax 10,000. 2566: payment due within June 2566, the
        # two-month extension of the Ministry of Interior (Gazette 9 Dec 2565; itax.in.th,
        # wangnuea.go.th, nationthailand.com: see the 2566 rule file).
        (2566, None, dt.date(2023, 6, 30), None, None, "0.00"),  # on the due date (30 June)
        # One day late, no warning: 10 % + 1 % × 1 month = 1,100.
        (2566, None, dt.date(2023, 7, 1), None, None, "1100.00"),
        # Paid within the warning notice's deadline: 20 % + 1 % × 3 months = 2,300.
        (2566, None, dt.date(2023, 9, 20), dt.date(2023, 8, 1), dt.date(2023, 9, 30), "2300.00"),
        # After the warning deadline: 40 % + 1 % × 4 = 4,400.
        (2566, None, dt.date(2023, 10, 15), dt.date(2023, 8, 1), dt.date(2023, 9, 30), "4400.00"),
        # Surcharge capped at the tax: 40 % + 100 % (10 years late) = 14,000.
        (2566, None, dt.date(2033, 7, 1), dt.date(2023, 8, 1), dt.date(2023, 9, 30), "14000.00"),
        # The old (unextended) date is no longer the due date: paid 1 May 2566 is on time.
        (2566, None, dt.date(2023, 5, 1), None, None, "0.00"),
        # 2569: payment within June 2569 (laobuaban.go.th, bangkaewphet.go.th): 30 June on time.
        (2569, None, dt.date(2026, 6, 30), None, None, "0.00"),
        (2569, None, dt.date(2026, 7, 1), None, None, "1100.00"),
        # 2568: due date extended to 30 June 2568 [S66]: paid 30 June is on time.
        (2568, None, dt.date(2025, 6, 30), None, None, "0.00"),
        (2568, dt.date(2025, 4, 30), dt.date(2025, 6, 30), None, None, "1200.00"),
    ],
)
def test_late_charges(year, due, paid, warned, warning_due, expected) -> None:
    result = late_charges_of_10000(year, due, paid, warned, warning_due)
    assert result.tax_baht == Decimal(expected)


# Date edges of the late charges, tax 10,000 (Act §68-§70 as the rule file quotes them:
# "เศษของเดือนให้นับเป็นหนึ่งเดือน"). Month counting with no matching day in the last month:
# the Civil and Commercial Code §193/5 para 2 ends the period on the last day of that month
# (legal.co.th, CCC Title V "Periods of Time", §193/1-§193/8), so one month from 31 January
# ends on 28 (29) February: paid on that day = 1 month, the day after = 2 months.
# The warning notice (§68): the 10 % penalty only when paid "ก่อนจะได้รับหนังสือแจ้งเตือน"
# (before receiving the warning notice; livinginthailand.com/prop-tax-2562-10.html, หมวด ๙);
# paid on the day it is received is not before it: 20 % when within its deadline (§69).
DATE_EDGE_CASES = [
    # due, paid, warning received, warning due, months, penalty %
    (dt.date(2023, 1, 31), dt.date(2023, 2, 28), None, None, 1, 10),
    (dt.date(2023, 1, 31), dt.date(2023, 3, 1), None, None, 2, 10),
    (dt.date(2024, 1, 31), dt.date(2024, 2, 28), None, None, 1, 10),  # leap year
    (dt.date(2024, 1, 31), dt.date(2024, 2, 29), None, None, 1, 10),
    (dt.date(2024, 1, 31), dt.date(2024, 3, 1), None, None, 2, 10),
    (dt.date(2023, 4, 30), dt.date(2023, 5, 30), None, None, 1, 10),
    (dt.date(2023, 4, 30), dt.date(2023, 5, 31), None, None, 2, 10),
    (dt.date(2023, 8, 31), dt.date(2023, 9, 30), None, None, 1, 10),  # 30-day month after
    (dt.date(2023, 8, 31), dt.date(2023, 10, 1), None, None, 2, 10),
    # warning received 1 Aug 2566, its deadline 31 Aug; the tax due 30 June 2566
    (dt.date(2023, 6, 30), dt.date(2023, 7, 31), dt.date(2023, 8, 1), dt.date(2023, 8, 31), 2, 10),
    (dt.date(2023, 6, 30), dt.date(2023, 8, 1), dt.date(2023, 8, 1), dt.date(2023, 8, 31), 2, 20),
    (dt.date(2023, 6, 30), dt.date(2023, 8, 31), dt.date(2023, 8, 1), dt.date(2023, 8, 31), 3, 20),
    (dt.date(2023, 6, 30), dt.date(2023, 9, 1), dt.date(2023, 8, 1), dt.date(2023, 8, 31), 3, 40),
]


@pytest.mark.parametrize(
    ("due", "paid", "warned", "warning_due", "months", "penalty"), DATE_EDGE_CASES
)
def test_late_charges_date_edges(due, paid, warned, warning_due, months, penalty) -> None:
    result = late_charges_of_10000(2566, due, paid, warned, warning_due)
    assert result.tax_baht == Decimal(100 * (penalty + months))
    steps = {s.code: s for s in result.steps}
    assert steps["penalty"].value == f"{100 * penalty}.00"
    assert f"× {months} month(s)" in steps["surcharge"].label_en


def test_installments() -> None:
    # Act §52: 3 installments from 3,000 baht [S65]; 2568 months June-August [S66].
    rules = load_rules("land_building", 2568)
    assert land_building.installments(rules, "2999.99") == [
        (dt.date(2025, 6, 30), Decimal("2999.99"))
    ]
    parts = land_building.installments(rules, 3000)
    assert [d for d, _ in parts] == [
        dt.date(2025, 6, 30),
        dt.date(2025, 7, 31),
        dt.date(2025, 8, 31),
    ]
    assert sum(a for _, a in parts) == 3000


# Act B.E. 2562 §52 (rule file [installment_default]): an installment not paid by its due
# date ends the right to installments; the later ones become due on that date; the §70
# surcharge runs on the missed installment only. 2568 plan [S66]: 30 Jun, 31 Jul, 31 Aug 2025,
# 3,333.34 + 3,333.33 + 3,333.33 of a tax of 10,000.
JUN, JUL, AUG = dt.date(2025, 6, 30), dt.date(2025, 7, 31), dt.date(2025, 8, 31)
SCHEDULE_CASES = [
    # payments (date, tax paid), as of, missed installment, due dates after it
    ([(JUN, "3333.34")], dt.date(2025, 7, 1), None, (JUN, JUL, AUG)),  # on the due date: in time
    ([], JUN, None, (JUN, JUL, AUG)),  # nothing paid, the due date not yet passed
    ([(dt.date(2025, 7, 1), "3333.34")], dt.date(2025, 7, 1), 1, (JUN, JUN, JUN)),  # a day late
    ([(JUN, "3000")], dt.date(2025, 7, 15), 1, (JUN, JUN, JUN)),  # part of it by the date: missed
    ([(JUN, "3333.34")], dt.date(2025, 8, 1), 2, (JUN, JUL, JUL)),  # the second missed
    ([(JUN, "3333.34"), (JUL, "3333.32")], dt.date(2025, 8, 1), 2, (JUN, JUL, JUL)),  # 1 satang
    ([(JUN, "6666.67")], dt.date(2025, 9, 1), 3, (JUN, JUL, AUG)),  # two at once, the last missed
    ([(dt.date(2025, 6, 1), "10000")], dt.date(2026, 1, 1), None, (JUN, JUL, AUG)),  # all early
]


@pytest.mark.parametrize(("paid", "as_of", "missed", "due"), SCHEDULE_CASES)
def test_installment_schedule_after_a_missed_installment(paid, as_of, missed, due) -> None:
    rules = load_rules("land_building", 2568)
    schedule = land_building.installment_schedule(
        rules, parts=land_building.installments(rules, 10_000), payments=paid, as_of=as_of
    )
    assert schedule.missed == missed
    assert tuple(p.due_on for p in schedule.parts) == due
    assert [p.planned_on for p in schedule.parts] == [JUN, JUL, AUG]
    # the surcharge runs on the missed installment (and those before it), not on the later ones
    assert [p.surcharge for p in schedule.parts] == [
        missed is None or p.number <= missed for p in schedule.parts
    ]
    if missed:
        assert schedule.missed_on == (JUN, JUL, AUG)[missed - 1]
        assert [s.code for s in schedule.steps] == ["installment_missed", "installments_due"]
        assert all("§52" in s.rule and s.unconfirmed for s in schedule.steps)
    else:
        assert schedule.steps == () and not schedule.ended


def test_an_installment_due_early_bears_the_penalty_without_surcharge() -> None:
    # §52: surcharge (§70) on the missed installment only; the penalty (§68) 10 % before a
    # warning notice.
    rules = load_rules("land_building", 2568)
    late = dt.date(2025, 9, 1)
    full = land_building.late_charges(rules, tax_baht=1000, due_on=JUN, paid_on=late)
    assert full.tax_baht == Decimal("130.00")
    early = land_building.late_charges(
        rules, tax_baht=1000, due_on=JUN, paid_on=late, surcharge=False
    )
    assert early.tax_baht == Decimal("100.00")
    assert any(s.code == "surcharge" and s.value == "0.00" and "§52" in s.rule for s in early.steps)


def test_depreciation_table() -> None:
    # Treasury table B.E. 2535 [S59][S60] as in thai-local-tax.md B.5.
    rules = load_rules("land_building", 2568)
    cases = [
        ("masonry", 10, 10),
        ("masonry", 11, 12),
        ("masonry", 43, 76),
        ("masonry", 90, 76),
        ("half_masonry", 6, 14),
        ("half_masonry", 16, 55),
        ("half_masonry", 22, 85),
        ("wood", 10, 40),
        ("wood", 18, 86),
        ("wood", 19, 93),
        ("wood", 0, 0),
    ]
    for structure, age, percent in cases:
        assert rules.depreciation_percent(structure, age) == percent, (structure, age)


def test_batch_equals_the_loop_record_by_record() -> None:
    rng = random.Random(6)
    rules = load_rules("land_building", 2566)
    uses = ["agricultural", "residential_primary", "residential_other", "commercial", "vacant"]
    parcels, buildings, units = [], [], []
    for i in range(400):
        owner = rng.randrange(120)
        kind = "juristic" if owner % 7 == 0 else "individual"
        use = rng.choice(uses[2:] if kind == "juristic" else uses)
        parcels.append(
            {
                "parcel_id": f"p{i}",
                "owner_id": owner,
                "owner_kind": kind,
                "use": use,
                "rai": rng.randrange(30),
                "ngan": rng.randrange(4),
                "wah": rng.randrange(10_000) / 100,
                "price_per_sq_wah": rng.choice([350, 1_200.5, 25_000, 180_000]),
                "vacant_years": rng.randrange(12) if use == "vacant" else 0,
            }
        )
        buildings.append(
            {
                "building_id": f"b{i}",
                "owner_id": owner,
                "owner_kind": kind,
                "use": "commercial" if use == "vacant" else use,
                "floor_area_m2": rng.randrange(2_000, 90_000) / 100,
                # every third building has no price of its own: its class's price is used
                "price_per_m2": None if i % 3 == 0 else rng.choice([6_350, 7_250, 8_200.25]),
                "building_class": rng.choice(["100", "400", "506/1", " 513 "]),
                "structure": rng.choice(["masonry", "half_masonry", "wood"]),
                "age_years": rng.randrange(60),
            }
        )
        units.append(
            {
                "unit_id": f"u{i}",
                "owner_id": owner,
                "owner_kind": kind,
                "use": "residential_other",
                "area_m2": rng.randrange(2_500, 20_000) / 100,
                "price_per_m2": rng.choice([45_000, 98_000.5]),
            }
        )
    result = land_building.assess(
        rules,
        parcels=pl.DataFrame(parcels),
        buildings=pl.DataFrame(buildings),
        units=pl.DataFrame(units),
    )
    batch = {
        (r["owner_id"], r["use"], r["vacant_step"]): (r["base_satang"], r["tax_satang"])
        for r in result.iter_rows(named=True)
    }
    assert batch == land_building_taxes(rules, parcels, buildings, units)
