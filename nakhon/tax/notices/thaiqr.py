"""Thai QR Payment, bill payment: the EMVCo merchant-presented QR payload (pure, no Django).

The payload is a string of TLV fields (two-digit tag, two-digit length, value) ending with
tag 63, a CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no
final XOR) over everything before it including ``6304``, as four upper-case hex digits.
Sources: EMVCo QR Code Specification for Payment Systems, Merchant-Presented Mode v1.1, §4
(data objects) and §4.7.3 (CRC); the Bank of Thailand's Thai QR Code Payment Standard (bill
payment: tag 30 with the application ID A000000677010112, biller ID 15 digits = the biller's
13-digit tax ID + a 2-digit suffix, reference 1 and 2 of at most 20 characters; currency 764,
country TH). Tested against payloads that banks print (tests/test_thaiqr.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

BILL_PAYMENT_AID = "A000000677010112"
CREDIT_TRANSFER_AID = "A000000677010111"
CURRENCY_THB = "764"
_REFERENCE = re.compile(r"^[0-9A-Z]{1,20}$")


class QRError(ValueError):
    """A value that cannot go into a Thai QR payload, or a payload that does not verify."""


def crc16(data: str | bytes) -> str:
    """CRC-16/CCITT-FALSE of ``data`` as 4 upper-case hex digits (check value of
    ``123456789``: ``29B1``)."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    crc = 0xFFFF
    for byte in raw:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
    """One data object: tag, length (two digits), value."""
    if len(tag) != 2 or not tag.isdigit():
        raise QRError(f"tag {tag!r}: two digits")
    if not 0 < len(value) <= 99:
        raise QRError(f"tag {tag}: value of 1-99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """``body`` (without tag 63) + ``6304`` + its CRC."""
    head = body + "6304"
    return head + crc16(head)


def parse(payload: str) -> dict[str, str]:
    """The top-level fields of a payload (tag → value); raises ``QRError`` on a bad CRC or a
    length that runs past the end."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise QRError("no CRC field (6304) at the end")
    if crc16(payload[:-4]) != payload[-4:].upper():
        raise QRError(f"CRC mismatch: {payload[-4:]} given, {crc16(payload[:-4])} computed")
    return _fields(payload)


def _fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        if i + 4 > len(text):
            raise QRError(f"truncated field at {i}")
        tag, length = text[i : i + 2], int(text[i + 2 : i + 4])
        value = text[i + 4 : i + 4 + length]
        if len(value) != length:
            raise QRError(f"field {tag} runs past the end")
        fields[tag] = value
        i += 4 + length
    return fields


def subfields(value: str) -> dict[str, str]:
    """The nested fields of a template (tag 26-51 merchant account, 62 additional data)."""
    return _fields(value)


def format_amount(amount: Decimal) -> str:
    value = Decimal(amount).quantize(Decimal("0.01"))
    if value <= 0 or value >= Decimal("10000000000000"):
        raise QRError(f"amount {amount}: more than 0 and at most 13 characters")
    return f"{value:f}"


def reference(text: str) -> str:
    """A bill payment reference: upper-case letters and digits, at most 20 (others dropped)."""
    cleaned = re.sub(r"[^0-9A-Z]", "", text.upper())[:20]
    if not _REFERENCE.match(cleaned):
        raise QRError(f"reference {text!r}: needs letters or digits")
    return cleaned


@dataclass(frozen=True)
class BillPayment:
    """What a bill payment QR carries; ``payload()`` is the string to encode as a QR code."""

    biller_id: str  # 15 digits: tax ID (13) + suffix (2)
    ref1: str
    amount: Decimal
    ref2: str = ""
    merchant_name: str = ""  # ASCII, at most 25

    def payload(self) -> str:
        if not re.fullmatch(r"\d{15}", self.biller_id):
            raise QRError(f"biller ID {self.biller_id!r}: 15 digits (tax ID + suffix)")
        account = (
            tlv("00", BILL_PAYMENT_AID)
            + tlv("01", self.biller_id)
            + tlv("02", reference(self.ref1))
            + (tlv("03", reference(self.ref2)) if self.ref2 else "")
        )
        body = (
            tlv("00", "01")
            + tlv("01", "12")  # dynamic: this amount, this bill
            + tlv("30", account)
            + tlv("53", CURRENCY_THB)
            + tlv("54", format_amount(self.amount))
            + tlv("58", "TH")
        )
        if self.merchant_name:
            name = self.merchant_name.encode("ascii", "ignore").decode()[:25].strip()
            if name:
                body += tlv("59", name)
        return with_crc(body)


def decode_bill_payment(payload: str) -> dict[str, str]:
    """``{"biller_id", "ref1", "ref2", "amount", "currency", "country"}`` of a verified payload."""
    fields = parse(payload)
    account = subfields(fields.get("30", ""))
    if account.get("00") != BILL_PAYMENT_AID:
        raise QRError("not a Thai QR bill payment (tag 30, A000000677010112)")
    return {
        "biller_id": account.get("01", ""),
        "ref1": account.get("02", ""),
        "ref2": account.get("03", ""),
        "amount": fields.get("54", ""),
        "currency": fields.get("53", ""),
        "country": fields.get("58", ""),
    }
