"""The file formats Nakhon reads, as registered through the ``register_readers`` plugin hook.

The built-in formats are registered by ``nakhon.ingestion.readers.plugin`` in the same way a
city's plugin registers its own (docs/plugins.md). :func:`registered` joins them into the maps
``open_source`` and ``choose_format`` use: extension → format, ``--format`` alias → format,
content kind → format.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import ReadLimits, Source

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenRequest:
    """What a format's ``open`` gets: the file and how the caller asked to read it."""

    path: Path
    size: int  # bytes, already checked against ``limits.max_bytes``
    format: str  # the format chosen (its ``name``)
    content: str  # the content kind found by sniffing: "text", "xlsx", … or a plugin's name
    limits: ReadLimits
    sheet: str | int | None = None  # a sheet name or 0-based index, or a layer name
    encoding: str | None = None  # the text encoding asked for (None: detect)
    header_row: int | None = None  # the 1-based row/line of the header (None: detect)
    requested: str | None = None  # the format as the caller wrote it ("tsv"), if any


@dataclass(frozen=True)
class ReaderFormat:
    """One file format: how to recognise it and how to open it.

    ``name``: the format ("csv"). ``open``: opens the file, returning a
    :class:`~nakhon.ingestion.readers.base.Source` (raise ``IngestError`` for a bad file; any
    other exception becomes a ``file-invalid`` error). ``extensions``: lower-case suffixes with
    the dot (".csv"). ``aliases``: more names for ``format=`` (the name itself always works).
    ``accepts``: the content kinds (from sniffing: ``text``, ``json``, ``geojson``, ``xlsx``,
    ``xlsb``, ``xls``, ``ods``, ``shapefile``, ``zip``, ``parquet``) the format can read.
    ``detects``: content kinds read with this format when the file's name says nothing.
    ``sniff(head, path)``: an optional content test given the first 8 KiB; ``True`` claims the
    file (its content kind is then the format's name). ``refine``: content kind → another
    format, used when the extension named this one ("a .json file holding GeoJSON").
    ``named_en``/``named_th``: the format in a sentence ("a CSV/text file"); ``title_en``/
    ``title_th``: its entry in the list of supported formats (empty: not listed).
    """

    name: str
    open: Callable[[OpenRequest], Source]
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    detects: tuple[str, ...] = ()
    sniff: Callable[[bytes, Path], bool] | None = None
    refine: Mapping[str, str] = field(default_factory=dict)
    named_en: str = ""
    named_th: str = ""
    title_en: str = ""
    title_th: str = ""

    def accepted(self) -> frozenset[str]:
        return frozenset((*self.accepts, self.name) if self.sniff else self.accepts)

    def named(self) -> tuple[str, str]:
        return self.named_en or f"a {self.name} file", self.named_th or f"ไฟล์ {self.name}"


@dataclass(frozen=True)
class Formats:
    """The registered formats, joined: later registrations take the place of earlier ones."""

    by_name: dict[str, ReaderFormat]
    extensions: dict[str, str]
    aliases: dict[str, str]
    content: dict[str, str]
    sniffers: tuple[ReaderFormat, ...]  # the latest registered first
    titles_en: tuple[str, ...]
    titles_th: tuple[str, ...]

    def suffixes(self) -> frozenset[str]:
        """Every file extension some format reads."""
        return frozenset(self.extensions)


def join(formats: list[ReaderFormat]) -> Formats:
    """The maps of ``formats`` (in registration order)."""
    by_name: dict[str, ReaderFormat] = {}
    extensions: dict[str, str] = {}
    aliases: dict[str, str] = {}
    content: dict[str, str] = {}
    for fmt in formats:
        by_name[fmt.name] = fmt
        for ext in fmt.extensions:
            extensions[ext.lower()] = fmt.name
        for alias in (fmt.name, *fmt.aliases):
            aliases[alias.lower()] = fmt.name
        for kind in (*fmt.detects, *((fmt.name,) if fmt.sniff else ())):
            content[kind] = fmt.name
    listed = [f for f in by_name.values() if f.title_en]
    return Formats(
        by_name=by_name,
        extensions=extensions,
        aliases=aliases,
        content=content,
        sniffers=tuple(f for f in reversed(list(by_name.values())) if f.sniff),
        titles_en=tuple(f.title_en for f in listed),
        titles_th=tuple(f.title_th or f.title_en for f in listed),
    )


def registered() -> Formats:
    """The formats every plugin registers (the built-in ones first)."""
    from nakhon.plugins.manager import collect

    return join(collect("register_readers", ReaderFormat))
