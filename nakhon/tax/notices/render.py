"""The content and layout of the assessment notices (pure: data in, PDF pages out).

ภ.ด.ส.6 (หนังสือแจ้งการประเมินภาษีที่ดินและสิ่งปลูกสร้าง, form of the Ministry of Interior
notification under the Land and Building Tax Act B.E. 2562 §46) with the calculation lines of
ภ.ด.ส.7; ภ.ป.3 (แบบแจ้งการประเมินภาษีป้าย, Signboard Tax Act B.E. 2510 §18). The wording and
the order of the official forms are followed; the layout is an approximation (docs/tax.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import segno

from nakhon.core import thai
from nakhon.tax.notices.pdf import Font, Page
from nakhon.tax.notices.thaiqr import BillPayment

LEFT, RIGHT = 56.0, 539.0
BOTTOM = 800.0


@dataclass
class NoticeData:
    form: str  # "pds6" | "pp3"
    number: str
    tax_year: int
    city: str
    city_address: str
    issued_on: dt.date
    due_on: dt.date | None
    taxpayer_code: str
    taxpayer_name: str
    taxpayer_address: str
    tax_baht: Decimal
    lines: list[tuple[str, str, bool]] = field(default_factory=list)  # label, value, heading
    ref1: str = ""
    ref2: str = ""
    biller_id: str = ""
    merchant_name: str = ""
    due_text: str = ""
    # surcharges due with the tax on the notice: a signboard owner's late or understated
    # ภ.ป.1 (Signboard Tax Act §25(1)(2)), recorded on the assessment
    surcharge_baht: Decimal = Decimal(0)

    @property
    def due_baht(self) -> Decimal:
        """What the notice asks to be paid: the tax and the surcharges with it."""
        return self.tax_baht + self.surcharge_baht

    def qr_payload(self) -> str:
        if not self.biller_id or self.due_baht <= 0 or not self.ref1:
            return ""
        return BillPayment(
            biller_id=self.biller_id,
            ref1=self.ref1,
            ref2=self.ref2,
            amount=self.due_baht,
            merchant_name=self.merchant_name,
        ).payload()


TITLES = {
    "pds6": ("ภ.ด.ส.6", "หนังสือแจ้งการประเมินภาษีที่ดินและสิ่งปลูกสร้าง"),
    "pp3": ("ภ.ป.3", "แบบแจ้งการประเมินภาษีป้าย"),
}
BODY = {
    "pds6": (
        "ตามพระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง พ.ศ. 2562 พนักงานประเมินได้ประเมินภาษี"
        "ที่ดินและสิ่งปลูกสร้างของท่าน ประจำปีภาษี พ.ศ. {year} ตามรายการคำนวณ (ภ.ด.ส.7) ดังนี้"
    ),
    "pp3": (
        "ตามพระราชบัญญัติภาษีป้าย พ.ศ. 2510 พนักงานเจ้าหน้าที่ได้ประเมินภาษีป้ายของท่าน"
        " ประจำปีภาษี พ.ศ. {year} ตามรายการป้ายที่แสดงไว้ (ภ.ป.1) ดังนี้"
    ),
}
FOOT = {
    "pds6": (
        "หากไม่ชำระภายในกำหนด ต้องเสียเบี้ยปรับและเงินเพิ่มตามมาตรา 68 และมาตรา 70",
        "หากเห็นว่าการประเมินไม่ถูกต้อง มีสิทธิยื่นคำร้องคัดค้านต่อผู้บริหารท้องถิ่น"
        "ภายใน 30 วัน นับแต่วันที่ได้รับแจ้งการประเมิน (มาตรา 73)",
    ),
    "pp3": (
        "หากไม่ชำระภายในกำหนด ต้องเสียเงินเพิ่มร้อยละ 2 ต่อเดือน (มาตรา 25)",
        "หากเห็นว่าการประเมินไม่ถูกต้อง มีสิทธิอุทธรณ์ต่อผู้บริหารท้องถิ่น"
        "ภายใน 30 วัน นับแต่วันที่ได้รับแจ้งการประเมิน (มาตรา 30)",
    ),
}


def _fit(font: Font, text: str, size: float, width: float) -> str:
    if font.width(text, size) <= width:
        return text
    while text and font.width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(font: Font, text: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points, broken at spaces (Thai writes spaces between
    phrases), a phrase longer than a line at characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font.width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while font.width(current, size) > width:
            cut = len(current)
            while cut > 1 and font.width(current[:cut], size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def draw(data: NoticeData, fonts: tuple[Font, Font]) -> list[Page]:
    """The pages of one notice (a long calculation continues on further pages)."""
    regular = fonts[0]
    pages = [Page(fonts)]
    page = pages[0]
    form_code, title = TITLES[data.form]
    page.text(LEFT, 36, f"แบบ {form_code}", size=13, bold=True, align="right", width=RIGHT - LEFT)
    page.text(LEFT, 36, f"เลขที่ {data.number}", size=13)
    page.text(LEFT, 62, title, size=18, bold=True, align="center", width=RIGHT - LEFT)
    page.text(
        LEFT, 86, f"ประจำปีภาษี พ.ศ. {data.tax_year}", size=15, align="center", width=RIGHT - LEFT
    )
    page.text(LEFT, 112, data.city, size=14, bold=True)
    top = 130.0
    for line in _wrap(regular, data.city_address, 12, 300)[:2]:
        page.text(LEFT, top, line, size=12)
        top += 15
    issued = thai.format_thai_date(data.issued_on, style="long")
    page.text(LEFT, 112, f"วันที่ {issued}", size=14, align="right", width=RIGHT - LEFT)
    top = max(top, 150) + 8
    page.text(LEFT, top, "เรียน", size=14, bold=True)
    page.text(LEFT + 40, top, data.taxpayer_name, size=14)
    page.text(
        LEFT, top, f"ทะเบียนผู้เสียภาษี {data.taxpayer_code}", size=12, align="right",
        width=RIGHT - LEFT,
    )  # fmt: skip
    top += 20
    for line in _wrap(regular, data.taxpayer_address, 13, RIGHT - LEFT - 40)[:3]:
        page.text(LEFT + 40, top, line, size=13)
        top += 17
    top += 8
    body = BODY[data.form].format(year=data.tax_year)
    for line in _wrap(regular, body, 14, RIGHT - LEFT):
        page.text(LEFT, top, line, size=14)
        top += 19
    top += 6
    # the calculation table
    page.line(LEFT, top, RIGHT, top, 0.8)
    page.text(LEFT + 4, top + 3, "รายการ", size=13, bold=True)
    page.text(RIGHT - 124, top + 3, "จำนวน (บาท)", size=13, bold=True, align="right", width=120)
    top += 22
    page.line(LEFT, top, RIGHT, top, 0.5)
    top += 3
    footer = 250 + (36 if data.surcharge_baht else 0)  # the total, payment box, signature
    for n, (label, value, heading) in enumerate(data.lines):
        rest = (len(data.lines) - n) * 17
        if top + rest > BOTTOM - footer and top > BOTTOM - 30:
            page = Page(fonts)
            pages.append(page)
            page.text(LEFT, 36, f"{form_code} เลขที่ {data.number} (ต่อ)", size=12)
            top = 60.0
        page.text(
            LEFT + (4 if heading else 14),
            top,
            _fit(regular, label, 12.5, RIGHT - LEFT - 160),
            size=12.5,
            bold=heading,
        )
        page.text(
            RIGHT - 154, top, _fit(regular, value, 12.5, 150), size=12.5, align="right", width=150
        )
        top += 17
    if top > BOTTOM - footer:  # the total and the payment part go on a page of their own
        page = Page(fonts)
        pages.append(page)
        page.text(LEFT, 36, f"{form_code} เลขที่ {data.number} (ต่อ)", size=12)
        top = 60.0
    page.line(LEFT, top + 2, RIGHT, top + 2, 0.8)
    top += 10
    amount = f"{data.due_baht:,.2f}"
    if data.surcharge_baht:
        for label, baht in (
            ("ค่าภาษีป้าย", data.tax_baht),
            ("เงินเพิ่มตามมาตรา 25 (การยื่นแบบ ภ.ป.1)", data.surcharge_baht),
        ):
            page.text(LEFT, top, label, size=13)
            page.text(RIGHT - 204, top, f"{baht:,.2f} บาท", size=13, align="right", width=200)
            top += 18
        page.text(LEFT, top, "รวมเงินที่ต้องชำระ", size=15, bold=True)
    else:
        page.text(LEFT, top, "จำนวนภาษีที่ต้องชำระ", size=15, bold=True)
    page.text(RIGHT - 204, top, f"{amount} บาท", size=15, bold=True, align="right", width=200)
    top += 22
    words = thai.baht_text(data.due_baht)
    page.text(RIGHT - 354, top, f"({words})", size=14, align="right", width=350)
    top += 26
    due = thai.format_thai_date(data.due_on, style="long") if data.due_on else data.due_text
    page.text(LEFT, top, f"โปรดชำระภาษีภายในวันที่ {due}", size=14, bold=True)
    top += 20
    page.text(LEFT, top, f"ณ {data.city} หรือชำระผ่าน Thai QR Payment ด้านล่าง", size=13)
    top += 20
    for text in FOOT[data.form]:
        for line in _wrap(regular, text, 12, RIGHT - LEFT):
            page.text(LEFT, top, line, size=12)
            top += 16
    # signature
    page.text(330, top + 14, "(ลงชื่อ) ...................................", size=13)
    page.text(330, top + 34, "พนักงานประเมิน / พนักงานเจ้าหน้าที่", size=12)
    # the payment box, at the foot of the last page
    box_top = BOTTOM - 130
    page.line(LEFT, box_top - 8, RIGHT, box_top - 8, 0.3)
    page.text(LEFT, box_top, "ส่วนชำระเงิน (Thai QR Payment / Bill Payment)", size=12, bold=True)
    rows = [
        ("ชื่อผู้เสียภาษี", data.taxpayer_name),
        ("เลขที่อ้างอิง 1 (Ref. 1)", data.ref1 or "-"),
        ("เลขที่อ้างอิง 2 (Ref. 2)", data.ref2 or "-"),
        ("จำนวนเงิน", f"{amount} บาท"),
        ("ชำระภายใน", due),
    ]
    if data.biller_id:
        rows.append(("รหัสผู้รับชำระ (Biller ID)", data.biller_id))
    y = box_top + 18
    for label, value in rows:
        page.text(LEFT, y, label, size=11.5)
        page.text(LEFT + 130, y, _fit(regular, value, 11.5, 220), size=11.5)
        y += 15
    payload = data.qr_payload()
    if payload:
        # a fixed mask: every mask is valid (ISO/IEC 18004 §7.8); choosing the best one by
        # penalty takes most of the time of a notice
        qr = segno.make(payload, error="m", micro=False, mask=0)
        matrix = qr.matrix
        module = 108 / len(matrix)
        page.modules(RIGHT - 110, box_top - 2, matrix, module)
    else:
        page.text(RIGHT - 160, box_top + 40, "ชำระที่สำนักงาน", size=12, align="center", width=150)
    return pages
