"""Text encodings: detect UTF-8 / UTF-16 / CP874 (TIS-620), and transcode any of them to UTF-8.

Thai government files are often in CP874 (Windows-874, a superset of TIS-620). Detection:

1. A byte-order mark decides (UTF-8, UTF-16, UTF-32).
2. Otherwise the sample (the first MiB) is tried as strict UTF-8; if it is pure ASCII the choice is
   left open and made when the rows are read, at the first non-ASCII bytes (everything before is
   identical in both encodings): a file whose Thai text starts after the first MiB is read right.
3. If it is not UTF-8 it is decoded as CP874 and accepted when the result is plausible Thai
   text (most non-ASCII characters are Thai letters).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import BinaryIO

from nakhon.ingestion.errors import IngestError

from ._common import fmt_int

THAI_FALLBACK = "cp874"

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


@dataclass
class Encoding:
    codec: str  # Python codec that decodes the bytes after the BOM
    label: str  # what SourceInfo.encoding shows: utf-8, utf-8-sig, cp874, utf-16 ...
    bom: bytes = b""
    undecided: bool = False  # only ASCII seen so far: UTF-8 or CP874 is decided later

    @property
    def passthrough(self) -> bool:
        return self.codec == "utf-8"


_THAI = re.compile("[\u0e01-\u0e5b]+")


def looks_thai(text: str) -> bool:
    """Whether decoded text is plausibly Thai: most of its non-ASCII characters are Thai."""
    text = text[: 1 << 16]
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return True
    thai = len(text) - len(_THAI.sub("", text))
    return thai >= 1 and thai / non_ascii >= 0.6


def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' if the sample looks like BOM-less UTF-16 text, else None."""
    n = min(len(sample), 4096) // 2 * 2
    if n < 4:
        return None
    even, odd = sample[0:n:2], sample[1:n:2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _unknown(name: str, *, row: int | None = None) -> IngestError:
    return IngestError(
        "encoding-unknown",
        f"The text encoding of {name} could not be recognised: it is neither UTF-8 nor Thai "
        "TIS-620/Windows-874. Save the file as UTF-8 (in Excel: CSV UTF-8) and upload it again.",
        f"ไม่สามารถระบุการเข้ารหัสตัวอักษรของไฟล์ {name} ได้ (ไม่ใช่ UTF-8 และไม่ใช่ TIS-620/"
        "Windows-874) กรุณาบันทึกไฟล์เป็น UTF-8 (ใน Excel เลือก CSV UTF-8) แล้วอัปโหลดใหม่",
        row=row,
    )


# Names Thai software writes (also in shapefile .cpg files) that Python does not know.
_ALIASES = {
    "windows-874": "cp874",
    "windows874": "cp874",
    "win874": "cp874",
    "x-windows-874": "cp874",
    "ms874": "cp874",
    "ansi 874": "cp874",
    "874": "cp874",
    "tis620": "tis-620",
    "tis-620-2533": "tis-620",
    "iso-ir-166": "tis-620",
    "ansi 1252": "cp1252",
}


def resolve_codec(requested: str) -> str:
    key = requested.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise IngestError(
            "encoding-unknown",
            f'"{requested}" is not a known text encoding.',
            f'"{requested}" ไม่ใช่ชื่อการเข้ารหัสตัวอักษรที่รู้จัก',
            value=requested,
        ) from None


def detect_encoding(sample: bytes, *, at_eof: bool, requested: str | None, name: str) -> Encoding:
    """Choose the encoding from the first bytes of a file (see the module docstring)."""
    if requested:
        codec = resolve_codec(requested)
        if codec == "utf-8-sig":
            codec = "utf-8"
        family = codec[:6]  # "utf-8", "utf-16", "utf-32" share a BOM with their variants
        for bom, bom_codec, label in _BOMS:
            if family.startswith("utf") and bom_codec.startswith(family) and sample.startswith(bom):
                return Encoding(bom_codec, label, bom)
        return Encoding(codec, codec)
    for bom, codec, label in _BOMS:
        if sample.startswith(bom):
            return Encoding(codec, label, bom)
    if b"\0" in sample:
        codec16 = utf16_without_bom(sample)
        if codec16:
            return Encoding(codec16, codec16)
    if sample.isascii():
        return Encoding("utf-8", "utf-8", undecided=True)
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, at_eof)
        return Encoding("utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = sample.decode(THAI_FALLBACK)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        raise _unknown(name, row=line) from None
    if not looks_thai(text):
        raise _unknown(name)
    return Encoding(THAI_FALLBACK, THAI_FALLBACK)


def decode_sample(sample: bytes, enc: Encoding, *, at_eof: bool, name: str) -> str:
    """The sample as text (a character cut at the end of the sample is left out)."""
    data = sample[len(enc.bom) :] if enc.bom and sample.startswith(enc.bom) else sample
    try:
        return codecs.getincrementaldecoder(enc.codec)("strict").decode(data, at_eof)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(
            "encoding-invalid",
            f"Line {line} of {name} is not valid {enc.label} text.",
            f"บรรทัดที่ {line} ของไฟล์ {name} ไม่ใช่ข้อความ {enc.label} ที่ถูกต้อง",
            row=line,
        ) from None


CHUNK = 1 << 20


def decide_undecided(chunk: bytes, *, line: int | None, name: str) -> str:
    """The encoding of a so-far-ASCII file, from the first chunk with non-ASCII bytes."""
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(chunk, False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = chunk.decode(THAI_FALLBACK)
    except UnicodeDecodeError:
        raise _unknown(name, row=line) from None
    if not looks_thai(text):
        raise _unknown(name, row=line)
    return THAI_FALLBACK


def first_non_ascii(raw: BinaryIO) -> tuple[bytes, int] | None:
    """From the current position: the first chunk holding non-ASCII bytes, and the number of
    line feeds before that chunk; None if the rest of the file is ASCII."""
    newlines = 0
    while chunk := raw.read(CHUNK):
        if not chunk.isascii():
            return chunk, newlines
        newlines += chunk.count(b"\n")
    return None


def invalid_text(label: str, line: int, bad: bytes, *, mixed: bool) -> IngestError:
    hex_bytes = bad[:4].hex(" ")
    why_en = (
        "although the file starts in that encoding: it mixes encodings or is damaged"
        if mixed
        else "the file is damaged or in another encoding"
    )
    why_th = (
        "ทั้งที่ตอนต้นของไฟล์ใช้การเข้ารหัสนี้ ไฟล์อาจใช้การเข้ารหัสปนกันหรือเสียหาย"
        if mixed
        else "ไฟล์อาจเสียหายหรือใช้การเข้ารหัสอื่น"
    )
    return IngestError(
        "encoding-invalid",
        f"Line {fmt_int(line)} is not valid {label} text (bytes {hex_bytes}); {why_en}. "
        "Save the file again as UTF-8.",
        f"บรรทัดที่ {fmt_int(line)} ไม่ใช่ข้อความ {label} ที่ถูกต้อง (ไบต์ {hex_bytes}) {why_th} "
        "กรุณาบันทึกไฟล์ใหม่เป็น UTF-8",
        row=line,
        value=hex_bytes,
    )


def transcode(raw: BinaryIO, enc: Encoding, dest: BinaryIO, *, start_line: int) -> None:
    """Copy ``raw`` (from its current position) to ``dest`` as UTF-8, in large chunks.

    A byte sequence that is not valid in ``enc`` raises ``encoding-invalid`` with its line.
    """
    decoder = codecs.getincrementaldecoder(enc.codec)("strict")
    start = raw.tell()
    read = 0
    while True:
        chunk = raw.read(CHUNK)
        read += len(chunk)
        try:
            out = decoder.decode(chunk, not chunk)
        except UnicodeDecodeError as exc:
            # the line is counted only now, from the start: the happy path counts nothing
            pending = len(exc.object) - len(chunk)  # bytes the decoder carried over
            raw.seek(start)
            before = raw.read(read - len(chunk) - pending + exc.start)
            line = start_line + codecs.decode(before, enc.codec, "replace").count("\n")
            raise invalid_text(
                enc.label, line, exc.object[exc.start : exc.end], mixed=True
            ) from None
        dest.write(out.encode("utf-8"))
        if not chunk:
            return


def find_invalid_utf8(raw: BinaryIO, *, start_line: int) -> tuple[int, bytes] | None:
    """From the current position: the line and bytes of the first invalid UTF-8 sequence."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    newlines = 0
    while True:
        chunk = raw.read(CHUNK)
        try:
            decoder.decode(chunk, not chunk)
        except UnicodeDecodeError as exc:
            pending = len(exc.object) - len(chunk)  # bytes carried over from the last chunk
            pos = max(0, exc.start - pending)
            line = start_line + newlines + chunk[:pos].count(b"\n")
            return line, exc.object[exc.start : exc.end]
        if not chunk:
            return None
        newlines += chunk.count(b"\n")
