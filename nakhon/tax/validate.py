"""Cleaning register records: text cells (an import) or typed values (a form) → typed values.

One ``clean_<kind>`` per register. Problems carry the field, the value and the reason in
English and Thai, like the ingestion report (``nakhon.ingestion.errors.IngestError``), so one
import report serves both languages. No database access here: references to other records
(owner codes, parcel codes) are resolved by the services.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from nakhon.core import thai
from nakhon.tax.rules import parse_rai_ngan_wah
from nakhon.tax.rules.land_building import USES  # the uses the engine knows

MAX_RAI = 50_000  # a parcel larger than 50,000 rai (80 km²) is a typing error
MAX_PRICE_PER_SQ_WAH = Decimal(5_000_000)
MAX_FLOOR_M2 = Decimal(1_000_000)
MAX_UNIT_M2 = Decimal(10_000)
MAX_PRICE_PER_M2 = Decimal(1_000_000)
MAX_SIDE_CM = 100_000
MAX_FACES = 8
MAX_FLOORS = 200
CODE_RE = re.compile(r"^[\w./-]{1,40}$")

USE_ALIASES = {
    "เกษตรกรรม": "agricultural",
    "ที่อยู่อาศัยหลัก": "residential_primary",
    "บ้านหลังหลัก": "residential_primary",
    "ที่อยู่อาศัยอื่น": "residential_other",
    "อื่นๆ": "commercial",
    "อื่น ๆ": "commercial",
    "พาณิชยกรรม": "commercial",
    "other": "commercial",
    "รกร้างว่างเปล่า": "vacant",
    "ว่างเปล่า": "vacant",
}
KIND_ALIASES = {
    "person": "person",
    "individual": "person",
    "บุคคลธรรมดา": "person",
    "บุคคล": "person",
    "juristic": "juristic",
    "company": "juristic",
    "นิติบุคคล": "juristic",
}
DEED_ALIASES = {
    "chanote": "chanote",
    "โฉนด": "chanote",
    "โฉนดที่ดิน": "chanote",
    "น.ส.4": "chanote",
    "น.ส.4 จ.": "chanote",
    "ns3k": "ns3k",
    "น.ส.3 ก.": "ns3k",
    "น.ส.3ก": "ns3k",
    "น.ส.3 ก": "ns3k",
    "ns3": "ns3",
    "น.ส.3": "ns3",
    "sk1": "sk1",
    "ส.ค.1": "sk1",
    "spk": "spk",
    "ส.ป.ก.": "spk",
    "ส.ป.ก.4-01": "spk",
    "other": "other",
    "อื่น": "other",
}
# Whether the holders of a parcel, building or unit own it or possess (use) it: the taxpayer
# of the Land and Building Tax Act B.E. 2562 is the owner of the land or building, or the
# possessor or user of land or a building that is state property (§5, "ผู้เสียภาษี").
ROLE_ALIASES = {
    "owner": "owner",
    "เจ้าของ": "owner",
    "เจ้าของกรรมสิทธิ์": "owner",
    "ผู้ถือกรรมสิทธิ์": "owner",
    "กรรมสิทธิ์": "owner",
    "possessor": "possessor",
    "ผู้ครอบครอง": "possessor",
    "ครอบครอง": "possessor",
    "ผู้ครอบครองหรือทำประโยชน์": "possessor",
    "ผู้ทำประโยชน์": "possessor",
    "ผู้ใช้ประโยชน์": "possessor",
}
# Land documents that give a right of possession (สิทธิครอบครอง), not ownership (กรรมสิทธิ์):
# น.ส.3, น.ส.3 ก., ส.ค.1, and ส.ป.ก. 4-01 (agricultural land reform land, which stays state
# land). Their holders are possessors unless the row says otherwise; a title deed (โฉนด) and
# "other" default to owner. (The land and building tax operating manual of the LAOs lists them
# as "land not owned but possessed": นส.๓, นส.๓ ก, สปก. ๔, ส.ค.๑, …)
POSSESSION_DEEDS = frozenset({"ns3k", "ns3", "sk1", "spk"})
STRUCTURE_ALIASES = {
    "masonry": "masonry",
    "ตึก": "masonry",
    "half_masonry": "half_masonry",
    "half-masonry": "half_masonry",
    "ตึกครึ่งไม้": "half_masonry",
    "wood": "wood",
    "ไม้": "wood",
}
YES = {"yes", "y", "true", "1", "ใช่", "มี", "เคลื่อนที่", "moving"}
NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่", "ไม่มี", "ไม่เคลื่อนที่", "fixed", "static"}


def _squeeze(text: str) -> str:
    return re.sub(r"[\s.]", "", text).lower()


def _alias(aliases: Mapping[str, str], value: str) -> str | None:
    """The code ``value`` stands for: as written, lower-cased, or without spaces and dots
    (``ส.ป.ก. 4-01`` = ``ส.ป.ก.4-01``, ``น.ส.3ก`` = ``น.ส.3 ก.``)."""
    found = aliases.get(value) or aliases.get(value.lower())
    if found is None:
        squeezed = _squeeze(value)
        found = next((v for k, v in aliases.items() if _squeeze(k) == squeezed), None)
    return found


@dataclass(frozen=True)
class Problem:
    """One refused value: which field, what value, why (English and Thai)."""

    field: str
    en: str
    th: str
    value: str = ""

    def message(self, language: str | None = None) -> str:
        return self.en if (language or "th").startswith("en") else self.th


class Cleaner:
    """Collects the cleaned values and the problems of one record."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.out: dict[str, Any] = {}
        self.problems: list[Problem] = []

    def text(self, name: str) -> str:
        value = self.raw.get(name)
        if value is None:
            return ""
        return thai.from_thai_digits(str(value)).strip()

    def present(self, name: str) -> bool:
        return name in self.raw

    def fail(self, name: str, en: str, th: str) -> None:
        shown = self.raw.get(name)
        self.problems.append(Problem(name, en, th, "" if shown is None else str(shown)[:100]))

    def required(self, name: str, max_length: int = 300) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, "required", "ต้องระบุ")
        elif len(value) > max_length:
            self.fail(name, f"longer than {max_length} characters", f"ยาวเกิน {max_length} ตัวอักษร")
        return value

    def optional(self, name: str, max_length: int = 300) -> str:
        value = self.text(name)
        if len(value) > max_length:
            self.fail(name, f"longer than {max_length} characters", f"ยาวเกิน {max_length} ตัวอักษร")
        return value

    def code(self, name: str = "code") -> str:
        value = self.required(name, 40)
        if value and not CODE_RE.match(value):
            self.fail(
                name,
                "a register number of letters, digits, '-', '/', '.' (at most 40)",
                "เลขทะเบียนต้องเป็นตัวอักษร ตัวเลข '-' '/' '.' ไม่เกิน 40 ตัว",
            )
        return value

    def choice(
        self, name: str, aliases: Mapping[str, str], allowed: tuple[str, ...], *, default: str = ""
    ) -> str:
        value = self.text(name)
        if not value:
            if default:
                return default
            self.fail(name, "required", "ต้องระบุ")
            return ""
        key = value.lower()
        found = _alias(aliases, value) or (key if key in allowed else None)
        if found is None:
            self.fail(
                name,
                f"unknown value; expected one of {', '.join(allowed)}",
                f"ไม่รู้จักค่านี้ ต้องเป็น {', '.join(allowed)}",
            )
            return ""
        return found

    def decimal(
        self,
        name: str,
        *,
        required: bool,
        low: Decimal,
        high: Decimal,
        places: int = 2,
        strict_low: bool = False,
    ) -> Decimal | None:
        raw = self.raw.get(name)
        if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
            number: Decimal | None = Decimal(raw)
        else:
            text = self.text(name).replace(",", "").replace("฿", "").replace(" ", "")
            if not text:
                if required:
                    self.fail(name, "required", "ต้องระบุ")
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                self.fail(name, "not a number", "ไม่ใช่ตัวเลข")
                return None
        assert number is not None
        if not number.is_finite():
            self.fail(name, "not a number", "ไม่ใช่ตัวเลข")
            return None
        too_low = number <= low if strict_low else number < low
        if too_low or number > high:
            sign = ">" if strict_low else "≥"
            self.fail(
                name,
                f"out of range: must be {sign} {low:,} and ≤ {high:,}",
                f"ค่าไม่อยู่ในช่วง ต้อง {sign} {low:,} และ ≤ {high:,}",
            )
            return None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.fail(name, f"at most {places} decimal places", f"ทศนิยมได้ไม่เกิน {places} ตำแหน่ง")
            return None
        return number

    def integer(self, name: str, *, required: bool, low: int, high: int) -> int | None:
        number = self.decimal(
            name, required=required, low=Decimal(low), high=Decimal(high), places=0
        )
        return None if number is None else int(number)

    def be_date(self, name: str) -> dt.date | None:
        raw = self.raw.get(name)
        if isinstance(raw, dt.date):
            return raw
        text = self.text(name)
        if not text:
            return None
        try:
            return thai.parse_thai_date(text, era="be")
        except thai.ThaiValueError as exc:
            self.problems.append(Problem(name, exc.message_en, exc.message_th, text))
            return None

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        raw = self.raw.get(name)
        if isinstance(raw, bool):
            return raw
        text = self.text(name).lower()
        if not text:
            if default is None:
                self.fail(name, "required (yes or no)", "ต้องระบุ (ใช่ หรือ ไม่)")
            return default
        if text in YES:
            return True
        if text in NO:
            return False
        self.fail(name, "must be yes or no", "ต้องเป็น ใช่ หรือ ไม่")
        return None

    def tambon(self, name: str = "tambon") -> str:
        value = self.text(name)
        if value and not re.fullmatch(r"\d{6}", value):
            self.fail(name, "a 6-digit DOPA tambon code", "ต้องเป็นรหัสตำบล 6 หลักของกรมการปกครอง")
            return ""
        return value

    def shares(
        self, name: str, *, parse_item: Any, what_en: str, what_th: str, hint: str = ""
    ) -> list[tuple[Any, Decimal]]:
        """``a:60; b:40`` (or one ``a`` with no share: 100 %) → [(a, 60), (b, 40)], or a list of
        ``(item, share)`` pairs as a service gets them; each share 0-100 % and together exactly
        100 % — whether one item or several (``a:50`` alone leaves half the land or half its
        ownership untaxed, so it is refused with the total found)."""
        raw = self.raw.get(name)
        items: list[tuple[Any, Decimal]] = []
        if isinstance(raw, list | tuple):
            for pair in raw:
                try:
                    item, share_value = pair
                    share = Decimal(str(share_value))
                except (TypeError, ValueError, InvalidOperation):
                    self.fail(
                        name,
                        f"{pair!r}: not an (item, share) pair",
                        f"{pair!r}: ไม่ใช่คู่ (รายการ, สัดส่วน)",
                    )
                    return []
                if not share.is_finite() or not Decimal(0) < share <= 100:
                    self.fail(name, "a share must be 0-100 %", "สัดส่วนต้องอยู่ระหว่าง 0-100 %")
                    return []
                items.append((item, share))
        else:
            text = self.text(name)
            if not text:
                return []
            for part in re.split(r"[;|]", text):
                part = part.strip()
                if not part:
                    continue
                key, _sep, share_text = part.partition(":")
                item = parse_item(key.strip())
                if item is None:
                    self.fail(
                        name,
                        f"unknown {what_en}: {key.strip()!r}{hint and f' (expected {hint})'}",
                        f"ไม่รู้จัก{what_th}: {key.strip()}{hint and f' (ต้องเป็น {hint})'}",
                    )
                    return []
                try:
                    share = Decimal(share_text.strip().rstrip("%")) if share_text else Decimal(100)
                except InvalidOperation:
                    self.fail(
                        name, f"share of {key!r} is not a number", f"สัดส่วนของ {key} ไม่ใช่ตัวเลข"
                    )
                    return []
                if not share.is_finite() or not Decimal(0) < share <= 100:
                    self.fail(name, "a share must be 0-100 %", "สัดส่วนต้องอยู่ระหว่าง 0-100 %")
                    return []
                items.append((item, share))
        total = sum((s for _i, s in items), Decimal(0))
        if items and total != 100:
            shown = f"{total.normalize():f}"
            self.fail(
                name,
                f"the {what_en} shares total {shown} %; they must total exactly 100 % "
                f"(a single {what_en} written without a share counts as 100 %)",
                f"สัดส่วน{what_th}รวมกันได้ {shown} % ต้องรวมกันเท่ากับ 100 % พอดี "
                f"({what_th}รายการเดียวที่ไม่ระบุสัดส่วน นับเป็น 100 %)",
            )
        if len({i for i, _s in items}) != len(items):
            self.fail(name, f"the same {what_en} twice", f"{what_th}ซ้ำกัน")
        return items


def parse_use(text: str) -> str | None:
    key = text.strip()
    found = USE_ALIASES.get(key) or USE_ALIASES.get(key.lower())
    if found:
        return found
    key = key.lower().replace("-", "_").replace(" ", "_")
    return key if key in USES else None


def _owner_code(text: str) -> str | None:
    return text if CODE_RE.match(text) else None


def _owners_and_uses(c: Cleaner, *, parcel: bool) -> None:
    c.out["owners"] = c.shares("owners", parse_item=_owner_code, what_en="owner", what_th="เจ้าของ")
    c.out["holder_role"] = _holder_role(c)
    uses = c.shares(
        "use",
        parse_item=parse_use,
        what_en="use",
        what_th="ประเภทการใช้ประโยชน์",
        hint=", ".join(u.replace("_", "-") for u in USES),
    )
    if c.present("use") and not uses and not any(p.field == "use" for p in c.problems):
        c.fail("use", "required", "ต้องระบุ")
    c.out["uses"] = uses
    vacant_since = c.be_date("vacant_since")
    if vacant_since and not any(u == "vacant" for u, _s in uses):
        c.fail("vacant_since", "given, but no part is vacant", "ระบุวันที่ว่างเปล่า แต่ไม่มีส่วนที่ว่างเปล่า")
    if vacant_since and not parcel:
        c.fail("vacant_since", "only land can be vacant", "เฉพาะที่ดินที่เป็นที่รกร้างว่างเปล่า")
    c.out["vacant_since"] = vacant_since


def _holder_role(c: Cleaner) -> str:
    """``holder_role`` (``owner``/``เจ้าของ``, ``possessor``/``ผู้ครอบครอง``): the role of every
    holder of the row; blank: possessor for a possession document (``POSSESSION_DEEDS``),
    owner otherwise."""
    if not c.text("holder_role"):
        return "possessor" if c.out.get("deed_kind") in POSSESSION_DEEDS else "owner"
    role = _alias(ROLE_ALIASES, c.text("holder_role"))
    if not role:
        c.fail(
            "holder_role",
            "unknown holder role; expected owner (เจ้าของ) or possessor (ผู้ครอบครอง)",
            "ไม่รู้จักประเภทผู้ถือครองนี้ ต้องเป็น เจ้าของ (owner) หรือ ผู้ครอบครอง (possessor)",
        )
        return "owner"
    if role and not c.out.get("owners") and not any(p.field == "owners" for p in c.problems):
        c.fail(
            "holder_role",
            "given, but no owners or possessors (the owners column)",
            "ระบุประเภทผู้ถือครอง แต่ไม่มีเจ้าของหรือผู้ครอบครอง (คอลัมน์เจ้าของ)",
        )
    return role


def clean_taxpayer(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    c = Cleaner(raw)
    c.out["code"] = c.code()
    kind = c.choice("kind", KIND_ALIASES, ("person", "juristic"))
    c.out["kind"] = kind
    number = c.text("national_id")
    if not number:
        c.fail("national_id", "required", "ต้องระบุ")
    elif kind:
        try:
            if kind == "person":
                c.out["national_id"] = thai.validate_thai_id(number)
            else:
                c.out["national_id"] = thai.validate_juristic_id(number)
        except thai.ThaiValueError as exc:
            # the personal ID is masked in the report too (the messages already mask it)
            masked = "" if kind == "person" else number
            c.problems.append(Problem("national_id", exc.message_en, exc.message_th, masked))
    c.out["title"] = c.optional("title", 40)
    c.out["name"] = c.required("name")
    c.out["address"] = c.optional("address", 1000)
    c.out["tambon"] = c.tambon()
    c.out["phone"] = c.optional("phone", 40)
    email = c.optional("email", 254)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        c.fail("email", "not an e-mail address", "ไม่ใช่ที่อยู่อีเมล")
    c.out["email"] = email
    return c.out, c.problems


def clean_parcel(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    c = Cleaner(raw)
    c.out["code"] = c.code()
    deed_kinds = ("chanote", "ns3k", "ns3", "sk1", "spk", "other")
    c.out["deed_kind"] = c.choice("deed_kind", DEED_ALIASES, deed_kinds, default="chanote")
    c.out["deed_number"] = c.optional("deed_number", 40)
    c.out["parcel_number"] = c.optional("parcel_number", 40)
    c.out["survey_page"] = c.optional("survey_page", 40)
    area: Decimal | None = None
    raw_area = raw.get("area_sq_wah")
    if raw_area not in (None, ""):
        area = c.decimal(
            "area_sq_wah",
            required=True,
            low=Decimal(0),
            high=Decimal(MAX_RAI * 400),
            strict_low=True,
        )
    else:
        text = c.text("area")
        if not text:
            c.fail("area", "required (rai-ngan-wah like 2-1-35)", "ต้องระบุ (ไร่-งาน-วา เช่น 2-1-35)")
        else:
            try:
                area = parse_rai_ngan_wah(text)
            except ValueError as exc:
                c.fail(
                    "area",
                    f"{exc}",
                    "ไม่ใช่เนื้อที่แบบ ไร่-งาน-วา ที่ถูกต้อง (งาน 0-3, ตารางวาต่ำกว่า 100) เช่น 2-1-35",
                )
            else:
                if area <= 0:
                    c.fail("area", "the area must be more than 0", "เนื้อที่ต้องมากกว่า 0")
                    area = None
                elif area > MAX_RAI * 400:
                    c.fail(
                        "area",
                        f"larger than {MAX_RAI:,} rai: a typing error?",
                        f"เกิน {MAX_RAI:,} ไร่ พิมพ์ผิดหรือไม่",
                    )
                    area = None
    c.out["area_sq_wah"] = area
    c.out["price_per_sq_wah"] = c.decimal(
        "price_per_sq_wah", required=False, low=Decimal(0), high=MAX_PRICE_PER_SQ_WAH
    )
    c.out["tambon"] = c.tambon()
    geometry = raw.get("geometry")
    if isinstance(geometry, str) and geometry.strip():
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError:
            c.fail("geometry", "not GeoJSON", "ไม่ใช่ GeoJSON")
            geometry = None
    c.out["geometry"] = geometry or None
    _owners_and_uses(c, parcel=True)
    return c.out, c.problems


def clean_building(
    raw: Mapping[str, Any], *, today: dt.date | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    c = Cleaner(raw)
    c.out["code"] = c.code()
    c.out["parcel"] = c.optional("parcel", 40)
    c.out["building_class"] = c.required("building_class", 20)
    c.out["structure"] = c.choice(
        "structure", STRUCTURE_ALIASES, ("masonry", "half_masonry", "wood"), default="masonry"
    )
    c.out["floor_area_m2"] = c.decimal(
        "floor_area_m2", required=True, low=Decimal(0), high=MAX_FLOOR_M2, strict_low=True
    )
    this_year_be = (today or dt.date.today()).year + thai.BE_OFFSET
    year_be = c.integer("year_built", required=False, low=2400, high=this_year_be)
    c.out["year_built"] = None if year_be is None else year_be - thai.BE_OFFSET
    c.out["floors"] = c.integer("floors", required=False, low=1, high=MAX_FLOORS) or 1
    c.out["price_per_m2"] = c.decimal(
        "price_per_m2", required=False, low=Decimal(0), high=MAX_PRICE_PER_M2
    )
    _owners_and_uses(c, parcel=False)
    return c.out, c.problems


def clean_unit(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    c = Cleaner(raw)
    c.out["code"] = c.code()
    c.out["condominium"] = c.required("condominium", 200)
    c.out["unit_number"] = c.required("unit_number", 40)
    c.out["floor"] = c.optional("floor", 10)
    c.out["deed_number"] = c.optional("deed_number", 40)
    c.out["area_m2"] = c.decimal(
        "area_m2", required=True, low=Decimal(0), high=MAX_UNIT_M2, strict_low=True
    )
    c.out["price_per_m2"] = c.decimal(
        "price_per_m2", required=False, low=Decimal(0), high=MAX_PRICE_PER_M2
    )
    c.out["tambon"] = c.tambon()
    _owners_and_uses(c, parcel=False)
    return c.out, c.problems


def clean_signboard(
    raw: Mapping[str, Any], *, exemptions: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    c = Cleaner(raw)
    c.out["code"] = c.code()
    c.out["owner"] = c.optional("owner", 40)
    c.out["business_name"] = c.optional("business_name", 300)
    sign_type = c.text("sign_type")
    if sign_type not in ("1", "2", "3"):
        c.fail(
            "sign_type",
            "sign type must be 1, 2 or 3 (Signboard Tax Act schedule)",
            "ประเภทป้ายต้องเป็น 1, 2 หรือ 3 (ตามบัญชีอัตราภาษีป้าย)",
        )
        c.out["sign_type"] = None
    else:
        c.out["sign_type"] = int(sign_type)
    c.out["moving"] = c.boolean("moving", default=False)
    c.out["width_cm"] = c.integer("width_cm", required=True, low=1, high=MAX_SIDE_CM)
    c.out["height_cm"] = c.integer("height_cm", required=True, low=1, high=MAX_SIDE_CM)
    c.out["faces"] = c.integer("faces", required=False, low=1, high=MAX_FACES) or 1
    installed = c.be_date("installed_on")
    removed = c.be_date("removed_on")
    if installed and removed and removed < installed:
        c.fail("removed_on", "removed before it was installed", "วันที่รื้อถอนก่อนวันที่ติดตั้ง")
    c.out["installed_on"], c.out["removed_on"] = installed, removed
    exemption = c.optional("exemption", 40)
    if exemption and exemptions and exemption not in exemptions:
        c.fail(
            "exemption",
            f"unknown exemption; known: {', '.join(exemptions)}",
            f"ไม่รู้จักรหัสการยกเว้น รหัสที่มี: {', '.join(exemptions)}",
        )
    c.out["exemption"] = exemption
    lat = c.decimal("latitude", required=False, low=Decimal(5), high=Decimal(21), places=6)
    lon = c.decimal("longitude", required=False, low=Decimal(97), high=Decimal(106), places=6)
    if (lat is None) != (lon is None) and not any(
        p.field in ("latitude", "longitude") for p in c.problems
    ):
        c.fail("latitude", "give both latitude and longitude", "ต้องระบุทั้งละติจูดและลองจิจูด")
    c.out["latitude"], c.out["longitude"] = lat, lon
    c.out["tambon"] = c.tambon()
    return c.out, c.problems


CLEANERS = {
    "taxpayer": clean_taxpayer,
    "parcel": clean_parcel,
    "building": clean_building,
    "unit": clean_unit,
    "signboard": clean_signboard,
}
