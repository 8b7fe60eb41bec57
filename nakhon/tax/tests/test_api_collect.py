"""The tax office's API (issue #6): assessments with their balance, recording a payment with the
counter's checks, arrears, the collection report; executives read the report and the arrears
totals only; names only with personal_data.view (token scope ``personal``); other cities 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from nakhon.core.models import AuditEvent
from nakhon.tax.demo import DEMO_YEAR
from nakhon.tax.models import Assessment, Payment, Taxpayer

BASE = "/api/v1/municipalities/khon-kaen/tax"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _names(demo) -> list[str]:
    return list(Taxpayer.objects.filter(municipality=demo.kk).values_list("name", flat=True))


def test_assessments_with_balance(client_as, demo_collection) -> None:
    client = client_as("kk-tax")
    listed = client.get(f"{BASE}/assessments", {"year": DEMO_YEAR, "kind": "land_building"})
    assert listed.status_code == 200, listed.content
    data = listed.json()
    assert data["count"] == len(data["items"]) > 0
    first = data["items"][0]
    assert set(first) >= {"id", "tax_baht", "balance_baht", "charges_baht", "due_on", "taxpayer"}
    assert first["taxpayer_name"]  # the tax office, signed in: names, audited
    assert AuditEvent.objects.filter(action="personal_data.read", object_id="api").exists()
    paid = [i for i in data["items"] if Decimal(i["balance_baht"]) == 0]
    assert paid and all(Decimal(i["paid_tax_baht"]) == Decimal(i["tax_baht"]) for i in paid)
    late = [i for i in data["items"] if i["overdue_since"]]
    assert late and all(Decimal(i["charges_baht"]) > 0 for i in late)
    one = client.get(f"{BASE}/assessments/{first['id']}").json()
    assert one["steps"] and one["parts"] and "payments" in one
    assert client.get(f"{BASE}/assessments", {"kind": "nope"}).status_code == 422


def test_record_payment_same_checks(client_as, demo_collection) -> None:
    client = client_as("kk-tax")
    item = Assessment.objects.filter(
        municipality=demo_collection.kk, kind="signboard", status="issued", payments__isnull=True
    ).first()
    url = f"{BASE}/assessments/{item.pk}/payments"
    too_much = client.post(url, {"amount_baht": "99999999"}, content_type="application/json")
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "more-than-debt"
    future = timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    later = client.post(
        url, {"amount_baht": "1", "paid_on": future}, content_type="application/json"
    )
    assert later.status_code == 422
    made = client.post(url, {"amount_baht": "10.50"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["amount_baht"] == "10.50" and body["receipt_number"]
    again = client.post(
        url,
        {"amount_baht": "1", "receipt_number": body["receipt_number"]},
        content_type="application/json",
    )
    assert again.status_code == 422 and again.json()["error"]["code"] == "duplicate-receipt"
    draft = Assessment.objects.filter(municipality=demo_collection.kk, status="draft").first()
    if draft is not None:
        refused = client.post(
            f"{BASE}/assessments/{draft.pk}/payments",
            {"amount_baht": "1"},
            content_type="application/json",
        )
        assert refused.status_code == 422
    assert Payment.objects.filter(assessment=item).count() == 1


def test_tokens_scopes_and_names(client_as, demo_collection, token_for) -> None:
    client = Client()
    read = bearer(token_for("kk-tax", scopes=["read"]))
    listed = client.get(f"{BASE}/assessments", headers=read)
    assert listed.status_code == 200
    text = listed.content.decode()
    assert all(i["taxpayer_name"] is None for i in listed.json()["items"])
    for name in _names(demo_collection):
        assert name not in text
    owed = client.get(f"{BASE}/arrears", headers=read)
    assert owed.status_code == 200 and owed.json()["rows"]
    assert all("name" not in r for r in owed.json()["rows"])
    item = listed.json()["items"][0]
    no_write = client.post(
        f"{BASE}/assessments/{item['id']}/payments",
        {"amount_baht": "1"},
        content_type="application/json",
        headers=read,
    )
    assert no_write.status_code == 403
    personal = bearer(token_for("kk-tax", scopes=["read", "personal"]))
    named = client.get(f"{BASE}/arrears", headers=personal).json()
    assert all(r["name"] for r in named["rows"])


def test_executive_reads_totals_only(client_as, demo_collection) -> None:
    client = client_as("kk-executive")
    assert client.get(f"{BASE}/assessments").status_code == 403
    assert client.get(f"{BASE}/assessments/1").status_code == 403
    owed = client.get(f"{BASE}/arrears")
    assert owed.status_code == 200
    data = owed.json()
    assert Decimal(data["total_baht"]) > 0 and data["by_bucket"] and data["by_tambon"]
    assert "rows" not in data and "by_taxpayer" not in data
    report = client.get(f"{BASE}/report")
    assert report.status_code == 200
    body = report.json()
    assert len(body["months"]) == 12 and Decimal(body["totals"]["signboard"]["target"]) > 0
    assert Decimal(body["arrears_baht"]) == Decimal(data["total_baht"])
    text = owed.content.decode() + report.content.decode()
    for name in _names(demo_collection):
        assert name not in text


@pytest.mark.parametrize("username", [None, "kk-viewer", "sila-admin"])
def test_no_access(client_as, demo_collection, username) -> None:
    client = client_as(username)
    for url in ("assessments", "assessments/1", "arrears", "report"):
        response = client.get(f"{BASE}/{url}")
        assert response.status_code in (401, 403, 404), (url, response.status_code)
        if username == "sila-admin":
            assert response.status_code == 404


def test_other_city_token_is_404(demo_collection, token_for) -> None:
    raw = token_for("sila-admin", scopes=["read"], municipality="sila")
    assert Client().get(f"{BASE}/arrears", headers=bearer(raw)).status_code == 404
