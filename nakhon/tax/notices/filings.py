"""ภ.ป.1 signboard tax returns and warning letters as PDF: one, or all of a year in a batch.

Both show a taxpayer's personal data (name, ID number, address): every generation is an
audited personal-data read, as for notices. A batch writes one PDF per owner (ภ.ป.1) or per
warning notice into a folder and one merged PDF of them all, page by page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require
from nakhon.tax.models import Reminder, Signboard, Taxpayer
from nakhon.tax.notices import pdf
from nakhon.tax.notices.letters import (
    ReturnData,
    SignLine,
    WarningData,
    draw_return,
    draw_warning,
)
from nakhon.tax.rules.errors import TaxInputError

Progress = Callable[[int, int], None]  # (done, total)
BE = 543


@dataclass
class FilesResult:
    folder: Path
    merged: Path
    documents: int
    pages: int


def _write(pages: list[pdf.Page], fonts: tuple[pdf.Font, pdf.Font], title: str) -> bytes:
    out = io.BytesIO()
    writer = pdf.Writer(out, fonts, title=title)
    for page in pages:
        writer.add(page)
    writer.close()
    return out.getvalue()


def _print_files(
    items: Iterator[tuple[str, str, list[pdf.Page]]],
    total: int,
    folder: Path,
    merged_name: str,
    progress: Progress | None,
) -> FilesResult:
    """Each document as its own PDF in ``folder`` and all of them in one merged PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    fonts = pdf.sarabun()
    merged = folder / merged_name
    done = pages = 0
    with merged.open("wb") as fh:
        writer = pdf.Writer(fh, fonts, title=merged_name)
        for name, title, doc in items:
            contents = [p.content() for p in doc]
            with (folder / name).open("wb") as own:
                one = pdf.Writer(own, fonts, title=title)
                for page, content in zip(doc, contents, strict=True):
                    one.add(page, content)
                one.close()
            for page, content in zip(doc, contents, strict=True):
                writer.add(page, content)
            done += 1
            pages += len(doc)
            if progress:
                progress(done, total)
        writer.close()
    return FilesResult(folder, merged, done, pages)


def _name(taxpayer: Taxpayer) -> str:
    return f"{taxpayer.title}{taxpayer.name}" if taxpayer.title else taxpayer.name


# --- ภ.ป.1 -------------------------------------------------------------------------------------


def _sign_lines(
    municipality: Municipality, tax_year: int, owner_ids: Iterable[int] | None = None
) -> dict[int, list[SignLine]]:
    """The signs on the register in ``tax_year`` by owner, each with the engine's tax."""
    from nakhon.tax.quotes import rules_for
    from nakhon.tax.rules import signboard

    rules = rules_for("signboard", tax_year, municipality)
    year_start = dt.date(tax_year - BE, 1, 1)
    year_end = dt.date(tax_year - BE, 12, 31)
    qs = (
        Signboard.objects.filter(municipality=municipality, owner__isnull=False)
        .filter(
            Q(installed_on__isnull=True) | Q(installed_on__lte=year_end),
            Q(removed_on__isnull=True) | Q(removed_on__gte=year_start),
        )
        .select_related("tambon")
        .order_by("owner_id", "code")
    )
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=list(owner_ids))
    signs = list(qs)
    if not signs:
        return {}
    frame = signboard.input_frame(
        {
            "sign_id": [s.code for s in signs],
            "sign_type": [s.sign_type for s in signs],
            "moving": [s.moving for s in signs],
            "width_cm": [s.width_cm for s in signs],
            "height_cm": [s.height_cm for s in signs],
            "faces": [s.faces for s in signs],
            "installed_on": [s.installed_on for s in signs],
            "exemption": [s.exemption or None for s in signs],
        },
    )
    try:
        table = signboard.assess(rules, frame)
    except TaxInputError as exc:
        message = "; ".join(f"signboard {p}" for p in exc.problems[:10])
        raise InvalidInput(message) from None
    out: dict[int, list[SignLine]] = defaultdict(list)
    for sign, row in zip(signs, table.iter_rows(named=True), strict=True):
        where = [sign.tambon.name_th if sign.tambon else ""]
        if sign.latitude is not None and sign.longitude is not None:
            where.append(f"พิกัด {sign.latitude:.5f}, {sign.longitude:.5f}")
        out[sign.owner_id or 0].append(
            SignLine(
                code=sign.code,
                location=" ".join(w for w in where if w) or "-",
                width_cm=sign.width_cm,
                height_cm=sign.height_cm,
                faces=sign.faces,
                area_cm2=int(row["area_cm2"]),
                sign_type=sign.sign_type,
                moving=sign.moving,
                installed_on=sign.installed_on,
                tax_baht=Decimal(int(row["tax_satang"])) / 100,
                exemption=sign.exemption or "",
            )
        )
    return out


def _return_data(
    municipality: Municipality, taxpayer: Taxpayer, tax_year: int, signs: list[SignLine]
) -> ReturnData:
    business = sorted({s.business_name for s in taxpayer.signboards.all() if s.business_name})
    return ReturnData(
        tax_year=tax_year,
        city=municipality.name_th,
        city_address=municipality.address_th,
        taxpayer_code=taxpayer.code,
        owner_name=_name(taxpayer),
        owner_id=taxpayer.national_id,
        owner_address=taxpayer.address,
        owner_phone=taxpayer.phone,
        business_name=", ".join(business),
        signs=signs,
    )


def _pp1_file(taxpayer: Taxpayer, tax_year: int) -> str:
    return f"pp1-{tax_year}-{taxpayer.code}.pdf".replace("/", "-")


def signboard_return_pdf(
    *, actor: Any, municipality: Municipality, taxpayer: Taxpayer, tax_year: int
) -> bytes:
    """The pre-filled ภ.ป.1 of one sign owner for a tax year (B.E.), from the register, with
    the engine's tax per sign for information (Signboard Tax Act B.E. 2510 §12); an audited
    read of the owner's personal data."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    if taxpayer.municipality_id != municipality.pk:
        raise NotFound()
    signs = _sign_lines(municipality, tax_year, [taxpayer.pk]).get(taxpayer.pk)
    if not signs:
        raise InvalidInput(
            _("%(code)s has no signboard on the register in tax year %(year)s.")
            % {"code": taxpayer.code, "year": tax_year}
        )
    data = _return_data(municipality, taxpayer, tax_year, signs)
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=taxpayer,
        changes={
            "fields": ["name", "title", "national_id", "address", "phone"],
            "purpose": f"pp1 {tax_year}",
        },
        personal_data=True,
    )
    return _write(draw_return(data, pdf.sarabun()), pdf.sarabun(), f"ภ.ป.1 {taxpayer.code}")


def signboard_returns_print(
    *,
    actor: Any,
    municipality: Municipality,
    tax_year: int,
    folder: Path,
    progress: Progress | None = None,
) -> FilesResult:
    """The ภ.ป.1 of every sign owner on the register in a tax year: one PDF per owner and one
    merged PDF (batch printing); audited once."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    by_owner = _sign_lines(municipality, tax_year)
    if not by_owner:
        raise InvalidInput(
            _("No signboard on the register in tax year %(year)s.") % {"year": tax_year}
        )
    owners = Taxpayer.objects.filter(pk__in=list(by_owner)).prefetch_related("signboards")
    fonts = pdf.sarabun()

    def items() -> Iterator[tuple[str, str, list[pdf.Page]]]:
        for taxpayer in owners.order_by("code").iterator(chunk_size=1000):
            data = _return_data(municipality, taxpayer, tax_year, by_owner[taxpayer.pk])
            yield (
                _pp1_file(taxpayer, tax_year),
                f"ภ.ป.1 {taxpayer.code}",
                draw_return(data, fonts),
            )

    result = _print_files(items(), len(by_owner), folder, f"pp1-{tax_year}-all.pdf", progress)
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        object_type="tax.taxpayer",
        object_id="batch",
        object_repr=f"pp1 {tax_year}",
        changes={"returns": result.documents, "folder": str(folder), "purpose": "pp1 printing"},
        personal_data=True,
    )
    return result


# --- warning letters ----------------------------------------------------------------------------


def _rates_note(reminder: Reminder) -> str:
    from nakhon.tax.quotes import rules_for

    assessment = reminder.assessment
    if assessment.kind == "land_building":
        rules = rules_for("land_building", assessment.tax_year, assessment.municipality)
        return (
            f"หากชำระภายในกำหนดตามหนังสือนี้ เสียเบี้ยปรับร้อยละ {rules.penalty_within_warning:g}"
            f" ของภาษี หากไม่ชำระภายในกำหนด เบี้ยปรับเป็นร้อยละ {rules.penalty_after_warning:g}"
            f" และเงินเพิ่มร้อยละ {rules.surcharge_percent_per_month:g} ต่อเดือน"
            " (พระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562 มาตรา 68 และมาตรา 70)"
            " และอาจถูกยึด อายัด และขายทอดตลาดทรัพย์สินเพื่อชำระภาษีค้าง"
        )
    return (
        "เงินเพิ่มร้อยละ 2 ต่อเดือนของภาษีที่ค้างชำระ เศษของเดือนนับเป็นหนึ่งเดือน"
        " (พระราชบัญญัติภาษีป้าย พ.ศ. 2510 มาตรา 25)"
    )


def warning_data(reminder: Reminder, municipality: Municipality) -> WarningData:
    """The content of a warning letter: the account on its date and on its deadline, by the
    engine's late charges (the warning itself sets the land and building tax penalty)."""
    from nakhon.tax.payments import _account

    assessment = reminder.assessment
    taxpayer = assessment.taxpayer
    now = _account(assessment, reminder.sent_on)
    later = _account(assessment, reminder.respond_by) if reminder.respond_by else None
    notice = getattr(assessment, "notice", None)
    lines: list[tuple[str, str]] = []
    for part in now.parts:
        for step in part.charges.steps:
            if not step.get("heading") and step.get("code") not in ("tax", "due"):
                lines.append((str(step.get("label_th", "")), str(step.get("value", ""))))
    return WarningData(
        number=f"{reminder.pk}/{thai.ce_to_be_year(reminder.sent_on.year)}",
        kind=assessment.kind,
        tax_year=assessment.tax_year,
        city=municipality.name_th,
        city_address=municipality.address_th,
        sent_on=reminder.sent_on,
        respond_by=reminder.respond_by,
        taxpayer_code=taxpayer.code,
        taxpayer_name=_name(taxpayer),
        taxpayer_address=taxpayer.address,
        notice_number=notice.number if notice else "-",
        notice_on=timezone.localtime(notice.issued_at).date() if notice else None,
        due_on=assessment.due_on,
        payment_reference=assessment.payment_reference,
        tax_baht=assessment.tax_baht,
        unpaid_baht=now.unpaid_baht,
        charges_baht=now.charges_baht,
        charge_lines=lines,
        by_deadline_baht=later.balance_baht if later else None,
        rates_note=_rates_note(reminder),
    )


def _warning_file(data: WarningData) -> str:
    return f"warning-{data.tax_year}-{data.number.split('/')[0].zfill(7)}.pdf"


def warning_pdf(*, actor: Any, municipality: Municipality, reminder: Reminder) -> bytes:
    """The letter of one warning notice (หนังสือแจ้งเตือน, Land and Building Tax Act B.E. 2562
    §68; Signboard Tax Act B.E. 2510 §25 for the surcharge); an audited personal-data read."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    if reminder.municipality_id != municipality.pk:
        raise NotFound()
    if reminder.kind != Reminder.Kind.WARNING:
        raise InvalidInput(_("This reminder is not a warning notice."))
    data = warning_data(reminder, municipality)
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=reminder.assessment.taxpayer,
        changes={"fields": ["name", "title", "address"], "purpose": f"warning {data.number}"},
        personal_data=True,
    )
    fonts = pdf.sarabun()
    return _write(draw_warning(data, fonts), fonts, f"warning {data.number}")


def warnings_print(
    *,
    actor: Any,
    municipality: Municipality,
    tax_year: int,
    folder: Path,
    progress: Progress | None = None,
) -> FilesResult:
    """The letters of every warning notice recorded for the assessments of a tax year (B.E.):
    one PDF each and one merged PDF; audited once."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    qs = (
        Reminder.objects.filter(
            municipality=municipality,
            kind=Reminder.Kind.WARNING,
            assessment__tax_year=tax_year,
        )
        .select_related("assessment__taxpayer", "assessment__notice", "assessment__municipality")
        .order_by("pk")
    )
    total = qs.count()
    if not total:
        raise InvalidInput(
            _("No warning notices recorded for tax year %(year)s: record them on the arrears page.")
            % {"year": tax_year}
        )
    fonts = pdf.sarabun()

    def items() -> Iterator[tuple[str, str, list[pdf.Page]]]:
        for reminder in qs.iterator(chunk_size=500):
            data = warning_data(reminder, municipality)
            yield _warning_file(data), f"warning {data.number}", draw_warning(data, fonts)

    result = _print_files(items(), total, folder, f"warnings-{tax_year}-all.pdf", progress)
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        object_type="tax.reminder",
        object_id="batch",
        object_repr=f"warnings {tax_year}",
        changes={"letters": result.documents, "folder": str(folder), "purpose": "warning letters"},
        personal_data=True,
    )
    return result
