"""The tax map's statuses (issue #6): paid, due, arrears, exempt, not assessed, from the year's
issued assessments and their balances today, on the demo's collection cycle of 2568 (issued
today: the land and building tax, due 30 June 2568, is late; the signboard tax is due)."""

from __future__ import annotations

import pytest
from django.utils import translation

from nakhon.tax import tax_map
from nakhon.tax.demo import DEMO_YEAR
from nakhon.tax.models import Assessment, Payment, Taxpayer
from nakhon.tax.payments import account_get


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _status_of(data, layer):
    return {
        f["properties"]["code"]: f["properties"]["status"]
        for f in data["features"]
        if f["properties"]["layer"] == layer
    }


def test_statuses_follow_the_balances(demo_collection) -> None:
    demo = demo_collection
    officer = demo.user("kk-tax")
    data = tax_map.tax_map(actor=officer, municipality=demo.kk)
    assert data["tax_year"] == DEMO_YEAR  # the latest issued year is the default
    parcels, signs = _status_of(data, "parcel"), _status_of(data, "signboard")
    assert set(signs.values()) >= {"paid", "due"}
    assert set(parcels.values()) >= {"paid", "arrears"}
    # each status agrees with the balance of the assessments naming the record
    for a in Assessment.objects.filter(municipality=demo.kk, tax_year=DEMO_YEAR, status="issued"):
        account = account_get(actor=officer, municipality=demo.kk, assessment=a)
        expected = tax_map.assessment_status(account)
        codes = [code for kind, code in a.records]
        shown = [(signs if a.kind == "signboard" else parcels).get(c) for c in codes]
        shown = [s for s in shown if s]
        if expected == "arrears":
            assert shown and all(s == "arrears" for s in shown)
        elif shown:
            assert all(tax_map.RANK[s] >= tax_map.RANK[expected] for s in shown)
    # the reversed payment does not count: its assessment is still due
    bounced = Payment.objects.get(municipality=demo.kk, reversed=True).assessment
    assert (
        tax_map.assessment_status(
            account_get(actor=officer, municipality=demo.kk, assessment=bounced)
        )
        == "due"
    )
    counts = data["counts"]
    assert sum(counts["parcel"].values()) == len(parcels)
    assert counts["parcel"]["unassessed"] < 40


def test_status_rules() -> None:
    class Account:
        def __init__(self, tax, balance, overdue):
            self.tax_baht, self.balance_baht, self.overdue_since = tax, balance, overdue

    assert tax_map.assessment_status(Account(0, 0, None)) == "exempt"
    assert tax_map.assessment_status(Account(10, 0, None)) == "paid"
    assert tax_map.assessment_status(Account(10, 10, None)) == "due"
    assert tax_map.assessment_status(Account(10, 10, "2025-07-01")) == "arrears"


def test_year_without_issued_assessments_is_unassessed(demo_collection) -> None:
    data = tax_map.tax_map(
        actor=demo_collection.user("kk-tax"), municipality=demo_collection.kk, tax_year=2569
    )
    assert data["counts"]["parcel"]["unassessed"] == 40
    assert not any(data["counts"]["parcel"][s] for s in ("paid", "due", "arrears", "exempt"))


def test_page_legend_and_no_personal_data(client_as, demo_collection) -> None:
    page = client_as("kk-executive").get("/khon-kaen/tax/map/").content.decode()
    for status in tax_map.STATUSES:
        assert f'data-status="{status}"' in page
    geojson = client_as("kk-executive").get("/khon-kaen/tax/map/", {"format": "json"})
    text = geojson.content.decode()
    assert geojson.json()["tax_year"] == DEMO_YEAR
    for name, national_id in Taxpayer.objects.filter(municipality=demo_collection.kk).values_list(
        "name", "national_id"
    ):
        assert name not in text and national_id not in text
    assert "balance" not in text and "tax_baht" not in text  # no amounts without the gap layer
