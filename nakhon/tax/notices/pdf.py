"""A small streaming PDF writer for Thai documents: HarfBuzz shapes the text, the writer places
glyphs (CID fonts, Identity-H) and embeds TrueType fonts once per file.

Why not a general PDF library: fpdf2 with text shaping measured 66 ms a page here, too slow
for 100,000 notices in 10 minutes on two cores; this writer caches shaped strings (the labels
repeat on every notice) and writes pages as they come, so a batch file of any length needs
bounded memory. HarfBuzz (uharfbuzz) does the Thai shaping: mark positioning, tone marks
above vowels, sara am. Text stays extractable (a ToUnicode map per font).
"""

from __future__ import annotations

import functools
import itertools
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import uharfbuzz as hb  # type: ignore[import-untyped]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
A4 = (595.28, 841.89)


@dataclass(frozen=True)
class Run:
    """A shaped string: glyph ids with HarfBuzz positions, in font units."""

    glyphs: tuple[tuple[int, int, int, int], ...]  # (gid, x_advance, x_offset, y_offset)
    width: int  # font units


class Font:
    """One TrueType font: shaping (cached), widths, and its PDF objects."""

    def __init__(self, path: Path, name: str) -> None:
        self.data = path.read_bytes()
        self.name = name
        self.face = hb.Face(hb.Blob(self.data))
        self.font = hb.Font(self.face)
        self.upem = self.face.upem
        extents = self.font.get_font_extents("ltr")
        self.ascent, self.descent = extents.ascender, extents.descender
        self.compressed = zlib.compress(self.data, 9)
        self._tables = _sfnt_tables(self.data)
        self._glyphs = _glyf_records(self._tables)
        self._subsets: dict[frozenset[int], tuple[bytes, int]] = {}
        self.to_unicode: dict[int, str] = {}
        for low, high in ((0x20, 0x250), (0x0E00, 0x0E80), (0x2000, 0x2070), (0x20A0, 0x20C0)):
            for cp in range(low, high):
                gid = self.font.get_nominal_glyph(cp)
                if gid:
                    self.to_unicode.setdefault(gid, chr(cp))
        self._advance: dict[int, int] = {}
        self.shape = functools.lru_cache(maxsize=20_000)(self._shape)

    def advance(self, gid: int) -> int:
        width = self._advance.get(gid)
        if width is None:
            width = self._advance[gid] = self.font.get_glyph_h_advance(gid)
        return width

    def _shape(self, text: str) -> Run:
        if not text:
            return Run((), 0)
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(self.font, buf, {})
        infos, positions = buf.glyph_infos, buf.glyph_positions
        glyphs = tuple(
            (i.codepoint, p.x_advance, p.x_offset, p.y_offset)
            for i, p in zip(infos, positions, strict=True)
        )
        # a glyph that is not a character's own glyph (an alternate: a tone mark moved down,
        # a vowel moved left) stands for the character of its cluster that has no glyph
        if any(i.codepoint not in self.to_unicode for i in infos):
            clusters = [*sorted({i.cluster for i in infos}), len(text)]
            ends = dict(itertools.pairwise(clusters))
            nominal = self.font.get_nominal_glyph
            for start, end in ends.items():
                gids = [i.codepoint for i in infos if i.cluster == start]
                spare = [c for c in text[start:end] if nominal(ord(c)) not in gids]
                for gid in gids:
                    if gid not in self.to_unicode and spare:
                        self.to_unicode[gid] = spare.pop(0)
        return Run(glyphs, sum(g[1] for g in glyphs))

    def width(self, text: str, size: float) -> float:
        return self.shape(text).width * size / self.upem

    def subset(self, gids: Iterable[int]) -> tuple[bytes, int]:
        """The font with the outlines of ``gids`` only (and their composites' components):
        glyph ids are kept (the others become empty glyphs), the layout tables dropped (the
        PDF places shaped glyphs). Compressed, with the uncompressed length; about a third of
        the whole font for a notice."""
        wanted = frozenset(gids) | {0}
        cached = self._subsets.get(wanted)
        if cached is not None:
            return cached
        keep = set()
        todo = list(wanted)
        while todo:
            gid = todo.pop()
            if gid in keep or gid >= len(self._glyphs):
                continue
            keep.add(gid)
            todo.extend(_components(self._glyphs[gid]))
        glyf = bytearray()
        loca = bytearray()
        for gid, data in enumerate(self._glyphs):
            loca += struct.pack(">I", len(glyf))
            if gid in keep:
                glyf += data + b"\0" * (-len(data) % 4)
        loca += struct.pack(">I", len(glyf))
        tables = {t: v for t, v in self._tables.items() if t in _KEEP}
        head = bytearray(tables["head"])
        head[8:12] = b"\0\0\0\0"
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        tables.update(head=bytes(head), loca=bytes(loca), glyf=bytes(glyf))
        font = _sfnt_build(tables)
        result = (zlib.compress(font, 6), len(font))
        if len(self._subsets) < 256:  # the same few glyph sets recur (labels, digits)
            self._subsets[wanted] = result
        return result


_KEEP = {"head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "loca", "glyf", "cvt ", "fpgm", "prep"}


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt_tables(data: bytes) -> dict[str, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _sum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        tables[tag.decode("latin-1")] = data[offset : offset + length]
    return tables


def _glyf_records(tables: dict[str, bytes]) -> list[bytes]:
    """Each glyph's outline bytes (by glyph id), from loca and glyf."""
    long = struct.unpack(">h", tables["head"][50:52])[0] == 1
    count = struct.unpack(">H", tables["maxp"][4:6])[0]
    loca = tables["loca"]
    if long:
        offsets = struct.unpack(f">{count + 1}I", loca[: 4 * (count + 1)])
    else:
        offsets = tuple(2 * o for o in struct.unpack(f">{count + 1}H", loca[: 2 * (count + 1)]))
    glyf = tables["glyf"]
    return [glyf[offsets[g] : offsets[g + 1]] for g in range(count)]


def _components(glyph: bytes) -> list[int]:
    """The glyph ids a composite glyph is made of (TrueType glyf, composite glyph flags)."""
    if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
        return []
    found = []
    pos = 10
    while True:
        flags, gid = struct.unpack(">HH", glyph[pos : pos + 4])
        found.append(gid)
        pos += 4 + (4 if flags & 0x0001 else 2)
        if flags & 0x0008:
            pos += 2
        elif flags & 0x0040:
            pos += 4
        elif flags & 0x0080:
            pos += 8
        if not flags & 0x0020:
            return found


def _sfnt_build(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1,
                         count * 16 - power * 16)  # fmt: skip
    directory = bytearray()
    body = bytearray()
    offset = 12 + 16 * count
    head_at = 0
    for tag in tags:
        data = tables[tag]
        if tag == "head":
            head_at = len(body)
        directory += struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data),
                                 offset + len(body), len(data))  # fmt: skip
        body += data + b"\0" * (-len(data) % 4)
    font = header + bytes(directory)
    adjustment = (0xB1B0AFBA - _checksum(font + body)) & 0xFFFFFFFF
    body[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return font + bytes(body)


@functools.cache
def sarabun() -> tuple[Font, Font]:
    """Sarabun regular and bold (built from the vendored web fonts, scripts/sarabun_ttf.py)."""
    return (
        Font(FONT_DIR / "Sarabun-Regular.ttf", "Sarabun-Regular"),
        Font(FONT_DIR / "Sarabun-Bold.ttf", "Sarabun-Bold"),
    )


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


@functools.lru_cache(maxsize=50_000)
def _tj(font: Font, text: str, size: float) -> tuple[str, int, frozenset[int]]:
    """The TJ operator of a shaped string (size only matters for mark rises), its width in
    font units and its glyphs; cached, as most strings of a notice repeat on every notice."""
    run = font.shape(text)
    scale = size / font.upem
    parts: list[str] = []
    rise = 0
    for gid, x_adv, x_off, y_off in run.glyphs:
        if y_off != rise:
            parts.append(f"] TJ {_num(y_off * scale)} Ts [")
            rise = y_off
        if x_off:
            parts.append(_num(-x_off * 1000 / font.upem))
        parts.append(f"<{gid:04X}>")
        correction = font.advance(gid) + x_off - x_adv
        if correction:
            parts.append(_num(correction * 1000 / font.upem))
    tail = " 0 Ts" if rise else ""
    return f"[{' '.join(parts)}] TJ{tail}", run.width, frozenset(g[0] for g in run.glyphs)


@dataclass
class Page:
    """Drawing operations of one page (PDF coordinates: points, origin at the bottom left)."""

    fonts: tuple[Font, ...]
    width: float = A4[0]
    height: float = A4[1]
    ops: list[str] = field(default_factory=list)
    used: dict[int, set[int]] = field(default_factory=dict)  # font index → glyph ids

    def text(
        self,
        x: float,
        top: float,
        text: str,
        *,
        size: float = 14,
        bold: bool = False,
        align: str = "left",
        width: float = 0,
    ) -> float:
        """Draw ``text`` with its baseline ``size`` points below ``top`` (from the page top);
        ``align`` right or center within ``width``. Returns the text's width in points."""
        if not text:
            return 0.0
        index = 1 if bold else 0
        font = self.fonts[index]
        body, width_units, gids = _tj(font, text, size)
        text_width = width_units * size / font.upem
        if align == "right":
            x = x + width - text_width
        elif align == "center":
            x = x + (width - text_width) / 2
        y = self.height - top - size
        self.used.setdefault(index, set()).update(gids)
        self.ops.append(f"BT /F{index + 1} {size:g} Tf {x:.2f} {y:.2f} Td {body} ET")
        return text_width

    def line(self, x1: float, top1: float, x2: float, top2: float, width: float = 0.5) -> None:
        h = self.height
        self.ops.append(
            f"{_num(width)} w {_num(x1)} {_num(h - top1)} m {_num(x2)} {_num(h - top2)} l S"
        )

    def rect(self, x: float, top: float, w: float, h: float, *, fill: bool = False) -> None:
        y = self.height - top - h
        self.ops.append(f"{_num(x)} {_num(y)} {_num(w)} {_num(h)} re {'f' if fill else 'S'}")

    def modules(self, x: float, top: float, matrix: Iterable[Iterable[int]], module: float) -> None:
        """A QR code's dark modules as filled rectangles (one per horizontal run)."""
        rows = [bytes(row) for row in matrix]
        n = len(rows)
        rects = []
        for r, row in enumerate(rows):
            y = n - r - 1  # module units, from the bottom
            start = -1
            for c, dark in enumerate(row + b"\0"):
                if dark and start < 0:
                    start = c
                elif not dark and start >= 0:
                    rects.append(f"{start} {y} {c - start} 1 re")
                    start = -1
        bottom = self.height - top - n * module
        self.ops.append(
            f"q {module:.4f} 0 0 {module:.4f} {x:.2f} {bottom:.2f} cm 0 g {' '.join(rects)} f Q"
        )

    def content(self) -> bytes:
        return zlib.compress("\n".join(self.ops).encode("latin-1"), 6)


class Writer:
    """A PDF file written page by page; fonts, page tree and cross-reference at ``close``."""

    def __init__(
        self, out: BinaryIO, fonts: tuple[Font, ...], *, title: str = "", subset: bool = True
    ) -> None:
        self.out = out
        self.subset = subset
        self.fonts = fonts
        self.offsets: list[int] = [0]  # object number → byte offset (index 0 unused)
        self.pos = 0
        self.pages: list[int] = []
        self.used: dict[int, set[int]] = {i: set() for i in range(len(fonts))}
        self._emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.catalog = self._reserve()
        self.tree = self._reserve()
        self.font_refs = [self._reserve() for _ in fonts]
        self.title = title

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.pos += len(data)

    def _reserve(self) -> int:
        self.offsets.append(-1)
        return len(self.offsets) - 1

    def _object(self, num: int, body: bytes) -> None:
        self.offsets[num] = self.pos
        self._emit(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def _stream(self, num: int, data: bytes, extra: str = "", *, compressed: bool = True) -> None:
        head = f"<< /Length {len(data)}{' /Filter /FlateDecode' if compressed else ''} {extra}>>"
        self._object(num, head.encode() + b"\nstream\n" + data + b"\nendstream")

    def add(self, page: Page, content: bytes | None = None) -> None:
        """Write one page (``content``: its compressed stream, when already made)."""
        stream = self._reserve()
        self._stream(stream, content if content is not None else page.content())
        fonts = " ".join(f"/F{i + 1} {ref} 0 R" for i, ref in enumerate(self.font_refs))
        num = self._reserve()
        self._object(
            num,
            (
                f"<< /Type /Page /Parent {self.tree} 0 R /MediaBox [0 0 {_num(page.width)} "
                f"{_num(page.height)}] /Resources << /Font << {fonts} >> >> "
                f"/Contents {stream} 0 R >>"
            ).encode(),
        )
        self.pages.append(num)
        for index, gids in page.used.items():
            self.used[index] |= gids

    def _font(self, index: int) -> None:
        font = self.fonts[index]
        scale = 1000 / font.upem
        gids = sorted(self.used[index]) or [0]
        widths = " ".join(f"{g} [{_num(font.advance(g) * scale)}]" for g in gids)
        file_num, desc, cid, cmap = (self._reserve() for _ in range(4))
        if self.subset:
            data, length = font.subset(gids)
            self._stream(file_num, data, f"/Length1 {length} ")
        else:
            self._stream(file_num, font.compressed, f"/Length1 {len(font.data)} ")
        self._object(
            desc,
            (
                f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 32 "
                f"/FontBBox [-500 {_num(font.descent * scale)} 1500 {_num(font.ascent * scale)}] "
                f"/ItalicAngle 0 /Ascent {_num(font.ascent * scale)} "
                f"/Descent {_num(font.descent * scale)} /CapHeight 700 /StemV 80 "
                f"/FontFile2 {file_num} 0 R >>"
            ).encode(),
        )
        self._object(
            cid,
            (
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                f"/FontDescriptor {desc} 0 R /W [{widths}] /CIDToGIDMap /Identity >>"
            ).encode(),
        )
        entries = []
        for g in gids:
            text = font.to_unicode.get(g, "")
            if text:
                utf16 = text.encode("utf-16-be").hex().upper()
                entries.append(f"<{g:04X}> <{utf16}>")
        body = "\n".join(
            f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar"
            for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
        )
        cmap_text = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{body}\nendcmap CMapName currentdict /CMap defineresource pop end end"
        )
        self._stream(cmap, zlib.compress(cmap_text.encode()))
        self._object(
            self.font_refs[index],
            (
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
                f"/DescendantFonts [{cid} 0 R] /ToUnicode {cmap} 0 R >>"
            ).encode(),
        )

    def close(self) -> None:
        for index in range(len(self.fonts)):
            self._font(index)
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self._object(
            self.tree, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode()
        )
        self._object(self.catalog, f"<< /Type /Catalog /Pages {self.tree} 0 R >>".encode())
        info = self._reserve()
        title = self.title.encode("utf-16-be").hex().upper()
        self._object(info, f"<< /Title <FEFF{title}> /Producer (Nakhon) >>".encode())
        xref = self.pos
        lines = [f"xref\n0 {len(self.offsets)}\n", "0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self.offsets[1:]]
        self._emit("".join(lines).encode())
        self._emit(
            (
                f"trailer\n<< /Size {len(self.offsets)} /Root {self.catalog} 0 R "
                f"/Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            ).encode()
        )
