"""The receipt of a tax payment (ใบเสร็จรับเงิน), pure: data in, one PDF page out.

Drawn with the notices' writer and Sarabun: the municipality, the receipt number and date
(B.E.), the taxpayer, the tax and year, the notice it pays, the tax and the penalty and
surcharge paid (with the explanation lines of the charges), the amount in figures and in Thai
words, the channel, and a signature line. The layout is our own (docs/tax.md).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from nakhon.core import thai
from nakhon.tax.notices import pdf
from nakhon.tax.notices.pdf import Page
from nakhon.tax.notices.render import LEFT, RIGHT, _fit, _wrap

KIND_TH = {"signboard": "ภาษีป้าย", "land_building": "ภาษีที่ดินและสิ่งปลูกสร้าง"}
CHANNEL_TH = {
    "counter": "ชำระที่สำนักงาน",
    "transfer": "โอนเงินผ่านธนาคาร",
    "bank_import": "ชำระผ่านธนาคาร (รายการจากธนาคาร)",
}


@dataclass
class ReceiptData:
    receipt_number: str
    fiscal_year: int
    paid_on: dt.date
    city: str
    city_address: str
    taxpayer_code: str
    taxpayer_name: str
    taxpayer_address: str
    kind: str
    tax_year: int
    notice_number: str
    payment_reference: str
    amount_baht: Decimal
    principal_baht: Decimal
    charges_baht: Decimal
    channel: str
    installment: int | None = None
    charge_lines: list[tuple[str, str]] = field(default_factory=list)
    reversed_reason: str = ""


def draw(data: ReceiptData, fonts: tuple[pdf.Font, pdf.Font]) -> Page:
    regular = fonts[0]
    page = Page(fonts)
    width = RIGHT - LEFT
    page.text(LEFT, 36, f"เลขที่ {data.receipt_number}", size=13)
    page.text(LEFT, 36, f"ปีงบประมาณ {data.fiscal_year}", size=13, align="right", width=width)
    page.text(LEFT, 62, "ใบเสร็จรับเงิน", size=20, bold=True, align="center", width=width)
    page.text(LEFT, 90, data.city, size=15, bold=True, align="center", width=width)
    top = 110.0
    for line in _wrap(regular, data.city_address, 12, width)[:2]:
        page.text(LEFT, top, line, size=12, align="center", width=width)
        top += 15
    top += 10
    paid = thai.format_thai_date(data.paid_on, style="long")
    page.text(LEFT, top, f"วันที่ {paid}", size=14, align="right", width=width)
    top += 24
    page.text(LEFT, top, "ได้รับเงินจาก", size=14, bold=True)
    page.text(LEFT + 90, top, _fit(regular, data.taxpayer_name, 14, 300), size=14)
    page.text(LEFT, top, f"ทะเบียนผู้เสียภาษี {data.taxpayer_code}", size=12, align="right", width=width)
    top += 20
    for line in _wrap(regular, data.taxpayer_address, 13, width - 90)[:2]:
        page.text(LEFT + 90, top, line, size=13)
        top += 17
    top += 10
    installment = f" งวดที่ {data.installment}" if data.installment else ""
    rows: list[tuple[str, str, bool]] = [
        (
            f"{KIND_TH.get(data.kind, data.kind)} ประจำปีภาษี พ.ศ. {data.tax_year}{installment}",
            "",
            True,
        ),
        (f"ตามหนังสือแจ้งการประเมิน เลขที่ {data.notice_number}", "", False),
        (f"เลขที่อ้างอิงการชำระ (Ref. 1) {data.payment_reference}", "", False),
        ("ค่าภาษี", f"{data.principal_baht:,.2f}", False),
        ("เบี้ยปรับและเงินเพิ่ม", f"{data.charges_baht:,.2f}", False),
    ]
    rows += [(f"    {label}", value, False) for label, value in data.charge_lines]
    page.line(LEFT, top, RIGHT, top, 0.8)
    page.text(LEFT + 4, top + 3, "รายการ", size=13, bold=True)
    page.text(RIGHT - 124, top + 3, "จำนวนเงิน (บาท)", size=13, bold=True, align="right", width=120)
    top += 22
    page.line(LEFT, top, RIGHT, top, 0.5)
    top += 4
    for label, value, bold in rows[:30]:
        page.text(LEFT + 4, top, _fit(regular, label, 12.5, width - 170), size=12.5, bold=bold)
        if value:
            page.text(RIGHT - 154, top, value, size=12.5, align="right", width=150)
        top += 18
    page.line(LEFT, top + 2, RIGHT, top + 2, 0.8)
    top += 10
    page.text(LEFT, top, "รวมเงินที่ได้รับ", size=15, bold=True)
    page.text(
        RIGHT - 204, top, f"{data.amount_baht:,.2f} บาท", size=15, bold=True, align="right",
        width=200,
    )  # fmt: skip
    top += 22
    page.text(
        RIGHT - 404, top, f"({thai.baht_text(data.amount_baht)})", size=14, align="right", width=400
    )
    top += 26
    page.text(LEFT, top, f"ช่องทางการชำระ: {CHANNEL_TH.get(data.channel, data.channel)}", size=13)
    top += 40
    if data.reversed_reason:
        page.text(LEFT, top, f"ยกเลิกแล้ว: {data.reversed_reason}", size=14, bold=True)
        top += 24
    page.text(330, top, "(ลงชื่อ) ...................................", size=13)
    page.text(330, top + 20, "ผู้รับเงิน / เจ้าหน้าที่การเงิน", size=12)
    return page


def render(data: ReceiptData) -> bytes:
    fonts = pdf.sarabun()
    out = io.BytesIO()
    writer = pdf.Writer(out, fonts, title=f"receipt {data.receipt_number}")
    writer.add(draw(data, fonts))
    writer.close()
    return out.getvalue()
