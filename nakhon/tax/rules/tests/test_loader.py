"""Rule files: every year loads, every value has a source, bad files and years are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from nakhon.tax.rules import RuleError, RuleNotFound, available_years, load_rules, signboard

YEARS = range(2563, 2570)


@pytest.mark.parametrize("kind", ["signboard", "land_building"])
@pytest.mark.parametrize("year", YEARS)
def test_every_rule_file_loads(kind, year) -> None:
    rules = load_rules(kind, year)
    assert rules.tax_year == year
    assert all(
        c.source and c.status in ("confirmed", "derived", "unconfirmed")
        for c in rules.cites.values()
    )


@pytest.mark.parametrize("kind", ["signboard", "land_building"])
def test_years_on_file(kind) -> None:
    assert available_years(kind) == list(YEARS)


@pytest.mark.parametrize("year", [2562, 2570, 2099])
def test_a_year_without_rules_is_refused(year) -> None:
    with pytest.raises(RuleNotFound, match=f"tax year {year}"):
        load_rules("signboard", year)


def write(tmp_path: Path, body: str, kind: str = "signboard", year: int = 2568) -> Path:
    folder = tmp_path / kind
    folder.mkdir(exist_ok=True)
    (folder / f"{year}.toml").write_text(
        f'kind = "{kind}"\ntax_year = {year}\n{body}', encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ('[minimum]\nstatus = "confirmed"\nbaht = 100\n', "minimum.status", "outside a table"),
        ('[minimum]\nsource = "x"\nstatus = "maybe"\nbaht = 100\n', "minimum.status", "one of"),
        ('[minimum]\nsource = "x"\nstatus = "confirmed"\nbaht = -1\n', "minimum.baht", "between"),
        ('[minimum]\nsource = "x"\nstatus = "confirmed"\nbahts = 1\n', "minimum.baht", "missing"),
        (
            '[minimum]\nsource = "x"\nstatus = "confirmed"\nbaht = 1\ncolour = 2\n',
            "minimum.colour",
            "unknown key",
        ),
        (
            '[rates]\nsource = "x"\nstatus = "confirmed"\nstatic = { "1" = 5 }\n'
            'moving = { "1" = 1, "2" = 1, "3" = 1 }\n',
            "rates.static",
            "must be a table",
        ),
        ("[minimum\n", "(syntax)", ""),
    ],
)
def test_bad_local_file_names_file_key_reason(tmp_path, body, key, reason) -> None:
    local = write(tmp_path, body)
    with pytest.raises(RuleError) as error:
        load_rules("signboard", 2568, [local])
    assert error.value.key == key
    assert reason in error.value.reason
    assert error.value.file.endswith("2568.toml")


def test_local_rules_override_and_add(tmp_path) -> None:
    # A Municipal Ordinance can add an exemption and change a value, with its own source.
    local = write(
        tmp_path,
        (
            '[exemptions.community_event]\nsource = "เทศบัญญัติเทศบาลนครขอนแก่น (test) ข้อ 5"\n'
            'status = "confirmed"\nsection = "local ordinance"\nlabel_th = "งานชุมชน"\n'
            'label_en = "Community event"\n'
        ),
    )
    rules = load_rules("signboard", 2568, [local])
    assert "community_event" in rules.exemptions and "government" in rules.exemptions
    quote = signboard.quote(
        rules, sign_type=1, moving=False, width_cm=10, height_cm=10, exemption="community_event"
    )
    assert quote.tax_baht == 0 and "เทศบัญญัติ" in quote.steps[0].rule


def test_local_file_of_the_wrong_year_is_refused(tmp_path) -> None:
    folder = tmp_path / "signboard"
    folder.mkdir()
    (folder / "2568.toml").write_text('kind = "signboard"\ntax_year = 2567\n', encoding="utf-8")
    with pytest.raises(RuleError, match="tax_year"):
        load_rules("signboard", 2568, [tmp_path])


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        load_rules("dog_tax", 2568)  # type: ignore[call-overload]


def test_unconfirmed_values_surface_in_steps() -> None:
    from nakhon.tax.rules import land_building

    rules = load_rules("land_building", 2568)
    quote = land_building.quote(
        rules, owner_kind="juristic", use="commercial", value_baht=60_000_000
    )
    band_steps = [s for s in quote.steps if s.code == "band"]
    assert band_steps and all(s.unconfirmed and "UNCONFIRMED" in s.rule for s in band_steps)
    assert quote.unconfirmed


def test_local_building_prices_override_and_add_classes(tmp_path) -> None:
    # A city's own building price (e.g. its Treasury provincial list) replaces one class and
    # adds another; the other classes stay national.
    entry = 'source = "เทศบัญญัติ… ข้อ 3"\nstatus = "confirmed"\nlabel_th = "{th}"\nlabel_en = "{en}"\n'
    local = write(
        tmp_path,
        '[building_cost."100"]\n'
        + entry.format(th="บ้านเดี่ยว", en="Detached house")
        + "baht_per_m2 = 8000\n"
        + '[building_cost."900"]\n'
        + entry.format(th="ศาลาท่าน้ำ", en="Pier pavilion")
        + "baht_per_m2 = 1500.5\n",
        kind="land_building",
    )
    table = load_rules("land_building", 2568, [local]).building_cost
    assert table["100"].price_satang == 800_000
    assert table["900"].price_satang == 150_050
    assert table["513"].price_satang == 635_000


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ("baht_per_m2 = 0\n", "baht_per_m2", "must be 0.01"),
        ("baht_per_m2 = 1.001\n", "baht_per_m2", "fraction of a satang"),
        ("", "baht_per_m2", "missing"),
        ("baht_per_m2 = 100\nprice = 1\n", "price", "unknown key"),
    ],
)
def test_bad_building_price_is_refused(tmp_path, body, key, reason) -> None:
    local = write(
        tmp_path,
        '[building_cost."100"]\nsource = "x"\nstatus = "confirmed"\n'
        'label_th = "บ้าน"\nlabel_en = "House"\n' + body,
        kind="land_building",
    )
    with pytest.raises(RuleError, match=reason) as error:
        load_rules("land_building", 2568, [local])
    assert f"building_cost.100.{key}" in str(error.value)
