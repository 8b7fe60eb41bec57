"""Arrears, reminders, legal follow-up, and collection reports (issue #6).

**Arrears** on a date: every issued assessment with a part of its tax due before that date and
still unpaid, with the late charges accrued (``nakhon.tax.payments``), aged by days past the
earliest unpaid due date (buckets ``1-90``, ``91-180``, ``181-365``, ``365+`` days), summed by
tax year, by tambon (the taxpayer's) and by bucket — totals without personal data, which
executives may read — and listed by taxpayer for the tax office; the taxpayers' names on that
list only with ``personal_data.view``, and that read is audited (``selectors.taxpayer_names``),
otherwise their register numbers only.

**Reminders**: a warning notice (หนังสือแจ้งเตือน) for each assessment in arrears that has none
yet; its date matters: the land and building tax penalty is 10 % before it is received, 20 %
when paid within its deadline, 40 % after (Act §68, in the rule files). **Legal follow-up**:
arrears whose warning notice's deadline has passed: where the Acts' enforcement (seizure,
attachment and sale of property) starts — the section numbers are not verified here.

**Collection reports** per Thai fiscal year (1 October – 30 September, named by the B.E. year
it ends in): per month and tax, the tax and the charges collected (payments not reversed, by
payment date), against the target the tax office sets per fiscal year and tax.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import can, require, user_of
from nakhon.tax.models import (
    Assessment,
    CollectionTarget,
    Payment,
    Reminder,
    TaxKind,
)
from nakhon.tax.payments import accounts_for
from nakhon.tax.reports_upward import ELAAS_REVENUE_CODES
from nakhon.tax.selectors import taxpayer_names

BUCKETS = ("1-90", "91-180", "181-365", "365+")
KINDS = (TaxKind.LAND_BUILDING.value, TaxKind.SIGNBOARD.value)
ZERO = Decimal("0.00")


def bucket_of(days: int) -> str:
    """The ageing bucket of an amount ``days`` past its due date (≥ 1)."""
    if days <= 90:
        return "1-90"
    if days <= 180:
        return "91-180"
    if days <= 365:
        return "181-365"
    return "365+"


@dataclass
class ArrearsRow:
    assessment_id: int
    taxpayer_id: int
    taxpayer_code: str
    taxpayer_name: str  # "" unless names may be shown (``selectors.taxpayer_names``)
    tambon_code: str
    tambon_name: str
    kind: str
    tax_year: int
    payment_reference: str
    due_on: dt.date
    days: int
    bucket: str
    tax_baht: Decimal
    unpaid_baht: Decimal
    charges_baht: Decimal
    warning_on: dt.date | None
    warning_due_on: dt.date | None

    @property
    def balance_baht(self) -> Decimal:
        return self.unpaid_baht + self.charges_baht

    @property
    def kind_label(self) -> str:
        return str(TaxKind(self.kind).label)

    @property
    def legal(self) -> bool:
        """Unpaid after the deadline of its warning notice: a case for legal follow-up."""
        return self.warning_due_on is not None and self.warning_due_on < self.as_of

    as_of: dt.date = dt.date.min

    def as_dict(self, personal: bool = True) -> dict[str, Any]:
        row = {
            "assessment": self.assessment_id,
            "taxpayer": self.taxpayer_code,
            "name": self.taxpayer_name if personal else "",
            "tambon": self.tambon_name or self.tambon_code,
            "kind": self.kind,
            "tax_year": self.tax_year,
            "payment_reference": self.payment_reference,
            "due_on": self.due_on.isoformat(),
            "days_overdue": self.days,
            "bucket": self.bucket,
            "tax_baht": str(self.tax_baht),
            "unpaid_baht": str(self.unpaid_baht),
            "charges_baht": str(self.charges_baht),
            "balance_baht": str(self.balance_baht),
            "warning_on": self.warning_on.isoformat() if self.warning_on else "",
            "warning_due_on": self.warning_due_on.isoformat() if self.warning_due_on else "",
            "legal_follow_up": self.legal,
        }
        if not personal:
            row.pop("name")
        return row


def _rows(
    municipality: Municipality, as_of: dt.date, kind: str = "", names: bool = False
) -> list[ArrearsRow]:
    issued = Assessment.objects.filter(
        municipality=municipality, status="issued", tax_baht__gt=0, due_on__lt=as_of
    ).select_related("taxpayer", "taxpayer__tambon", "municipality")
    if kind:
        issued = issued.filter(kind=kind)
    items = list(issued.order_by("tax_year", "kind", "taxpayer__code"))
    if not items:
        return []
    accounts = accounts_for(municipality, items, as_of)
    rows = []
    for a in items:
        account = accounts[a.pk]
        since = account.overdue_since
        if since is None or account.balance_baht <= 0:
            continue
        warning = account.warning
        tp = a.taxpayer
        days = (as_of - since).days
        rows.append(
            ArrearsRow(
                assessment_id=a.pk,
                taxpayer_id=tp.pk,
                taxpayer_code=tp.code,
                taxpayer_name=f"{tp.title}{tp.name}" if names else "",
                tambon_code=tp.tambon_id or "",
                tambon_name=tp.tambon.name_th if tp.tambon else "",
                kind=a.kind,
                tax_year=a.tax_year,
                payment_reference=a.payment_reference,
                due_on=since,
                days=days,
                bucket=bucket_of(days),
                tax_baht=a.tax_baht,
                unpaid_baht=account.unpaid_baht,
                charges_baht=account.charges_baht,
                warning_on=warning.sent_on if warning else None,
                warning_due_on=warning.respond_by if warning else None,
                as_of=as_of,
            )
        )
    return rows


@dataclass
class Arrears:
    as_of: dt.date
    rows: list[ArrearsRow]
    personal: bool  # rows by taxpayer are included (the tax office: tax_assessment.view)
    names: bool = False  # and the taxpayers' names (personal_data.view, audited)

    def _sum(self, key: Any) -> list[dict[str, Any]]:
        groups: dict[Any, dict[str, Any]] = {}
        for r in self.rows:
            k = key(r)
            g = groups.setdefault(
                k, {"count": 0, "unpaid_baht": ZERO, "charges_baht": ZERO, "balance_baht": ZERO}
            )
            g["count"] += 1
            g["unpaid_baht"] += r.unpaid_baht
            g["charges_baht"] += r.charges_baht
            g["balance_baht"] += r.balance_baht
        return [{"key": k, **v} for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))]

    @property
    def by_year(self) -> list[dict[str, Any]]:
        return self._sum(lambda r: (r.tax_year, r.kind))

    @property
    def by_year_labelled(self) -> list[dict[str, Any]]:
        """``by_year`` with each tax's name (for pages)."""
        return [{**g, "kind_label": TaxKind(g["key"][1]).label} for g in self.by_year]

    @property
    def by_tambon(self) -> list[dict[str, Any]]:
        return self._sum(lambda r: r.tambon_name or r.tambon_code or "-")

    @property
    def by_bucket(self) -> list[dict[str, Any]]:
        found = {g["key"]: g for g in self._sum(lambda r: r.bucket)}
        empty = {"count": 0, "unpaid_baht": ZERO, "charges_baht": ZERO, "balance_baht": ZERO}
        return [{"key": b, **{k: v for k, v in found.get(b, empty).items() if k != "key"}}
                for b in BUCKETS]  # fmt: skip

    @property
    def by_taxpayer(self) -> list[dict[str, Any]]:
        """Per taxpayer: the balance in each ageing bucket (tax office only)."""
        if not self.personal:
            return []
        people: dict[str, dict[str, Any]] = {}
        for r in self.rows:
            p = people.setdefault(
                r.taxpayer_code,
                {
                    "taxpayer": r.taxpayer_code,
                    "taxpayer_id": r.taxpayer_id,
                    **({"name": r.taxpayer_name} if self.names else {}),
                    "tambon": r.tambon_name,
                    "balance_baht": ZERO,
                    **{b: ZERO for b in BUCKETS},
                },
            )
            p[r.bucket] += r.balance_baht
            p["balance_baht"] += r.balance_baht
        for p in people.values():
            p["ages"] = [p[b] for b in BUCKETS]
        return sorted(people.values(), key=lambda p: -p["balance_baht"])

    @property
    def total_baht(self) -> Decimal:
        return sum((r.balance_baht for r in self.rows), ZERO)

    @property
    def legal(self) -> list[ArrearsRow]:
        return [r for r in self.rows if r.legal]

    @property
    def to_warn(self) -> list[ArrearsRow]:
        return [r for r in self.rows if r.warning_on is None]

    def as_dict(self) -> dict[str, Any]:
        def clean(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {k: (str(v) if isinstance(v, Decimal) else v) for k, v in g.items() if k != "ages"}
                for g in groups
            ]

        data: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "count": len(self.rows),
            "total_baht": str(self.total_baht),
            "by_year": [{**g, "key": f"{g['key'][1]} {g['key'][0]}"} for g in clean(self.by_year)],
            "by_tambon": clean(self.by_tambon),
            "by_bucket": clean(self.by_bucket),
        }
        if self.personal:
            data["by_taxpayer"] = clean(self.by_taxpayer)
            data["rows"] = [r.as_dict(personal=self.names) for r in self.rows]
            data["legal_follow_up"] = [r.assessment_id for r in self.legal]
        return data


def arrears_get(
    *,
    actor: Any,
    municipality: Municipality,
    as_of: dt.date | None = None,
    kind: str = "",
    names: bool = False,
) -> Arrears:
    """The arrears of the city on ``as_of`` (default today). Executives (``tax.view``) get the
    totals by year, tambon and age; the tax office (``tax_assessment.view``) also the rows by
    taxpayer and the legal follow-up list, identified by register number; the taxpayers' names
    only when ``names`` is asked for (the arrears page and its exports, the API) and the actor
    has ``personal_data.view`` — a read written to the audit log
    (``selectors.taxpayer_names``). Reports that use the figures only leave ``names`` off."""
    require(actor, "tax.view", municipality)
    personal = can(actor, "tax_assessment.view", municipality)
    day = as_of or timezone.localdate()
    kind = kind if kind in KINDS else ""
    shown = personal and names and can(actor, "personal_data.view", municipality)
    rows = _rows(municipality, day, kind, names=shown)
    if shown:
        taxpayer_names(
            actor=actor,
            municipality=municipality,
            what="arrears",
            taxpayers={r.taxpayer_id for r in rows},
            records=len(rows),
            details={"as_of": day.isoformat(), "kind": kind},
        )
    return Arrears(day, rows, personal, shown)


@transaction.atomic
def reminders_generate(
    *,
    actor: Any,
    municipality: Municipality,
    sent_on: dt.date | None = None,
    respond_days: int = 30,
    kind: str = "",
) -> list[Reminder]:
    """Write a warning notice for every assessment in arrears on ``sent_on`` that has none yet,
    with a deadline ``respond_days`` later (the office's practice; not a figure of the Acts).
    Returns the warning-notice list (to print and send)."""
    require(actor, "tax.collect", municipality)
    day = sent_on or timezone.localdate()
    if not 1 <= respond_days <= 365:
        raise InvalidInput(_("The deadline must be 1-365 days after the warning notice."))
    rows = [
        r for r in _rows(municipality, day, kind if kind in KINDS else "") if r.warning_on is None
    ]
    made = Reminder.objects.bulk_create(
        [
            Reminder(
                municipality=municipality,
                assessment_id=r.assessment_id,
                kind=Reminder.Kind.WARNING,
                sent_on=day,
                respond_by=day + dt.timedelta(days=respond_days),
                sent_by=user_of(actor),
            )
            for r in rows
        ]
    )
    audit_record(
        actor=actor,
        action="tax.reminder.generate",
        municipality=municipality,
        object_type="tax.reminder",
        object_id="batch",
        object_repr=f"{len(made)} warning notices",
        changes={"count": len(made), "sent_on": day.isoformat(), "respond_days": respond_days},
    )
    return made


@transaction.atomic
def reminder_send(
    *,
    actor: Any,
    municipality: Municipality,
    assessment: Assessment,
    sent_on: dt.date | None = None,
    respond_days: int = 30,
    kind: str = Reminder.Kind.WARNING,
) -> Reminder:
    """Record one reminder or warning notice about an issued assessment, with a deadline
    ``respond_days`` after it (the office's practice; not a figure of the Acts)."""
    require(actor, "tax.collect", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    day = sent_on or timezone.localdate()
    if not 1 <= respond_days <= 365:
        raise InvalidInput(_("The deadline must be 1-365 days after the warning notice."))
    if assessment.status != Assessment.Status.ISSUED or kind not in Reminder.Kind.values:
        raise InvalidInput(_("A warning notice is about an issued assessment."))
    reminder = Reminder.objects.create(
        municipality=municipality,
        assessment=assessment,
        kind=kind,
        sent_on=day,
        respond_by=day + dt.timedelta(days=respond_days),
        sent_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="tax.reminder.send",
        municipality=municipality,
        obj=reminder,
        changes={"assessment": assessment.pk, "kind": kind, "sent_on": day.isoformat()},
    )
    return reminder


# --- collection against target -----------------------------------------------------------------


@dataclass
class Collection:
    fiscal_year: int
    months: list[dict[str, Any]]  # one per month Oct..Sep: per kind tax/charges
    totals: dict[str, dict[str, Decimal]]  # kind → tax, charges, total, target, percent
    assessed: dict[str, dict[str, Any]]  # kind → notices, taxpayers, tax assessed (tax year)

    def as_dict(self) -> dict[str, Any]:
        def clean(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return str(value) if isinstance(value, Decimal) else value

        return clean(
            {
                "fiscal_year": self.fiscal_year,
                "months": self.months,
                "totals": self.totals,
                "assessed": self.assessed,
            }
        )


def _month_starts(fiscal_year: int) -> list[dt.date]:
    first, _last = thai.fiscal_year_range(fiscal_year)
    out = []
    for i in range(12):
        month = (first.month - 1 + i) % 12 + 1
        year = first.year + (first.month - 1 + i) // 12
        out.append(dt.date(year, month, 1))
    return out


def collection_report(*, actor: Any, municipality: Municipality, fiscal_year: int) -> Collection:
    """Collection by month of the fiscal year (B.E., Oct–Sep) and tax, against the target;
    with the tax assessed for the tax year of the same number. No personal data."""
    require(actor, "tax.view", municipality)
    try:
        first, last = thai.fiscal_year_range(fiscal_year)
    except (thai.ThaiValueError, TypeError):
        raise InvalidInput(
            _("Fiscal year %(year)s: give a B.E. year such as 2569.") % {"year": fiscal_year}
        ) from None
    sums: dict[tuple[int, int, str], dict[str, Decimal]] = {}
    for row in (
        Payment.objects.filter(
            municipality=municipality, reversed=False, paid_on__gte=first, paid_on__lte=last
        )
        .values("paid_on__year", "paid_on__month", "assessment__kind")
        .annotate(tax=Sum("principal_baht"), charges=Sum("charges_baht"))
    ):
        key = (row["paid_on__year"], row["paid_on__month"], row["assessment__kind"])
        sums[key] = {"tax": row["tax"] or ZERO, "charges": row["charges"] or ZERO}
    targets = dict(
        CollectionTarget.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year
        ).values_list("kind", "target_baht")
    )
    months = []
    totals: dict[str, dict[str, Decimal]] = {
        k: {"tax": ZERO, "charges": ZERO, "total": ZERO, "target": targets.get(k, ZERO)}
        for k in KINDS
    }
    for start in _month_starts(fiscal_year):
        month: dict[str, Any] = {
            "month": start.strftime("%Y-%m"),
            "label": f"{start.month:02d}/{thai.ce_to_be_year(start.year)}",
        }
        all_kinds = ZERO
        for k in KINDS:
            got = sums.get((start.year, start.month, k), {"tax": ZERO, "charges": ZERO})
            month[k] = {
                "tax": got["tax"],
                "charges": got["charges"],
                "total": got["tax"] + got["charges"],
            }
            totals[k]["tax"] += got["tax"]
            totals[k]["charges"] += got["charges"]
            totals[k]["total"] += got["tax"] + got["charges"]
            all_kinds += got["tax"] + got["charges"]
        month["total"] = all_kinds
        months.append(month)
    cumulative = ZERO
    for month in months:
        cumulative += month["total"]
        month["cumulative"] = cumulative
    for k in KINDS:
        target = totals[k]["target"]
        totals[k]["percent"] = (
            (totals[k]["total"] * 100 / target).quantize(Decimal("0.01")) if target else ZERO
        )
    assessed: dict[str, dict[str, Any]] = {}
    for k in KINDS:
        agg = Assessment.objects.filter(
            municipality=municipality, kind=k, tax_year=fiscal_year, status="issued", tax_baht__gt=0
        ).aggregate(total=Sum("tax_baht"))
        n = Assessment.objects.filter(
            municipality=municipality, kind=k, tax_year=fiscal_year, status="issued", tax_baht__gt=0
        ).count()
        assessed[k] = {"notices": n, "tax_baht": agg["total"] or ZERO}
    return Collection(fiscal_year, months, totals, assessed)


@transaction.atomic
def target_set(
    *, actor: Any, municipality: Municipality, fiscal_year: int, kind: str, target_baht: Decimal
) -> CollectionTarget:
    """Set the collection target of a fiscal year (B.E.) and tax (the tax office's)."""
    require(actor, "tax.collect", municipality)
    if kind not in KINDS:
        raise InvalidInput(_("Unknown tax: %(kind)s.") % {"kind": kind})
    if target_baht < 0:
        raise InvalidInput(_("A target is not negative."))
    thai.fiscal_year_range(fiscal_year)
    target, _created = CollectionTarget.objects.update_or_create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        kind=kind,
        defaults={"target_baht": target_baht},
    )
    audit_record(
        actor=actor,
        action="tax.target.set",
        municipality=municipality,
        obj=target,
        changes={"fiscal_year": fiscal_year, "kind": kind, "target_baht": str(target_baht)},
    )
    return target


# --- exports -----------------------------------------------------------------------------------

KIND_TH = {"land_building": "ภาษีที่ดินและสิ่งปลูกสร้าง", "signboard": "ภาษีป้าย"}


def _money(value: Any) -> Any:
    """Baht to the satang (sums of stored amounts can carry the database's extra digits)."""
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def upward_rows(report: Collection, arrears: Arrears) -> tuple[list[str], list[list[Any]]]:
    """The report sent upward: one row per tax for the fiscal year (see docs/tax.md for what
    layout it follows and what is approximated); the e-LAAS revenue code where one was found
    (``reports_upward.ELAAS_REVENUE_CODES``, with its source)."""
    header = [
        "ปีงบประมาณ",
        "ประเภทภาษี",
        "รหัสรายรับ (e-LAAS)",
        "ประมาณการรายรับ (บาท)",
        "จำนวนราย (แจ้งประเมิน)",
        "ภาษีที่ประเมิน (บาท)",
        "รับจริง: ค่าภาษี (บาท)",
        "รับจริง: เบี้ยปรับและเงินเพิ่ม (บาท)",
        "รับจริงรวม (บาท)",
        "ร้อยละของประมาณการ",
        "ลูกหนี้ค้างชำระ (ราย)",
        "ลูกหนี้ค้างชำระ (บาท)",
    ]
    rows = []
    for k in KINDS:
        t = report.totals[k]
        owed = [r for r in arrears.rows if r.kind == k]
        rows.append(
            [
                report.fiscal_year,
                KIND_TH[k],
                ELAAS_REVENUE_CODES.get(k, ""),
                _money(t["target"]),
                report.assessed[k]["notices"],
                _money(report.assessed[k]["tax_baht"]),
                _money(t["tax"]),
                _money(t["charges"]),
                _money(t["total"]),
                t["percent"],
                len(owed),
                _money(sum((r.balance_baht for r in owed), ZERO)),
            ]
        )
    return header, rows


def monthly_rows(report: Collection) -> tuple[list[str], list[list[Any]]]:
    header = ["เดือน", *[f"{KIND_TH[k]} (บาท)" for k in KINDS], "รวม (บาท)", "สะสม (บาท)"]
    rows = [
        [m["label"], *[m[k]["total"] for k in KINDS], m["total"], m["cumulative"]]
        for m in report.months
    ]
    return header, rows


def arrears_rows(arrears: Arrears) -> tuple[list[str], list[list[Any]]]:
    if arrears.personal:
        named = arrears.names
        header = [
            "taxpayer", *(["name"] if named else []), "tambon", "tax", "tax_year",
            "payment_reference", "due_on", "days_overdue", "bucket", "unpaid_baht",
            "charges_baht", "balance_baht", "warning_on", "warning_due_on", "legal_follow_up",
        ]  # fmt: skip
        rows = [
            [
                r.taxpayer_code,
                *([r.taxpayer_name] if named else []),
                r.tambon_name,
                r.kind,
                r.tax_year,
                r.payment_reference,
                r.due_on,
                r.days,
                r.bucket,
                r.unpaid_baht,
                r.charges_baht,
                r.balance_baht,
                r.warning_on or "",
                r.warning_due_on or "",
                r.legal,
            ]
            for r in arrears.rows
        ]
        return header, rows
    header = ["group", "key", "count", "unpaid_baht", "charges_baht", "balance_baht"]
    rows = []
    for name, groups in (
        ("tax_year", arrears.by_year),
        ("tambon", arrears.by_tambon),
        ("age_days", arrears.by_bucket),
    ):
        for g in groups:
            key = f"{g['key'][1]} {g['key'][0]}" if name == "tax_year" else g["key"]
            rows.append(
                [name, key, g["count"], g["unpaid_baht"], g["charges_baht"], g["balance_baht"]]
            )
    return header, rows


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM as Thai


def to_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
