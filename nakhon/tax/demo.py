"""The demo city's local revenue register: generated, deterministic, fictitious.

A few dozen taxpayers (fake Thai IDs with a valid check digit), parcels, buildings, a
condominium and signboards, written through the same services as an import (so each record
has its audit history). The names are not the demo staff's: a personal-data sweep can look for
them on public pages and find none.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from nakhon.accounts.models import Municipality
from nakhon.core.models import AdminArea
from nakhon.tax.demo_geo import parcel_geometry, sign_position
from nakhon.tax.models import Taxpayer
from nakhon.tax.rules import parse_rai_ngan_wah
from nakhon.tax.services import record_check, record_write

SEED = 6
FIRST = ["บุญเรือน", "คำปุน", "สมหมาย", "ทองใบ", "บัวผัน", "เฉลิมชัย", "ละเอียด", "อุดร", "สายทอง"]
LAST = ["ดวงแก้ว", "พรหมวงศ์", "ศรีบุญเรือง", "ชัยมงคล", "คำภูแก้ว", "นาคประเสริฐ", "อินทร์ทอง"]
COMPANIES = [
    "บริษัท ขอนแก่นพัฒนาเมือง จำกัด",
    "ห้างหุ้นส่วนจำกัด มิตรภาพค้าวัสดุ",
    "บริษัท หมอลำพลาซ่า จำกัด",
    "บริษัท แก่นนครโฮเทล จำกัด",
    "ห้างหุ้นส่วนจำกัด บึงแก่นนครการค้า",
    "บริษัท ศรีจันทร์มอเตอร์ จำกัด",
]
SHOPS = ["ร้านข้าวเหนียวไก่ย่าง", "ร้านผ้าไหม", "ร้านยา", "ร้านกาแฟ", "ร้านทอง", "อู่ซ่อมรถ", "Mini Mart"]


def fake_id(rng: random.Random, first: str) -> str:
    """13 digits starting with ``first`` and a valid check digit (DOPA's mod-11 rule)."""
    digits = first + "".join(str(rng.randint(0, 9)) for _ in range(11))
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return digits + str((11 - total % 11) % 10)


def _position(rng: random.Random, i: int, axis: int) -> str:
    """Sign ``i``'s latitude (axis 1) or longitude (0) on the demo grid (``demo_geo``), where
    the demo business licences can find it; the draw is kept so every later value stays."""
    rng.random()
    return f"{sign_position(i)[axis]:.6f}"


def build_tax_register(
    municipality: Municipality, actor: Any, log: Callable[[str], None] = lambda _m: None
) -> int:
    """Write the demo register (idempotent: nothing when it is present); returns records made."""
    if Taxpayer.objects.filter(municipality=municipality).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - deterministic fictitious demo data
    tambons = list(
        AdminArea.objects.filter(level="subdistrict", code__startswith="4001")
        .order_by("code")
        .values_list("code", flat=True)[:5]
    ) or [""]
    made = 0

    def put(kind: str, data: dict[str, Any]) -> None:
        nonlocal made
        checked = record_check(kind, municipality=municipality, data=data)
        assert not checked.problems, (kind, data.get("code"), checked.problems)
        record_write(checked, actor=actor, municipality=municipality)
        made += 1

    people = []
    for i in range(1, 31):
        code = f"TP-{i:04d}"
        put(
            "taxpayer",
            {
                "code": code,
                "kind": "person",
                "national_id": fake_id(rng, rng.choice("1358")),
                "title": rng.choice(["นาย", "นาง", "นางสาว"]),
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "address": f"{rng.randint(1, 399)} หมู่ {rng.randint(1, 20)}",
                "tambon": rng.choice(tambons),
                "phone": f"08{rng.randint(1, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            },
        )
        people.append(code)
    companies = []
    for i, name in enumerate(COMPANIES, start=31):
        code = f"TP-{i:04d}"
        put(
            "taxpayer",
            {
                "code": code,
                "kind": "juristic",
                "national_id": fake_id(rng, "0"),
                "name": name,
                "address": f"{rng.randint(1, 999)} ถนนมิตรภาพ",
                "tambon": rng.choice(tambons),
            },
        )
        companies.append(code)
    uses = ["residential_primary", "residential_other", "commercial", "agricultural", "vacant"]
    for i in range(1, 41):
        use = uses[i % len(uses)]
        owner = rng.choice(companies if use == "commercial" and i % 2 else people)
        if i % 7 == 0:
            use_text = "residential-primary:60;commercial:40"
            owner = rng.choice(people)
        else:
            use_text = use
        rai, ngan, wah = rng.randint(0, 3), rng.randint(0, 3), rng.randint(0, 99)
        area = f"{rai}-{ngan}-{max(wah, 10 if rai + ngan == 0 else 0)}"
        put(
            "parcel",
            {
                "code": f"P-{i:04d}",
                "geometry": parcel_geometry(i, parse_rai_ngan_wah(area)),
                "deed_kind": "chanote" if i % 5 else "ns3k",
                "deed_number": str(10000 + i * 37),
                "parcel_number": str(100 + i),
                "survey_page": str(2000 + i),
                "area": area,
                "price_per_sq_wah": str(rng.choice([8000, 12000, 25000, 45000])),
                "tambon": rng.choice(tambons),
                "owners": owner,
                "use": use_text,
                "vacant_since": "1/1/2560" if use == "vacant" and i % 7 else "",
            },
        )
        if use in ("residential_primary", "residential_other", "commercial") and i <= 30:
            put(
                "building",
                {
                    "code": f"B-{i:04d}",
                    "parcel": f"P-{i:04d}",
                    # codes of the Treasury building price list (rule files, building_cost)
                    "building_class": rng.choice(["100", "200", "400", "513"]),
                    "structure": rng.choice(["masonry", "masonry", "half_masonry", "wood"]),
                    "floor_area_m2": str(Decimal(rng.randint(60, 400))),
                    "year_built": str(rng.randint(2530, 2565)),
                    "floors": str(rng.randint(1, 3)),
                    "price_per_m2": str(rng.choice([6000, 7500, 9000])),
                    "owners": owner,
                    "use": use_text,
                },
            )
    for i in range(1, 5):
        put(
            "unit",
            {
                "code": f"U-{i:04d}",
                "condominium": "แก่นนคร คอนโดมิเนียม",
                "unit_number": f"{i}0{i}",
                "floor": str(i),
                "area_m2": str(28 + i * 4),
                "price_per_m2": "35000",
                "owners": rng.choice(people),
                "use": "residential-other",
            },
        )
    for i in range(1, 26):
        put(
            "signboard",
            {
                "code": f"S-{i:04d}",
                "owner": rng.choice(companies + people[:10]),
                "business_name": f"{rng.choice(SHOPS)} {i}",
                "sign_type": str(rng.choice([1, 2, 2, 3])),
                "moving": "yes" if i % 9 == 0 else "no",
                "width_cm": str(rng.choice([80, 120, 200, 300, 450])),
                "height_cm": str(rng.choice([40, 60, 100, 150])),
                "faces": str(1 + (i % 4 == 0)),
                "installed_on": "15/08/2568" if i % 6 == 0 else "",
                "latitude": _position(rng, i, 1),
                "longitude": _position(rng, i, 0),
                "tambon": rng.choice(tambons),
            },
        )
    log(f"  tax register: {made} records (taxpayers, parcels, buildings, units, signboards)")
    return made


DEMO_YEAR = 2568


def build_tax_collection(
    municipality: Municipality, actor: Any, log: Callable[[str], None] = lambda _m: None
) -> int:
    """The demo's collection cycle of tax year 2568, through the services, dated today:
    assessment runs of both taxes issued; payments (a signboard tax in full, one in part, one
    reversed; a land and building tax paid late in full with its late charges, one in part); a
    warning notice; an objection; collection targets of this fiscal year. Idempotent (nothing
    when a run of 2568 exists); returns the payments made.

    The notices are issued today, so the land and building tax (due 30 June 2568) is in arrears
    and the signboard tax (due 15 days after its notice) is due: every status of the tax map.
    """
    from django.utils import timezone

    from nakhon.core import thai
    from nakhon.tax import arrears, assessments, objections, payments
    from nakhon.tax.models import Assessment, AssessmentRun

    if AssessmentRun.objects.filter(municipality=municipality, tax_year=DEMO_YEAR).exists():
        return 0
    today = timezone.localdate()
    issued: dict[str, list[Assessment]] = {}
    for kind in ("land_building", "signboard"):
        run = assessments.run_assessment(actor, municipality, kind, DEMO_YEAR)
        assessments.run_issue(actor=actor, municipality=municipality, run=run)
        issued[kind] = list(
            Assessment.objects.filter(run=run, status="issued").order_by("taxpayer__code")
        )
    land, signs = issued["land_building"], issued["signboard"]
    made = 0

    def pay(item: Assessment, share: int, channel: str = "counter") -> Any:
        nonlocal made
        account = payments.account_get(actor=actor, municipality=municipality, assessment=item)
        amount = (account.balance_baht * share / 100).quantize(Decimal("0.01"))
        made += 1
        return payments.payment_record(
            actor=actor,
            municipality=municipality,
            assessment=item,
            amount_baht=amount,
            paid_on=today,
            channel=channel,
        )

    for item in signs[:3]:
        pay(item, 100)  # on time: no charges
    pay(signs[3], 50, "transfer")
    bounced = pay(signs[4], 100, "transfer")
    payments.payment_reverse(
        actor=actor,
        municipality=municipality,
        payment=bounced,
        reason="โอนเงินไม่สำเร็จ ธนาคารคืนรายการ (demo)",
    )
    for item in land[:2]:
        pay(item, 100)  # late: the tax with its penalty and surcharge
    pay(land[2], 40)
    arrears.reminder_send(actor=actor, municipality=municipality, assessment=land[3], sent_on=today)
    objections.objection_file(
        actor=actor,
        municipality=municipality,
        assessment=land[4],
        filed_on=today,
        grounds="เนื้อที่ในทะเบียนมากกว่าโฉนดจริง ขอให้ตรวจสอบและประเมินใหม่ (demo)",
    )
    fiscal_year = thai.fiscal_year(today)
    for kind, items in issued.items():
        target = sum((a.tax_baht for a in items), Decimal(0)).quantize(Decimal("1000"))
        arrears.target_set(
            actor=actor,
            municipality=municipality,
            fiscal_year=fiscal_year,
            kind=kind,
            target_baht=max(target, Decimal(1000)),
        )
    log(
        f"  tax {DEMO_YEAR}: {len(land)} + {len(signs)} notices issued, {made} payments "
        "(one reversed), a warning notice, an objection, targets"
    )
    _publish_figures(municipality, log)
    return made


def _publish_figures(municipality: Municipality, log: Callable[[str], None]) -> None:
    """The open figures of the demo's revenue (``nakhon.tax.publish``), published by the city's
    administrator (the tax officer may not publish datasets), so the portal shows them."""
    from nakhon.accounts.models import Membership
    from nakhon.core.permissions import Role
    from nakhon.tax.publish import describe, tax_figures_publish

    admin = (
        Membership.objects.filter(municipality=municipality, role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    if admin is not None:
        done = tax_figures_publish(actor=admin.user, municipality=municipality)
        log("  open figures: " + "; ".join(describe(done).splitlines()))
