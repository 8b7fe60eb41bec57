"""Notices as PDF: one notice (audited: it shows a taxpayer's personal data) and batch printing.

The payment QR needs the city's biller ID (from its bank) in
``NAKHON_DATA_DIR/tax-rules/<city-slug>/payment.toml``::

    biller_id = "099400012345601"      # tax ID of the municipality (13) + suffix (2)
    merchant_name = "KHON KAEN CITY"   # optional, Latin letters, at most 25

Without it the notice says to pay at the office, and has no QR code.
Batch printing writes one PDF per notice into a folder and one merged PDF of them all, page
by page (memory does not grow with the number of notices), in worker processes.
"""

from __future__ import annotations

import io
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require
from nakhon.tax.models import Assessment, Notice
from nakhon.tax.notices import pdf
from nakhon.tax.notices.batch import BatchResult, Progress, print_batch
from nakhon.tax.notices.render import NoticeData, draw
from nakhon.tax.notices.thaiqr import reference


def payment_config(municipality: Municipality) -> dict[str, str]:
    """The city's biller ID and merchant name (empty when the city has none)."""
    from nakhon.tax.quotes import local_rule_dir

    path = local_rule_dir(municipality) / "payment.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    return {k: str(data[k]) for k in ("biller_id", "merchant_name") if k in data}


def _lines(assessment: Assessment) -> list[tuple[str, str, bool]]:
    lines = []
    for step in assessment.steps:
        value = step.get("value", "")
        if step.get("code") in ("tax", "total") and not step.get("heading"):
            value = f"{value}"
        lines.append((step.get("label_th", ""), value, bool(step.get("heading"))))
    return lines


def notice_data(
    assessment: Assessment, municipality: Municipality, config: dict[str, str]
) -> NoticeData:
    notice: Notice = assessment.notice
    taxpayer = assessment.taxpayer
    name = f"{taxpayer.title}{taxpayer.name}" if taxpayer.title else taxpayer.name
    return NoticeData(
        form=notice.form,
        number=notice.number,
        tax_year=assessment.tax_year,
        city=municipality.name_th,
        city_address=municipality.address_th,
        issued_on=timezone.localtime(notice.issued_at).date(),
        due_on=assessment.due_on,
        taxpayer_code=taxpayer.code,
        taxpayer_name=name,
        taxpayer_address=taxpayer.address,
        tax_baht=assessment.tax_baht,
        lines=_lines(assessment),
        ref1=assessment.payment_reference,
        ref2=reference(taxpayer.code),
        biller_id=config.get("biller_id", ""),
        merchant_name=config.get("merchant_name", ""),
        surcharge_baht=assessment.filing_charges_baht or Decimal(0),
    )


def render_pdf(data: NoticeData) -> bytes:
    fonts = pdf.sarabun()
    out = io.BytesIO()
    writer = pdf.Writer(out, fonts, title=f"{data.form} {data.number}")
    for page in draw(data, fonts):
        writer.add(page)
    writer.close()
    return out.getvalue()


def notice_pdf(*, actor: Any, municipality: Municipality, assessment: Assessment) -> bytes:
    """The PDF of an issued assessment's notice; a read of the taxpayer's personal data."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    if not hasattr(assessment, "notice"):
        raise InvalidInput("This assessment has no notice: it has not been issued.")
    data = notice_data(assessment, municipality, payment_config(municipality))
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=assessment.taxpayer,
        changes={"fields": ["name", "title", "address"], "purpose": f"notice {data.number}"},
        personal_data=True,
    )
    return render_pdf(data)


# --- batch printing ----------------------------------------------------------------------


def notices_for(
    *, actor: Any, municipality: Municipality, kind: str, tax_year: int
) -> QuerySet[Assessment]:
    from nakhon.tax.assessments import kind_code

    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    return (
        Assessment.objects.filter(
            municipality=municipality,
            kind=kind_code(kind),
            tax_year=tax_year,
            status="issued",
            notice__isnull=False,
        )
        .select_related("notice", "taxpayer")
        .order_by("notice__sequence")
    )


def notices_print(
    *,
    actor: Any,
    municipality: Municipality,
    kind: str,
    tax_year: int,
    folder: Path,
    progress: Progress | None = None,
) -> BatchResult:
    """Print every issued notice of a tax and year (batch printing); audited once."""
    qs = notices_for(actor=actor, municipality=municipality, kind=kind, tax_year=tax_year)
    total = qs.count()
    if not total:
        raise InvalidInput("No issued notices for this tax and year: run and issue first.")
    config = payment_config(municipality)
    items = (notice_data(a, municipality, config) for a in qs.iterator(chunk_size=2000))
    result = print_batch(items, total, folder, progress=progress)
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        object_type="tax.notice",
        object_id="batch",
        object_repr=f"notices {kind} {tax_year}",
        changes={"notices": total, "folder": str(folder), "purpose": "batch printing"},
        personal_data=True,
    )
    return result
