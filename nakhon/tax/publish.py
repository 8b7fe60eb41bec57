"""Open figures of local revenue (issue #6): aggregated, never personal tables of the tax data,
published as public datasets of the city's catalog through the same path as every dataset
(a CSV file → ``nakhon.ingestion.pipeline.ingest`` → one Iceberg snapshot → a catalog version).

Three datasets, owned by the finance department (``FINANCE_DEPARTMENT``):

``tax-collection-monthly``
    Per Thai fiscal year (B.E., 1 October – 30 September), month and tax: the tax and the
    penalty and surcharge collected (payments not reversed, by payment date), the annual
    collection target and the month's share of it — the figures of the reports page
    (``arrears.collection_report``), with the number of taxpayers who paid. Every fiscal year
    from the first with a payment or target up to ``fiscal_year``; months not yet begun are left
    out.
``tax-assessed-by-category``
    Per tax year (B.E.): the land and building tax by the use categories of the Land and
    Building Tax Act B.E. 2562 §37 and the signboard tax by sign type (1-3) and movement —
    taxpayers, items, appraised value, tax assessed, collected up to the day of publishing and
    outstanding (``reports_upward.category_report``). Every tax year from the first with an
    issued assessment up to ``tax_year``.
``tax-arrears-by-tambon``
    Arrears on the day of publishing by the taxpayer's tambon and age band (1-90, 91-180,
    181-365, over 365 days past due): taxpayers, assessments, unpaid tax, penalty and surcharge
    (``arrears.arrears_get``).

**Never personal.** No column names, identifies or locates a taxpayer (no names, ID numbers,
addresses, parcel, deed or sign numbers, payment references). A cell that counts fewer than
``N`` taxpayers (setting ``NAKHON_TAX_PUBLISH_MIN_COUNT``, 3 by default) would let a neighbour
recognise the few people in it, so it is not shown as it is (``protect``): the small cells of a
group (a tax year and tax; the whole arrears table) are merged into one row "combined"; while
that row is still small the smallest other cell joins it, because the group's total is known
from another table and a small cell left alone would come back by subtraction. Months are not
merged across the year but joined with the next ones (``periods``: a row may span months). Only
when a whole group counts fewer than ``N`` taxpayers are its figures left blank
(``suppressed`` true). Limits (docs/tax.md, "Open figures"): the rule protects each version;
comparing successive versions shows how much a cell grew between them; a cell dominated by one
large taxpayer is not detected.

**Versions.** The CSV of each table is fingerprinted (SHA-256 of its schema and content) and
the fingerprint is the source name of the version; a publish whose fingerprint equals that of
the dataset's latest version makes no new version. Every run is audited
(``tax.figures.publish``: who, when, what was published or found unchanged), and each new
version is audited by the catalog like any publish (``dataset.publish``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog.models import Dataset, DatasetVersion
from nakhon.core import thai
from nakhon.core.audit import audit_record
from nakhon.core.permissions import can, require
from nakhon.tax import arrears, reports_upward
from nakhon.tax.models import Assessment, CollectionTarget, Payment, TaxKind

FINANCE_DEPARTMENT = "finance"
ZERO = Decimal("0.00")
TAX_TH = arrears.KIND_TH
BAND_TH = {
    "1-90": "ค้างชำระ 1-90 วัน",
    "91-180": "ค้างชำระ 91-180 วัน",
    "181-365": "ค้างชำระ 181-365 วัน",
    "365+": "ค้างชำระเกิน 365 วัน",
    "combined": "หลายช่วงอายุหนี้รวมกัน",
}
COMBINED = "combined"
SLUGS = ("tax-collection-monthly", "tax-assessed-by-category", "tax-arrears-by-tambon")


def min_count() -> int:
    """The smallest number of taxpayers a published cell may count (at least 1)."""
    return max(int(getattr(settings, "NAKHON_TAX_PUBLISH_MIN_COUNT", 3)), 1)


def can_publish(actor: Any, municipality: Municipality) -> bool:
    """Whether ``actor`` may publish the open figures: read the tax figures (``tax.view``) and
    publish datasets (``dataset.ingest``) — an administrator, or a tax officer who is also a
    data steward of the city."""
    return can(actor, "tax.view", municipality) and can(actor, "dataset.ingest", municipality)


# --- small cells (pure) -----------------------------------------------------------------------


@dataclass
class Cell:
    """One row of a published table before it is written: its dimension values, the distinct
    taxpayers it counts, and its figures (summed when cells merge)."""

    key: tuple[Any, ...]
    members: set[int]
    figures: dict[str, Any]
    suppressed: bool = False

    @property
    def count(self) -> int:
        return len(self.members)


def _merge(cells: list[Cell], key: tuple[Any, ...]) -> Cell:
    return Cell(
        key,
        set().union(*(c.members for c in cells)),
        {k: sum((c.figures[k] for c in cells), type(v)()) for k, v in cells[0].figures.items()},
    )


def protect(
    cells: list[Cell], *, minimum: int, combine: Callable[[list[Cell]], tuple[Any, ...]]
) -> list[Cell]:
    """The cells of one group with the small-cell rule applied. Cells counting 1 to
    ``minimum - 1`` taxpayers are merged into one cell keyed ``combine(merged cells)`` (its
    taxpayers the union, its figures the sums). While that cell is still small, the smallest
    other cell joins it (secondary suppression: the group's total may be known from another
    table, so a small cell must not be left alone to be found by subtraction). Only when the
    whole group is small is the merged cell suppressed. Cells of no taxpayer (zero rows) are
    not small: they identify nobody."""
    small = [c for c in cells if 0 < c.count < minimum]
    if not small:
        return cells
    rest = sorted((c for c in cells if c.count >= minimum), key=lambda c: c.count)
    merged = _merge(small, ())
    while merged.count < minimum and rest:
        small.append(rest.pop(0))
        merged = _merge(small, ())
    merged.key = combine(small)
    merged.suppressed = merged.count < minimum
    return [c for c in cells if c not in small] + [merged]


def _keyed(key: tuple[Any, ...]) -> Callable[[list[Cell]], tuple[Any, ...]]:
    """A ``combine`` for ``protect`` that always names the merged cell ``key``."""
    return lambda _merged: key


def periods(months: list[Cell], *, minimum: int) -> list[list[Cell]]:
    """Consecutive months grouped so that every group with payments counts at least
    ``minimum`` taxpayers: a small month is joined by the months after it (and, at the end of
    the run, by those before it). A month of no payment stays alone. Only when all the months
    together are small is a group left small (its figures are then withheld)."""
    out: list[list[Cell]] = []
    pending: list[Cell] = []
    for month in months:
        pending.append(month)
        count = len(set().union(*(c.members for c in pending)))
        if count == 0 or count >= minimum:
            out.append(pending)
            pending = []
    while pending:
        count = len(set().union(*(c.members for c in pending)))
        if count >= minimum or not out:
            out.append(pending)
            break
        pending = out.pop() + pending
    return out


# --- the tables -------------------------------------------------------------------------------


@dataclass
class Table:
    """A table to publish: the dataset's slug, catalog metadata, schema and rows."""

    slug: str
    metadata: dict[str, Any]
    schema: dict[str, Any]
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        names = [c["name"] for c in self.schema["columns"]]
        at = names.index("suppressed")
        return sum(1 for row in self.rows if row[at])

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c["name"] for c in self.schema["columns"]])
        for row in self.rows:
            writer.writerow([_cell_text(v) for v in row])
        return out.getvalue().encode("utf-8")

    def fingerprint(self) -> str:
        schema = json.dumps(self.schema, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(schema + b"\n" + self.to_csv()).hexdigest()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _col(name: str, kind: str, th: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label_th": th, "label_en": en, **extra}


_SUPPRESSED = _col(
    "suppressed",
    "boolean",
    "ปกปิดตัวเลข (ผู้เสียภาษีน้อยกว่าเกณฑ์)",
    "Figures withheld (fewer taxpayers than the threshold)",
    required=True,
)


def _metadata(
    municipality: Municipality,
    *,
    title_th: str,
    title_en: str,
    what_th: str,
    what_en: str,
    years: tuple[int, int],
    disaggregate: list[str],
    minimum: int,
) -> dict[str, Any]:
    rule_th = (
        "ไม่มีข้อมูลส่วนบุคคล: ไม่มีชื่อ เลขประจำตัว ที่อยู่ เลขโฉนดหรือเลขแปลงของผู้ใด "
        f"ช่องที่นับผู้เสียภาษีน้อยกว่า {minimum} ราย (ค่าตั้ง NAKHON_TAX_PUBLISH_MIN_COUNT) "
        "จะถูกรวมเป็นแถว “combined” ของกลุ่ม หากยังน้อยกว่าเกณฑ์ จะรวมช่องที่เล็กที่สุดถัดไปเข้าด้วย "
        "เพื่อไม่ให้หักยอดรวมย้อนหาตัวเลขได้ เดือนที่มีผู้ชำระน้อยจะรวมกับเดือนถัดไปเป็นช่วงเดือน "
        "เฉพาะเมื่อทั้งกลุ่มมีผู้เสียภาษีน้อยกว่าเกณฑ์ ตัวเลขจะเว้นว่างและคอลัมน์ suppressed เป็นจริง"
    )
    rule_en = (
        "No personal data: no name, ID number, address, deed or parcel number of anyone. Cells "
        f"counting fewer than {minimum} taxpayers (setting NAKHON_TAX_PUBLISH_MIN_COUNT) are "
        "merged into the group's 'combined' row; while that row is still below the threshold "
        "the smallest other cell joins it, so that no small cell comes back by subtraction from "
        "a total. A month of few payers is joined with the next months (a row may span months). "
        "Only when a whole group is below the threshold are its figures left blank and "
        "'suppressed' true."
    )
    return {
        "title_th": f"{title_th} {municipality.name_th}",
        "title_en": f"{title_en}, {municipality.name_en or municipality.slug}",
        "description_th": f"{what_th} เผยแพร่จากระบบภาษีท้องถิ่นของ Nakhon\n\n{rule_th}",
        "description_en": f"{what_en} Published by Nakhon's local revenue system.\n\n{rule_en}",
        "department": FINANCE_DEPARTMENT,
        "data_type": "statistical",
        "classification": "public",
        "license": "cc-by-4.0",
        "geo_coverage": "municipality",
        "objective": ["public-service"],
        "data_language": ["th"],
        "data_format": ["csv"],
        "update_frequency_unit": "month",
        "update_frequency_interval": 1,
        "first_year_be": years[0],
        "last_year_be": years[1],
        "unit_of_measure": "บาท",
        "unit_multiplier": "1",
        "disaggregate": disaggregate,
        "data_source": f"ทะเบียนภาษี การประเมินและการรับชำระภาษีของ{municipality.name_th}",
        "calculation_method": rule_th,
        "tags": "ภาษีท้องถิ่น, รายได้, การคลัง",
    }


def _collection(
    actor: Any, municipality: Municipality, fiscal_year: int, today: dt.date, minimum: int
) -> Table:
    first = fiscal_year
    paid_first = Payment.objects.filter(municipality=municipality).aggregate(d=Min("paid_on"))["d"]
    if paid_first is not None:
        first = min(first, thai.fiscal_year(paid_first))
    target_first = CollectionTarget.objects.filter(municipality=municipality).aggregate(
        y=Min("fiscal_year")
    )["y"]
    if target_first is not None:
        first = min(first, target_first)
    rows: list[list[Any]] = []
    for fy in range(first, fiscal_year + 1):
        report = arrears.collection_report(actor=actor, municipality=municipality, fiscal_year=fy)
        start, end = thai.fiscal_year_range(fy)
        payers: dict[tuple[int, int, str], set[int]] = {}
        for year, month, kind, taxpayer in Payment.objects.filter(
            municipality=municipality, reversed=False, paid_on__gte=start, paid_on__lte=end
        ).values_list(
            "paid_on__year", "paid_on__month", "assessment__kind", "assessment__taxpayer"
        ):
            payers.setdefault((year, month, kind), set()).add(taxpayer)
        for kind in arrears.KINDS:
            target = report.totals[kind]["target"]
            cells = []
            for month in report.months:
                first_day = dt.date.fromisoformat(month["month"] + "-01")
                if first_day > today:
                    continue
                got = month[kind]
                cells.append(
                    Cell(
                        (fy, first_day, kind),
                        payers.get((first_day.year, first_day.month, kind), set()),
                        {"tax": got["tax"], "charges": got["charges"], "total": got["total"]},
                    )
                )
            for group in periods(cells, minimum=minimum):
                c = _merge(group, group[0].key)
                shown = c.count >= minimum or c.count == 0
                fy_, first_day, kind_ = c.key
                label = f"{first_day.month:02d}/{thai.ce_to_be_year(first_day.year)}"
                if len(group) > 1:
                    last_day = group[-1].key[1]
                    label += f"–{last_day.month:02d}/{thai.ce_to_be_year(last_day.year)}"
                total = c.figures["total"]
                rows.append(
                    [
                        fy_,
                        first_day,
                        len(group),
                        label,
                        kind_,
                        TAX_TH[kind_],
                        c.count if shown else None,
                        c.figures["tax"] if shown else None,
                        c.figures["charges"] if shown else None,
                        total if shown else None,
                        target,
                        (total * 100 / target).quantize(Decimal("0.01"))
                        if shown and target
                        else None,
                        not shown,
                    ]
                )
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    schema = {
        "columns": [
            _col("fiscal_year", "integer", "ปีงบประมาณ (พ.ศ.)", "Fiscal year (B.E.)", required=True),
            _col("month", "date", "เดือนแรกของช่วง (วันที่ 1)", "First month of the period "
                 "(its first day)", required=True, date_era="ce"),
            _col("months", "integer", "จำนวนเดือนในช่วง", "Months in the period", required=True),
            _col("months_be", "string", "เดือน/ปี พ.ศ. (ช่วง)", "Month(s)/year (B.E.)",
                 required=True),
            _col("tax", "string", "รหัสภาษี", "Tax (code)", required=True,
                 enum=list(arrears.KINDS)),
            _col("tax_th", "string", "ประเภทภาษี", "Tax", required=True),
            _col("taxpayers_paid", "integer", "จำนวนผู้ชำระ (ราย)", "Taxpayers who paid"),
            _col("tax_collected_baht", "baht", "ค่าภาษีที่รับชำระ (บาท)", "Tax collected (baht)"),
            _col("charges_collected_baht", "baht", "เบี้ยปรับและเงินเพิ่มที่รับชำระ (บาท)",
                 "Penalty and surcharge collected (baht)"),
            _col("total_collected_baht", "baht", "รับชำระรวม (บาท)", "Total collected (baht)"),
            _col("target_baht", "baht", "ประมาณการรายรับทั้งปี (บาท)",
                 "Collection target of the fiscal year (baht)"),
            _col("percent_of_target", "decimal", "ร้อยละของประมาณการทั้งปี (ของช่วง)",
                 "Percent of the year's target (collected in the period)", scale=2),
            _SUPPRESSED,
        ],
        "primary_key": ["fiscal_year", "month", "tax"],
    }  # fmt: skip
    metadata = _metadata(
        municipality,
        title_th="ผลการจัดเก็บภาษีท้องถิ่นรายเดือนเทียบประมาณการ",
        title_en="Local tax collected by month against the target",
        what_th="ภาษีที่ดินและสิ่งปลูกสร้างและภาษีป้ายที่รับชำระ (ค่าภาษี เบี้ยปรับและเงินเพิ่ม) "
        "รายเดือนตามปีงบประมาณ (1 ต.ค. – 30 ก.ย.) ตามวันที่รับชำระ ไม่รวมรายการที่ยกเลิก "
        "เทียบกับประมาณการรายรับทั้งปี",
        what_en="The land and building tax and the signboard tax collected (tax, penalty and "
        "surcharge) by month of the Thai fiscal year (1 October - 30 September), by payment "
        "date, reversed payments excluded, against the year's collection target.",
        years=(first, fiscal_year),
        disaggregate=["other"],
        minimum=minimum,
    )
    return Table(SLUGS[0], metadata, schema, rows)


def _categories(
    actor: Any, municipality: Municipality, tax_year: int, today: dt.date, minimum: int
) -> Table:
    first = Assessment.objects.filter(municipality=municipality, status="issued").aggregate(
        y=Min("tax_year")
    )["y"]
    first = min(first, tax_year) if first is not None else tax_year
    rows: list[list[Any]] = []
    lb, sb = TaxKind.LAND_BUILDING.value, TaxKind.SIGNBOARD.value
    combined_th = f"รวมหลายประเภท (ปกปิดประเภทที่มีผู้เสียภาษีน้อยกว่า {minimum} ราย)"
    for year in range(first, tax_year + 1):
        report = reports_upward.category_report(
            actor=actor, municipality=municipality, tax_year=year, as_of=today
        )
        for kind, source in ((lb, report.land_categories), (sb, report.signs)):
            cells = [
                Cell(
                    (year, kind, r.key, r.label),
                    set(r.taxpayers),
                    {
                        "items": r.parcels + r.buildings + r.units if kind == lb else r.signs,
                        "appraised": r.appraised_baht,
                        "tax": r.tax_baht,
                        "paid": r.paid_baht,
                    },
                )
                for r in source
            ]
            combine = _keyed((year, kind, COMBINED, combined_th))
            for c in protect(cells, minimum=minimum, combine=combine):
                year_, kind_, key, label = c.key
                shown = not c.suppressed
                f = c.figures
                rows.append(
                    [
                        year_,
                        kind_,
                        TAX_TH[kind_],
                        key,
                        label,
                        c.count if shown else None,
                        f["items"] if shown else None,
                        (f["appraised"] if kind_ == lb else None) if shown else None,
                        f["tax"] if shown else None,
                        f["paid"] if shown else None,
                        f["tax"] - f["paid"] if shown else None,
                        c.suppressed,
                    ]
                )
    schema = {
        "columns": [
            _col("tax_year", "integer", "ปีภาษี (พ.ศ.)", "Tax year (B.E.)", required=True),
            _col("tax", "string", "รหัสภาษี", "Tax (code)", required=True,
                 enum=list(arrears.KINDS)),
            _col("tax_th", "string", "ประเภทภาษี", "Tax", required=True),
            _col("category", "string", "รหัสประเภท", "Category (code)", required=True),
            _col("category_th", "string",
                 "ประเภทการใช้ประโยชน์ (มาตรา 37) หรือประเภทป้าย",
                 "Use category (Act §37) or sign type", required=True),
            _col("taxpayers", "integer", "จำนวนราย (ผู้เสียภาษี)", "Taxpayers"),
            _col("item_count", "integer", "จำนวนรายการ (แปลง สิ่งปลูกสร้าง ห้องชุด หรือป้าย)",
                 "Items (parcels, buildings and units by use; or signs)"),
            _col("appraised_baht", "baht", "ราคาประเมินทุนทรัพย์ (บาท)",
                 "Appraised value (baht; land and building tax)"),
            _col("tax_assessed_baht", "baht", "ภาษีที่ประเมิน (บาท)", "Tax assessed (baht)"),
            _col("tax_collected_baht", "baht", "ภาษีที่ชำระแล้ว (บาท)",
                 "Tax collected to the day of publishing (baht)"),
            _col("tax_outstanding_baht", "baht", "ภาษีค้างชำระ (บาท)", "Tax outstanding (baht)"),
            _SUPPRESSED,
        ],
        "primary_key": ["tax_year", "tax", "category"],
    }  # fmt: skip
    metadata = _metadata(
        municipality,
        title_th="ภาษีที่ประเมิน รับชำระ และค้างชำระ จำแนกตามประเภทการใช้ประโยชน์และประเภทป้าย",
        title_en="Tax assessed, collected and outstanding by use category and sign type",
        what_th="ภาษีที่ดินและสิ่งปลูกสร้างตามประเภทการใช้ประโยชน์ (มาตรา 37 พ.ร.บ.ภาษีที่ดินและ"
        "สิ่งปลูกสร้าง พ.ศ. 2562) และภาษีป้ายตามประเภทป้าย (1-3, เคลื่อนที่หรือไม่) ของแต่ละปีภาษี: "
        "จากการประเมินที่แจ้งแล้ว รับชำระถึงวันที่เผยแพร่ การชำระของการประเมินที่มีหลายประเภท"
        "แบ่งตามสัดส่วนภาษี",
        what_en="The land and building tax by use category (Land and Building Tax Act B.E. 2562 "
        "§37) and the signboard tax by sign type (1-3, moving or not) per tax year: issued "
        "assessments, collected up to the day of publishing; a payment of an assessment with "
        "several uses or signs is shared in proportion to their tax.",
        years=(first, tax_year),
        disaggregate=["other"],
        minimum=minimum,
    )
    return Table(SLUGS[1], metadata, schema, rows)


def _arrears(actor: Any, municipality: Municipality, today: dt.date, minimum: int) -> Table:
    owed = arrears.arrears_get(actor=actor, municipality=municipality, as_of=today)
    found: dict[tuple[str, str, str], Cell] = {}
    for r in owed.rows:
        key = (r.tambon_code or "-", r.tambon_name or "ไม่ระบุตำบล", r.bucket)
        cell = found.setdefault(
            key, Cell(key, set(), {"assessments": 0, "unpaid": ZERO, "charges": ZERO})
        )
        cell.members.add(r.taxpayer_id)
        cell.figures["assessments"] += 1
        cell.figures["unpaid"] += r.unpaid_baht
        cell.figures["charges"] += r.charges_baht
    order = {b: i for i, b in enumerate(arrears.BUCKETS)}
    cells = sorted(found.values(), key=lambda c: (order[c.key[2]], c.key[0]))
    combined_th = f"รวมหลายตำบล (ปกปิดช่องที่มีผู้ค้างชำระน้อยกว่า {minimum} ราย)"
    rows: list[list[Any]] = []
    # one group, the whole table: its total is known from the category table
    for c in protect(
        cells,
        minimum=minimum,
        combine=lambda merged: (
            COMBINED,
            combined_th,
            merged[0].key[2] if len({m.key[2] for m in merged}) == 1 else COMBINED,
        ),
    ):
        code, name, band_ = c.key
        shown = not c.suppressed
        f = c.figures
        rows.append(
            [
                code,
                name,
                band_,
                BAND_TH[band_],
                c.count if shown else None,
                f["assessments"] if shown else None,
                f["unpaid"] if shown else None,
                f["charges"] if shown else None,
                f["unpaid"] + f["charges"] if shown else None,
                c.suppressed,
            ]
        )
    year = thai.ce_to_be_year(today.year)
    schema = {
        "columns": [
            _col("tambon_code", "string", "รหัสตำบล (DOPA)", "Tambon (DOPA code)", required=True),
            _col("tambon_th", "string", "ตำบล (ของผู้เสียภาษี)", "Tambon (the taxpayer's)",
                 required=True),
            _col("age_band", "string", "ช่วงอายุหนี้ (วัน)", "Days past due", required=True,
                 enum=[*arrears.BUCKETS, COMBINED]),
            _col("age_band_th", "string", "ช่วงอายุหนี้", "Age band", required=True),
            _col("taxpayers", "integer", "จำนวนผู้ค้างชำระ (ราย)", "Taxpayers in arrears"),
            _col("assessments", "integer", "จำนวนรายการประเมิน", "Assessments in arrears"),
            _col("unpaid_baht", "baht", "ภาษีค้างชำระ (บาท)", "Tax unpaid (baht)"),
            _col("charges_baht", "baht", "เบี้ยปรับและเงินเพิ่ม (บาท)",
                 "Penalty and surcharge accrued (baht)"),
            _col("balance_baht", "baht", "ยอดค้างชำระรวม (บาท)", "Balance owed (baht)"),
            _SUPPRESSED,
        ],
        "primary_key": ["tambon_code", "age_band"],
    }  # fmt: skip
    metadata = _metadata(
        municipality,
        title_th="ลูกหนี้ภาษีค้างชำระ จำแนกตามตำบลและอายุหนี้",
        title_en="Tax arrears by tambon and age",
        what_th="ภาษีที่ดินและสิ่งปลูกสร้างและภาษีป้ายที่ค้างชำระ ณ วันที่เผยแพร่ จำแนกตามตำบลที่อยู่"
        "ของผู้เสียภาษีและจำนวนวันที่เลยกำหนดชำระ พร้อมเบี้ยปรับและเงินเพิ่มที่เกิดขึ้นแล้ว",
        what_en="The land and building tax and the signboard tax unpaid on the day of "
        "publishing, by the taxpayer's tambon and days past due, with the penalty and surcharge "
        "accrued.",
        years=(year, year),
        disaggregate=["area"],
        minimum=minimum,
    )
    return Table(SLUGS[2], metadata, schema, rows)


def tax_figures_build(
    *,
    actor: Any,
    municipality: Municipality,
    fiscal_year: int | None = None,
    tax_year: int | None = None,
    today: dt.date | None = None,
) -> list[Table]:
    """The three open tables of the city's local revenue (module docstring), small cells
    merged or suppressed. ``fiscal_year``: the last fiscal year of the monthly collection
    (default: the current one); ``tax_year``: the last tax year by category (default: the
    latest with an issued assessment, else the current B.E. year). Needs ``tax.view``."""
    require(actor, "tax.view", municipality)
    day = today or timezone.localdate()
    fy = fiscal_year or thai.fiscal_year(day)
    if tax_year is None:
        latest = Assessment.objects.filter(municipality=municipality, status="issued").aggregate(
            y=Max("tax_year")
        )["y"]
        tax_year = int(latest or thai.ce_to_be_year(day.year))
    minimum = min_count()
    return [
        _collection(actor, municipality, fy, day, minimum),
        _categories(actor, municipality, tax_year, day, minimum),
        _arrears(actor, municipality, day, minimum),
    ]


# --- publishing ---------------------------------------------------------------------------------


@dataclass
class Published:
    """What one table's publish did: a new ``version``, or none when nothing changed."""

    slug: str
    dataset: Dataset
    version: DatasetVersion | None
    rows: int
    suppressed: int

    @property
    def changed(self) -> bool:
        return self.version is not None


def tax_figures_publish(
    *,
    actor: Any,
    municipality: Municipality,
    fiscal_year: int | None = None,
    tax_year: int | None = None,
) -> list[Published]:
    """Build the open tables (``tax_figures_build``) and publish each as the next version of
    its public dataset, creating the dataset the first time (GD Catalog metadata, owned by the
    finance department). A table identical to the dataset's latest version is not published
    again. Each table is its own atomic publish (an error names the dataset; tables published
    before it stay published). Needs ``tax.view`` and ``dataset.ingest`` (``can_publish``)."""
    from nakhon.catalog import services as catalog_services
    from nakhon.ingestion.pipeline import ingest

    require(actor, "tax.view", municipality)
    require(actor, "dataset.ingest", municipality)
    tables = tax_figures_build(
        actor=actor, municipality=municipality, fiscal_year=fiscal_year, tax_year=tax_year
    )
    done: list[Published] = []
    for table in tables:
        dataset = Dataset.objects.filter(municipality=municipality, slug=table.slug).first()
        if dataset is None:
            dataset = catalog_services.dataset_create(
                actor=actor,
                municipality=municipality,
                slug=table.slug,
                data=table.metadata,
                table_schema=table.schema,
            )
        else:
            years = {k: table.metadata[k] for k in ("first_year_be", "last_year_be")}
            if any(getattr(dataset, k) != v for k, v in years.items()):
                dataset = catalog_services.dataset_update(
                    actor=actor, municipality=municipality, dataset=dataset, data=years
                )
            if dataset.table_schema != table.schema:
                # a newer Nakhon publishes another shape: the lake evolves the table's schema
                Dataset.objects.filter(pk=dataset.pk).update(table_schema=table.schema)
                dataset.table_schema = table.schema
        source = f"{table.slug}-{table.fingerprint()[:16]}.csv"
        latest = DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()
        version = None
        if latest is None or latest.source_name != source:
            with tempfile.TemporaryDirectory(prefix="nakhon-tax-figures-") as folder:
                path = Path(folder) / source
                path.write_bytes(table.to_csv())
                result = ingest(
                    actor=actor,
                    municipality=municipality,
                    dataset_slug=table.slug,
                    path=path,
                    source_name=source,
                )
            version = result.version
        done.append(Published(table.slug, dataset, version, len(table.rows), table.suppressed))
    audit_record(
        actor=actor,
        action="tax.figures.publish",
        municipality=municipality,
        changes={
            "min_count": min_count(),
            **{p.slug: (p.version.number if p.version else "unchanged") for p in done},
        },
    )
    return done


def published_datasets(*, municipality: Municipality) -> list[Dataset]:
    """The open-figure datasets of the city that exist (for links on the reports page)."""
    found = {d.slug: d for d in Dataset.objects.filter(municipality=municipality, slug__in=SLUGS)}
    return [found[s] for s in SLUGS if s in found]


def describe(results: Iterable[Published]) -> str:
    """One line per dataset, for the CLI and the page's message."""
    return "\n".join(
        (
            _("%(slug)s: version %(n)s, %(rows)s rows (%(hidden)s withheld)")
            if p.version
            else _("%(slug)s: unchanged, %(rows)s rows (%(hidden)s withheld)")
        )
        % {
            "slug": p.slug,
            "n": p.version.number if p.version else "",
            "rows": p.rows,
            "hidden": p.suppressed,
        }
        for p in results
    )
