"""Notices as PDF: Thai text, the amount in words and the B.E. dates found by text extraction,
the payment QR's payload, batch printing, and the audit of the personal data they show."""

from __future__ import annotations

import io
import itertools
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from nakhon.core import thai
from nakhon.core.errors import PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.tax import assessments
from nakhon.tax.models import Assessment
from nakhon.tax.notices import service, thaiqr

YEAR = 2568


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # sara am (ำ) is drawn as nikhahit + sara aa; NFKC folds both spellings together
    return unicodedata.normalize("NFKC", text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.fixture
def issued(demo, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    folder = tmp_path / "tax-rules" / demo.kk.slug
    folder.mkdir(parents=True)
    (folder / "payment.toml").write_text('biller_id = "099400012345601"\n', encoding="utf-8")
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land_building", YEAR)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    return run


def test_notice_pdf_has_thai_text_amount_in_words_and_be_dates(demo, issued) -> None:
    officer = demo.user("kk-tax")
    assessment = Assessment.objects.filter(run=issued, status="issued").earliest("pk")
    before = AuditEvent.objects.filter(personal_data=True).count()
    data = service.notice_pdf(actor=officer, municipality=demo.kk, assessment=assessment)
    assert data.startswith(b"%PDF-1.7") and data.rstrip().endswith(b"%%EOF")
    text = _text(data)
    assert "หนังสือแจ้งการประเมินภาษีที่ดินและสิ่งปลูกสร้าง" in text
    assert "ภ.ด.ส.6" in text
    assert _nfkc(thai.baht_text(assessment.tax_baht)) in text
    assert f"{assessment.tax_baht:,.2f}" in text
    assert _nfkc(f"ประจำปีภาษี พ.ศ. {YEAR}") in text
    assert assessment.due_on is not None
    assert _nfkc(thai.format_thai_date(assessment.due_on, style="long")) in text
    assert assessment.taxpayer.name in text
    assert assessment.payment_reference in text and assessment.notice.number in text
    event = AuditEvent.objects.filter(personal_data=True).latest("id")
    assert AuditEvent.objects.filter(personal_data=True).count() == before + 1
    assert event.object_id == str(assessment.taxpayer_id)


def test_the_payment_qr_payload_verifies(demo, issued) -> None:
    assessment = Assessment.objects.filter(run=issued, status="issued").earliest("pk")
    data = service.notice_data(assessment, demo.kk, service.payment_config(demo.kk))
    decoded = thaiqr.decode_bill_payment(data.qr_payload())
    assert decoded["biller_id"] == "099400012345601"
    assert decoded["ref1"] == assessment.payment_reference
    assert decoded["amount"] == f"{assessment.tax_baht:.2f}"


def test_batch_printing_writes_one_file_per_notice_and_a_merged_file(demo, issued, tmp_path):
    officer = demo.user("kk-tax")
    seen: list[tuple[int, int]] = []
    result = service.notices_print(
        actor=officer,
        municipality=demo.kk,
        kind="land-building",
        tax_year=YEAR,
        folder=tmp_path / "out",
        progress=lambda d, t: seen.append((d, t)),
    )
    count = Assessment.objects.filter(run=issued, status="issued").count()
    files = sorted(p for p in Path(result.folder).glob("pds6-*.pdf"))
    assert result.notices == count == len(files)
    merged = PdfReader(result.merged)
    assert len(merged.pages) == result.pages >= count
    assert seen[-1] == (count, count)
    first = _text(files[0].read_bytes())
    assert "ภ.ด.ส.6" in first and "บาท" in first
    # the merged file is the notices one after the other: each starts where the one before
    # ended (a notice may run over a continuation page, which has no heading)
    sizes = [len(PdfReader(f).pages) for f in files]
    assert sum(sizes) == len(merged.pages)
    texts = [_nfkc(page.extract_text()) for page in merged.pages]
    starts = [i for i, text in enumerate(texts) if "หนังสือแจ้งการประเมิน" in text]
    assert starts == list(itertools.accumulate([0, *sizes[:-1]]))
    assert all(f"เลขที่ {n}/{YEAR}" in texts[i] for n, i in enumerate(starts, start=1))


@pytest.mark.parametrize("username", ["kk-executive", "kk-viewer"])
def test_only_the_tax_office_prints_notices(demo, issued, username) -> None:
    assessment = Assessment.objects.filter(run=issued, status="issued").earliest("pk")
    with pytest.raises(PermissionDenied):
        service.notice_pdf(actor=demo.user(username), municipality=demo.kk, assessment=assessment)


def test_cli_assess_issue_and_print(demo, settings, tmp_path) -> None:
    from click.testing import CliRunner

    from nakhon.cli import main

    settings.DATA_DIR = tmp_path
    runner = CliRunner()
    base = ["--municipality", "khon-kaen", "--user", "kk-tax"]
    result = runner.invoke(
        main, ["tax", "assess", "--year", "2568", "--kind", "signboard", "--issue", *base]
    )
    assert result.exit_code == 0, result.output
    assert "issued" in result.output
    out = tmp_path / "notices"
    result = runner.invoke(
        main, ["tax", "notices", "--year", "2568", "--kind", "signboard", str(out), *base]
    )
    assert result.exit_code == 0, result.output
    files = list(out.glob("pp3-*.pdf"))
    assert files and (out / "all-notices.pdf").exists()
    assert "ภ.ป.3" in _text(files[0].read_bytes())
    refused = runner.invoke(
        main, ["tax", "assess", "--year", "2400", "--kind", "land-building", *base]
    )
    assert refused.exit_code == 2 and "2400" in refused.output
