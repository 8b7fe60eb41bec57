"""The ภ.ป.1 signboard tax return and the warning letters as PDF: Thai text, the signs listed,
the amount in Thai words and the B.E. dates found by text extraction; the audit of the
personal data they show; the batch commands; the downloads."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from nakhon.cli import main
from nakhon.core import thai
from nakhon.core.errors import PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.tax import arrears, assessments
from nakhon.tax.models import Assessment, Reminder, Signboard, Taxpayer
from nakhon.tax.notices import filings

YEAR = 2568
D = dt.date


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFKC", text)  # sara am: one spelling


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _owner(demo) -> Taxpayer:
    owner_id = (
        Signboard.objects.filter(municipality=demo.kk, owner__isnull=False)
        .values_list("owner_id", flat=True)
        .order_by("owner_id")
        .first()
    )
    assert owner_id is not None
    return Taxpayer.objects.get(pk=owner_id)


@pytest.fixture
def warned(demo) -> list[Reminder]:
    """Land and building tax 2568 issued (due 2025-06-30), unpaid; warnings of 1 Aug 2025."""
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land_building", YEAR)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    return arrears.reminders_generate(
        actor=officer, municipality=demo.kk, sent_on=D(2025, 8, 1), respond_days=30
    )


def test_pp1_lists_the_signs_with_the_engine_tax_and_is_audited(demo) -> None:
    officer = demo.user("kk-tax")
    owner = _owner(demo)
    signs = list(Signboard.objects.filter(owner=owner).order_by("code"))
    before = AuditEvent.objects.filter(personal_data=True, action="personal_data.read").count()
    data = filings.signboard_return_pdf(
        actor=officer, municipality=demo.kk, taxpayer=owner, tax_year=YEAR
    )
    text = _text(data)
    assert _nfkc("แบบแสดงรายการภาษีป้าย") in text and "ภ.ป.1" in text
    assert _nfkc(f"ประจำปีภาษี พ.ศ. {YEAR}") in text
    assert owner.name in text and owner.code in text
    for sign in signs:
        assert sign.code in text
        assert f"{sign.width_cm:,} × {sign.height_cm:,}" in text
    assert _nfkc("ข้าพเจ้าขอรับรองว่ารายการที่แสดงไว้ในแบบนี้เป็นความจริง") in text
    assert "เจ้าของป้าย" in text
    # the tax per sign is the engine's: the same total as the assessment of the owner
    lines = filings._sign_lines(demo.kk, YEAR, [owner.pk])[owner.pk]
    total = sum(s.tax_baht for s in lines)
    assert f"{total:,.2f}" in text
    assert _nfkc(thai.baht_text(total)) in text
    run = assessments.run_assessment(officer, demo.kk, "signboard", YEAR)
    assessed = Assessment.objects.get(run=run, taxpayer=owner)
    assert assessed.tax_baht == total
    after = AuditEvent.objects.filter(personal_data=True, action="personal_data.read")
    assert after.count() == before + 1
    assert after.latest("pk").changes["purpose"] == f"pp1 {YEAR}"


def test_pp1_refused_without_signs_or_rules_and_to_other_roles(demo) -> None:
    from nakhon.core.errors import InvalidInput

    officer = demo.user("kk-tax")
    owner = _owner(demo)
    with pytest.raises(InvalidInput):
        filings.signboard_return_pdf(
            actor=officer, municipality=demo.kk, taxpayer=owner, tax_year=2400
        )
    with pytest.raises(PermissionDenied):
        filings.signboard_return_pdf(
            actor=demo.user("kk-executive"), municipality=demo.kk, taxpayer=owner, tax_year=YEAR
        )


def test_warning_letter_has_charges_deadline_words_and_be_dates(demo, warned) -> None:
    officer = demo.user("kk-tax")
    reminder = warned[0]
    before = AuditEvent.objects.filter(personal_data=True).count()
    data = filings.warning_pdf(actor=officer, municipality=demo.kk, reminder=reminder)
    text = _text(data)
    info = filings.warning_data(reminder, demo.kk)
    assessment = reminder.assessment
    assert _nfkc("แจ้งเตือนให้ชำระภาษีที่ดินและสิ่งปลูกสร้าง") in text
    assert assessment.notice.number in text and assessment.taxpayer.name in text
    assert _nfkc(thai.format_thai_date(D(2025, 8, 1), style="long")) in text  # 1 สิงหาคม พ.ศ. 2568
    assert _nfkc(thai.format_thai_date(D(2025, 8, 31), style="long")) in text
    assert "พ.ศ. 2568" in text
    assert info.unpaid_baht == assessment.tax_baht and info.charges_baht > 0
    assert f"{info.charges_baht:,.2f}" in text
    assert f"{info.balance_baht:,.2f}" in text
    assert _nfkc(thai.baht_text(info.balance_baht)) in text
    # paid by the deadline: the penalty of the warning's deadline (20 %), and more surcharge
    assert info.by_deadline_baht is not None and info.by_deadline_baht > info.balance_baht
    assert _nfkc(thai.baht_text(info.by_deadline_baht)) in text
    assert "มาตรา 68" in text
    assert AuditEvent.objects.filter(personal_data=True).count() == before + 1
    with pytest.raises(PermissionDenied):
        filings.warning_pdf(
            actor=demo.user("kk-executive"), municipality=demo.kk, reminder=reminder
        )


def test_cli_pp1_and_warnings(demo, warned, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--municipality", "khon-kaen", "--user", "kk-tax"]
    out = tmp_path / "pp1"
    result = runner.invoke(main, ["tax", "pp1", "--year", str(YEAR), str(out), *base])
    assert result.exit_code == 0, result.output
    owners = Signboard.objects.filter(municipality=demo.kk).values("owner").distinct().count()
    assert len(list(out.glob("pp1-2568-*.pdf"))) == owners + 1  # and the merged file
    merged = PdfReader(out / f"pp1-{YEAR}-all.pdf")
    assert len(merged.pages) >= owners
    assert "ภ.ป.1" in _nfkc(merged.pages[0].extract_text())
    out = tmp_path / "warnings"
    result = runner.invoke(main, ["tax", "warnings", "--year", str(YEAR), str(out), *base])
    assert result.exit_code == 0, result.output
    assert f"{len(warned):,} letters" in result.output
    files = sorted(out.glob("warning-*.pdf"))
    assert len(files) == len(warned)
    first = _text(files[0].read_bytes())
    assert _nfkc("แจ้งเตือนให้ชำระ") in first
    assert _nfkc(f"ประจำปีภาษี พ.ศ. {YEAR}") in first
    batch = AuditEvent.objects.filter(object_id="batch", personal_data=True)
    assert {e.object_repr for e in batch} >= {f"pp1 {YEAR}", f"warnings {YEAR}"}
    refused = runner.invoke(main, ["tax", "warnings", "--year", "2567", str(out), *base])
    assert refused.exit_code == 2 and "2567" in refused.output


def test_downloads_from_the_owner_and_assessment_pages(demo, client_as, warned) -> None:
    owner = _owner(demo)
    client = client_as("kk-tax")
    page = client.get(f"/{demo.kk.slug}/tax/taxpayers/{owner.pk}/")
    assert b'data-testid="pp1-pdf"' in page.content
    response = client.get(f"/{demo.kk.slug}/tax/taxpayers/{owner.pk}/pp1.pdf?year={YEAR}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reminder = warned[0]
    page = client.get(f"/{demo.kk.slug}/tax/assessments/{reminder.assessment_id}/")
    assert f"/reminders/{reminder.pk}/warning.pdf".encode() in page.content
    response = client.get(f"/{demo.kk.slug}/tax/reminders/{reminder.pk}/warning.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    hidden = client_as("kk-executive").get(
        f"/{demo.kk.slug}/tax/reminders/{reminder.pk}/warning.pdf"
    )
    assert hidden.status_code in (403, 404)


# Signboard Tax Act B.E. 2510 §12: a sign installed after March, or changed, is declared on
# ภ.ป.1 within 15 days [S11][S24][S25]; its tax is prorated by the quarter of the
# installation (Jul-Sep: 50 %) [S11]. Rates of 2568 (signboard rule file): type 3, 50 baht a
# 500 cm²: 300 × 500 cm = 300 units = 15,000 baht a year.
@pytest.fixture
def new_signs(demo) -> list[Signboard]:
    owner = _owner(demo)
    signs = list(Signboard.objects.filter(owner=owner).order_by("code"))
    Signboard.objects.filter(pk=signs[0].pk).update(
        installed_on=D(2025, 8, 20), sign_type=3, moving=False, width_cm=300, height_cm=500,
        faces=1, exemption="", removed_on=None,
    )  # fmt: skip
    for sign in signs:
        sign.refresh_from_db()
    return signs


def test_pp1_within_15_days_of_a_new_sign(demo, new_signs) -> None:
    officer = demo.user("kk-tax")
    sign = new_signs[0]
    before = AuditEvent.objects.filter(action="personal_data.read").count()
    text = _text(filings.signboard_filing_pdf(actor=officer, municipality=demo.kk, sign=sign))
    assert "ภ.ป.1" in text and _nfkc("แบบแสดงรายการภาษีป้าย") in text
    assert _nfkc("ภายใน 15 วันนับแต่วันที่ติดตั้งหรือแสดงป้ายใหม่") in text
    assert _nfkc("มาตรา 12") in text
    assert _nfkc(thai.format_thai_date(D(2025, 8, 20))) in text  # installed, B.E.
    assert _nfkc(thai.format_thai_date(D(2025, 9, 4))) in text  # filing deadline: + 15 days
    assert "2568" in text and "2025" not in text
    # the other signs of the owner were not installed that day: not on this return
    assert all(
        other.code not in text for other in new_signs[1:] if other.installed_on != sign.installed_on
    )
    assert "7,500.00" in text  # 15,000 × 50 % (installed in the third quarter)
    assert _nfkc(thai.baht_text(7500)) in text
    assert _nfkc("ร้อยละ 50 ของภาษีทั้งปี") in text
    events = AuditEvent.objects.filter(action="personal_data.read")
    assert events.count() == before + 1
    assert events.latest("pk").changes["purpose"] == f"pp1 new {sign.code} 2025-08-20"


def test_pp1_within_15_days_of_a_changed_sign(demo, new_signs) -> None:
    from nakhon.core.errors import InvalidInput

    officer = demo.user("kk-tax")
    sign = new_signs[0]
    text = _text(
        filings.signboard_filing_pdf(
            actor=officer, municipality=demo.kk, sign=sign, changed_on=D(2025, 11, 3)
        )
    )
    assert _nfkc("เปลี่ยนแปลงแก้ไขป้าย") in text
    assert _nfkc(thai.format_thai_date(D(2025, 11, 18))) in text  # 3 Nov + 15 days
    assert "3,750.00" in text  # fourth quarter: 25 %
    Signboard.objects.filter(pk=sign.pk).update(installed_on=None)
    sign.refresh_from_db()
    with pytest.raises(InvalidInput, match=sign.code):
        filings.signboard_filing_pdf(actor=officer, municipality=demo.kk, sign=sign)
    with pytest.raises(PermissionDenied):
        filings.signboard_filing_pdf(
            actor=demo.user("kk-executive"),
            municipality=demo.kk,
            sign=sign,
            changed_on=D(2025, 11, 3),
        )


def test_cli_pp1_new_and_the_sign_page(demo, new_signs, client_as, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--municipality", "khon-kaen", "--user", "kk-tax"]
    sign = new_signs[0]
    out = tmp_path / "new"
    result = runner.invoke(main, ["tax", "pp1-new", str(out), "--sign", sign.code, *base])
    assert result.exit_code == 0, result.output
    (path,) = out.glob("pp1-new-*.pdf")
    assert "7,500.00" in _text(path.read_bytes())
    result = runner.invoke(main, ["tax", "pp1-new", str(out), "--since", "01/08/2568", *base])
    assert result.exit_code == 0, result.output
    assert (out / "pp1-new-2025-08-01-all.pdf").exists()
    refused = runner.invoke(main, ["tax", "pp1-new", str(out), *base])
    assert refused.exit_code == 2 and "--sign" in refused.output
    client = client_as("kk-tax")
    page = client.get(f"/{demo.kk.slug}/tax/signboards/{sign.pk}/")
    assert b'data-testid="pp1-new-pdf"' in page.content
    response = client.get(f"/{demo.kk.slug}/tax/signboards/{sign.pk}/pp1.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    changed = client.get(f"/{demo.kk.slug}/tax/signboards/{sign.pk}/pp1.pdf?changed_on=03/11/2568")
    assert "3,750.00" in _text(changed.content)
    bad = client.get(f"/{demo.kk.slug}/tax/signboards/{sign.pk}/pp1.pdf?changed_on=31/02/2568")
    assert bad.status_code == 422 or bad.status_code == 400
    executive = client_as("kk-executive").get(f"/{demo.kk.slug}/tax/signboards/{sign.pk}/")
    assert b"pp1-new-pdf" not in executive.content
