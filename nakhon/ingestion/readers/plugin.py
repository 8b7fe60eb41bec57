"""The built-in file formats, registered through the ``register_readers`` hook like any plugin's.

Each ``open`` imports its reader module only when a file of that format is opened: loading the
plugins (at start-up) imports none of them.
"""

from __future__ import annotations

from typing import Any

from nakhon.plugins.toolkit import hookimpl

from .base import Source
from .formats import OpenRequest, ReaderFormat

SPREADSHEET_CONTENT = ("xlsx", "xlsb", "xls", "ods")


def open_delimited(request: OpenRequest) -> Source:
    from .delimited import DelimitedSource

    tab = request.path.suffix.lower() in (".tsv", ".tab") or (
        (request.requested or "").lower() == "tsv"
    )
    return DelimitedSource(
        request.path,
        size=request.size,
        limits=request.limits,
        encoding=request.encoding,
        header_row=request.header_row,
        preferred_delimiter="\t" if tab else None,
    )


def open_spreadsheet(request: OpenRequest) -> Source:
    from .spreadsheet import SpreadsheetSource

    return SpreadsheetSource(
        request.path,
        limits=request.limits,
        sheet=request.sheet,
        header_row=request.header_row,
        kind=request.content,
    )


def open_json(request: OpenRequest) -> Source:
    from .jsonfile import JsonSource

    return JsonSource(
        request.path,
        limits=request.limits,
        encoding=request.encoding,
        lines=request.format == "jsonl",
    )


def open_geojson(request: OpenRequest) -> Source:
    from .geojson import GeoJsonSource

    return GeoJsonSource(request.path, limits=request.limits, encoding=request.encoding)


def open_shapefile(request: OpenRequest) -> Source:
    from .shapezip import ShapefileZipSource

    return ShapefileZipSource(
        request.path, limits=request.limits, layer=request.sheet, encoding=request.encoding
    )


def open_parquet(request: OpenRequest) -> Source:
    from .parquet import ParquetSource

    return ParquetSource(request.path, limits=request.limits)


def _spreadsheet(
    name: str, extensions: tuple[str, ...], aliases: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "name": name,
        "open": open_spreadsheet,
        "extensions": extensions,
        "aliases": aliases,
        "accepts": SPREADSHEET_CONTENT,
        "detects": (name,),
    }


#: The national defaults, in the order they are listed in messages.
BUILT_IN: tuple[ReaderFormat, ...] = (
    ReaderFormat(
        name="csv",
        open=open_delimited,
        extensions=(".csv", ".tsv", ".tab", ".txt"),
        aliases=("tsv", "txt", "text"),
        accepts=("text", "json", "geojson"),
        detects=("text",),
        named_en="a CSV/text file",
        named_th="ไฟล์ CSV/ข้อความ",
        title_en="CSV/TSV",
    ),
    ReaderFormat(
        **_spreadsheet("xlsx", (".xlsx", ".xlsm"), ("xlsm", "excel")),
        named_en="an Excel workbook",
        named_th="ไฟล์ Excel",
        title_en="XLSX",
    ),
    ReaderFormat(
        **_spreadsheet("xlsb", (".xlsb",)), named_en="an Excel workbook", named_th="ไฟล์ Excel"
    ),
    ReaderFormat(
        **_spreadsheet("xls", (".xls",)),
        named_en="an Excel workbook",
        named_th="ไฟล์ Excel",
        title_en="XLS",
    ),
    ReaderFormat(
        **_spreadsheet("ods", (".ods",)),
        named_en="an OpenDocument spreadsheet",
        named_th="ไฟล์ตารางคำนวณ OpenDocument",
        title_en="ODS",
    ),
    ReaderFormat(
        name="json",
        open=open_json,
        extensions=(".json",),
        accepts=("json", "geojson"),
        detects=("json",),
        refine={"geojson": "geojson"},  # a .json file that holds GeoJSON is read as GeoJSON
        named_en="a JSON file",
        named_th="ไฟล์ JSON",
        title_en="JSON",
    ),
    ReaderFormat(
        name="jsonl",
        open=open_json,
        extensions=(".jsonl", ".ndjson"),
        aliases=("ndjson",),
        accepts=("json", "geojson", "text"),
        named_en="a JSON Lines file",
        named_th="ไฟล์ JSON Lines",
        title_en="JSON Lines",
    ),
    ReaderFormat(
        name="geojson",
        open=open_geojson,
        extensions=(".geojson",),
        accepts=("json", "geojson"),
        detects=("geojson",),
        named_en="a GeoJSON file",
        named_th="ไฟล์ GeoJSON",
        title_en="GeoJSON",
    ),
    ReaderFormat(
        name="shapefile",
        open=open_shapefile,
        extensions=(".zip",),
        aliases=("shp", "zip"),
        accepts=("shapefile", "zip"),
        detects=("shapefile", "zip"),
        named_en="a zipped Shapefile",
        named_th="Shapefile แบบ ZIP",
        title_en="zipped Shapefile",
        title_th="Shapefile ที่บีบอัดเป็น ZIP",
    ),
    ReaderFormat(
        name="parquet",
        open=open_parquet,
        extensions=(".parquet", ".pq"),
        accepts=("parquet",),
        detects=("parquet",),
        named_en="a Parquet file",
        named_th="ไฟล์ Parquet",
        title_en="Parquet",
    ),
)


@hookimpl
def register_readers() -> list[ReaderFormat]:
    return list(BUILT_IN)
