"""The tax officer's cycle in headless Chromium: import a signboard register file, run the
signboard assessment of its year, issue it, open the imported sign's notice and record its
date of receipt, record a payment, see the arrears list change, add a photo of the sign.

Runs the real ``nakhon`` (the demo city) and signs in as the demo tax officer ``kk-tax`` with a
one-time link. Skipped where Chromium is absent. Screenshots go to ``test-results/`` (and to
``docs/screenshots/`` with NAKHON_SCREENSHOTS=docs).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Server, login_link, require_chromium, shot

pytestmark = pytest.mark.browser

require_chromium()


def arrears_count(page: Any) -> int:
    return int(page.get_by_test_id("arrears-count").inner_text())


def be_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def png_file(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (320, 200), (30, 90, 200)).save(path, format="PNG")
    return path


def test_officer_cycle_import_assess_issue_notice_pay_arrears(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    """Import signboards → the signboard assessment of their year → issue → the imported
    sign's notice (its date of receipt) → payment → arrears; and a photo of the sign."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 500 else None)
    page.goto(login_link(server, "kk-tax", "/khon-kaen/tax/"))
    assert page.url.endswith("/khon-kaen/tax/")
    base = f"{server.base_url}/khon-kaen/tax"
    today = dt.date.today()
    # the signboard tax is due 15 days after its notice: look at the arrears a month on
    arrears_url = f"{base}/arrears/?kind=signboard&as_of={be_date(today + dt.timedelta(days=30))}"

    # 1. import a small register file: a new signboard of an existing taxpayer, in 2568
    sign_file = tmp_path / "signs.csv"
    sign_file.write_text(
        "code,owner,business_name,sign_type,moving,width_cm,height_cm,installed_on\n"
        "SB-BROWSER-1,TP-0001,Browser shop,2,no,200,100,15/01/2568\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/import/")
    page.select_option("select[name=register]", "signboards")
    page.set_input_files("input[name=file]", str(sign_file))
    page.get_by_role("button", name=re.compile("Check the file")).click()
    page.get_by_role("button", name=re.compile("Save these changes")).click()
    assert "Saved" in page.get_by_test_id("import-report").inner_text()
    shot(page, "tax-01-import")

    # 2. arrears before (the demo issued the signboard tax of 2568 today)
    page.goto(arrears_url)
    before = arrears_count(page)

    # 3. run the signboard tax assessment of 2568 (the imported sign's year) and wait for it
    page.goto(f"{base}/runs/")
    page.select_option("select[name=kind]", "signboard")
    page.fill("input[name=year]", "2568")
    page.get_by_role("button", name=re.compile("Start an assessment run")).click()
    issue = page.get_by_role("button", name=re.compile("Issue the notices"))
    issue.wait_for(timeout=60_000)
    shot(page, "tax-02-run-done")
    # 4. issue the notices, then open the imported sign's owner's assessment
    issue.click()
    page.wait_for_load_state()
    page.goto(f"{page.url.split('?')[0]}?q=TP-0001")
    assessments = page.get_by_test_id("tax-assessments")
    assessments.wait_for()
    assessments.locator("tbody tr a").first.click()
    assert "SB-BROWSER-1" in page.content()  # the imported sign is on this notice

    # 5. open the notice (PDF), record the day it was received
    notice = page.get_by_role("link", name=re.compile("Notice \\(PDF\\)"))
    href = notice.get_attribute("href")
    response = page.request.get(f"{server.base_url}{href}")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
    received = page.get_by_test_id("notice-received")
    received.locator("input[name=received_on]").fill(be_date(today))
    received.get_by_role("button", name=re.compile("Record the date of receipt")).click()
    page.wait_for_load_state()
    assert "after its receipt" in page.get_by_test_id("notice-received").inner_text()
    shot(page, "tax-03-assessment")
    assessment_url = page.url

    # the arrears a month on hold the re-issued notices (due 15 days after their receipt)
    page.goto(arrears_url)
    after_issue = arrears_count(page)
    assert after_issue >= 1 and after_issue >= before - 1
    shot(page, "tax-04-arrears")

    # 6. record a payment of the whole balance (the form proposes it)
    page.goto(assessment_url)
    balance = page.get_by_test_id("balance").inner_text()
    page.get_by_test_id("record-payment").click()
    assert page.input_value("input[name=amount]") == balance.replace(",", "")  # shown as 1,234.50
    page.get_by_role("button", name=re.compile("Record the payment")).click()
    page.get_by_test_id("payment-recorded").wait_for()
    assert page.get_by_test_id("balance").inner_text() == "0.00"
    receipt = page.get_by_test_id("tax-payments").locator("tbody a").first
    receipt_href = receipt.get_attribute("href")
    pdf = page.request.get(f"{server.base_url}{receipt_href}")
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
    shot(page, "tax-05-paid")

    # 7. the arrears list has one assessment fewer
    page.goto(arrears_url)
    assert arrears_count(page) == after_issue - 1
    shot(page, "tax-06-arrears-after")
    page.goto(f"{base}/reports/")
    assert page.get_by_test_id("tax-months").is_visible()
    shot(page, "tax-07-reports")

    # 8. a photo of the imported sign, shown as a thumbnail to the tax office
    page.goto(f"{base}/signboards/?q=SB-BROWSER-1")
    page.get_by_role("link", name=re.compile("SB-BROWSER-1")).first.click()
    form = page.get_by_test_id("photo-form")
    form.locator("input[name=photo]").set_input_files(str(png_file(tmp_path / "sign.png")))
    form.locator("input[name=taken_on]").fill(be_date(today))
    form.get_by_role("button", name=re.compile("Upload")).click()
    thumb = page.get_by_test_id("sign-photos").locator("img").first
    thumb.wait_for()
    assert page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) > 0
    shot(page, "tax-08-sign-photo")
    assert errors == []
    context.close()
