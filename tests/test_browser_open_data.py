"""A citizen uses the open-data pages in headless Chromium, in Thai and in English:
search the catalog → open a dataset → preview → filter and sort the rows → the chart builder
draws → the map shows the markets → a download → the API answers JSON.

Runs the real ``nakhon`` on a temporary data directory (see tests/helpers.py) and drives it with
Playwright in Debian's Chromium; skipped where Chromium is absent. Every request the page makes
must stay on the Nakhon server (the machines are offline: no CDN, no tile server). Screenshots
go to ``test-results/``; with NAKHON_SCREENSHOTS=docs the two in the README's tour are
re-taken in ``docs/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import Server, require_chromium, shot_path

pytestmark = pytest.mark.browser

#: The shots the README's tour shows: written to docs/screenshots/ with NAKHON_SCREENSHOTS=docs.
README_SHOTS = {
    "open-data-budget-chart-th": "10-dataset-chart-th",
    "open-data-map-th": "11-dataset-map-th",
}
MARKETS = 8  # rows of the demo city's markets dataset

require_chromium()


def _shot_path(name: str) -> Path:
    return shot_path(name, README_SHOTS.get(name, False))


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(_shot_path(name)), full_page=True)


def citizen(browser: Any, server: Server, language: str, **options: Any) -> tuple[Any, Any, list]:
    """A new visitor in ``language``, and the list of requests that failed or left the site."""
    context = browser.new_context(
        viewport=options.pop("viewport", {"width": 1280, "height": 900}),
        locale="th-TH" if language == "th" else "en-GB",
        accept_downloads=True,
        **options,
    )
    context.add_cookies([{"name": "nakhon_language", "value": language, "url": server.base_url}])
    page = context.new_page()
    problems: list[str] = []
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((server.base_url, "data:", "blob:"))
            else problems.append(f"off-site {r.url}")
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"script error {e}"))
    return context, page, problems


def chart_has_ink(page: Any) -> bool:
    """Whether the chart's canvas has coloured pixels (a drawn chart, not a blank box)."""
    return bool(
        page.evaluate(
            """() => {
              const canvas = document.querySelector('[data-chart-canvas] canvas');
              if (!canvas) return false;
              const ctx = canvas.getContext('2d');
              const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
              let coloured = 0;
              for (let i = 0; i < data.length; i += 4) {
                const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
                if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
              }
              return coloured > 500;
            }"""
        )
    )


@pytest.mark.parametrize("language", ["th", "en"])
def test_search_dataset_preview_chart_map_download_api(
    server: Server, browser: Any, language: str, tmp_path: Path
) -> None:
    context, page, problems = citizen(browser, server, language)
    base = server.base_url

    # search the catalog for "market" (ตลาด) and open the markets dataset
    page.goto(f"{base}/khon-kaen/datasets/?q=ตลาด")
    assert page.locator("html").get_attribute("lang") == language
    result = page.locator('a[href="/khon-kaen/datasets/markets/"]')
    expected_title = (
        "ตลาดสดในเขตเทศบาลนครขอนแก่น" if language == "th" else "Fresh markets in Khon Kaen City"
    )
    assert result.inner_text() == expected_title
    result.click()
    page.wait_for_load_state()
    assert page.url == f"{base}/khon-kaen/datasets/markets/"
    assert page.locator("h1").inner_text() == expected_title

    # the preview table
    preview = page.locator("table.data tbody tr")
    assert preview.count() == MARKETS

    # the chart builder draws the default chart: stalls by market, as bars
    chart = page.locator("[data-chart]")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("[data-chart][data-state=drawn]")
    assert chart.is_visible()
    assert page.locator("[data-chart-canvas] canvas").count() >= 1
    assert chart.get_attribute("data-points") == str(MARKETS)
    assert chart_has_ink(page)
    assert page.locator("[data-chart-table] tbody tr").count() == MARKETS
    heading = "แผนภูมิ" if language == "th" else "Chart"
    assert page.locator("#chart-title").inner_text() == heading
    font = page.evaluate("getComputedStyle(document.querySelector('[data-chart]')).fontFamily")
    assert "Sarabun" in font

    # the map: the boundary and one keyboard-reachable marker per market
    page.wait_for_selector("[data-map][data-state=drawn]")
    markers = page.locator(".leaflet-marker-icon")
    assert markers.count() == MARKETS
    assert page.locator(".leaflet-overlay-pane path").count() >= 1  # the city boundary
    assert page.locator("img.leaflet-marker-icon").first.evaluate("i => i.naturalWidth") > 0
    markers.first.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "name_th" in popup.inner_text() and "ตลาด" in popup.inner_text()
    shot(page, f"open-data-markets-{language}")
    page.locator("#map").screenshot(path=str(_shot_path(f"open-data-map-{language}")))
    page.keyboard.press("Escape")

    # a different chart, shared through its URL
    page.select_option("select[name=chart]", "pie")
    page.select_option("select[name=x]", "opens")
    page.select_option("select[name=agg]", "count")
    page.wait_for_function(
        "() => document.querySelector('[data-chart]').dataset.state === 'drawn'"
        " && new URL(location.href).searchParams.get('chart') === 'pie'"
    )
    assert not page.locator("[data-chart-value]").is_visible()  # a count needs no column
    state = parse_qs(urlsplit(page.url).query)
    assert state == {"chart": ["pie"], "x": ["opens"], "agg": ["count"]}
    shared = page.url
    rows = page.locator("[data-chart-table] tbody tr")
    assert 1 <= rows.count() <= 3  # opening hours 04:00, 05:00, 15:00

    # download the chart as PNG
    with page.expect_download() as download_info:
        page.locator("[data-chart-png]").click()
    png = tmp_path / "chart.png"
    download_info.value.save_as(png)
    assert download_info.value.suggested_filename == "khon-kaen-markets-v1-chart.png"
    assert png.read_bytes().startswith(b"\x89PNG")

    # the shared link opens the same chart
    other = context.new_page()
    other.goto(shared)
    other.wait_for_selector("[data-chart][data-state=drawn]")
    assert other.locator("select[name=chart]").input_value() == "pie"
    assert other.locator("select[name=x]").input_value() == "opens"
    other.close()

    # rows with a filter and a sort
    page.locator('a[href="/khon-kaen/datasets/markets/rows/"]').first.click()
    page.wait_for_load_state()
    page.select_option("select[name=col]", "stalls")
    page.select_option("select[name=op]", "gte")
    page.fill("input[name=val]", "100")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()
    page.locator('th a:has-text("stalls")').click()  # sort by stalls, largest first
    page.wait_for_load_state()
    stalls_at = (
        page.locator("table.data thead th")
        .all_inner_texts()
        .index(
            next(t for t in page.locator("table.data thead th").all_inner_texts() if "stalls" in t)
        )
    )
    cells = page.locator(f"table.data tbody tr td:nth-child({stalls_at + 1})").all_inner_texts()
    stalls = [int(c.replace(",", "")) for c in cells]
    assert stalls and all(s >= 100 for s in stalls)
    assert stalls == sorted(stalls, reverse=True)
    page.go_back()
    page.go_back()

    # download the CSV: UTF-8 with a byte-order mark, every row
    page.goto(f"{base}/khon-kaen/datasets/markets/")
    with page.expect_download() as download_info:
        page.locator('#downloads a[href*="download.csv"]').click()
    csv_file = tmp_path / "markets.csv"
    download_info.value.save_as(csv_file)
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:2] == ["market_id", "name_th"]
    assert len(table) == MARKETS + 1
    assert any(row[1].startswith("ตลาด") for row in table[1:])

    # the API example's address answers JSON
    curl = page.locator("pre.example code").first.inner_text()
    api_url = curl.split("'")[1]
    assert api_url.startswith(f"{base}/api/v1/municipalities/khon-kaen/datasets/markets/rows")
    response = page.request.get(api_url)
    assert response.ok and response.headers["content-type"].startswith("application/json")
    assert len(response.json()["rows"]) == MARKETS
    api_docs = page.locator('a[href="/api/v1/docs"]').first
    assert api_docs.is_visible()
    json_twin = page.request.get(f"{base}/khon-kaen/datasets/markets/?format=json")
    assert json.loads(json_twin.text())["slug"] == "markets"

    assert not problems, problems
    context.close()


def test_statistical_dataset_draws_a_line_over_the_fiscal_years(
    server: Server, browser: Any
) -> None:
    context, page, problems = citizen(browser, server, "th")
    page.goto(f"{server.base_url}/khon-kaen/datasets/budget/")
    page.wait_for_selector("[data-chart][data-state=drawn]")
    assert page.locator("select[name=chart]").input_value() == "line"
    assert page.locator("[data-chart]").get_attribute("data-points") == "6"  # 2563–2568
    assert chart_has_ink(page)
    assert page.locator("[data-map]").count() == 0  # the budget has no location
    page.locator("#chart").scroll_into_view_if_needed()
    page.locator("#chart").screenshot(path=str(_shot_path("open-data-budget-chart-th")))

    # by department, as bars: long Thai names turn the bars sideways
    page.select_option("select[name=chart]", "bar")
    page.select_option("select[name=x]", "หน่วยงาน")
    page.wait_for_function(
        "() => document.querySelector('[data-chart]').dataset.state === 'drawn'"
        " && new URL(location.href).searchParams.get('x') === 'หน่วยงาน'"
    )
    assert chart_has_ink(page)
    page.locator("#chart").screenshot(path=str(_shot_path("open-data-budget-bars-th")))
    assert not problems, problems
    context.close()


def test_phone_layout_of_the_dataset_page(server: Server, browser: Any) -> None:
    context, page, problems = citizen(
        browser,
        server,
        "th",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{server.base_url}/khon-kaen/datasets/markets/")
    page.wait_for_selector("[data-chart][data-state=drawn]")
    page.wait_for_selector("[data-map][data-state=drawn]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    box = page.locator("[data-map-canvas]").bounding_box()
    assert box is not None and box["width"] <= 390
    page.locator("#chart").screenshot(path=str(_shot_path("open-data-chart-phone-th")))
    page.locator("#map").screenshot(path=str(_shot_path("open-data-map-phone-th")))
    shot(page, "open-data-markets-phone-th")
    assert not problems, problems
    context.close()


def test_without_javascript_the_page_still_works(server: Server, browser: Any) -> None:
    context, page, problems = citizen(browser, server, "en", java_script_enabled=False)
    page.goto(f"{server.base_url}/khon-kaen/datasets/markets/")
    assert page.locator("table.data tbody tr").count() == MARKETS
    assert not page.locator("[data-chart]").is_visible()  # hidden until the script runs
    assert page.locator('#downloads a[href*="download.csv"]').is_visible()
    assert "need JavaScript" in page.locator("noscript").inner_text()
    assert not problems, problems
    context.close()
