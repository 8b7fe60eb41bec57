"""Accessibility of the public pages, checked by axe-core (the engine of Lighthouse and
browser accessibility tools) in headless Chromium, in Thai and English, on a desktop and a
phone: no serious or critical violation (WCAG 2.1 A/AA rules: labels, contrast, names of
links and buttons, document language, landmarks, keyboard focus order)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Server, require_chromium

pytestmark = pytest.mark.browser
require_chromium()
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

PAGES = [
    "/",
    "/khon-kaen/",
    "/khon-kaen/datasets/",
    "/khon-kaen/datasets/?q=ตลาด&organization=health",
    "/khon-kaen/datasets/markets/",
    "/khon-kaen/datasets/budget/",
    "/khon-kaen/datasets/markets/rows/?sort=stalls&desc=1",
    "/khon-kaen/requests/",
    "/khon-kaen/tax/calculator/",
    "/accounts/login/",
]


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """The server of tests/conftest.py without the API's rate limit."""
    return {"NAKHON_API_RATE_LIMIT": "0"}


def serious(results: Any) -> list[str]:
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(n.get("target", [])) for n in violation.get("nodes", [])[:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_public_pages_have_no_serious_accessibility_violation(
    server: Server, browser: Any, language: str, width: int
) -> None:
    context = browser.new_context(
        locale="th-TH" if language == "th" else "en-US",
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    axe = axe_module.Axe()
    problems = []
    for path in PAGES:
        page.goto(server.base_url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang", timeout=2000) in ("th", "en"), path
        problems += [f"{path}: {p}" for p in serious(axe.run(page))]
    context.close()
    assert not problems, "\n".join(problems)
