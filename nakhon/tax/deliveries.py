"""When notices and warning notices were received (issue #6): recorded one by one, through the
API, or from a delivery list (the post office's return receipts), all or nothing.

The law counts from receipt, not from sending:

- the signboard tax is due within 15 days of receiving the assessment notice ภ.ป.3 (Signboard
  Tax Act §19; the objection period, 30 days, also runs from receipt, §30): recording the
  received date moves the assessment's due date to ``received_on`` + the rule file's
  ``payment_days_after_notice``. Unrecorded, the due date counts from the notice's issue
  date — an approximation, said so in the explanation (:func:`due_basis`);
- the land and building tax penalty rises from 10 % to 20 % once the warning notice is
  received (Act §68): ``payments`` uses ``Reminder.received_on`` and, unrecorded, the date it
  was sent (an approximation, said so). The land and building tax's own due date is the rule
  file's (Act §46), so its notice's received date is recorded but moves no date.

A received date is refused when it is before the notice was issued (the warning sent) or in
the future; an empty date clears it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NakhonError, NotFound
from nakhon.core.permissions import require
from nakhon.tax.models import Assessment, Notice, Reminder
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import Step

BE = 543


class ReceiptRefused(InvalidInput):
    """A received date that cannot be recorded; the message names the notice."""

    code = "receipt-refused"


def _day(value: dt.date | str | None, what: str) -> dt.date | None:
    try:
        return thai.parse_thai_date_or_none(value)
    except thai.ThaiValueError as exc:
        raise ReceiptRefused(
            f"{what}: {exc.message_en}", errors={"received_on": exc.message_en}
        ) from None


def _check(day: dt.date | None, earliest: dt.date, what: str) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        message = _("%(what)s: the received date %(date)s is in the future.") % {
            "what": what,
            "date": thai.format_thai_date(day),
        }
        raise ReceiptRefused(message, errors={"received_on": message})
    if day < earliest:
        message = _("%(what)s: received on %(date)s, before it was sent on %(sent)s.") % {
            "what": what,
            "date": thai.format_thai_date(day),
            "sent": thai.format_thai_date(earliest),
        }
        raise ReceiptRefused(message, errors={"received_on": message})


def notice_name(notice: Notice) -> str:
    return f"{notice.get_form_display()} {notice.number}"


def reminder_name(reminder: Reminder) -> str:
    return _("warning notice %(number)s") % {"number": warning_number(reminder)}


def warning_number(reminder: Reminder) -> str:
    """The number printed on a warning letter (``nakhon.tax.notices.filings``)."""
    return f"{reminder.pk}/{reminder.sent_on.year + BE}"


def notice_issued_on(notice: Notice) -> dt.date:
    return timezone.localtime(notice.issued_at).date()


def due_on_for(assessment: Assessment, notice: Notice) -> dt.date | None:
    """The due date the law gives: signboard tax 15 days (the rule file's) after the notice
    is received, or, unrecorded, after it was issued; land and building tax: unchanged."""
    if assessment.kind != "signboard":
        return assessment.due_on
    rules = rules_for(assessment.kind, assessment.tax_year, assessment.municipality)
    start = notice.received_on or notice_issued_on(notice)
    return start + dt.timedelta(days=rules.payment_days_after_notice)


def due_basis(assessment: Assessment, notice: Notice | None) -> dict[str, Any] | None:
    """The explanation step of the date a signboard tax's due date counts from: the notice's
    receipt, or its issue date as a fallback (an approximation)."""
    if assessment.kind != "signboard" or notice is None or assessment.due_on is None:
        return None
    due = thai.format_thai_date(assessment.due_on)
    rule = "Signboard Tax Act §19: payment within 15 days of receiving the assessment notice"
    if notice.received_on is not None:
        got = thai.format_thai_date(notice.received_on)
        return Step(
            "due_basis",
            f"กำหนดชำระ {due}: 15 วันนับแต่วันที่ได้รับแจ้งการประเมิน ({got})",
            f"Due {due}: 15 days from the receipt of the notice on {got}",
            assessment.due_on.isoformat(),
            rule,
            False,
        ).as_dict()
    sent = thai.format_thai_date(notice_issued_on(notice))
    return Step(
        "due_basis",
        f"กำหนดชำระ {due}: นับจากวันออกหนังสือแจ้ง ({sent}) เพราะยังไม่ได้บันทึกวันที่ได้รับ — เป็นการประมาณ",
        f"Due {due}: counted from the notice's issue date {sent}, its receipt not being "
        "recorded — an approximation",
        assessment.due_on.isoformat(),
        rule,
        True,
    ).as_dict()


def warning_basis(reminder: Reminder | None) -> dict[str, Any] | None:
    """The explanation step of the warning-notice date the §68 penalty used."""
    if reminder is None:
        return None
    rule = "Land and Building Tax Act §68: the penalty from the receipt of the warning notice"
    number = warning_number(reminder)
    if reminder.received_on is not None:
        got = thai.format_thai_date(reminder.received_on)
        return Step(
            "warning_basis",
            f"หนังสือแจ้งเตือน {number} ได้รับเมื่อ {got}",
            f"Warning notice {number} received on {got}",
            reminder.received_on.isoformat(),
            rule,
            False,
        ).as_dict()
    sent = thai.format_thai_date(reminder.sent_on)
    return Step(
        "warning_basis",
        f"หนังสือแจ้งเตือน {number}: ใช้วันที่ส่ง {sent} แทนวันที่ได้รับ (ยังไม่ได้บันทึก) — เป็นการประมาณ",
        f"Warning notice {number}: its sending date {sent} stands for the receipt, not "
        "recorded — an approximation",
        reminder.sent_on.isoformat(),
        rule,
        True,
    ).as_dict()


@transaction.atomic
def notice_receive(
    *,
    actor: Any,
    municipality: Municipality,
    notice: Notice,
    received_on: dt.date | str | None,
) -> Notice:
    """Record (or, empty, clear) when the taxpayer received an assessment notice. A signboard
    tax's due date follows it (15 days after receipt, Signboard Tax Act §19)."""
    require(actor, "tax.collect", municipality)
    if notice.municipality_id != municipality.pk:
        raise NotFound()
    notice = Notice.objects.select_for_update().select_related("assessment").get(pk=notice.pk)
    what = notice_name(notice)
    day = _day(received_on, what)
    _check(day, notice_issued_on(notice), what)
    before = notice.received_on
    notice.received_on = day
    notice.save(update_fields=["received_on"])
    assessment = notice.assessment
    old_due = assessment.due_on
    assessment.due_on = due_on_for(assessment, notice)
    if assessment.due_on != old_due:
        # payments already recorded carry the charges of the old due date (their receipts
        # say so): moving it under them would leave receipts and balance disagreeing
        if assessment.payments.filter(reversed_at__isnull=True).exists():
            message = _(
                "%(what)s: payments are already recorded against the due date %(due)s; reverse "
                "them first, record the date of receipt, then record them again."
            ) % {
                "what": what,
                "due": thai.format_thai_date(old_due) if old_due else "-",
            }
            raise ReceiptRefused(message, errors={"received_on": message})
        assessment.save(update_fields=["due_on"])
    audit_record(
        actor=actor,
        action="tax.notice.received",
        municipality=municipality,
        obj=notice,
        changes={
            "received_on": [
                before.isoformat() if before else None,
                day.isoformat() if day else None,
            ],
            "due_on": [
                old_due.isoformat() if old_due else None,
                assessment.due_on.isoformat() if assessment.due_on else None,
            ],
        },
    )
    return notice


@transaction.atomic
def reminder_receive(
    *,
    actor: Any,
    municipality: Municipality,
    reminder: Reminder,
    received_on: dt.date | str | None,
) -> Reminder:
    """Record (or, empty, clear) when the taxpayer received a reminder or warning notice; the
    land and building tax penalty steps from 10 % to 20 % from that day (Act §68)."""
    require(actor, "tax.collect", municipality)
    if reminder.municipality_id != municipality.pk:
        raise NotFound()
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    what = reminder_name(reminder)
    day = _day(received_on, what)
    _check(day, reminder.sent_on, what)
    before = reminder.received_on
    reminder.received_on = day
    reminder.save(update_fields=["received_on"])
    audit_record(
        actor=actor,
        action="tax.reminder.received",
        municipality=municipality,
        obj=reminder,
        changes={
            "received_on": [
                before.isoformat() if before else None,
                day.isoformat() if day else None,
            ]
        },
    )
    return reminder


# --- the delivery list ---------------------------------------------------------------------------

HEADERS = {
    "document": "document",
    "reference": "document",
    "number": "document",
    "notice": "document",
    "เลขที่": "document",
    "เลขที่หนังสือ": "document",
    "เลขที่อ้างอิง": "document",
    "form": "form",
    "แบบ": "form",
    "received_on": "received_on",
    "received": "received_on",
    "date": "received_on",
    "วันที่ได้รับ": "received_on",
    "วันที่รับ": "received_on",
}
FORMS = {
    "pp3": "pp3",
    "ภ.ป.3": "pp3",
    "ภป3": "pp3",
    "pds6": "pds6",
    "ภ.ด.ส.6": "pds6",
    "ภดส6": "pds6",
    "warning": "warning",
    "หนังสือแจ้งเตือน": "warning",
}
REFERENCE = re.compile(r"^[SL]\d{11}$")


@dataclass
class DeliveryRow:
    row: int
    document: str
    received_on: str
    ok: bool = True
    message: str = ""
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "document": self.document,
            "received_on": self.received_on,
            "ok": self.ok,
            "message": self.message,
            "target": self.target,
        }


@dataclass
class DeliveryReport:
    file: str
    rows: list[DeliveryRow] = field(default_factory=list)
    saved: bool = False
    dry_run: bool = False

    @property
    def problems(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": [r.as_dict() for r in self.rows],
            "problems": self.problems,
            "saved": self.saved,
            "dry_run": self.dry_run,
        }


class DeliveriesRefused(InvalidInput):
    """A delivery list with refused rows: nothing was recorded."""

    def __init__(self, report: DeliveryReport, message: str = "") -> None:
        first = next((r for r in report.rows if not r.ok), None)
        where = f" (first: row {first.row}: {first.message})" if first else ""
        super().__init__(
            message or f"{report.problems} problem(s) in {report.file}; nothing was saved{where}",
            code="deliveries-refused",
        )
        self.report = report


def _find(municipality: Municipality, document: str, form: str) -> tuple[str, Notice | Reminder]:
    """A delivery list's document: a payment reference (S…/L…), a notice number with its form
    (``ภ.ป.3 12/2568``), or a warning letter's number (``หนังสือแจ้งเตือน 5/2568``)."""
    text = " ".join(thai.from_thai_digits(document).split())
    upper = text.upper()
    if REFERENCE.match(upper):
        found = Notice.objects.filter(
            municipality=municipality, assessment__payment_reference=upper
        ).first()
        if found is None:
            raise NakhonError(_("no notice has the payment reference %(ref)s") % {"ref": upper})
        return "notice", found
    for name, code in FORMS.items():
        if text.lower().startswith(name.lower() + " "):
            form, text = code, text[len(name) :].strip()
            break
    form = FORMS.get(form.strip().lower().replace(" ", ""), FORMS.get(form.strip(), ""))
    match = re.fullmatch(r"(\d+)\s*/\s*(\d{4})", text)
    if not form or not match:
        raise NakhonError(
            _(
                "%(doc)r is not a payment reference (S…/L…) nor a number with its form "
                "(ภ.ป.3 12/2568, ภ.ด.ส.6 12/2568, หนังสือแจ้งเตือน 5/2568)"
            )
            % {"doc": document}
        )
    number, year = int(match.group(1)), int(match.group(2))
    if form == "warning":
        reminder = Reminder.objects.filter(municipality=municipality, pk=number).first()
        if reminder is None or reminder.sent_on.year + BE != year:
            raise NakhonError(_("no warning notice %(n)s/%(y)s") % {"n": number, "y": year})
        return "reminder", reminder
    notice = Notice.objects.filter(
        municipality=municipality, form=form, tax_year=year, sequence=number
    ).first()
    if notice is None:
        raise NakhonError(
            _("no notice %(form)s %(n)s/%(y)s")
            % {"form": Notice.Form(form).label, "n": number, "y": year}
        )
    return "notice", notice


def deliveries_import_upload(
    *,
    actor: Any,
    municipality: Municipality,
    chunks: Iterable[bytes],
    name: str,
    dry_run: bool = False,
) -> DeliveryReport:
    """:func:`deliveries_import` of an uploaded file: kept in a temporary file under
    ``NAKHON_UPLOAD_DIR/tax`` only while it is read (it names taxpayers' notices)."""
    require(actor, "tax.collect", municipality)
    suffix = Path(name).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,7}", suffix) else ""
    folder = Path(settings.NAKHON_UPLOAD_DIR) / "tax"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"delivery-{uuid.uuid4().hex}{suffix}"
    try:
        with stored.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return deliveries_import(
            actor=actor, municipality=municipality, path=stored, name=name, dry_run=dry_run
        )
    finally:
        stored.unlink(missing_ok=True)


def deliveries_import(
    *,
    actor: Any,
    municipality: Municipality,
    path: Path,
    name: str = "",
    dry_run: bool = False,
) -> DeliveryReport:
    """Record the received dates of a delivery list (CSV or XLSX, as ``nakhon.tax.imports``
    reads them: columns ``document`` — a payment reference, or a number with its form — and
    ``received_on`` in B.E.; an optional ``form`` column). All or nothing: any refused row (an
    unknown document, a bad or impossible date, a document twice) refuses the file, with a
    report per row. ``dry_run`` checks without saving."""
    from nakhon.tax.imports import _read_rows

    require(actor, "tax.collect", municipality)
    report = DeliveryReport(file=name or path.name, dry_run=dry_run)
    try:
        columns, rows = _read_rows(path, None)
    except (NakhonError, OSError, ValueError) as exc:
        message = getattr(exc, "message", str(exc))
        report.rows.append(DeliveryRow(0, "", "", ok=False, message=message))
        raise DeliveriesRefused(report) from None
    keys = {c: HEADERS.get(c.strip().lower(), HEADERS.get(c.strip(), "")) for c in columns}
    missing = {"document", "received_on"} - set(keys.values())
    if missing:
        message = _("the file needs the columns %(cols)s; it has %(has)s") % {
            "cols": ", ".join(sorted(missing)),
            "has": ", ".join(columns),
        }
        report.rows.append(DeliveryRow(0, "", "", ok=False, message=message))
        raise DeliveriesRefused(report)
    seen: dict[tuple[str, int], int] = {}
    planned: list[tuple[str, Any, dt.date]] = []
    for n, raw in enumerate(rows, start=2):
        given = {keys[c]: v for c, v in raw.items() if keys.get(c)}
        values = {k: str(v if v is not None else "").strip() for k, v in given.items()}
        row = DeliveryRow(n, values.get("document", ""), values.get("received_on", ""))
        report.rows.append(row)
        try:
            kind, target = _find(municipality, row.document, values.get("form", ""))
            row.target = (
                notice_name(target) if isinstance(target, Notice) else reminder_name(target)
            )
            key = (kind, target.pk)
            if key in seen:
                raise NakhonError(_("the same document as row %(row)s") % {"row": seen[key]})
            seen[key] = n
            if not row.received_on:
                raise NakhonError(_("received_on: empty"))
            when = given.get("received_on")  # a spreadsheet's date cell is a date already
            if isinstance(when, dt.datetime):
                when = when.date()
            day = _day(when if isinstance(when, dt.date) else row.received_on, row.target)
            assert day is not None
            earliest = notice_issued_on(target) if isinstance(target, Notice) else target.sent_on
            _check(day, earliest, row.target)
            planned.append((kind, target, day))
        except NakhonError as exc:
            row.ok = False
            row.message = exc.message
    if not report.rows:
        report.rows.append(DeliveryRow(0, "", "", ok=False, message=_("the file has no rows")))
    if not report.ok:
        raise DeliveriesRefused(report)
    if dry_run:
        return report
    with transaction.atomic():
        for kind, target, day in planned:
            if kind == "notice":
                notice_receive(
                    actor=actor, municipality=municipality, notice=target, received_on=day
                )
            else:
                reminder_receive(
                    actor=actor, municipality=municipality, reminder=target, received_on=day
                )
        audit_record(
            actor=actor,
            action="tax.deliveries.import",
            municipality=municipality,
            object_type="tax.notice",
            object_id="batch",
            object_repr=report.file,
            changes={"rows": len(planned)},
        )
    report.saved = True
    return report
