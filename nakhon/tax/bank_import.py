"""Import of a bank statement of tax payments (issue #6): all or nothing, a report per row.

Layout (CSV, UTF-8 or CP874, comma/semicolon/tab): ``ref1`` (our payment reference,
``L2568…``/``S2568…``), ``ref2`` (the taxpayer's register number as the QR carries it,
optional), ``amount`` (baht), ``paid_on`` (B.E. date), ``transaction_id`` (the bank's, optional,
refused when already recorded). Thai headers are accepted too (``HEADERS``).
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import require
from nakhon.tax.models import Payment
from nakhon.tax.payments import (
    PaymentRefused,
    parse_amount,
    parse_be,
    payment_find,
    payment_record,
)

# --- bank statement import ---------------------------------------------------------------------

HEADERS = {
    "ref1": "ref1",
    "reference1": "ref1",
    "reference 1": "ref1",
    "เลขที่อ้างอิง 1": "ref1",
    "ref2": "ref2",
    "reference2": "ref2",
    "reference 2": "ref2",
    "เลขที่อ้างอิง 2": "ref2",
    "amount": "amount",
    "จำนวนเงิน": "amount",
    "paid_on": "paid_on",
    "date": "paid_on",
    "วันที่ชำระ": "paid_on",
    "วันที่": "paid_on",
    "transaction_id": "transaction_id",
    "เลขที่รายการ": "transaction_id",
}
REQUIRED = ("ref1", "amount", "paid_on")


@dataclass
class ImportRow:
    row: int
    ref1: str
    amount: str
    paid_on: str
    ok: bool = True
    message: str = ""
    receipt_number: str = ""
    payment: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "ref1": self.ref1,
            "amount": self.amount,
            "paid_on": self.paid_on,
            "ok": self.ok,
            "message": self.message,
            "receipt_number": self.receipt_number,
            "payment": self.payment,
        }


@dataclass
class ImportReport:
    rows: list[ImportRow]
    saved: bool
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def problems(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def total_baht(self) -> Decimal:
        total = Decimal(0)
        for r in self.rows:
            with contextlib.suppress(InvalidOperation):
                total += Decimal(r.amount.replace(",", ""))
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "saved": self.saved,
            "dry_run": self.dry_run,
            "rows": [r.as_dict() for r in self.rows],
            "total_baht": str(self.total_baht),
        }


class ImportRefused(InvalidInput):
    """A bank statement with a refused row: nothing was saved."""

    code = "import-refused"

    def __init__(self, report: ImportReport) -> None:
        problems = report.problems
        message = _("%(count)s row(s) refused; nothing was saved: ") % {
            "count": len(problems)
        } + "; ".join(f"row {r.row}: {r.message}" for r in problems[:10])
        super().__init__(message)
        self.report = report


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The file is neither UTF-8 nor CP874 text."))


def payments_import(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes,
    channel: str = Payment.Channel.BANK_IMPORT,
    dry_run: bool = False,
) -> ImportReport:
    """Import a bank statement (CSV: ``ref1``, ``ref2``, ``amount``, ``paid_on`` in B.E.,
    optional ``transaction_id``; docs/tax.md). All or nothing: every row is recorded as a
    payment in one transaction; one refused row and nothing is saved (``ImportRefused`` with
    the per-row report)."""
    require(actor, "tax.collect", municipality)
    text = _decode(data)
    sample = text[:2000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if header is None:
        raise InvalidInput(_("The file is empty."))
    columns = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), "")) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput(
            _("Columns missing: %(columns)s (expected ref1, ref2, amount, paid_on).")
            % {"columns": ", ".join(missing)}
        )
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            record = {
                c: (values[i].strip() if i < len(values) else "")
                for i, c in enumerate(columns)
                if c
            }
            row = ImportRow(number, record["ref1"], record["amount"], record["paid_on"])
            rows.append(row)
            txn = record.get("transaction_id", "")
            try:
                if txn and txn in seen:
                    raise PaymentRefused(
                        _("transaction %(ref)s is also on row %(row)s of the file.")
                        % {"ref": txn, "row": seen[txn]}
                    )
                if txn:
                    seen[txn] = number
                assessment = payment_find(municipality=municipality, reference=record["ref1"])
                ref2 = record.get("ref2", "")
                if ref2 and ref2.upper() != "".join(
                    ch for ch in assessment.taxpayer.code.upper() if ch.isalnum()
                ):
                    raise PaymentRefused(
                        _("Ref. 2 %(ref2)s is not the taxpayer of %(ref1)s.")
                        % {"ref2": ref2, "ref1": record["ref1"]}
                    )
                with transaction.atomic():
                    payment = payment_record(
                        actor=actor,
                        municipality=municipality,
                        assessment=assessment,
                        amount_baht=parse_amount(record["amount"]),
                        paid_on=parse_be(record["paid_on"]),
                        channel=channel,
                        bank_reference=txn,
                    )
                row.receipt_number = payment.receipt_number
                row.payment = payment.pk
            except InvalidInput as exc:
                row.ok = False
                row.message = exc.message
        report = ImportReport(rows, saved=False, dry_run=dry_run)
        if not rows:
            transaction.set_rollback(True)
            raise InvalidInput(_("The file has no payment rows."))
        if not report.ok or dry_run:
            transaction.set_rollback(True)
            for r in rows:
                r.payment = None
                if dry_run:
                    r.receipt_number = ""
        else:
            report.saved = True
    if not report.ok:
        raise ImportRefused(report)
    if report.saved:
        audit_record(
            actor=actor,
            action="tax.payment.import",
            municipality=municipality,
            object_type="tax.payment",
            object_id="import",
            object_repr=f"{len(rows)} payments",
            changes={"rows": len(rows), "total_baht": str(report.total_baht)},
        )
    return report
