"""Quotes for anyone: CLI (text, --json, refused year), API (GET, POST, 422), calculator page."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nakhon.cli import main

SIGN = [
    "tax",
    "quote",
    "signboard",
    "--year",
    "2568",
    "--type",
    "2",
    "--moving",
    "no",
    "--width-cm",
    "200",
    "--height-cm",
    "100",
]
LAND = [
    "tax",
    "quote",
    "land-building",
    "--year",
    "2568",
    "--owner",
    "individual",
    "--use",
    "residential-primary",
    "--value-baht",
    "60000000",
]


def test_cli_signboard_text() -> None:
    result = CliRunner().invoke(main, [*SIGN, "--installed-on", "2568-08-15"])
    assert result.exit_code == 0, result.output
    assert "520.00 baht" in result.output  # 40 units × 26 baht × 50 % (third quarter)
    assert "Sign area (cm²)" in result.output and "พื้นที่ป้าย" in result.output
    assert "Signboard Tax Act B.E. 2510" in result.output


def test_cli_json_is_exactly_tax_and_steps() -> None:
    result = CliRunner().invoke(main, [*SIGN, "--json"])
    body = json.loads(result.output)
    assert set(body) == {"tax_baht", "steps"} and body["tax_baht"] == "1040.00"
    result = CliRunner().invoke(main, [*LAND, "--json"])
    body = json.loads(result.output)
    assert body["tax_baht"] == "3000.00"  # 0.03 % of the 10M above the §41 exemption
    assert any(step["unconfirmed"] for step in body["steps"])


def test_cli_marks_unconfirmed_rules() -> None:
    result = CliRunner().invoke(main, LAND)
    assert result.exit_code == 0 and "[UNCONFIRMED]" in result.output


def test_cli_refuses_a_year_without_rules_in_one_line() -> None:
    result = CliRunner().invoke(main, [*SIGN[:3], "--year", "2590", *SIGN[5:]])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "2590" in result.output and "Traceback" not in result.output


def test_cli_bad_input_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, [*LAND[:-1], "-5"])
    assert result.exit_code == 2 and "value_baht" in result.output


@pytest.mark.django_db
def test_api_quote_get_and_post(client) -> None:
    response = client.get(
        "/api/v1/tax/quote/signboard",
        {"year": 2568, "sign_type": 2, "moving": "false", "width_cm": 200, "height_cm": 100},
    )
    assert response.status_code == 200, response.content
    assert response.json()["tax_baht"] == "1040.00"
    response = client.post(
        "/api/v1/tax/quote/land-building",
        {"year": 2568, "owner": "juristic", "use": "commercial", "value_baht": "60000000"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["tax_baht"] == "190000.00"
    assert response.json()["steps"][0]["rule"]


@pytest.mark.django_db
def test_api_quote_422(client) -> None:
    response = client.get(
        "/api/v1/tax/quote/signboard",
        {"year": 2568, "sign_type": 7, "width_cm": 0, "height_cm": 100},
    )
    assert response.status_code == 422
    errors = response.json()["error"]["errors"]
    assert {"sign_type", "width_cm"} <= set(errors)
    response = client.post(
        "/api/v1/tax/quote/land-building",
        {"year": 2590, "owner": "individual", "use": "commercial", "value_baht": "1"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "year" in response.json()["error"]["errors"]
    response = client.get("/api/v1/tax/quote/land-building", {"year": 2568, "use": "shop"})
    assert response.status_code == 422


@pytest.mark.parametrize(("language", "words"), [("th", "ภาษีป้าย"), ("en", "Signboard tax")])
def test_calculator_page_th_en(demo, client, language, words) -> None:
    client.cookies["nakhon_language"] = language
    page = client.get("/khon-kaen/tax/calculator/")
    assert page.status_code == 200 and words in page.content.decode()
    response = client.post(
        "/khon-kaen/tax/calculator/",
        {
            "kind": "signboard",
            "year": "2568",
            "sign_type": "2",
            "moving": "no",
            "width_cm": "200",
            "height_cm": "100",
            "faces": "1",
            "installed_on": "15/08/2568",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "520.00" in text
    assert "ห้าร้อยยี่สิบบาทถ้วน" in text
    assert ("Legal source" if language == "en" else "แหล่งที่มาทางกฎหมาย") in text


def test_calculator_get_and_json_twin(demo, client) -> None:
    query = {
        "kind": "land-building",
        "year": "2568",
        "owner": "individual",
        "use": "residential-primary",
        "value_baht": "60000000",
        "vacant_years": "0",
    }
    page = client.get("/khon-kaen/tax/calculator/", query)
    assert page.status_code == 200 and "3,000.00" in page.content.decode()
    data = client.get("/khon-kaen/tax/calculator/", {**query, "format": "json"}).json()
    assert data["tax_baht"] == "3000.00"


def test_calculator_bad_input_is_a_form_error(demo, client) -> None:
    client.cookies["nakhon_language"] = "en"
    response = client.post(
        "/khon-kaen/tax/calculator/",
        {
            "kind": "land-building",
            "year": "2590",
            "owner": "juristic",
            "use": "residential-primary",
            "value_baht": "100",
        },
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "A primary home belongs to an individual" in text
    response = client.post(
        "/khon-kaen/tax/calculator/",
        {
            "kind": "land-building",
            "year": "2590",
            "owner": "individual",
            "use": "commercial",
            "value_baht": "100",
        },
    )
    assert response.status_code == 422 and "No rules on file for tax year 2590" in (
        response.content.decode()
    )
