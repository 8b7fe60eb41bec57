"""Upward reports by category (issue #6): the land and building tax of a tax year by the use
categories of the Act, and the signboard tax by sign type — counts, appraised value, exemptions,
reductions, tax assessed, collected and outstanding — with CSV, XLSX and JSON exports.

**Layout.** These tables are **our own layout** (Nakhon's), not a numbered form of the
Department of Local Administration (DLA, กรมส่งเสริมการปกครองท้องถิ่น): no DLA reporting form
for the land and building tax or the signboard tax was found in the sources searched (the
queries are listed in docs/tax.md, "Collection reports and the upward report"). What is taken
from sources:

- the four use categories and their Thai names: Land and Building Tax Act B.E. 2562 §37
  (agricultural, residential, other, vacant or not used as befits its condition;
  shared/thai-local-tax.md B.2, CONFIRMED there [S40][S41]); our register's six uses map onto
  them (``CATEGORY_OF_USE``);
- the sign types 1-3 and moving/static: Signboard Tax Act B.E. 2510 schedule, rates of the
  Ministerial Regulation B.E. 2563 (our rule files ``signboard/2564.toml`` ``[rates]``);
- the e-LAAS revenue code of the signboard tax, **41100003** (``ELAAS_REVENUE_CODES``): the
  DLA's e-LAAS knowledge base, "ผังรหัสรายรับระบบบัญชี e-LAAS" (km.laas.go.th, 9 Nov B.E.
  2555), which lists "ภาษีโรงเรือนและที่ดิน 41100001, ภาษีบำรุงท้องที่ 41100002, ภาษีป้าย
  41100003". That chart predates the land and building tax (in force 2563, replacing the two
  former taxes): its e-LAAS code was **not found** and is left blank; whether 41100003 is
  unchanged in the current chart is not verified.

**Figures.** From the issued assessments of the tax year (the current ones: a corrected
assessment replaces the one it supersedes), including those with no tax (fully exempt). The
split by use or sign comes from each assessment's explanation (``steps``: per use group the
base, exemption, taxable base, tax by the bands, reduction, §97 relief and tax; per sign its
type, moving or not, exemption and tax). The tax **collected** (principal only, payments not
reversed, up to ``as_of``, from ``payments.accounts_for``) is per assessment; an assessment
that spans several uses or signs has its payments shared among them **pro rata to their tax**
(an approximation: a payment is not earmarked to a use). A use-category row counts a taxpayer
once per category, and a parcel, building or unit once per use it has (a mixed-use parcel
counts under each of its uses). Totals only: no personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core import thai
from nakhon.core.errors import InvalidInput
from nakhon.core.permissions import require
from nakhon.tax.models import Assessment, Signboard, TaxKind
from nakhon.tax.payments import accounts_for

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

ELAAS_REVENUE_CODES: dict[str, str] = {
    TaxKind.LAND_BUILDING.value: "",  # not found (see the module docstring)
    TaxKind.SIGNBOARD.value: "41100003",
}
ELAAS_SOURCE = (
    "ผังรหัสรายรับระบบบัญชี e-LAAS (km.laas.go.th, กรมส่งเสริมการปกครองท้องถิ่น, "
    "9 พ.ย. 2555): ภาษีป้าย 41100003; รหัสของภาษีที่ดินและสิ่งปลูกสร้างไม่พบ"
)
LAYOUT_NOTE = (
    "รูปแบบรายงานของระบบ Nakhon (ไม่ใช่แบบรายงานทางการของกรมส่งเสริมการปกครองท้องถิ่น); "
    "ประเภทการใช้ประโยชน์ตามมาตรา 37 พ.ร.บ.ภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562"
)

# The Act §37 categories, in the order of the Act, with their Thai names.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("agricultural", "ประกอบเกษตรกรรม"),
    ("residential", "อยู่อาศัย"),
    ("other", "อื่น ๆ (นอกจากเกษตรกรรมและอยู่อาศัย)"),
    ("vacant", "ทิ้งไว้ว่างเปล่าหรือไม่ได้ทำประโยชน์ตามควรแก่สภาพ"),
)
UNCLASSIFIED = ("unclassified", "ไม่ระบุประเภท (คำอธิบายการประเมินไม่แยกประเภท)")
CATEGORY_OF_USE = {
    "agricultural": "agricultural",
    "residential_primary": "residential",
    "residential_building_only": "residential",
    "residential_other": "residential",
    "commercial": "other",
    "vacant": "vacant",
}
USES: tuple[tuple[str, str], ...] = (
    ("agricultural", "ประกอบเกษตรกรรม"),
    ("residential_primary", "อยู่อาศัย: บ้านหลังหลัก (เจ้าของที่ดินและสิ่งปลูกสร้าง)"),
    ("residential_building_only", "อยู่อาศัย: บ้านหลังหลัก (เจ้าของเฉพาะสิ่งปลูกสร้าง)"),
    ("residential_other", "อยู่อาศัย: อื่น"),
    ("commercial", "อื่น ๆ (นอกจากเกษตรกรรมและอยู่อาศัย)"),
    ("vacant", "ทิ้งไว้ว่างเปล่าหรือไม่ได้ทำประโยชน์ตามควรแก่สภาพ"),
)
SIGN_TYPES: tuple[tuple[int, str], ...] = (
    (1, "ป้ายประเภทที่ 1 (อักษรไทยล้วน)"),
    (2, "ป้ายประเภทที่ 2 (อักษรไทยปนกับอักษรต่างประเทศ และ/หรือภาพหรือเครื่องหมาย)"),
    (3, "ป้ายประเภทที่ 3 (ไม่มีอักษรไทย หรืออักษรไทยอยู่ใต้หรือต่ำกว่าอักษรต่างประเทศ)"),
)
MOVING_TH = {True: "เคลื่อนที่หรือเปลี่ยนข้อความได้", False: "ไม่เคลื่อนที่"}


# --- reading an assessment's explanation (pure) ----------------------------------------------


def _amount(text: Any) -> Decimal:
    """A step's value as baht: "26,875,120.00" → 26875120.00; "-12.5" → 12.50 (absolute)."""
    try:
        return abs(Decimal(str(text).replace(",", "").strip() or "0")).quantize(CENT)
    except ArithmeticError:
        return ZERO


@dataclass
class UseGroup:
    """One use group of a land and building tax assessment, as its steps give it."""

    use: str
    parcels: int = 0
    buildings: int = 0
    units: int = 0
    appraised_baht: Decimal = ZERO
    exempt_baht: Decimal = ZERO
    taxable_baht: Decimal = ZERO
    bracket_tax_baht: Decimal = ZERO
    reduction_baht: Decimal = ZERO
    relief_baht: Decimal = ZERO
    tax_baht: Decimal = ZERO


_ITEM_FIELD = {"land_value": "parcels", "building_value": "buildings", "unit_value": "units"}
_GROUP_FIELD = {
    "base": "appraised_baht",
    "exemption": "exempt_baht",
    "taxable": "taxable_baht",
    "bracket_tax": "bracket_tax_baht",
    "reduction": "reduction_baht",
    "relief": "relief_baht",
    "tax": "tax_baht",
}


def use_groups(steps: list[dict[str, Any]]) -> list[UseGroup]:
    """The use groups of land and building tax steps (``nakhon.tax.assessments``: a heading
    step ``use`` "Use: residential-primary", then the group's steps)."""
    groups: list[UseGroup] = []
    for step in steps:
        code = step.get("code")
        if code == "use" and step.get("heading"):
            use = str(step.get("use") or str(step.get("label_en", "")).removeprefix("Use: "))
            groups.append(UseGroup(use.strip().replace("-", "_")))
        elif groups and code in _ITEM_FIELD:
            name = _ITEM_FIELD[code]
            setattr(groups[-1], name, getattr(groups[-1], name) + 1)
        elif groups and code in _GROUP_FIELD:
            setattr(groups[-1], _GROUP_FIELD[code], _amount(step.get("value")))
    return groups


@dataclass
class SignItem:
    """One sign of a signboard tax assessment, as its steps give it."""

    code: str
    sign_type: int | None = None
    moving: bool | None = None
    exempt: bool = False
    tax_baht: Decimal = ZERO


_RATE = re.compile(r"type (\d) (moving|static)")


def sign_items(steps: list[dict[str, Any]]) -> list[SignItem]:
    """The signs of signboard tax steps: a heading ``sign`` "Sign S-0006", then its steps (the
    rate step "Rate, type 2 static" names type and movement; an exempt sign has none)."""
    items: list[SignItem] = []
    for step in steps:
        code = step.get("code")
        if code == "sign" and step.get("heading"):
            items.append(SignItem(str(step.get("label_en", "")).removeprefix("Sign ").strip()))
        elif items and code == "rate":
            found = _RATE.search(str(step.get("label_en", "")))
            if found:
                items[-1].sign_type = int(found.group(1))
                items[-1].moving = found.group(2) == "moving"
        elif items and code == "exemption":
            items[-1].exempt = True
        elif items and code == "tax":
            items[-1].tax_baht = _amount(step.get("value"))
    return items


def share_paid(paid: Decimal, taxes: list[Decimal]) -> list[Decimal]:
    """``paid`` shared pro rata to ``taxes`` to the satang; the last share takes the rounding,
    so the shares add up to ``paid``. No tax: nothing is shared (all zero)."""
    total = sum(taxes, ZERO)
    if not taxes or total <= 0:
        return [ZERO for _t in taxes]
    shares = [(paid * t / total).quantize(CENT) for t in taxes]
    shares[-1] += paid - sum(shares, ZERO)
    return shares


# --- the report ------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    taxpayers: set[int] = field(default_factory=set)
    assessments: set[int] = field(default_factory=set)
    parcels: int = 0
    buildings: int = 0
    units: int = 0
    signs: int = 0
    exempt_signs: int = 0
    appraised_baht: Decimal = ZERO
    exempt_baht: Decimal = ZERO
    taxable_baht: Decimal = ZERO
    bracket_tax_baht: Decimal = ZERO
    reduced_baht: Decimal = ZERO
    tax_baht: Decimal = ZERO
    paid_baht: Decimal = ZERO

    @property
    def outstanding_baht(self) -> Decimal:
        return self.tax_baht - self.paid_baht

    def add(self, other: Row) -> None:
        self.taxpayers |= other.taxpayers
        self.assessments |= other.assessments
        for name in ("parcels", "buildings", "units", "signs", "exempt_signs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in (
            "appraised_baht", "exempt_baht", "taxable_baht", "bracket_tax_baht", "reduced_baht",
            "tax_baht", "paid_baht",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self, kind: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "taxpayers": len(self.taxpayers),
            "assessments": len(self.assessments),
        }
        if kind == TaxKind.LAND_BUILDING:
            out |= {
                "parcels": self.parcels,
                "buildings": self.buildings,
                "units": self.units,
                "appraised_baht": str(self.appraised_baht),
                "exempt_baht": str(self.exempt_baht),
                "taxable_baht": str(self.taxable_baht),
                "bracket_tax_baht": str(self.bracket_tax_baht),
                "reduced_baht": str(self.reduced_baht),
            }
        else:
            out |= {"signs": self.signs, "exempt_signs": self.exempt_signs}
        return out | {
            "tax_baht": str(self.tax_baht),
            "paid_baht": str(self.paid_baht),
            "outstanding_baht": str(self.outstanding_baht),
        }


@dataclass
class CategoryReport:
    """The land and building tax by use category (and by use), the signboard tax by sign type
    and movement, of one tax year, with the tax collected up to ``as_of``."""

    municipality: str
    lao_code: str
    tax_year: int
    as_of: dt.date
    land_categories: list[Row]
    land_uses: list[Row]
    signs: list[Row]

    @staticmethod
    def total(rows: list[Row], label: str = "รวม") -> Row:
        out = Row("total", label)
        for row in rows:
            out.add(row)
        return out

    def as_dict(self) -> dict[str, Any]:
        lb, sb = TaxKind.LAND_BUILDING.value, TaxKind.SIGNBOARD.value
        return {
            "tax_year": self.tax_year,
            "as_of": self.as_of.isoformat(),
            "layout": "nakhon",
            "layout_note": LAYOUT_NOTE,
            "elaas_revenue_codes": ELAAS_REVENUE_CODES,
            "elaas_source": ELAAS_SOURCE,
            "land_building": {
                "by_category": [r.as_dict(lb) for r in self.land_categories],
                "by_use": [r.as_dict(lb) for r in self.land_uses],
                "total": self.total(self.land_categories).as_dict(lb),
            },
            "signboard": {
                "by_type": [r.as_dict(sb) for r in self.signs],
                "total": self.total(self.signs).as_dict(sb),
            },
        }


def _split(
    municipality: Municipality,
    kind: str,
    tax_year: int,
    as_of: dt.date,
    parts: Callable[[list[dict[str, Any]]], list[Any]],
    unclassified: Row,
) -> Iterator[tuple[Assessment, list[tuple[Any, Decimal]]]]:
    """Each issued assessment of the tax year with its parts (use groups or signs, read from
    its steps by ``parts``) and each part's share of the tax paid up to ``as_of``. Tax the parts
    do not explain (none when the steps are whole) goes to ``unclassified``."""
    items = list(
        Assessment.objects.filter(
            municipality=municipality, kind=kind, tax_year=tax_year, status="issued"
        )
        .defer("steps")
        .order_by("pk")
    )
    by_pk = {a.pk: a for a in items}
    accounts = accounts_for(municipality, items, as_of)
    steps_of = (
        Assessment.objects.filter(pk__in=list(by_pk))
        .order_by("pk")
        .values_list("pk", "steps")
        .iterator(chunk_size=500)
    )
    for pk, steps in steps_of:
        a = by_pk[pk]
        found = parts(steps or [])
        rest = a.tax_baht - sum((part.tax_baht for part in found), ZERO)
        paid = share_paid(
            accounts[pk].paid_tax_baht, [part.tax_baht for part in found] + ([rest] if rest else [])
        )
        if rest or not found:
            unclassified.taxpayers.add(a.taxpayer_id)
            unclassified.assessments.add(pk)
            unclassified.tax_baht += rest
            unclassified.paid_baht += paid[-1] if rest else ZERO
        yield a, list(zip(found, paid, strict=False))


def _land(municipality: Municipality, tax_year: int, as_of: dt.date) -> tuple[list[Row], list[Row]]:
    uses = {key: Row(key, label) for key, label in USES}
    unclassified = Row(*UNCLASSIFIED)

    def groups(steps: list[dict[str, Any]]) -> list[UseGroup]:
        return [g for g in use_groups(steps) if g.use in uses]

    kind = TaxKind.LAND_BUILDING
    for a, parts in _split(municipality, kind, tax_year, as_of, groups, unclassified):
        for group, paid_part in parts:
            row = uses[group.use]
            row.taxpayers.add(a.taxpayer_id)
            row.assessments.add(a.pk)
            row.parcels += group.parcels
            row.buildings += group.buildings
            row.units += group.units
            row.appraised_baht += group.appraised_baht
            row.exempt_baht += group.exempt_baht
            row.taxable_baht += group.taxable_baht
            row.bracket_tax_baht += group.bracket_tax_baht
            row.reduced_baht += group.reduction_baht + group.relief_baht
            row.tax_baht += group.tax_baht
            row.paid_baht += paid_part
    categories = []
    for key, label in CATEGORIES:
        row = Row(key, label)
        for use, category in CATEGORY_OF_USE.items():
            if category == key:
                row.add(uses[use])
        categories.append(row)
    extra = [unclassified] if unclassified.assessments else []
    return categories + extra, list(uses.values()) + extra


def _signs(municipality: Municipality, tax_year: int, as_of: dt.date) -> list[Row]:
    register = {
        code: (sign_type, moving)
        for code, sign_type, moving in Signboard.objects.filter(
            municipality=municipality
        ).values_list("code", "sign_type", "moving")
    }
    rows: dict[tuple[int, bool], Row] = {}
    for sign_type, label in SIGN_TYPES:
        for moving in (True, False):
            rows[(sign_type, moving)] = Row(
                f"type{sign_type}-{'moving' if moving else 'static'}",
                f"{label}: {MOVING_TH[moving]}",
            )
    unclassified = Row(*UNCLASSIFIED)
    kind = TaxKind.SIGNBOARD
    for a, parts in _split(municipality, kind, tax_year, as_of, sign_items, unclassified):
        for sign, paid_part in parts:
            if sign.sign_type is not None and sign.moving is not None:
                key: tuple[int, bool] | None = (sign.sign_type, sign.moving)
            else:  # an exempt sign's steps name no rate: its type from the register
                key = register.get(sign.code)
            row = rows.get(key, unclassified) if key is not None else unclassified
            row.taxpayers.add(a.taxpayer_id)
            row.assessments.add(a.pk)
            row.signs += 1
            row.exempt_signs += sign.exempt
            row.tax_baht += sign.tax_baht
            row.paid_baht += paid_part
    return list(rows.values()) + ([unclassified] if unclassified.assessments else [])


def category_report(
    *, actor: Any, municipality: Municipality, tax_year: int, as_of: dt.date
) -> CategoryReport:
    """The land and building tax of ``tax_year`` (B.E.) by use category of the Act §37 and by
    use, and the signboard tax by sign type (1-3) and movement: taxpayers, assessments, items,
    appraised value, exemption, taxable base, tax by the bands, reductions and relief, tax
    assessed, tax collected up to ``as_of`` and outstanding. Our layout (see the module
    docstring for what is sourced and what is approximated). Totals only: no personal data."""
    require(actor, "tax.view", municipality)
    if not isinstance(tax_year, int) or not 2500 <= tax_year <= 2700:
        raise InvalidInput(
            _("Tax year %(year)s: give a B.E. year such as 2569.") % {"year": tax_year},
            errors={"tax_year": "2500-2700"},
        )
    categories, uses = _land(municipality, tax_year, as_of)
    return CategoryReport(
        municipality=municipality.name_th,
        lao_code=municipality.lao_code or "",
        tax_year=tax_year,
        as_of=as_of,
        land_categories=categories,
        land_uses=uses,
        signs=_signs(municipality, tax_year, as_of),
    )


# --- exports (Thai headings) -----------------------------------------------------------------

LAND_HEADER = [
    "ประเภทการใช้ประโยชน์",
    "จำนวนราย (ผู้เสียภาษี)",
    "จำนวนแปลงที่ดิน",
    "จำนวนสิ่งปลูกสร้าง",
    "จำนวนห้องชุด",
    "ราคาประเมินทุนทรัพย์ (บาท)",
    "มูลค่าที่ได้รับยกเว้น (บาท)",
    "ฐานภาษีหลังหักยกเว้น (บาท)",
    "ภาษีตามอัตรา (บาท)",
    "ลดหรือบรรเทาภาษี (บาท)",
    "ภาษีที่ประเมิน (บาท)",
    "ภาษีที่ชำระแล้ว (บาท)",
    "ภาษีค้างชำระ (บาท)",
]
SIGN_HEADER = [
    "ประเภทป้าย",
    "จำนวนราย (ผู้เสียภาษี)",
    "จำนวนป้าย",
    "ป้ายที่ได้รับยกเว้น",
    "ภาษีที่ประเมิน (บาท)",
    "ภาษีที่ชำระแล้ว (บาท)",
    "ภาษีค้างชำระ (บาท)",
]


def land_rows(rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    """Land and building tax rows (categories or uses) with their total, for CSV/XLSX/page."""
    out = []
    for r in [*rows, CategoryReport.total(rows)]:
        out.append(
            [
                r.label, len(r.taxpayers), r.parcels, r.buildings, r.units, r.appraised_baht,
                r.exempt_baht, r.taxable_baht, r.bracket_tax_baht, r.reduced_baht, r.tax_baht,
                r.paid_baht, r.outstanding_baht,
            ]
        )  # fmt: skip
    return LAND_HEADER, out


def sign_rows(rows: list[Row]) -> tuple[list[str], list[list[Any]]]:
    """Signboard tax rows by type and movement with their total."""
    out = []
    for r in [*rows, CategoryReport.total(rows)]:
        out.append(
            [
                r.label, len(r.taxpayers), r.signs, r.exempt_signs, r.tax_baht, r.paid_baht,
                r.outstanding_baht,
            ]
        )  # fmt: skip
    return SIGN_HEADER, out


SECTIONS = ("land_building", "signboard")


def section_rows(report: CategoryReport, section: str) -> tuple[list[str], list[list[Any]]]:
    if section == "land_building":
        return land_rows(report.land_categories)
    if section == "signboard":
        return sign_rows(report.signs)
    raise InvalidInput(
        _("Unknown report section: %(name)s.") % {"name": section},
        errors={"tax": "|".join(SECTIONS)},
    )


def to_csv(report: CategoryReport, section: str) -> bytes:
    """One section as CSV (UTF-8 with a BOM, so Excel opens the Thai)."""
    header, rows = section_rows(report, section)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _titles(report: CategoryReport, tax_th: str) -> list[str]:
    code = f" (รหัส อปท. {report.lao_code})" if report.lao_code else ""
    return [
        f"รายงานผลการจัดเก็บ{tax_th} ประจำปีภาษี {report.tax_year}",
        f"{report.municipality}{code}",
        f"ข้อมูล ณ วันที่ {thai.format_thai_date(report.as_of, style='long')}",
        LAYOUT_NOTE,
    ]


def to_xlsx(report: CategoryReport) -> bytes:
    """A workbook: land and building tax by category and by use, signboard tax by type; Thai
    titles, the B.E. date of the data, numbers formatted #,##0 and #,##0.00."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    code = ELAAS_REVENUE_CODES
    sheets = [
        (
            "ที่ดินฯ ตามประเภท",
            "ภาษีที่ดินและสิ่งปลูกสร้าง",
            code[TaxKind.LAND_BUILDING],
            *land_rows(report.land_categories),
        ),
        (
            "ที่ดินฯ ตามการใช้",
            "ภาษีที่ดินและสิ่งปลูกสร้าง",
            code[TaxKind.LAND_BUILDING],
            *land_rows(report.land_uses),
        ),
        ("ภาษีป้าย", "ภาษีป้าย", code[TaxKind.SIGNBOARD], *sign_rows(report.signs)),
    ]
    book = Workbook()
    book.remove(book.active)
    for title, tax_th, revenue_code, header, rows in sheets:
        sheet = book.create_sheet(title)
        titles = _titles(report, tax_th)
        titles.insert(
            3, f"รหัสรายรับ (e-LAAS): {revenue_code or 'ไม่พบในแหล่งข้อมูลที่ค้น'} — {ELAAS_SOURCE}"
        )
        for line in titles:
            sheet.append([line])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([])
        sheet.append(header)
        head = sheet.max_row
        for cell in sheet[head]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row][1:]:
                cell.number_format = "#,##0.00" if isinstance(cell.value, Decimal) else "#,##0"
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 60
        for i in range(2, len(header) + 1):
            sheet.column_dimensions[get_column_letter(i)].width = 18
        sheet.freeze_panes = sheet.cell(row=head + 1, column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
