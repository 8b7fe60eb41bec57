"""Controlled vocabularies of the Thai Government Data Catalog (GD Catalog) metadata.

Stored values are stable English codes; labels are Thai (as in the GD Catalog / data.go.th
CKAN schema ``ckanext-thai-gdc``) and English. ``gdc`` is the Thai value data.go.th uses, for
the CKAN-compatible API and harvesting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    th: str
    en: str

    @property
    def gdc(self) -> str:
        return self.th


def choices(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    return [(t.code, f"{t.th} · {t.en}") for t in terms]


def term(terms: tuple[Term, ...], code: str) -> Term | None:
    return next((t for t in terms if t.code == code), None)


DATA_TYPES = (
    Term("record", "ข้อมูลระเบียน", "Record data"),
    Term("statistical", "ข้อมูลสถิติ", "Statistical data"),
    Term("geospatial", "ข้อมูลภูมิสารสนเทศเชิงพื้นที่", "Geospatial data"),
    Term("multi", "ข้อมูลหลากหลายประเภท", "Multi-type data"),
    Term("other", "ข้อมูลประเภทอื่นๆ", "Other"),
)

# Data classification under the government data governance framework; anything but public
# never appears on a public page or API (ARCHITECTURE.md, 10).
CLASSIFICATIONS = (
    Term("public", "ข้อมูลสาธารณะ", "Public"),
    Term("internal", "ข้อมูลใช้ภายใน", "Internal use"),
    Term("personal", "ข้อมูลส่วนบุคคล", "Personal data"),
    Term("security", "ข้อมูลความมั่นคง", "Security"),
    Term("secret", "ข้อมูลความลับทางราชการ", "Official secret"),
)
PUBLIC_CLASSIFICATIONS = frozenset({"public"})

OBJECTIVES = (
    Term("national-strategy", "ยุทธศาสตร์ชาติ", "National strategy"),
    Term(
        "economic-social-plan",
        "แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ",
        "National economic and social development plan",
    ),
    Term("security-plan", "แผนความมั่นคงแห่งชาติ", "National security plan"),
    Term("master-plan", "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ", "Master plan under the national strategy"),
    Term("reform-plan", "แผนปฏิรูปประเทศ", "National reform plan"),
    Term("level-3-plan", "แผนระดับที่ 3 (มติครม. 4 ธ.ค. 2560)", "Level-3 plan"),
    Term("government-policy", "นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี", "Government policy"),
    Term("cabinet-resolution", "มติคณะรัฐมนตรี", "Cabinet resolution"),
    Term("public-service", "เพื่อการให้บริการประชาชน", "Public service"),
    Term("law", "กฎหมายที่เกี่ยวข้อง", "Related law"),
    Term("mission", "พันธกิจหน่วยงาน", "Mission of the agency"),
    Term("international-index", "ดัชนี/ตัวชี้วัดระดับนานาชาติ", "International index"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

FREQUENCY_UNITS = (
    Term("year", "ปี", "Year"),
    Term("half-year", "ครึ่งปี", "Half-year"),
    Term("quarter", "ไตรมาส", "Quarter"),
    Term("month", "เดือน", "Month"),
    Term("week", "สัปดาห์", "Week"),
    Term("day", "วัน", "Day"),
    Term("working-day", "วันทำการ", "Working day"),
    Term("hour", "ชั่วโมง", "Hour"),
    Term("minute", "นาที", "Minute"),
    Term("real-time", "ตามเวลาจริง", "Real time"),
    Term("never", "ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล", "Not updated after collection"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

GEO_COVERAGES = (
    Term("none", "ไม่มี", "None"),
    Term("world", "โลก", "World"),
    Term("continent", "ทวีป/กลุ่มประเทศในทวีป", "Continent"),
    Term("economic-group", "กลุ่มประเทศทางเศรษฐกิจ", "Economic group of countries"),
    Term("country", "ประเทศ", "Country"),
    Term("region", "ภาค", "Region"),
    Term("province", "จังหวัด", "Province"),
    Term("district", "อำเภอ", "District"),
    Term("subdistrict", "ตำบล", "Subdistrict"),
    Term("village", "หมู่บ้าน", "Village"),
    Term("municipality", "เทศบาล/อบต.", "Municipality"),
    Term("coordinates", "พิกัด", "Coordinates"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

DATA_FORMATS = (
    Term("database", "Database", "Database"),
    Term("csv", "CSV", "CSV"),
    Term("xml", "XML", "XML"),
    Term("json", "JSON", "JSON"),
    Term("xls", "XLS/XLSX", "XLS/XLSX"),
    Term("pdf", "PDF", "PDF"),
    Term("shapefile", "Shapefile", "Shapefile"),
    Term("geojson", "GeoJSON", "GeoJSON"),
    Term("parquet", "Parquet", "Parquet"),
    Term("text", "Text", "Text"),
    Term("other", "อื่นๆ", "Other"),
)

LICENSES = (
    Term("cc-by-4.0", "Creative Commons Attributions", "Creative Commons Attribution 4.0"),
    Term(
        "cc-by-sa-4.0",
        "Creative Commons Attribution Share-Alike",
        "Creative Commons Attribution Share-Alike 4.0",
    ),
    Term(
        "cc-by-nc-4.0",
        "Creative Commons Non-Commercial (Any)",
        "Creative Commons Non-Commercial 4.0",
    ),
    Term("odc-by", "Open Data Common", "Open Data Commons Attribution"),
    Term("not-specified", "License not specified", "License not specified"),
    Term("other", "อื่นๆ", "Other"),
)

COLLECTION_UNITS = (
    Term("none", "ไม่มี", "None"),
    Term("person", "บุคคล", "Person"),
    Term("household", "ครัวเรือน/ครอบครัว", "Household / family"),
    Term("dwelling", "บ้าน/ที่อยู่อาศัย", "House / dwelling"),
    Term("business", "บริษัท/ห้างร้าน/สถานประกอบการ", "Business / establishment"),
    Term("building", "อาคาร/สิ่งปลูกสร้าง", "Building / structure"),
    Term("agri-area", "พื้นที่การเกษตร ประมง ป่าไม้", "Agricultural, fishery or forest area"),
    Term("species", "สัตว์และพันธุ์พืช", "Animals and plant species"),
    Term("area", "ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่", "Geographic area"),
    Term("water", "แหล่งน้ำ เช่น แม่น้ำ อ่างเก็บน้ำ", "Water body"),
    Term("route", "เส้นทางการเดินทาง เช่น ถนน ทางรถไฟ", "Route (road, railway)"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

LANGUAGES = (
    Term("th", "ไทย", "Thai"),
    Term("en", "อังกฤษ", "English"),
    Term("other", "อื่นๆ", "Other"),
)

DISAGGREGATIONS = (
    Term("none", "ไม่มี", "None"),
    Term("sex", "เพศ", "Sex"),
    Term("age", "อายุ/กลุ่มอายุ", "Age / age group"),
    Term("marital-status", "สถานภาพสมรส", "Marital status"),
    Term("religion", "ศาสนา", "Religion"),
    Term("education", "ระดับการศึกษา", "Education level"),
    Term("occupation", "อาชีพ", "Occupation"),
    Term("work-status", "สถานภาพการทำงาน", "Work status"),
    Term("industry", "อุตสาหกรรม/ประเภทกิจการ", "Industry"),
    Term("income", "รายได้", "Income"),
    Term("area", "ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่", "Geographic area"),
    Term("product", "ผลิตภัณฑ์", "Product"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

MULTIPLIERS = (
    Term("1", "หน่วย", "Units"),
    Term("10", "สิบ", "Tens"),
    Term("100", "ร้อย", "Hundreds"),
    Term("1000", "พัน", "Thousands"),
    Term("10000", "หมื่น", "Ten thousands"),
    Term("100000", "แสน", "Hundred thousands"),
    Term("1000000", "ล้าน", "Millions"),
    Term("1000000000", "พันล้าน", "Billions"),
    Term("unknown", "ไม่ทราบ", "Unknown"),
    Term("other", "อื่นๆ", "Other"),
)

GEOGRAPHIC_DATA_SETS = (
    Term("cadastre", "ชั้นข้อมูลแปลงที่ดิน", "Land parcels"),
    Term("boundaries", "ชั้นข้อมูลขอบเขตการปกครอง", "Administrative boundaries"),
    Term("transport", "ชั้นข้อมูลเส้นทางคมนาคม", "Transport network"),
    Term("buildings", "ชั้นข้อมูลชุมนุม/อาคาร", "Settlements / buildings"),
    Term("forest", "ชั้นข้อมูลป่าไม้", "Forest"),
    Term("land-use", "ชั้นข้อมูลการใช้ประโยชน์ที่ดิน", "Land use"),
    Term("water", "ชั้นข้อมูลแหล่งน้ำ", "Water bodies"),
    Term("hydrography", "ชั้นข้อมูลอุทกศาสตร์", "Hydrography"),
    Term("other", "อื่นๆ", "Other"),
)
