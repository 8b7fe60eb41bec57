"""The first run in headless Chromium: sign in, open the home page, switch to English.

Runs the real ``nakhon`` (command 1 of the README) on an empty data directory and drives it
with Playwright in Debian's Chromium. Skipped where Chromium is absent. Screenshots go to
``test-results/`` (and to ``docs/screenshots/`` with NAKHON_SCREENSHOTS=docs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Server, require_chromium, shot

pytestmark = pytest.mark.browser

require_chromium()


def test_first_run_sign_in_home_and_english(server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    # the public home page, in Thai
    page.goto(f"{server.base_url}/khon-kaen/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("h1").inner_text() == "เทศบาลนครขอนแก่น"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Sarabun" in font
    page.wait_for_function("document.fonts.check('16px Sarabun', 'ขอนแก่น')")
    shot(page, "01-home-public-th")

    # sign in with the one-time link printed by `nakhon`
    page.goto(server.sign_in_link())
    assert page.url == f"{server.base_url}/khon-kaen/"
    nav = page.locator("nav.main")
    assert (
        nav.get_by_role("link", name="บันทึกการใช้งาน").count() == 1
        or nav.locator('a[href="/khon-kaen/audit/"]').count() == 1
    )
    shot(page, "02-home-admin-th")

    # switch to English
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Khon Kaen City Municipality" in page.locator("body").inner_text()
    assert page.url == f"{server.base_url}/khon-kaen/"
    shot(page, "03-home-admin-en")

    # the audit log page, as the admin
    page.locator('nav.main a[href="/khon-kaen/audit/"]').click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() > 0
    shot(page, "04-audit-en")
    assert not failed, failed
    context.close()


@pytest.mark.parametrize("username", ["kk-viewer", "sila-admin"])
def test_sign_in_form_and_tenant_isolation(server: Server, browser: Any, username: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "nakhon-demo")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()
    own, other = ("sila", "khon-kaen") if username.startswith("sila") else ("khon-kaen", "sila")
    assert page.url == f"{server.base_url}/{own}/"
    response = page.goto(f"{server.base_url}/{other}/staff/")
    assert response is not None and response.status == 404
    assert "Traceback" not in page.content()
    if username == "kk-viewer":
        assert page.locator('a[href="/khon-kaen/audit/"]').count() == 0
        shot(page, "05-other-city-404")
    context.close()


def test_phone_layout(server: Server, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="th-TH"
    )
    page = context.new_page()
    page.goto(f"{server.base_url}/khon-kaen/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "06-home-phone")
    context.close()


def test_browser_language_preference_is_honoured(server: Server, browser: Any) -> None:
    """A visitor whose browser asks for English gets English; Thai is the default otherwise."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server.base_url}/khon-kaen/")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def _sign_in(page: Any, server: Server, username: str) -> None:
    page.goto(f"{server.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "nakhon-demo")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()


def test_steward_new_dataset_report_then_publish(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    """New dataset → upload → review the report → fix → publish, as a data steward would."""
    header = "รหัส,ชื่อโครงการ,วันที่เริ่ม,งบประมาณ (บาท)\n"
    bad = tmp_path / "โครงการ-2569.csv"
    bad.write_bytes(
        (
            header + 'P1,ซ่อมถนนศรีจันทร์,3 มี.ค. 2569,"1,250,000.00"\n'
            'P2,ลอกท่อระบายน้ำ,31 ก.พ. 2569,"480,000.00"\n'
            'P3,=HYPERLINK("http://x.example"),1 เม.ย. 2569,"10,000"\n'
        ).encode("cp874")
    )
    good = tmp_path / "โครงการ-2569-แก้ไข.csv"
    good.write_bytes(
        (
            header + 'P1,ซ่อมถนนศรีจันทร์,3 มี.ค. 2569,"1,250,000.00"\n'
            'P2,ลอกท่อระบายน้ำ,28 ก.พ. 2569,"480,000.00"\n'
            'P3,ปรับปรุงสวนสาธารณะ,1 เม.ย. 2569,"10,000"\n'
        ).encode("cp874")
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    _sign_in(page, server, "kk-steward")
    page.goto(f"{server.base_url}/khon-kaen/datasets/")
    assert page.locator("text=ข้อมูลชุมชนในเขตเทศบาลนครขอนแก่น").count() == 1
    assert page.locator(".badge.fresh-fresh").count() >= 1
    shot(page, "07-datasets-th")

    page.goto(f"{server.base_url}/khon-kaen/datasets/new/")
    page.fill("#id_slug", "projects")
    page.fill("#id_title_th", "โครงการพัฒนาเมืองประจำปี")
    page.select_option("#id_department", "engineering")
    page.select_option("#id_update_frequency_unit", "year")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    page.wait_for_selector("#run-state[data-state=validated]", timeout=60_000)
    shot(page, "08-run-report-th")
    body = page.locator("body").inner_text()
    assert "31 ก.พ. 2569" in body  # the impossible date, named with its row
    assert "formula" in body
    assert page.get_by_role("button", name="เผยแพร่ไฟล์นี้").count() == 0  # errors block
    shot(page, "08-run-report-th")

    page.goto(f"{server.base_url}/khon-kaen/datasets/projects/upload/")
    page.set_input_files("#id_file", str(good))
    page.check("#id_publish")
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    page.wait_for_selector("#run-state[data-state=published]", timeout=60_000)
    page.get_by_role("link", name="เปิดชุดข้อมูล").click()
    page.wait_for_load_state()
    table = page.locator("table.data").inner_text()
    assert "ซ่อมถนนศรีจันทร์" in table and "1250000" in table.replace(",", "")
    assert page.locator(".badge.fresh-fresh").count() == 1
    shot(page, "09-dataset-th")
    context.close()
