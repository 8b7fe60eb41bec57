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
    assert "หนังสือ" in _text(files[0].read_bytes()) or "แจ้งเตือน" in _text(files[0].read_bytes())
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
