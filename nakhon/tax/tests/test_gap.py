"""The revenue-gap worklists and the tax map (issue #6): each worklist finds what the demo
datasets plant (nakhon.demo.datasets) and nothing else, with estimates by the engine; the tax
office sees rows, executives totals only, the public and other cities nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.utils import translation

from nakhon.demo import datasets as planted
from nakhon.tax import gap
from nakhon.tax.models import Assessment, Taxpayer
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import signboard

YEAR = 2569


@pytest.fixture(autouse=True)
def english():
    """The evidence texts are translated; the assertions read the English ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def report(demo):
    return gap.gap_report(actor=demo.user("kk-tax"), municipality=demo.kk, tax_year=YEAR)


def test_footprints_without_a_registered_building(report) -> None:
    found = report.lists["footprints"].findings
    on_parcels = {f.parcel for f in found if f.parcel}
    assert on_parcels == {f"P-{i:04d}" for i in planted.FOOTPRINTS_UNREGISTERED}
    assert sum(1 for f in found if not f.parcel) == planted.FOOTPRINTS_NO_PARCEL
    assert all("m²" in f.evidence and f.tax_baht >= 0 for f in found)
    assert any(f.tax_baht > 0 for f in found)


def test_licences_without_a_signboard(report) -> None:
    found = report.lists["licences"].findings
    expected = {f"P-{i:04d}" for i in planted.LICENCES_RESIDENTIAL + planted.LICENCES_COMMERCIAL}
    assert {f.parcel for f in found if f.parcel} == expected
    assert sum(1 for f in found if not f.parcel) == planted.LICENCES_NO_PARCEL
    assert all(f.distance_m is not None and f.distance_m > gap.SIGN_RADIUS_M for f in found)
    # the estimate is the engine's quote of the register's median sign
    d = gap.register_defaults(report.municipality, YEAR)
    quote = signboard.quote(
        rules_for("signboard", YEAR),
        sign_type=d.sign_type,
        moving=False,
        width_cm=d.width_cm,
        height_cm=d.height_cm,
    )
    assert {f.tax_baht for f in found} == {quote.tax_baht}


def test_use_contradictions(report) -> None:
    found = report.lists["uses"].findings
    assert {f.parcel for f in found} == {f"P-{i:04d}" for i in planted.LICENCES_RESIDENTIAL}
    assert all(f.tax_baht > 0 and "commercial" in f.estimate for f in found)
    assert all(f.taxpayer.startswith("TP-") for f in found)


def test_year_over_year_drops(demo, report) -> None:
    assert report.lists["drops"].findings == []
    assert "register quotes" in report.lists["drops"].note
    taxpayer = Taxpayer.objects.filter(municipality=demo.kk, signboards__isnull=False).first()
    assert taxpayer is not None
    before = Assessment.objects.create(
        municipality=demo.kk,
        taxpayer=taxpayer,
        kind="signboard",
        tax_year=YEAR - 1,
        tax_baht=Decimal("100000.00"),
    )
    again = gap.gap_report(actor=demo.user("kk-tax"), municipality=demo.kk, tax_year=YEAR)
    drops = again.lists["drops"].findings
    assert [f.taxpayer for f in drops] == [taxpayer.code]
    assert drops[0].tax_baht < before.tax_baht
    assert "signboard: register quotes" not in again.lists["drops"].note


def test_pure_drops() -> None:
    falls = gap.drops({1: Decimal(100), 2: Decimal(100), 3: Decimal(0)}, {1: Decimal(69)})
    assert [(o, f) for o, _b, _a, f in falls] == [(1, Decimal("31.0")), (2, Decimal("100.0"))]


def test_page_for_the_tax_office(client_as) -> None:
    client = client_as("kk-tax")
    page = client.get("/khon-kaen/tax/gap/", {"year": YEAR}).content.decode()
    for name in gap.LISTS:
        assert f'data-testid="gap-{name}"' in page
    assert "FP-0037" in page
    data = client.get("/khon-kaen/tax/gap/", {"year": YEAR, "format": "json"}).json()
    assert data["lists"]["uses"]["count"] == len(planted.LICENCES_RESIDENTIAL)
    assert data["lists"]["uses"]["rows"][0]["taxpayer_name"]
    sorted_page = client.get("/khon-kaen/tax/gap/", {"year": YEAR, "sort": "key"})
    assert sorted_page.status_code == 200


def test_csv_and_xlsx_exports(client_as) -> None:
    client = client_as("kk-tax")
    response = client.get("/khon-kaen/tax/gap/", {"year": YEAR, "format": "csv", "list": "uses"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("key,evidence,tax_baht")
    assert len(lines) == 1 + len(planted.LICENCES_RESIDENTIAL)
    xlsx = client.get("/khon-kaen/tax/gap/", {"year": YEAR, "format": "xlsx", "list": "drops"})
    assert xlsx.content.startswith(b"PK")


def test_executive_sees_totals_without_names(client_as, demo) -> None:
    client = client_as("kk-executive")
    data = client.get("/khon-kaen/tax/gap/", {"year": YEAR, "format": "json"}).json()
    assert data["lists"]["footprints"]["count"] == 20
    assert all("rows" not in w for w in data["lists"].values())
    page = client.get("/khon-kaen/tax/gap/", {"year": YEAR}).content.decode()
    names = Taxpayer.objects.filter(municipality=demo.kk).values_list("name", flat=True)
    assert not any(name in page for name in names)
    assert client.get("/khon-kaen/tax/gap/", {"format": "csv", "list": "uses"}).status_code == 404


@pytest.mark.parametrize("username", [None, "kk-viewer", "sila-admin"])
def test_no_access(client_as, username) -> None:
    for url in ("/khon-kaen/tax/gap/?format=json", "/khon-kaen/tax/map/?format=json"):
        response = client_as(username).get(url)
        assert response.status_code in (302, 403, 404)
        assert b"FP-00" not in response.content


def test_map_geojson(client_as, demo) -> None:
    officer = client_as("kk-tax").get("/khon-kaen/tax/map/", {"format": "json", "year": YEAR})
    data = officer.json()
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert layers == {"parcel", "signboard", "gap"}
    assert data["counts"]["parcel"]["unassessed"] == 40
    executive = client_as("kk-executive").get("/khon-kaen/tax/map/", {"format": "json"})
    text = executive.content.decode()
    assert {f["properties"]["layer"] for f in executive.json()["features"]} == {
        "parcel",
        "signboard",
    }
    people = Taxpayer.objects.filter(municipality=demo.kk)
    for name, national_id in people.values_list("name", "national_id"):
        assert name not in text and national_id not in text
    page = client_as("kk-tax").get("/khon-kaen/tax/map/").content.decode()
    assert 'id="taxmap-data"' in page and "leaflet.js" in page


def test_cli_text_and_json(demo) -> None:
    from nakhon.tax.cli import tax

    runner = CliRunner()
    text = runner.invoke(tax, ["gap", "--municipality", "khon-kaen", "--year", str(YEAR)])
    assert text.exit_code == 0, text.output
    assert "footprints: 20 finding(s)" in text.output and "estimate" in text.output
    out = runner.invoke(tax, ["gap", "--municipality", "khon-kaen", "--year", str(YEAR), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["lists"]["licences"]["count"] == 13 and data["assumptions"]
