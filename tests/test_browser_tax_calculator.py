"""The public tax calculator in headless Chromium (issue #6, "Done means"): in Thai and in
English, anyone (no account) fills the signboard form and the land and building form, and the
page shows the tax and every step with its legal source, equal to ``nakhon tax quote … --json``
for the same inputs; a bad input shows the form's error.

Runs the real ``nakhon`` (the demo city). Skipped where Chromium is absent. Screenshots go to
``test-results/`` (and to ``docs/screenshots/`` with NAKHON_SCREENSHOTS=docs).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import Server, require_chromium, run, shot

pytestmark = pytest.mark.browser

require_chromium()

SIGN = {"year": "2568", "sign_type": "2", "moving": "no", "width_cm": "200", "height_cm": "100"}
SIGN_CLI = ["signboard", "--year", "2568", "--type", "2", "--moving", "no"]
SIGN_CLI += ["--width-cm", "200", "--height-cm", "100"]
LAND = {"year": "2568", "owner": "individual", "use": "commercial", "value_baht": "60000000"}
LAND_CLI = ["land-building", "--year", "2568", "--owner", "individual", "--use", "commercial"]
LAND_CLI += ["--value-baht", "60000000"]


def cli_quote(server: Server, args: list[str]) -> dict[str, Any]:
    result = run(server.data_dir, "tax", "quote", *args, "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def fill(page: Any, section: str, values: dict[str, str]) -> None:
    form = page.locator(f"#{section} form")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def check_result(page: Any, expected: dict[str, Any], lang: str) -> None:
    result = page.get_by_test_id("tax-result")
    heading = result.locator("h2 strong").inner_text()
    assert Decimal(heading.replace(",", "")) == Decimal(expected["tax_baht"])
    rows = result.get_by_test_id("tax-steps").locator("tbody tr")
    assert rows.count() == len(expected["steps"])
    sources = 0
    for i, step in enumerate(expected["steps"]):
        cells = rows.nth(i).locator("td")
        label = step["label_en"] if lang == "en" else step["label_th"]
        assert cells.nth(1).inner_text().splitlines()[0].strip() == label.strip()
        assert cells.nth(2).inner_text().strip() == step["value"]
        if step["rule"]:
            assert cells.nth(3).inner_text().strip().startswith(step["rule"].strip())
            sources += 1
    assert sources >= 2, "the steps should cite their legal sources"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_calculator_signboard_and_land_building(server: Server, browser: Any, lang: str) -> None:
    sign, land = cli_quote(server, SIGN_CLI), cli_quote(server, LAND_CLI)
    assert Decimal(sign["tax_baht"]) > 0 and Decimal(land["tax_baht"]) > 0
    locale = "th-TH" if lang == "th" else "en-GB"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 500 else None)
    page.goto(f"{server.base_url}/khon-kaen/tax/calculator/")
    assert page.locator("html").get_attribute("lang") == lang

    fill(page, "signboard", SIGN)
    check_result(page, sign, lang)
    shot(page, f"tax-calculator-signboard-{lang}")

    fill(page, "land-building", LAND)
    check_result(page, land, lang)
    shot(page, f"tax-calculator-land-building-{lang}")

    # a bad input: a negative width; the form says what is wrong, no result
    fill(page, "signboard", {**SIGN, "width_cm": "-200"})
    assert page.get_by_test_id("tax-result").count() == 0
    error = page.locator("#signboard .errorlist")
    assert error.count() >= 1 and error.first.inner_text().strip()
    assert page.locator("#signboard [name=width_cm]").input_value() == "-200"
    shot(page, f"tax-calculator-error-{lang}")
    assert errors == []
    context.close()
