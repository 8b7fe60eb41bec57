"""Signboard tax against the worked examples of shared/thai-local-tax.md A.6 (sources cited)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from nakhon.tax.rules import TaxInputError, load_rules, signboard
from nakhon.tax.rules.loop import signboard_taxes


@pytest.mark.parametrize(
    ("year", "sign_type", "moving", "width", "height", "installed", "expected"),
    [
        # SB-1: type 1 static 5,000 cm² = 10 units × 5 = 50 → minimum 200. Computation from
        # octopus.co.th [S9]; minimum 200 from [S4][S10].
        (2568, 1, False, 50, 100, None, "200.00"),
        # SB-2: type 1 moving 5,000 cm² = 10 × 10 = 100 → 200 [S9] + minimum [S4].
        (2568, 1, True, 50, 100, None, "200.00"),
        # SB-3: old rate (MR No. 5 B.E. 2535, tax year 2563), type 1, 100 × 500 cm = 300
        # bokaew.go.th [S12].
        (2563, 1, False, 100, 500, None, "300.00"),
        # SB-4: the same sign at the 2564 rate: 100 units × 5 = 500 (derived from SB-3).
        (2564, 1, False, 100, 500, None, "500.00"),
        # SB-5: type 2 static 100 × 200 = 40 units × 26 = 1,040 (derived; rates [S3][S4]).
        (2568, 2, False, 100, 200, None, "1040.00"),
        # SB-6: type 3 static 120 × 240 = 28,800 cm²: 57 units + 300 cm² (> 250 → +1) = 58 × 50
        # = 2,900. Fraction rule: DLA Q&A CC076399 [S18].
        (2568, 3, False, 120, 240, None, "2900.00"),
        # SB-7: type 3 static 100 × 253 = 25,300: 50 + 1 = 51 × 50 = 2,550 [S18].
        (2568, 3, False, 100, 253, None, "2550.00"),
        # SB-8: type 2 static 25,250 cm² (101 × 250): remainder exactly 250 is dropped: 50 × 26
        # = 1,300 [S18].
        (2568, 2, False, 101, 250, None, "1300.00"),
        # Edge: remainder 251 cm², one over the half unit: 443 × 57 = 25,251 cm² = 50 × 500 +
        # 251; a remainder over half of 500 cm² counts as 500 cm² (Act §7 and schedule
        # (6)-(7), DLA Q&A CC076399 [S18], as the [area] rule file cites them) → 51 units ×
        # 26 baht (type 2 static, MR B.E. 2563 [S3][S4]) = 1,326 (by hand).
        (2568, 2, False, 443, 57, None, "1326.00"),
        # A larger remainder: 251 × 101 = 25,351 = 50 units + 351 → 51 × 26 = 1,326 [S18].
        (2568, 2, False, 251, 101, None, "1326.00"),
        # SB-9: type 2 moving 150 × 300 = 90 units × 52 = 4,680, installed in August: 50 %
        # = 2,340. Proration by quarter: chamraktrat.go.th [S11].
        (2568, 2, True, 150, 300, dt.date(2025, 8, 15), "2340.00"),
        # Proration quarters [S11]: Jan-Mar 100 %, Apr-Jun 75 %, Oct-Dec 25 % of 1,040.
        (2568, 2, False, 100, 200, dt.date(2025, 3, 31), "1040.00"),
        (2568, 2, False, 100, 200, dt.date(2025, 4, 1), "780.00"),
        (2568, 2, False, 100, 200, dt.date(2025, 12, 31), "260.00"),
        # Installed in an earlier year: the whole year is due.
        (2568, 2, False, 100, 200, dt.date(2020, 12, 31), "1040.00"),
        # Minimum after proration ([C1], UNCONFIRMED in law): 1,040 × 25 % = 260 ≥ 200, but
        # a 600-baht sign in Q4 pays 150 → the 200 minimum.
        (2568, 1, False, 100, 600, dt.date(2025, 11, 1), "200.00"),
        # A sign below 250 cm² has 0 units → the minimum 200 [S18] + [S4].
        (2568, 3, False, 10, 20, None, "200.00"),
    ],
)
def test_worked_examples(year, sign_type, moving, width, height, installed, expected) -> None:
    rules = load_rules("signboard", year)
    result = signboard.quote(
        rules,
        sign_type=sign_type,
        moving=moving,
        width_cm=width,
        height_cm=height,
        installed_on=installed,
    )
    assert result.tax_baht == Decimal(expected)
    assert result.steps[-1].code == "tax" and result.steps[-1].value == expected


def test_minimum_order_is_a_rule_and_flagged_unconfirmed(tmp_path) -> None:
    # A local rule file can prorate the minimum instead (the order is UNCONFIRMED).
    local = tmp_path / "signboard"
    local.mkdir()
    (local / "2568.toml").write_text(
        'kind = "signboard"\ntax_year = 2568\n[minimum_after_proration]\n'
        'source = "เทศบัญญัติ (test)"\nstatus = "unconfirmed"\nvalue = false\n',
        encoding="utf-8",
    )
    rules = load_rules("signboard", 2568, [tmp_path])
    quote = signboard.quote(
        rules,
        sign_type=1,
        moving=False,
        width_cm=50,
        height_cm=100,
        installed_on=dt.date(2025, 11, 1),
    )
    assert quote.tax_baht == Decimal("50.00")  # max(50, 200) × 25 %
    national = signboard.quote(
        load_rules("signboard", 2568),
        sign_type=1,
        moving=False,
        width_cm=50,
        height_cm=100,
        installed_on=dt.date(2025, 11, 1),
    )
    assert any(s.code == "minimum_order" and s.unconfirmed for s in national.steps)


def test_exemption_cites_its_section() -> None:
    rules = load_rules("signboard", 2568)
    quote = signboard.quote(
        rules, sign_type=3, moving=False, width_cm=300, height_cm=300, exemption="government"
    )
    assert quote.tax_baht == 0
    assert "§8(6)" in quote.steps[0].label_en
    vehicle = signboard.quote(
        rules, sign_type=1, moving=False, width_cm=30, height_cm=30, exemption="private_vehicle"
    )
    assert vehicle.steps[0].unconfirmed  # MR No. 2 (2535) content not confirmed


def test_json_shape() -> None:
    rules = load_rules("signboard", 2568)
    data = json.loads(
        signboard.quote(rules, sign_type=2, moving=False, width_cm=200, height_cm=100).to_json()
    )
    assert data["tax_baht"] == "1040.00"
    assert {"code", "label_th", "label_en", "value", "rule", "unconfirmed"} <= set(data["steps"][0])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sign_type": 4}, "sign_type"),
        ({"width_cm": -5}, "width_cm"),
        ({"height_cm": 0}, "height_cm"),
        ({"width_cm": 10_000_000}, "width_cm"),
        ({"installed_on": dt.date(2026, 1, 2)}, "installed_on"),
        ({"exemption": "friends"}, "exemption"),
        ({"faces": 0}, "faces"),
    ],
)
def test_bad_input_names_the_record(kwargs, field) -> None:
    rules = load_rules("signboard", 2568)
    args = {"sign_type": 2, "moving": False, "width_cm": 100, "height_cm": 100, **kwargs}
    with pytest.raises(TaxInputError) as error:
        signboard.quote(rules, sign_id="SIGN-7", **args)
    assert error.value.problems[0].record == "SIGN-7"
    assert error.value.problems[0].field == field


def test_batch_refuses_all_when_one_is_bad() -> None:
    rules = load_rules("signboard", 2568)
    frame = pl.DataFrame(
        {
            "sign_id": ["a", "b"],
            "sign_type": [1, 9],
            "moving": [False, True],
            "width_cm": [100, 100],
            "height_cm": [100, 100],
        }
    )
    with pytest.raises(TaxInputError, match="b: sign_type"):
        signboard.assess(rules, frame)


def test_quote_is_the_batch_and_equals_the_loop() -> None:
    rules = load_rules("signboard", 2568)
    rows: list[dict[str, Any]] = [
        {
            "sign_id": f"s{i}",
            "sign_type": 1 + i % 3,
            "moving": i % 4 == 0,
            "width_cm": 20 + (i * 37) % 900,
            "height_cm": 10 + (i * 53) % 400,
            "faces": 1 + i % 2,
            "installed_on": None if i % 3 else dt.date(2025, 1 + i % 12, 1),
            "exemption": "association" if i % 17 == 0 else None,
        }
        for i in range(300)
    ]
    frame = pl.DataFrame(rows, schema_overrides={"installed_on": pl.Date})
    batch = dict(
        zip(
            *signboard.assess(rules, frame)
            .select("sign_id", "tax_satang")
            .to_dict(as_series=False)
            .values(),
            strict=True,
        )
    )
    assert batch == signboard_taxes(rules, rows)
    for row in rows[:20]:
        quote = signboard.quote(rules, **{k: v for k, v in row.items() if k != "sign_id"})
        assert quote.tax_baht * 100 == batch[row["sign_id"]]


@pytest.mark.parametrize(
    ("due", "paid", "late", "voluntary", "understated", "expected"),
    [
        # Late filing 10 % of the tax: Act §25 [S14][S27][S28]; 1,040 → 104.
        (dt.date(2025, 4, 15), dt.date(2025, 4, 15), True, False, 0, "104.00"),
        # Filed late before the officer's notice: 5 % (UNCONFIRMED §25) → 52.
        (dt.date(2025, 4, 15), dt.date(2025, 4, 10), True, True, 0, "52.00"),
        # Paid one day late: 2 % for one month (a fraction counts as a month) → 20.80.
        (dt.date(2025, 4, 15), dt.date(2025, 4, 16), False, False, 0, "20.80"),
        # Paid on the same day a month later: still one month.
        (dt.date(2025, 4, 15), dt.date(2025, 5, 15), False, False, 0, "20.80"),
        # One day more: two months → 41.60.
        (dt.date(2025, 4, 15), dt.date(2025, 5, 16), False, False, 0, "41.60"),
        # Understated by 520: 10 % of it (UNCONFIRMED) = 52.
        (dt.date(2025, 4, 15), dt.date(2025, 4, 1), False, False, 520, "52.00"),
    ],
)
def test_late_charges(due, paid, late, voluntary, understated, expected) -> None:
    rules = load_rules("signboard", 2568)
    result = signboard.late_charges(
        rules,
        tax_baht="1040",
        due_on=due,
        paid_on=paid,
        filed_late=late,
        filed_before_notice=voluntary,
        understated_baht=understated,
    )
    assert result.tax_baht == Decimal(expected)


def test_installments_from_3000_unconfirmed() -> None:
    rules = load_rules("signboard", 2568)
    assert signboard.installments(rules, "2999") == [Decimal("2999.00")]
    assert signboard.installments(rules, "3001") == [
        Decimal("1000.34"),
        Decimal("1000.33"),
        Decimal("1000.33"),
    ]
    assert rules.cite("installments").unconfirmed
