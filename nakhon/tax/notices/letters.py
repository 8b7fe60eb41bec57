"""The ภ.ป.1 signboard tax return and the warning letter (pure: data in, PDF pages out).

ภ.ป.1 (แบบแสดงรายการภาษีป้าย): the return a sign owner files by the end of March, or within
15 days of installing or changing a sign (Signboard Tax Act B.E. 2510 §12), pre-filled from the
register: the owner, the business, each sign (location, size, area, type, moving, installed
date) with the tax the engine computes for it (for information: the tax is assessed on ภ.ป.3),
the declaration and the signature lines. The warning letter (หนังสือแจ้งเตือน) asks for the
tax in arrears by a deadline: for the land and building tax the penalty is 20 % when paid
within it and 40 % after (Land and Building Tax Act B.E. 2562 §68). Both arrange the content
of the forms; they do not reproduce their printed boxes (docs/tax.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from nakhon.core import thai
from nakhon.tax.notices.pdf import Font, Page
from nakhon.tax.notices.render import BOTTOM, LEFT, RIGHT, _fit, _wrap

WIDTH = RIGHT - LEFT
SIGN_TYPES = {
    1: "ประเภท 1 (อักษรไทยล้วน)",
    2: "ประเภท 2 (อักษรไทยปนอักษรต่างประเทศ หรือภาพ)",
    3: "ประเภท 3 (ไม่มีอักษรไทย หรืออักษรไทยอยู่ต่ำกว่าอักษรต่างประเทศ)",
}
KIND_TH = {"signboard": "ภาษีป้าย", "land_building": "ภาษีที่ดินและสิ่งปลูกสร้าง"}


def _date(day: dt.date | None) -> str:
    """A long B.E. date that a line break does not split (no-break spaces)."""
    return thai.format_thai_date(day, style="long").replace(" ", "\u00a0") if day else "-"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


# --- ภ.ป.1 -------------------------------------------------------------------------------------


@dataclass
class SignLine:
    code: str
    location: str
    width_cm: int
    height_cm: int
    faces: int
    area_cm2: int
    sign_type: int
    moving: bool
    installed_on: dt.date | None
    tax_baht: Decimal
    exemption: str = ""


@dataclass
class ReturnData:
    tax_year: int
    city: str
    city_address: str
    taxpayer_code: str
    owner_name: str
    owner_id: str
    owner_address: str
    owner_phone: str
    business_name: str
    signs: list[SignLine] = field(default_factory=list)
    event: str = ""  # "new" | "changed": the filing within 15 days of it (Act §12)
    event_on: dt.date | None = None  # the installation or change date
    file_by: dt.date | None = None  # the filing deadline (event_on + 15 days)

    @property
    def tax_baht(self) -> Decimal:
        return sum((s.tax_baht for s in self.signs), Decimal("0.00"))


def _header(page: Page, code: str, title: str, city: str, right: str) -> None:
    page.text(LEFT, 36, f"แบบ {code}", size=13, bold=True, align="right", width=WIDTH)
    page.text(LEFT, 36, right, size=13)
    page.text(LEFT, 60, title, size=18, bold=True, align="center", width=WIDTH)
    page.text(LEFT, 84, city, size=14, align="center", width=WIDTH)


def draw_return(data: ReturnData, fonts: tuple[Font, Font]) -> list[Page]:
    """The pages of one owner's ภ.ป.1 (the list of signs continues on further pages)."""
    regular = fonts[0]
    page = Page(fonts)
    pages = [page]
    _header(page, "ภ.ป.1", "แบบแสดงรายการภาษีป้าย", data.city, "เลขรับที่ ..............")
    page.text(
        LEFT, 104, f"ประจำปีภาษี พ.ศ. {data.tax_year}", size=15, bold=True, align="center",
        width=WIDTH,
    )  # fmt: skip
    page.text(LEFT, 128, f"เรียน นายกเทศมนตรี / ผู้บริหารท้องถิ่น {data.city}", size=13)
    top = 150.0
    if data.event and data.event_on and data.file_by:
        what = "ติดตั้งหรือแสดงป้ายใหม่" if data.event == "new" else "เปลี่ยนแปลงแก้ไขป้าย"
        for text in (
            f"กรณียื่นแบบภายใน {(data.file_by - data.event_on).days} วันนับแต่วันที่{what}"
            " (พระราชบัญญัติภาษีป้าย พ.ศ. 2510 มาตรา 12)",
            f"วันที่{what}: {thai.format_thai_date(data.event_on)}"
            f"    ยื่นแบบภายในวันที่: {thai.format_thai_date(data.file_by)}",
        ):
            page.text(LEFT, top, text, size=13, bold=True)
            top += 18
        top += 4
    rows = [
        ("ข้าพเจ้า (เจ้าของป้าย)", data.owner_name),
        ("เลขประจำตัวประชาชน/นิติบุคคล", data.owner_id or "-"),
        ("ทะเบียนผู้เสียภาษี", data.taxpayer_code),
        ("ที่อยู่", data.owner_address or "-"),
        ("โทรศัพท์", data.owner_phone or "-"),
        ("ชื่อสถานประกอบการค้าหรือกิจการ", data.business_name or "-"),
    ]
    for label, value in rows:
        page.text(LEFT, top, label, size=13, bold=True)
        lines = _wrap(regular, value, 13, WIDTH - 240)[:2] or ["-"]
        for line in lines:
            page.text(LEFT + 240, top, line, size=13)
            top += 17
        top += 2
    top += 4
    intro = (
        "ขอยื่นแบบแสดงรายการภาษีป้ายตามพระราชบัญญัติภาษีป้าย พ.ศ. 2510 สำหรับป้ายดังต่อไปนี้"
        f" จำนวน {len(data.signs)} ป้าย"
    )
    for line in _wrap(regular, intro, 13, WIDTH):
        page.text(LEFT, top, line, size=13)
        top += 17
    top += 4
    columns = [
        (0, "ที่", 18),
        (18, "ป้าย / สถานที่ติดตั้ง", 122),
        (140, "กว้าง × สูง (ซม.)", 96),
        (236, "พื้นที่ (ตร.ซม.)", 60),
        (296, "ประเภท", 80),
        (376, "ติดตั้งเมื่อ", 56),
        (432, "ภาษี (บาท)", 51),
    ]

    def table_head(at: float) -> float:
        page.line(LEFT, at, RIGHT, at, 0.8)
        for x, label, _w in columns:
            page.text(LEFT + x + 1, at + 3, label, size=10, bold=True)
        at += 18
        page.line(LEFT, at, RIGHT, at, 0.5)
        return at + 3

    top = table_head(top)
    footer = 230.0  # the total, the declaration and the signatures
    for n, sign in enumerate(data.signs, start=1):
        if top + 32 > BOTTOM - 20 or (n == len(data.signs) and top + 32 > BOTTOM - footer):
            page = Page(fonts)
            pages.append(page)
            page.text(LEFT, 36, f"ภ.ป.1 {data.taxpayer_code} ปี {data.tax_year} (ต่อ)", size=12)
            top = table_head(60.0)
        faces = f" ({sign.faces} ด้าน)" if sign.faces > 1 else ""
        kind = f"{sign.sign_type}" + (" เคลื่อนที่" if sign.moving else "")
        installed = (
            thai.format_thai_date(sign.installed_on, style="short") if sign.installed_on else "-"
        )
        page.text(LEFT + 1, top, str(n), size=10)
        page.text(LEFT + 19, top, _fit(regular, sign.code, 10, 120), size=10, bold=True)
        page.text(LEFT + 141, top, f"{sign.width_cm:,} × {sign.height_cm:,}{faces}", size=10)
        page.text(LEFT + 236, top, f"{sign.area_cm2:,}", size=10, align="right", width=54)
        page.text(LEFT + 297, top, _fit(regular, kind, 10, 78), size=10)
        page.text(LEFT + 377, top, installed, size=10)
        page.text(RIGHT - 60, top, _money(sign.tax_baht), size=10, align="right", width=58)
        room = 270 if not sign.exemption else 200
        page.text(LEFT + 19, top + 14, _fit(regular, sign.location, 9.5, room), size=9.5)
        if sign.exemption:
            page.text(LEFT + 236, top + 14, f"ยกเว้น: {sign.exemption}", size=9.5)
        top += 32
    page.line(LEFT, top, RIGHT, top, 0.8)
    top += 6
    total = data.tax_baht
    label = "รวมภาษีป้ายที่คำนวณได้ (เพื่อทราบ)"
    if data.event and data.event_on:
        quarter = (data.event_on.month - 1) // 3 + 1
        label = f"รวมภาษีป้ายร้อยละ {(5 - quarter) * 25} ของภาษีทั้งปี (งวดที่ {quarter} ของปี เพื่อทราบ)"
    page.text(LEFT, top, label, size=13, bold=True)
    page.text(
        RIGHT - 204, top, f"{_money(total)} บาท", size=13, bold=True, align="right", width=200
    )
    top += 18
    page.text(RIGHT - 404, top, f"({thai.baht_text(total)})", size=12, align="right", width=400)
    top += 20
    notes = (
        "ประเภทป้าย: " + "; ".join(SIGN_TYPES.values()) + " ป้ายเคลื่อนที่หรือเปลี่ยนข้อความได้มีอัตราของตนเอง",
        "ภาษีที่แสดงคำนวณจากทะเบียนป้ายตามอัตราของกฎกระทรวงที่ใช้ในปีภาษีนี้ เพื่อทราบเท่านั้น"
        " พนักงานเจ้าหน้าที่จะแจ้งการประเมิน (ภ.ป.3) อีกครั้ง",
        "ยื่นแบบภายในเดือนมีนาคม หรือภายใน 15 วันนับแต่วันติดตั้งหรือแสดงป้ายหรือเปลี่ยนแปลงป้าย (มาตรา 12)",
    )
    for text in notes:
        for line in _wrap(regular, text, 10.5, WIDTH):
            page.text(LEFT, top, line, size=10.5)
            top += 14
    top += 10
    declaration = "ข้าพเจ้าขอรับรองว่ารายการที่แสดงไว้ในแบบนี้เป็นความจริงและถูกต้องทุกประการ"
    page.text(LEFT, top, declaration, size=13)
    top += 30
    page.text(300, top, "ลงชื่อ ................................... เจ้าของป้าย", size=12.5)
    page.text(300, top + 18, "(...................................)", size=12.5)
    page.text(300, top + 36, "วันที่ ...... เดือน ................ พ.ศ. ........", size=12.5)
    top += 64
    page.line(LEFT, top, RIGHT, top, 0.3)
    top += 6
    page.text(LEFT, top, "สำหรับเจ้าหน้าที่", size=12, bold=True)
    page.text(
        LEFT + 100, top, "ได้รับแบบแสดงรายการนี้เมื่อวันที่ ..................... เลขรับที่ ........",
        size=12,
    )  # fmt: skip
    page.text(300, top + 20, "ลงชื่อ ................................... ผู้รับแบบ", size=12)
    return pages


# --- the warning letter -------------------------------------------------------------------------


@dataclass
class WarningData:
    number: str
    kind: str  # "signboard" | "land_building"
    tax_year: int
    city: str
    city_address: str
    sent_on: dt.date
    respond_by: dt.date | None
    taxpayer_code: str
    taxpayer_name: str
    taxpayer_address: str
    notice_number: str
    notice_on: dt.date | None
    due_on: dt.date | None
    payment_reference: str
    tax_baht: Decimal  # the tax assessed
    unpaid_baht: Decimal  # the tax unpaid on the letter's date
    charges_baht: Decimal  # the charges accrued on the letter's date
    charge_lines: list[tuple[str, str]] = field(default_factory=list)
    by_deadline_baht: Decimal | None = None  # tax + charges when paid on the deadline
    rates_note: str = ""

    @property
    def balance_baht(self) -> Decimal:
        return self.unpaid_baht + self.charges_baht


def draw_warning(data: WarningData, fonts: tuple[Font, Font]) -> list[Page]:
    """The page of one warning letter."""
    regular = fonts[0]
    page = Page(fonts)
    page.text(LEFT, 36, f"ที่ {data.number}", size=13)
    page.text(LEFT, 36, data.city, size=13, bold=True, align="right", width=WIDTH)
    top = 52.0
    for line in _wrap(regular, data.city_address, 11.5, 280)[:2]:
        page.text(RIGHT - 284, top, line, size=11.5, align="right", width=284)
        top += 14
    top = max(top, 80) + 4
    page.text(LEFT, top, f"วันที่ {_date(data.sent_on)}", size=13, align="center", width=WIDTH)
    top += 26
    kind = KIND_TH.get(data.kind, data.kind)
    page.text(LEFT, top, "เรื่อง", size=14, bold=True)
    page.text(LEFT + 50, top, f"แจ้งเตือนให้ชำระ{kind} ประจำปีภาษี พ.ศ. {data.tax_year}", size=14)
    top += 20
    page.text(LEFT, top, "เรียน", size=14, bold=True)
    page.text(LEFT + 50, top, _fit(regular, data.taxpayer_name, 14, 300), size=14)
    page.text(LEFT, top, f"ทะเบียนผู้เสียภาษี {data.taxpayer_code}", size=12, align="right", width=WIDTH)
    top += 20
    for line in _wrap(regular, data.taxpayer_address, 13, WIDTH - 50)[:2]:
        page.text(LEFT + 50, top, line, size=13)
        top += 17
    page.text(LEFT, top, "อ้างถึง", size=14, bold=True)
    page.text(
        LEFT + 50, top,
        f"หนังสือแจ้งการประเมิน เลขที่ {data.notice_number} ลงวันที่ {_date(data.notice_on)}",
        size=14,
    )  # fmt: skip
    top += 28
    body = (
        f"ตามที่{data.city}ได้แจ้งการประเมิน{kind} ประจำปีภาษี พ.ศ. {data.tax_year} ตามหนังสือ"
        f"ที่อ้างถึง จำนวน {_money(data.tax_baht)} บาท กำหนดชำระภายในวันที่ {_date(data.due_on)}"
        " นั้น บัดนี้ล่วงพ้นกำหนดเวลาแล้ว ท่านยังมิได้ชำระภาษีดังกล่าวให้ครบถ้วน"
        f" จึงขอให้ท่านชำระภาษีพร้อมเบี้ยปรับและเงินเพิ่มภายในวันที่ {_date(data.respond_by)}"
    )
    for i, line in enumerate(_wrap(regular, body, 14, WIDTH - 30)):
        page.text(LEFT + (30 if i == 0 else 0), top, line, size=14)  # the paragraph's indent
        top += 19
    top += 8
    page.line(LEFT, top, RIGHT, top, 0.8)
    page.text(LEFT + 4, top + 3, f"ยอดค้างชำระ ณ วันที่ {_date(data.sent_on)}", size=13, bold=True)
    page.text(RIGHT - 124, top + 3, "จำนวน (บาท)", size=13, bold=True, align="right", width=120)
    top += 22
    page.line(LEFT, top, RIGHT, top, 0.5)
    top += 4
    rows = [
        (f"ภาษีค้างชำระ (เลขที่อ้างอิง {data.payment_reference})", _money(data.unpaid_baht)),
        ("เบี้ยปรับและเงินเพิ่ม ถึงวันที่หนังสือนี้", _money(data.charges_baht)),
        *((f"    {label}", value) for label, value in data.charge_lines[:12]),
    ]
    for label, value in rows:
        page.text(LEFT + 4, top, _fit(regular, label, 12.5, WIDTH - 170), size=12.5)
        page.text(RIGHT - 154, top, value, size=12.5, align="right", width=150)
        top += 17
    page.line(LEFT, top + 2, RIGHT, top + 2, 0.8)
    top += 8
    page.text(LEFT + 4, top, "รวมยอดค้างชำระ ณ วันที่หนังสือนี้", size=14, bold=True)
    page.text(
        RIGHT - 204, top, f"{_money(data.balance_baht)} บาท", size=14, bold=True, align="right",
        width=200,
    )  # fmt: skip
    top += 20
    page.text(
        RIGHT - 404, top, f"({thai.baht_text(data.balance_baht)})", size=13, align="right",
        width=400,
    )  # fmt: skip
    top += 26
    if data.by_deadline_baht is not None:
        page.text(
            LEFT, top, f"หากชำระภายในวันที่ {_date(data.respond_by)} ต้องชำระทั้งสิ้น", size=14,
            bold=True,
        )  # fmt: skip
        page.text(
            RIGHT - 204, top, f"{_money(data.by_deadline_baht)} บาท", size=14, bold=True,
            align="right", width=200,
        )  # fmt: skip
        top += 20
        page.text(
            RIGHT - 404, top, f"({thai.baht_text(data.by_deadline_baht)})", size=13,
            align="right", width=400,
        )  # fmt: skip
        top += 26
    for text in (data.rates_note, "หากท่านได้ชำระแล้ว ขออภัยและโปรดแจ้งสำนักงาน"):
        for line in _wrap(regular, text, 12.5, WIDTH):
            page.text(LEFT, top, line, size=12.5)
            top += 17
    top += 30
    page.text(330, top, "ขอแสดงความนับถือ", size=13)
    page.text(300, top + 40, "(ลงชื่อ) ...................................", size=13)
    page.text(300, top + 60, "พนักงานเจ้าหน้าที่ / ผู้บริหารท้องถิ่น", size=12)
    return [page]
