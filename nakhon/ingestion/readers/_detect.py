"""What a file really is, from its first bytes (magic numbers) and, for ZIPs, its member names."""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nakhon.ingestion.errors import IngestError

from ._common import empty_file_error, io_error
from ._text import utf16_without_bom
from .formats import Formats, registered

logger = logging.getLogger(__name__)

HEAD_BYTES = 8192


@dataclass(frozen=True)
class Content:
    kind: str  # text, json, geojson, xlsx, xlsb, xls, ods, shapefile, zip, parquet, a plugin
    # format's name (claimed by its sniff test), or an unsupported kind
    en: str  # "an Excel workbook (XLSX)", for messages
    th: str
    readable: bool = True


TEXT = Content("text", "plain text", "ข้อความธรรมดา")
JSON = Content("json", "JSON", "JSON")
GEOJSON = Content("geojson", "GeoJSON", "GeoJSON")
XLSX = Content("xlsx", "an Excel workbook (XLSX)", "ไฟล์ Excel (XLSX)")
XLSB = Content("xlsb", "an Excel binary workbook (XLSB)", "ไฟล์ Excel แบบไบนารี (XLSB)")
XLS = Content("xls", "an old Excel workbook (XLS)", "ไฟล์ Excel รุ่นเก่า (XLS)")
ODS = Content("ods", "an OpenDocument spreadsheet (ODS)", "ไฟล์ตารางคำนวณ OpenDocument (ODS)")
SHAPEFILE = Content("shapefile", "a zipped Shapefile", "ไฟล์ Shapefile ที่บีบอัดเป็น ZIP")
ZIP = Content("zip", "a ZIP archive", "ไฟล์บีบอัด ZIP")
PARQUET = Content("parquet", "a Parquet file", "ไฟล์ Parquet")

_MAGIC: list[tuple[bytes, Content]] = [
    (b"%PDF", Content("pdf", "a PDF document", "เอกสาร PDF", False)),
    (b"\x89PNG\r\n\x1a\n", Content("png", "a PNG image", "รูปภาพ PNG", False)),
    (b"\xff\xd8\xff", Content("jpeg", "a JPEG image", "รูปภาพ JPEG", False)),
    (b"GIF8", Content("gif", "a GIF image", "รูปภาพ GIF", False)),
    (b"\x1f\x8b", Content("gzip", "a gzip-compressed file", "ไฟล์บีบอัด gzip", False)),
    (b"7z\xbc\xaf\x27\x1c", Content("7z", "a 7-Zip archive", "ไฟล์บีบอัด 7-Zip", False)),
    (b"Rar!", Content("rar", "a RAR archive", "ไฟล์บีบอัด RAR", False)),
    (b"SQLite format 3\x00", Content("sqlite", "an SQLite database", "ฐานข้อมูล SQLite", False)),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", XLS),
    (b"PAR1", PARQUET),
]
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<table|<head|<body)", re.IGNORECASE)
_XML_SS = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet")
_BINARY = Content("binary", "a binary (non-text) file", "ไฟล์ไบนารี (ไม่ใช่ข้อความ)", False)
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')


def _zip_content(path: Path) -> Content:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            lower = [n.lower() for n in names]
            if "[content_types].xml" in lower:
                if any(n.startswith("xl/workbook.bin") for n in lower):
                    return XLSB
                if any(n.startswith("xl/") for n in lower):
                    return XLSX
                if any(n.startswith("word/") for n in lower):
                    return Content("docx", "a Word document (DOCX)", "เอกสาร Word (DOCX)", False)
                if any(n.startswith("ppt/") for n in lower):
                    return Content("pptx", "a PowerPoint file", "ไฟล์ PowerPoint", False)
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mimetype:
                    return ODS
                return Content("odf", "an OpenDocument file", "ไฟล์ OpenDocument", False)
            if any(n.endswith(".shp") for n in lower):
                return SHAPEFILE
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return Content("zip-broken", "a damaged ZIP archive", "ไฟล์ ZIP ที่เสียหาย", False)
    return ZIP


def sniff(path: Path, size: int, formats: Formats | None = None) -> Content:
    """What the content of ``path`` looks like (raises ``empty-file`` for an empty file).

    The sniff tests of plugin formats (``ReaderFormat.sniff``) run first: a format that claims
    the file gives its content kind (its name).
    """
    if size == 0:
        raise empty_file_error(path.name)
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise io_error(exc, path.name) from None
    for reader in (formats or registered()).sniffers:
        assert reader.sniff is not None
        try:
            claimed = reader.sniff(head, path)
        except Exception:  # a plugin's bug must not stop every other format
            logger.exception("the sniff test of the %s format failed on %s", reader.name, path)
            continue
        if claimed:
            named_en, named_th = reader.named()
            return Content(reader.name, named_en, named_th)
    if head.startswith(_ZIP_MAGIC):
        return _zip_content(path)
    for magic, content in _MAGIC:
        if head.startswith(magic):
            return content
    body = head
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    if b"\0" in head:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
            return TEXT  # UTF-16 text; the text readers decode it
        return _BINARY
    stripped = body.lstrip()
    if not stripped and size <= HEAD_BYTES:
        raise empty_file_error(path.name)
    if _HTML.match(body):
        return Content("html", "an HTML web page", "หน้าเว็บ HTML", False)
    if stripped.startswith(b"<?xml"):
        if _XML_SS.search(head):
            return Content(
                "xml-spreadsheet",
                "an Excel 2003 XML spreadsheet",
                "ไฟล์ Excel 2003 แบบ XML",
                False,
            )
        return Content("xml", "an XML document", "เอกสาร XML", False)
    if stripped[:1] in (b"{", b"["):
        return GEOJSON if _GEOJSON_TYPE.search(head) else JSON
    return TEXT


def choose_format(
    path: Path, content: Content, requested: str | None, formats: Formats | None = None
) -> str:
    """The reader to use, or an IngestError if the content contradicts the name or request.

    ``formats``: the registered formats (default: :func:`formats.registered`).
    """
    formats = formats or registered()
    suffix = path.suffix.lower()
    if content.kind == "zip-broken":
        raise IngestError(
            "zip-invalid",
            f"{path.name} starts like a ZIP file (XLSX, ODS and zipped Shapefiles are ZIP files) "
            "but it is damaged or incomplete. Upload it again.",
            f"ไฟล์ {path.name} มีลักษณะเป็นไฟล์ ZIP (ไฟล์ XLSX, ODS และ Shapefile แบบ ZIP "
            "ก็เป็น ZIP) แต่ไฟล์เสียหายหรือไม่สมบูรณ์ กรุณาอัปโหลดใหม่",
        )
    if requested is not None:
        found = formats.aliases.get(requested.strip().lower().lstrip("."))
        if found is None:
            listed_en, listed_th = ", ".join(formats.titles_en), ", ".join(formats.titles_th)
            raise IngestError(
                "format-unsupported",
                f'"{requested}" is not a supported format. Supported: {listed_en}.',
                f'ไม่รองรับรูปแบบ "{requested}" รูปแบบที่รองรับ: {listed_th}',
                value=requested,
            )
        fmt = found
        said_en, said_th = f'format "{requested}" was asked for', f'ระบุรูปแบบเป็น "{requested}"'
    elif suffix in formats.extensions:
        fmt = formats.extensions[suffix]
        named_en, named_th = formats.by_name[fmt].named()
        said_en = f"{path.name} is named as {named_en}"
        said_th = f"ไฟล์ {path.name} มีนามสกุลของ{named_th}"
    elif suffix == ".shp":
        raise IngestError(
            "shapefile-not-zipped",
            "A Shapefile is several files (.shp, .shx, .dbf, .prj): put them in one .zip file "
            "and upload the .zip.",
            "Shapefile ประกอบด้วยหลายไฟล์ (.shp .shx .dbf .prj) กรุณารวมไว้ในไฟล์ .zip เดียว "
            "แล้วอัปโหลดไฟล์ .zip",
        )
    else:
        if content.kind in formats.content:
            return formats.content[content.kind]
        raise IngestError(
            "format-unsupported",
            f"{path.name} looks like {content.en}, which cannot be imported. Export the data as "
            "CSV or Excel.",
            f"ไฟล์ {path.name} ดูเหมือนเป็น{content.th} ซึ่งนำเข้าไม่ได้ กรุณาส่งออกข้อมูลเป็น CSV หรือ Excel",
            value=content.kind,
        )
    reader = formats.by_name[fmt]
    if content.kind in reader.accepted():
        if requested is None and content.kind in reader.refine:
            return reader.refine[content.kind]
        return fmt
    hint_en, hint_th = _hint(content.kind, formats)
    raise IngestError(
        "format-mismatch",
        f"{said_en}, but its content is {content.en}. {hint_en}",
        f"{said_th} แต่เนื้อหาเป็น{content.th} {hint_th}",
        value=content.kind,
    )


def _hint(kind: str, formats: Formats) -> tuple[str, str]:
    if kind in _HINT:
        return _HINT[kind]
    reader = formats.by_name.get(kind)  # a plugin's format, recognised by its own sniff test
    if reader is not None and reader.extensions:
        ext = reader.extensions[0]
        return f"Rename it to {ext}.", f"กรุณาเปลี่ยนนามสกุลเป็น {ext}"
    return _HINT["*"]


_HINT = {
    "xlsx": (
        "Rename it to .xlsx (or save it as CSV).",
        "กรุณาเปลี่ยนนามสกุลเป็น .xlsx (หรือบันทึกเป็น CSV)",
    ),
    "xlsb": (
        "Rename it to .xlsb (or save it as CSV).",
        "กรุณาเปลี่ยนนามสกุลเป็น .xlsb (หรือบันทึกเป็น CSV)",
    ),
    "xls": ("Rename it to .xls (or save it as CSV).", "กรุณาเปลี่ยนนามสกุลเป็น .xls (หรือบันทึกเป็น CSV)"),
    "ods": ("Rename it to .ods (or save it as CSV).", "กรุณาเปลี่ยนนามสกุลเป็น .ods (หรือบันทึกเป็น CSV)"),
    "shapefile": ("Rename it to .zip.", "กรุณาเปลี่ยนนามสกุลเป็น .zip"),
    "parquet": ("Rename it to .parquet.", "กรุณาเปลี่ยนนามสกุลเป็น .parquet"),
    "json": ("Rename it to .json.", "กรุณาเปลี่ยนนามสกุลเป็น .json"),
    "geojson": ("Rename it to .geojson.", "กรุณาเปลี่ยนนามสกุลเป็น .geojson"),
    "text": ("Check that you chose the right file.", "กรุณาตรวจสอบว่าเลือกไฟล์ถูกต้อง"),
    "*": (
        "It is not a data file that can be imported: export the data as CSV or Excel.",
        "ไฟล์นี้ไม่ใช่ไฟล์ข้อมูลที่นำเข้าได้ กรุณาส่งออกข้อมูลเป็น CSV หรือ Excel",
    ),
}
