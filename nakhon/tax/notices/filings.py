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

from django.db.models import F, Q
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
    out: dict[int, list[SignLine]] = defaultdict(list)
    for sign, line in _lines(municipality, tax_year, list(qs)):
        out[sign.owner_id or 0].append(line)
    return out


def _lines(
    municipality: Municipality,
    tax_year: int,
    signs: list[Signboard],
    since: dt.date | None = None,
) -> list[tuple[Signboard, SignLine]]:
    """Each sign with its line and the engine's tax in ``tax_year``; ``since``: the date a
    changed sign is taxed from (prorated by quarter as a sign installed that day)."""
    from nakhon.tax.quotes import rules_for
    from nakhon.tax.rules import signboard

    if not signs:
        return []
    rules = rules_for("signboard", tax_year, municipality)
    records = [{f: getattr(s, f) for f in signboard.REGISTER_FIELDS} for s in signs]
    if since is not None:  # a changed sign: taxed as installed on the day of the change
        records = [r | {"installed_on": since} for r in records]
    frame = signboard.frame_of(records)
    try:
        table = signboard.assess(rules, frame)
    except TaxInputError as exc:
        message = "; ".join(f"signboard {p}" for p in exc.problems[:10])
        raise InvalidInput(message) from None
    out = []
    for sign, row in zip(signs, table.iter_rows(named=True), strict=True):
        where = [sign.tambon.name_th if sign.tambon else ""]
        if sign.latitude is not None and sign.longitude is not None:
            where.append(f"พิกัด {sign.latitude:.5f}, {sign.longitude:.5f}")
        line = SignLine(
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
        out.append((sign, line))
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


# --- ภ.ป.1 within 15 days of a new or changed sign ------------------------------------------


def _filing_data(
    municipality: Municipality,
    owner: Taxpayer,
    signs: list[Signboard],
    event_on: dt.date,
    changed: bool,
) -> ReturnData:
    from nakhon.tax.quotes import rules_for

    tax_year = event_on.year + BE
    lines = [line for _s, line in _lines(municipality, tax_year, signs, event_on)]
    days = rules_for("signboard", tax_year, municipality).new_sign_filing_days  # §12: 15
    data = _return_data(municipality, owner, tax_year, lines)
    data.event = "changed" if changed else "new"
    data.event_on = event_on
    data.file_by = event_on + dt.timedelta(days=days)
    return data


def _new_signs(municipality: Municipality, owner_id: int, on: dt.date) -> list[Signboard]:
    """The owner's signs installed on ``on`` (one filing covers them all)."""
    return list(
        Signboard.objects.filter(municipality=municipality, owner_id=owner_id, installed_on=on)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=on))
        .select_related("tambon")
        .order_by("code")
    )


def _audit_filing(actor: Any, municipality: Municipality, owner: Taxpayer, what: str) -> None:
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=owner,
        changes={
            "fields": ["name", "title", "national_id", "address", "phone"],
            "purpose": what,
        },
        personal_data=True,
    )


def _audit_batch(actor: Any, municipality: Municipality, what: str, result: FilesResult) -> None:
    """One audit event for a batch of ภ.ป.1 returns (each shows an owner's personal data)."""
    audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        object_type="tax.taxpayer",
        object_id="batch",
        object_repr=what,
        changes={
            "returns": result.documents,
            "folder": str(result.folder),
            "purpose": "pp1 printing",
        },
        personal_data=True,
    )


def signboard_filing_pdf(
    *,
    actor: Any,
    municipality: Municipality,
    sign: Signboard,
    changed_on: dt.date | None = None,
) -> bytes:
    """The ภ.ป.1 filed within 15 days of installing a sign, or of changing it (Signboard Tax
    Act B.E. 2510 §12): the sign (with the owner's other signs installed the same day), the
    installation or change date, the filing deadline (the date + 15 days) and the tax of the
    year prorated by the quarter of that date, as the engine prorates a sign installed during
    the year. ``changed_on``: a change of the sign on that date (the register keeps no change
    date). An audited read of the owner's personal data."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    if sign.municipality_id != municipality.pk:
        raise NotFound()
    owner = sign.owner
    if owner is None:
        raise InvalidInput(
            _("Signboard %(code)s has no owner on the register: no return can be filled in.")
            % {"code": sign.code}
        )
    event_on = changed_on or sign.installed_on
    if event_on is None:
        raise InvalidInput(
            _(
                "Signboard %(code)s has no installation date on the register: give the date "
                "of the change, or record the installation date."
            )
            % {"code": sign.code}
        )
    if sign.removed_on is not None and sign.removed_on < event_on:
        raise InvalidInput(
            _("Signboard %(code)s was removed on %(removed)s, before %(date)s.")
            % {
                "code": sign.code,
                "removed": thai.format_thai_date(sign.removed_on),
                "date": thai.format_thai_date(event_on),
            }
        )
    signs = [sign] if changed_on else _new_signs(municipality, owner.pk, event_on)
    data = _filing_data(municipality, owner, signs, event_on, changed_on is not None)
    _audit_filing(actor, municipality, owner, f"pp1 {data.event} {sign.code} {event_on}")
    return _write(draw_return(data, pdf.sarabun()), pdf.sarabun(), f"ภ.ป.1 {sign.code}")


def signboard_filings_print(
    *,
    actor: Any,
    municipality: Municipality,
    since: dt.date,
    folder: Path,
    until: dt.date | None = None,
    progress: Progress | None = None,
) -> FilesResult:
    """The 15-day ภ.ป.1 of every sign installed from ``since`` (to ``until``, default today):
    one return per owner and installation date, one PDF each and a merged one; audited once."""
    require(actor, "tax.assess", municipality)
    require(actor, "personal_data.view", municipality)
    until = until or timezone.localdate()
    signs = (
        Signboard.objects.filter(
            municipality=municipality,
            owner__isnull=False,
            installed_on__gte=since,
            installed_on__lte=until,
        )
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=F("installed_on")))
        .select_related("tambon", "owner")
        .order_by("installed_on", "owner__code", "code")
    )
    groups: dict[tuple[dt.date, int], list[Signboard]] = defaultdict(list)
    for sign in signs:
        assert sign.installed_on is not None and sign.owner_id is not None
        groups[(sign.installed_on, sign.owner_id)].append(sign)
    if not groups:
        raise InvalidInput(
            _("No signboard on the register was installed from %(since)s to %(until)s.")
            % {"since": thai.format_thai_date(since), "until": thai.format_thai_date(until)}
        )
    owners = {
        t.pk: t
        for t in Taxpayer.objects.filter(pk__in={o for _d, o in groups}).prefetch_related(
            "signboards"
        )
    }
    fonts = pdf.sarabun()

    def items() -> Iterator[tuple[str, str, list[pdf.Page]]]:
        for (on, owner_id), group in groups.items():
            owner = owners[owner_id]
            data = _filing_data(municipality, owner, group, on, changed=False)
            name = f"pp1-new-{on.isoformat()}-{owner.code}.pdf".replace("/", "-")
            yield name, f"ภ.ป.1 {owner.code} {on}", draw_return(data, fonts)

    result = _print_files(items(), len(groups), folder, f"pp1-new-{since}-all.pdf", progress)
    _audit_batch(actor, municipality, f"pp1 new since {since}", result)
    return result


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
    _audit_filing(actor, municipality, taxpayer, f"pp1 {tax_year}")
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
    _audit_batch(actor, municipality, f"pp1 {tax_year}", result)
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
    ended = now.installments_ended
    for step in ended["steps"] if ended else ():
        lines.append((str(step["label_th"]), ""))
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
