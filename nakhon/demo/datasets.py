"""Demo datasets for Khon Kaen: files as a Thai municipal office would send them, generated
deterministically (no public microdata exists for these), then ingested through the real
pipeline so the demo shows real versions, reports and freshness.

- ``communities``: communities (ชุมชน) with households and population — a CP874 CSV with
  Buddhist-Era survey dates, the way a registration office exports it; two versions.
- ``markets``: fresh markets with coordinates inside the municipal boundary — UTF-8 CSV.
- ``budget``: the annual budget by department, fiscal years 2563–2568 — an Excel file with
  merged title rows above the header.
- ``stall-holders``: market stall holders — a *public* dataset whose name, Thai ID and phone
  columns are personal data (the pipeline flags them): the public sees the stalls, never the
  people.
- ``elderly-allowance``: recipients of the elderly allowance — classified *personal*, so it
  never appears publicly at all.

The people in the last two are invented: names drawn from common Thai given names and
surnames, Thai ID numbers that pass the ID check but carry the province code 99, which does not
exist (so they belong to nobody), phone numbers in 099. They exist so tests can sweep every public
page and API for them.

The community names are generated from common Khon Kaen place-name elements, not a real list.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nakhon.core import thai

SEED = 2569

_PLACES = [
    "โนนทัน",
    "หนองวัด",
    "ศรีจันทร์",
    "บ้านเป็ด",
    "โนนชัย",
    "หนองแวง",
    "สามเหลี่ยม",
    "เทพารักษ์",
    "ศรีฐาน",
    "คุ้มวัดกลาง",
    "โพธิ์ศรี",
    "ตลาดเทศบาล",
    "หลังศูนย์ราชการ",
    "มิตรภาพ",
    "ประชาสโมสร",
    "หนองใหญ่",
    "ดอนหญ้านาง",
    "บ้านหัวทุ่ง",
    "ศรีนวล",
    "กัลปพฤกษ์",
    "รื่นฤดี",
    "โนนหนองวัด",
    "บ้านโคกน้อย",
    "ทุ่งสร้าง",
    "ข้าวหลาม",
    "ศิริมงคล",
    "แก่นนคร",
    "หนองบึง",
    "เหล่านาดี",
    "สระบัว",
]
_MARKETS = [
    ("ตลาดบางลำภู", 16.4301, 102.8307),
    ("ตลาดเทศบาล 1", 16.4337, 102.8335),
    ("ตลาดต้นตาล", 16.4158, 102.8417),
    ("ตลาดหนองไผ่ล้อม", 16.4262, 102.8204),
    ("ตลาดโบ๊เบ๊", 16.4368, 102.8346),
    ("ตลาดสดเทศบาล 4", 16.4486, 102.8261),
    ("ตลาดประตูน้ำขอนแก่น", 16.4103, 102.8190),
    ("ตลาดเจ้าพ่อ", 16.4284, 102.8400),
]
_DEPARTMENTS = [
    "สำนักปลัดเทศบาล",
    "สำนักการคลัง",
    "สำนักการช่าง",
    "สำนักการศึกษา",
    "สำนักสาธารณสุขและสิ่งแวดล้อม",
    "สำนักสวัสดิการสังคม",
    "กองยุทธศาสตร์และงบประมาณ",
]


@dataclass(frozen=True)
class DemoDataset:
    slug: str
    metadata: dict[str, Any]
    files: list[tuple[str, bytes]]  # one file per version, oldest first


def _communities(rng: random.Random, version: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["รหัสชุมชน", "ชื่อชุมชน", "ตำบล", "จำนวนครัวเรือน", "ชาย", "หญิง", "วันที่สำรวจ"])
    survey_year = 2567 + version  # BE
    for i, place in enumerate(_PLACES, start=1):
        households = rng.randint(120, 900) + version * rng.randint(0, 12)
        male = int(households * rng.uniform(1.2, 1.6))
        female = int(households * rng.uniform(1.3, 1.7))
        day = rng.randint(1, 28)
        month = thai.THAI_MONTHS_ABBR[rng.randint(1, 12)]
        writer.writerow(
            [
                f"KK{i:03d}",
                f"ชุมชน{place}",
                "ในเมือง",
                f"{households:,}",
                male,
                female,
                f"{day} {month} {survey_year}",
            ]
        )
    return out.getvalue().encode("cp874")


def _markets(rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["market_id", "name_th", "stalls", "opens", "latitude", "longitude"])
    for i, (name, lat, lon) in enumerate(_MARKETS, start=1):
        writer.writerow(
            [
                i,
                name,
                rng.randint(40, 600),
                rng.choice(["04:00", "05:00", "15:00"]),
                f"{lat:.5f}",
                f"{lon:.5f}",
            ]
        )
    return out.getvalue().encode("utf-8")


def _budget_xlsx(rng: random.Random) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "งบประมาณ"
    ws.append(["งบประมาณรายจ่ายประจำปี เทศบาลนครขอนแก่น"])
    ws.merge_cells("A1:D1")
    ws.append(["จำแนกตามหน่วยงาน ปีงบประมาณ พ.ศ. 2563–2568 (หน่วย: บาท)"])
    ws.merge_cells("A2:D2")
    ws.append([])
    ws.append(["ปีงบประมาณ", "หน่วยงาน", "งบประมาณที่ได้รับ", "เบิกจ่ายจริง"])
    for year in range(2563, 2569):
        for dept in _DEPARTMENTS:
            budget = rng.randint(8, 400) * 1_000_000 + rng.randint(0, 99) * 10_000
            spent = round(budget * rng.uniform(0.78, 0.99), 2)
            ws.append([year, dept, budget, spent])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_GIVEN = [
    "สมชาย",
    "สมหญิง",
    "ประเสริฐ",
    "วันเพ็ญ",
    "บุญมี",
    "สุดารัตน์",
    "ทองดี",
    "อำไพ",
    "ชัยวัฒน์",
    "มาลัย",
    "สมศักดิ์",
    "จันทร์เพ็ญ",
    "วิเชียร",
    "บุญเรือน",
    "สุนทร",
    "ละเอียด",
]
_FAMILY = [
    "ใจดี",
    "ศรีสุข",
    "แก้วมณี",
    "ทองคำ",
    "พรหมมา",
    "ศรีบุญเรือง",
    "บุญประเสริฐ",
    "คำแก้ว",
    "สีหาราช",
    "ภูมิภักดิ์",
    "แสนสุข",
    "ชาญวิทย์",
]
_GOODS = [
    "ผักสด",
    "ผลไม้",
    "เนื้อหมู",
    "ไก่สด",
    "ปลาน้ำจืด",
    "ข้าวเหนียว",
    "อาหารปรุงสุก",
    "เครื่องแกง",
    "ขนมไทย",
    "ของชำ",
]


def fake_thai_id(rng: random.Random) -> str:
    """A Thai ID number that passes every check (category 1–8, check digit) but belongs to
    nobody: digits 2–3 hold the province code, and there is no province 99."""
    from stdnum.th import pin

    body = f"{rng.randint(1, 8)}99{rng.randint(0, 999_999_999):09d}"
    return body + pin.calc_check_digit(body)


def fake_person(rng: random.Random) -> tuple[str, str, str]:
    """(full name, Thai ID, phone) of an invented person."""
    name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    phone = f"099-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    return name, fake_thai_id(rng), phone


def people(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """``count`` invented people, every name different."""
    out: dict[str, tuple[str, str, str]] = {}
    while len(out) < count:
        person = fake_person(rng)
        out.setdefault(person[0], person)
    return list(out.values())


def _stall_holders(rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["เลขที่แผง", "ตลาด", "ชื่อ-นามสกุลผู้ค้า", "เลขประจำตัวประชาชน", "โทรศัพท์", "สินค้า", "ค่าเช่าต่อเดือน"]
    )
    for i, (name, pid, phone) in enumerate(people(rng, 40), start=1):
        market = _MARKETS[i % len(_MARKETS)][0]
        rent = rng.choice([300, 450, 600, 900, 1200])
        writer.writerow([f"S{i:03d}", market, name, pid, phone, rng.choice(_GOODS), f"{rent:,}"])
    return out.getvalue().encode("utf-8")


def _elderly_allowance(rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["เลขประจำตัวประชาชน", "ชื่อ-นามสกุล", "อายุ", "ชุมชน", "เบี้ยยังชีพ (บาท)"])
    for name, pid, _phone in people(rng, 30):
        age = rng.randint(60, 95)
        amount = 600 if age < 70 else 700 if age < 80 else 800 if age < 90 else 1000
        writer.writerow([pid, name, age, f"ชุมชน{rng.choice(_PLACES)}", amount])
    return out.getvalue().encode("cp874")


# --- for the revenue-gap worklists (nakhon.tax.gap): they overlap the demo tax register -------
# (parcels and signs placed by nakhon.tax.demo_geo). Parcel i has a registered building when
# i <= 30 and i % 5 is 0, 1 or 2 (nakhon.tax.demo); i % 5 is the use: 0 residential (primary),
# 1 residential (other), 2 commercial, 3 agricultural, 4 vacant; i % 7 == 0 is mixed with 40 %
# commercial.
FOOTPRINTS_MATCHED = tuple(i for i in range(1, 31) if i % 5 in (0, 1, 2))
FOOTPRINTS_UNREGISTERED = (3, 4, 9, 13, 31, 32, 35, 37)  # parcels with no building registered
FOOTPRINTS_NO_PARCEL = 12
LICENCES_AT_SIGNS = tuple(range(1, 16))  # signboards S-0001 … S-0015
LICENCES_RESIDENTIAL = (1, 3, 5, 6, 10, 11)  # residential or agricultural parcels, no sign
LICENCES_COMMERCIAL = (2, 12, 17, 14)  # commercial (14: mixed) parcels with no sign
LICENCES_NO_PARCEL = 3
_BUSINESS_KINDS = ["ร้านค้า", "ร้านอาหาร", "ร้านเสริมสวย", "ร้านซ่อมรถ", "ร้านกาแฟ"]


def _outside(k: int) -> tuple[float, float]:
    """Points in the municipality, north of the demo register's parcels (on none of them)."""
    return 102.826 + (k % 6) * 0.004, 16.4505 + (k // 6) * 0.003


def _footprints(rng: random.Random) -> bytes:
    import json

    from nakhon.tax import demo_geo

    features: list[dict[str, Any]] = []

    def add(lon: float, lat: float, width: float, depth: float) -> None:
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "footprint_id": f"FP-{len(features) + 1:04d}",
                    "levels": rng.choice([1, 1, 2, 2, 3]),
                    "surveyed": "2568",
                },
                "geometry": demo_geo.rectangle(lon, lat, width, depth),
            }
        )

    for i in FOOTPRINTS_MATCHED:
        lon, lat = demo_geo.parcel_centre(i)
        add(lon, lat, rng.randint(8, 16), rng.randint(8, 14))
    for i in FOOTPRINTS_MATCHED:  # an annex beside the house, on the same parcel
        lon, lat = demo_geo.offset(*demo_geo.parcel_centre(i), 2.0, 2.0)
        add(lon, lat, 3, 3)
    for i in FOOTPRINTS_UNREGISTERED:
        lon, lat = demo_geo.parcel_centre(i)
        add(lon, lat, rng.randint(8, 16), rng.randint(8, 14))
    for k in range(FOOTPRINTS_NO_PARCEL):
        add(*_outside(k), rng.randint(8, 20), rng.randint(8, 16))
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def _licences(rng: random.Random) -> bytes:
    from nakhon.tax import demo_geo

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["licence_no", "business_name", "kind", "address", "tambon", "latitude", "longitude"]
    )
    points: list[tuple[float, float]] = []
    for i in LICENCES_AT_SIGNS:
        east, north = rng.uniform(-4, 4), rng.uniform(-4, 4)
        points.append(demo_geo.offset(*demo_geo.sign_position(i), east, north))
    for i in LICENCES_RESIDENTIAL + LICENCES_COMMERCIAL:
        points.append(demo_geo.parcel_centre(i))
    for k in range(LICENCES_NO_PARCEL):
        points.append(_outside(k + 6 * 3))
    for n, (lon, lat) in enumerate(points, start=1):
        kind = rng.choice(_BUSINESS_KINDS)
        writer.writerow(
            [
                f"พณ.{2567 + n % 2}/{n:04d}",
                f"{kind}{rng.choice(_PLACES)} {n}",
                kind,
                f"{rng.randint(1, 399)} ถนน{rng.choice(['มิตรภาพ', 'ศรีจันทร์', 'กลางเมือง'])}",
                "ในเมือง",
                f"{lat:.6f}",
                f"{lon:.6f}",
            ]
        )
    return out.getvalue().encode("utf-8")


def demo_datasets() -> list[DemoDataset]:
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data
    base = {
        "classification": "public",
        "geo_coverage": "municipality",
        "license": "cc-by-4.0",
        "data_language": ["th"],
        "objective": ["public-service"],
    }
    return [
        DemoDataset(
            "communities",
            {
                **base,
                "title_th": "ข้อมูลชุมชนในเขตเทศบาลนครขอนแก่น",
                "title_en": "Communities of Khon Kaen City Municipality",
                "department": "welfare",
                "data_type": "record",
                "update_frequency_unit": "year",
                "data_collect": "household",
                "data_format": ["csv"],
                "description_th": "จำนวนครัวเรือนและประชากรของแต่ละชุมชน (ข้อมูลสาธิต สร้างขึ้น)",
                "description_en": "Households and population by community (generated demo data).",
                "tags": "ชุมชน, ประชากร",
            },
            [
                ("communities-2568.csv", _communities(rng, 1)),
                ("communities-2569.csv", _communities(rng, 2)),
            ],
        ),
        DemoDataset(
            "markets",
            {
                **base,
                "title_th": "ตลาดสดในเขตเทศบาลนครขอนแก่น",
                "title_en": "Fresh markets in Khon Kaen City",
                "department": "health",
                "data_type": "geospatial",
                "update_frequency_unit": "year",
                "data_collect": "business",
                "data_format": ["csv"],
                "tags": "ตลาด",
            },
            [("markets.csv", _markets(rng))],
        ),
        DemoDataset(
            "budget",
            {
                **base,
                "title_th": "งบประมาณรายจ่ายประจำปีจำแนกตามหน่วยงาน",
                "title_en": "Annual budget by department",
                "department": "strategy",
                "data_type": "statistical",
                "update_frequency_unit": "year",
                "first_year_be": 2563,
                "last_year_be": 2568,
                "unit_of_measure": "บาท",
                "unit_multiplier": "1",
                "data_format": ["xls"],
                "tags": "งบประมาณ, การคลัง",
            },
            [("budget-2563-2568.xlsx", _budget_xlsx(rng))],
        ),
        DemoDataset(
            "stall-holders",
            {
                **base,
                "title_th": "แผงค้าในตลาดสดของเทศบาล",
                "title_en": "Stalls in the municipal fresh markets",
                "department": "health",
                "data_type": "record",
                "update_frequency_unit": "month",
                "data_collect": "business",
                "data_format": ["csv"],
                "description_th": "แผงค้า สินค้า และค่าเช่า (ข้อมูลสาธิต) — "
                "ชื่อ เลขประจำตัวประชาชน และโทรศัพท์ของผู้ค้าเป็นข้อมูลส่วนบุคคล ไม่เปิดเผย",
                "description_en": "Stalls, goods and rents (demo data); the stall holders' "
                "names, ID numbers and phones are personal data and never published.",
                "tags": "ตลาด, ผู้ค้า",
            },
            [("stall-holders.csv", _stall_holders(rng))],
        ),
        DemoDataset(
            "elderly-allowance",
            {
                **base,
                "classification": "personal",
                "title_th": "ผู้รับเบี้ยยังชีพผู้สูงอายุ",
                "title_en": "Elderly allowance recipients",
                "department": "welfare",
                "data_type": "record",
                "update_frequency_unit": "month",
                "data_collect": "person",
                "data_format": ["csv"],
                "tags": "ผู้สูงอายุ, สวัสดิการ",
            },
            [("elderly-allowance.csv", _elderly_allowance(rng))],
        ),
        DemoDataset(
            "building-footprints",
            {
                **base,
                "classification": "internal",
                "title_th": "รูปแปลงอาคารจากภาพถ่ายทางอากาศ",
                "title_en": "Building footprints from aerial imagery",
                "department": "engineering",
                "data_type": "geospatial",
                "update_frequency_unit": "year",
                "data_format": ["geojson"],
                "description_th": "รูปแปลงอาคาร (ข้อมูลสาธิต สร้างขึ้น) ใช้ตรวจหาอาคารที่ยังไม่อยู่ในทะเบียนภาษี",
                "description_en": "Building outlines (generated demo data), used to find "
                "buildings missing from the tax register.",
                "tags": "อาคาร, แผนที่",
            },
            [("building-footprints.geojson", _footprints(rng))],
        ),
        DemoDataset(
            "business-licences",
            {
                **base,
                "classification": "internal",
                "title_th": "ใบอนุญาตประกอบกิจการ",
                "title_en": "Business licences",
                "department": "health",
                "data_type": "record",
                "update_frequency_unit": "month",
                "data_collect": "business",
                "data_format": ["csv"],
                "description_th": "ใบอนุญาตประกอบกิจการพร้อมพิกัด (ข้อมูลสาธิต สร้างขึ้น)",
                "description_en": "Business licences with their location (generated demo data).",
                "tags": "ใบอนุญาต, ธุรกิจ",
            },
            [("business-licences.csv", _licences(rng))],
        ),
    ]


def write_files(folder: Path) -> dict[str, list[Path]]:
    """Write every demo file into ``folder`` (for the builder, the docs and the tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, list[Path]] = {}
    for dataset in demo_datasets():
        for name, content in dataset.files:
            path = folder / name
            path.write_bytes(content)
            paths.setdefault(dataset.slug, []).append(path)
    return paths
