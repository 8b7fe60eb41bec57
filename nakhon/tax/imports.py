"""Import a register (taxpayers, parcels, buildings, condominium units, signboards) from the
Excel or CSV file a tax office keeps, all or nothing.

The file is read by the ingestion readers (``nakhon.ingestion.readers.open_source``: CP874 or
UTF-8 detection, any delimiter, Excel header-row detection), so nothing is parsed twice.
Headers may be the English field names or the usual Thai column titles (``HEADERS``). Every
row is checked first; if any row is refused, nothing is written and the report lists every
problem (row, column, value, reason in Thai and English). Otherwise every row is created or
updated (matched by its register number, ``code``) in one transaction, each change audited.

**Pending uploads** (the import page: check, then confirm): the uploaded file waits under
``NAKHON_UPLOAD_DIR/tax/import/`` — it can be a taxpayer register, personal data — bound to
the city and the user's session (``PendingUpload``). It is deleted when the import is confirmed,
cancelled or replaced by another upload, and any file there older than ``UPLOAD_MAX_AGE``
(24 hours) is deleted on every upload or confirmation (``uploads_sweep``); a pending import
that old is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NakhonError
from nakhon.core.permissions import require
from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.readers import ROW, open_source
from nakhon.tax.services import KINDS, record_check, record_write, signboard_exemptions

# Plural names as the CLI and the import page take them.
REGISTERS = {
    "taxpayers": "taxpayer",
    "parcels": "parcel",
    "buildings": "building",
    "units": "unit",
    "signboards": "signboard",
}
MAX_PROBLEMS = 1000
UPLOAD_MAX_AGE = dt.timedelta(hours=24)
_STORED = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,7})?")


# --- pending uploads of the import page ------------------------------------------------------


@dataclass(frozen=True)
class PendingUpload:
    """A checked upload waiting for confirmation: kept in the user's session, its file under
    ``upload_dir()``; it belongs to the city it was checked for (``municipality_id``)."""

    stored: str  # the file's name in upload_dir(): a random hex name, never the user's
    register: str
    name: str  # the name the user gave the file (for the report)
    municipality_id: int
    uploaded_at: float  # epoch seconds

    def as_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> PendingUpload | None:
        """The pending upload a session holds, or None (nothing, or not one of ours)."""
        try:
            found = cls(**data)
        except TypeError:
            return None
        return found if _STORED.fullmatch(found.stored) else None

    @property
    def path(self) -> Path:
        return upload_dir() / self.stored

    def expired(self, now: float | None = None) -> bool:
        age = (time.time() if now is None else now) - self.uploaded_at
        return age > UPLOAD_MAX_AGE.total_seconds()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def upload_dir() -> Path:
    """Where checked register files wait (``NAKHON_UPLOAD_DIR/tax/import/``): a folder of its
    own, so the sweep touches nothing else."""
    folder = Path(settings.NAKHON_UPLOAD_DIR) / "tax" / "import"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_store(
    *, chunks: Iterable[bytes], name: str, register: str, municipality: Municipality
) -> PendingUpload:
    """Write an uploaded file under ``upload_dir()`` with a random name."""
    suffix = Path(name).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,7}", suffix) else ""
    pending = PendingUpload(
        stored=f"{uuid.uuid4().hex}{suffix}",
        register=register,
        name=name[:200],
        municipality_id=municipality.pk,
        uploaded_at=time.time(),
    )
    with pending.path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return pending


def uploads_sweep(*, now: float | None = None) -> int:
    """Delete the pending uploads older than ``UPLOAD_MAX_AGE`` (by the file's time), of every
    user and city: an upload checked but never confirmed or cancelled. Returns how many."""
    limit = (time.time() if now is None else now) - UPLOAD_MAX_AGE.total_seconds()
    removed = 0
    for path in upload_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another request removed it first
            continue
    return removed


# Thai (and a few English) column titles → field names. Headers are compared after
# lower-casing and removing spaces and dots.
HEADERS: dict[str, str] = {
    "รหัส": "code",
    "เลขทะเบียน": "code",
    "ลำดับทะเบียน": "code",
    "ประเภทผู้เสียภาษี": "kind",
    "ประเภทบุคคล": "kind",
    "เลขประจำตัวประชาชน": "national_id",
    "เลขประจำตัวผู้เสียภาษี": "national_id",
    "เลขทะเบียนนิติบุคคล": "national_id",
    "คำนำหน้า": "title",
    "ชื่อ": "name",
    "ชื่อ-สกุล": "name",
    "ชื่อผู้เสียภาษี": "name",
    "ที่อยู่": "address",
    "ตำบล": "tambon",
    "รหัสตำบล": "tambon",
    "โทรศัพท์": "phone",
    "อีเมล": "email",
    "ประเภทเอกสารสิทธิ์": "deed_kind",
    "เลขที่เอกสารสิทธิ์": "deed_number",
    "เลขที่โฉนด": "deed_number",
    "เลขที่ดิน": "parcel_number",
    "หน้าสำรวจ": "survey_page",
    "เนื้อที่": "area",
    "เนื้อที่(ไร่-งาน-วา)": "area",
    "เนื้อที่ไร่-งาน-วา": "area",
    "เนื้อที่(ตารางวา)": "area_sq_wah",
    "ราคาประเมินต่อตารางวา": "price_per_sq_wah",
    "เจ้าของ": "owners",
    "ผู้ถือกรรมสิทธิ์": "owners",
    "owner": "owners",
    "ประเภทผู้ถือครอง": "holder_role",
    "ฐานะผู้ถือครอง": "holder_role",
    "สถานะผู้ถือครอง": "holder_role",
    "holder role": "holder_role",
    "การใช้ประโยชน์": "use",
    "ประเภทการใช้ประโยชน์": "use",
    "uses": "use",
    "ว่างเปล่าตั้งแต่": "vacant_since",
    "แปลงที่ดิน": "parcel",
    "ประเภทสิ่งปลูกสร้าง": "building_class",
    "ลักษณะโครงสร้าง": "structure",
    "พื้นที่ใช้สอย": "floor_area_m2",
    "พื้นที่(ตรม)": "floor_area_m2",
    "ปีที่สร้าง": "year_built",
    "จำนวนชั้น": "floors",
    "ราคาต่อตารางเมตร": "price_per_m2",
    "อาคารชุด": "condominium",
    "เลขห้อง": "unit_number",
    "ชั้น": "floor",
    "ชื่อสถานประกอบการ": "business_name",
    "ประเภทป้าย": "sign_type",
    "เคลื่อนที่": "moving",
    "ความกว้าง(ซม)": "width_cm",
    "ความยาว(ซม)": "height_cm",
    "ความสูง(ซม)": "height_cm",
    "จำนวนด้าน": "faces",
    "วันที่ติดตั้ง": "installed_on",
    "วันที่รื้อถอน": "removed_on",
    "ยกเว้น": "exemption",
    "ละติจูด": "latitude",
    "ลองจิจูด": "longitude",
}


def _header_key(text: str) -> str:
    return re.sub(r"[\s.]", "", text).lower()


_HEADER_KEYS = {_header_key(k): v for k, v in HEADERS.items()}


@dataclass
class RowProblem:
    row: int | None
    column: str
    value: str
    reason_en: str
    reason_th: str
    record: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "record": self.record,
            "column": self.column,
            "value": self.value,
            "reason_en": self.reason_en,
            "reason_th": self.reason_th,
        }


@dataclass
class ImportReport:
    """What an import found and did: counts per state and every refused value."""

    register: str
    file: str
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    saved: bool = False
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    problem_total: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_total

    def as_dict(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "saved": self.saved,
            "dry_run": self.dry_run,
            "problem_total": self.problem_total,
            "problems": [p.as_dict() for p in self.problems],
        }


class ImportRefused(InvalidInput):
    """The file has refused rows (or cannot be read): nothing was saved."""

    def __init__(self, report: ImportReport) -> None:
        first = report.problems[0] if report.problems else None
        where = f" (first: row {first.row}, {first.column}: {first.reason_en})" if first else ""
        super().__init__(
            f"{report.problem_total} problem(s) in {report.file}; nothing was saved{where}",
            code="import-refused",
        )
        self.report = report


def _read_rows(path: Path, sheet: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    sheet_arg: str | int | None = sheet
    if sheet and sheet.isdigit():
        sheet_arg = int(sheet) - 1
    source = open_source(path, sheet=sheet_arg)
    try:
        columns = list(source.columns)
        rows: list[dict[str, Any]] = []
        for batch in source.batches():
            rows.extend(batch.to_pylist())
    finally:
        source.close()
    return columns, rows


def register_import(
    *,
    actor: Any,
    municipality: Municipality,
    register: str,
    path: Path,
    sheet: str | None = None,
    dry_run: bool = False,
    name: str | None = None,
) -> ImportReport:
    """Import FILE into a register (``taxpayers|parcels|buildings|units|signboards``).

    All or nothing: raises ``ImportRefused`` (its ``report`` lists every problem) and saves
    nothing when any row is refused or the file cannot be read. ``dry_run`` checks and counts
    what would be created or changed, and saves nothing.
    """
    require(actor, "tax.import", municipality)
    kind = REGISTERS.get(register, register)
    if kind not in KINDS:
        raise InvalidInput(
            f"unknown register {register!r}; expected one of {', '.join(REGISTERS)}",
            errors={"register": ", ".join(REGISTERS)},
        )
    report = ImportReport(register=register, file=name or Path(path).name, dry_run=dry_run)

    def add(problem: RowProblem) -> None:
        report.problem_total += 1
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(problem)

    try:
        columns, rows = _read_rows(Path(path), sheet)
    except IngestError as exc:
        add(
            RowProblem(
                exc.row,
                exc.column or "",
                "" if exc.value is None else str(exc.value)[:100],
                exc.message_en,
                exc.message_th,
            )
        )
        raise ImportRefused(report) from None
    mapping = {c: _HEADER_KEYS.get(_header_key(c), _header_key(c)) for c in columns}
    report.rows = len(rows)
    if not rows:
        add(RowProblem(None, "", "", "the file has no rows", "ไฟล์ไม่มีข้อมูล"))
        raise ImportRefused(report)
    if "code" not in mapping.values():
        add(
            RowProblem(
                None,
                "code",
                ", ".join(columns)[:100],
                "no column 'code' (the register number of each record)",
                "ไม่มีคอลัมน์ 'code' (เลขทะเบียนของแต่ละรายการ)",
            )
        )
        raise ImportRefused(report)
    exemptions = signboard_exemptions(municipality) if kind == "signboard" else ()
    reverse = {v: k for k, v in mapping.items()}
    checked = []
    for row in rows:
        data = {mapping[c]: row.get(c) for c in columns}
        number = row.get(ROW)
        result = record_check(kind, municipality=municipality, data=data, exemptions=exemptions)
        record = str(data.get("code") or "").strip()
        for p in result.problems:
            add(
                RowProblem(
                    number,
                    reverse.get(p.field, p.field),
                    p.value,
                    f"{kind} {record or '?'}: {p.en}",
                    f"{kind} {record or '?'}: {p.th}",
                    record,
                )
            )
        checked.append((number, result))
    _duplicates(kind, checked, reverse, add)
    if report.problem_total:
        raise ImportRefused(report)
    with transaction.atomic():
        for number, result in checked:
            try:
                with transaction.atomic():
                    _obj, state = record_write(result, actor=actor, municipality=municipality)
            except (NakhonError, ValueError, ValidationError, DatabaseError) as exc:
                add(RowProblem(number, "", "", str(exc), str(exc), result.values["code"]))
                continue
            setattr(report, state, getattr(report, state) + 1)
        if report.problem_total:
            raise ImportRefused(report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=actor,
                action="tax.import",
                municipality=municipality,
                object_type=f"tax.{kind}",
                object_repr=report.file,
                changes={
                    "register": register,
                    "rows": report.rows,
                    "created": report.created,
                    "changed": report.changed,
                    "unchanged": report.unchanged,
                },
            )
            report.saved = True
    return report


def _duplicates(kind: str, checked: list[Any], reverse: dict[str, str], add: Any) -> None:
    """The same register number (or title deed, or ID number) twice in one file."""
    keys: list[tuple[str, Any]] = [("code", lambda v: v.get("code"))]
    if kind == "taxpayer":
        keys.append(("national_id", lambda v: v.get("national_id")))
    if kind == "parcel":
        keys.append(
            (
                "deed_number",
                lambda v: (
                    (v.get("deed_kind"), v.get("deed_number")) if v.get("deed_number") else None
                ),
            )
        )
    for field_name, key in keys:
        seen = Counter(key(result.values) for _n, result in checked)
        first: dict[Any, int | None] = {}
        for number, result in checked:
            value = key(result.values)
            if value is None or value == "" or seen[value] < 2:
                continue
            if value not in first:
                first[value] = number
                continue
            record = result.values.get("code", "")
            shown = "" if field_name == "national_id" else str(result.values.get(field_name, ""))
            add(
                RowProblem(
                    number,
                    reverse.get(field_name, field_name),
                    shown,
                    f"{kind} {record}: duplicated record: the same {field_name} as row "
                    f"{first[value]}",
                    f"{kind} {record}: รายการซ้ำ: {field_name} เดียวกับแถวที่ {first[value]}",
                    record,
                )
            )
