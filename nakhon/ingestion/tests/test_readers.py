"""The file readers (nakhon.ingestion.readers): every format, every refusal. No database needed.

Fixtures are in ``fixtures/`` (regenerate with ``fixtures/make_fixtures.py``); variants (wide
files, zip bombs, other CRSs, encodings) are generated here in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.readers import GEOMETRY, ROW, ReadLimits, open_source
from nakhon.ingestion.tests.fixtures import make_fixtures as mf

FIXTURES = Path(__file__).parent / "fixtures"
THAI = "\u0e00-\u0e7f"


def read(path: Path, **kwargs: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Open and read everything; checks the batch contract on the way."""
    source = open_source(path, **kwargs)
    rows: list[dict[str, Any]] = []
    try:
        for batch in source.batches():
            assert isinstance(batch, pa.RecordBatch)
            assert batch.schema.field(ROW).type == pa.int64()
            for name in source.columns:
                assert batch.schema.field(name).type == pa.string()
            assert batch.num_rows <= ReadLimits().batch_rows
            rows.extend(batch.to_pylist())
    finally:
        source.close()
    return source, rows


def refused(path: Path, code: str, **kwargs: Any) -> IngestError:
    """Reading ``path`` must fail with ``code`` and messages in both languages."""
    with pytest.raises(IngestError) as caught:
        read(path, **kwargs)
    err = caught.value
    assert err.code == code, f"{err.code}: {err.message_en}"
    assert err.message_en and err.message_th
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in err.message_th), err.message_th
    return err


@pytest.fixture
def put(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
        return path

    return write


def test_fixtures_are_up_to_date(tmp_path: Path) -> None:
    """make_fixtures.py is deterministic and the committed files are what it writes."""
    for path in mf.build(tmp_path):
        committed = FIXTURES / path.name
        assert committed.read_bytes() == path.read_bytes(), path.name
        assert path.stat().st_size <= 50_000


# --------------------------------------------------------------------------------------------
# CSV / TSV / TXT
# --------------------------------------------------------------------------------------------


def test_population_cp874() -> None:
    source, rows = read(FIXTURES / "population_cp874.csv")
    assert source.info.format == "csv"
    assert source.info.encoding == "cp874"
    assert source.info.delimiter == ","
    assert source.info.header_row == 1
    assert source.columns == mf.POPULATION_HEADER
    assert rows[0] == {
        "ชุมชน": "ชุมชนหนองแวงตราชู",
        "ตำบล": "ในเมือง",
        "จำนวนครัวเรือน": "1,234",
        "ชาย": "1520",
        "หญิง": "1689",
        "วันที่สำรวจ": "3 มี.ค. 2560",
        "หมายเหตุ": None,
        ROW: 2,
    }
    assert rows[1]["ชาย"] == "๙๑๒"  # Thai digits pass through untouched
    assert rows[2]["หมายเหตุ"] == "ย้ายที่ทำการ\nไปอาคารใหม่"
    assert rows[4]["หมายเหตุ"] == 'ชื่อเดิม "ชุมชน ๔"'
    # the quoted cell of line 4 spans two lines: the next record is on line 6, as in an editor
    assert [r[ROW] for r in rows] == [2, 3, 4, 6, 7, 8]


def test_markets_utf8_bom_semicolon_crlf() -> None:
    source, rows = read(FIXTURES / "markets_utf8_bom_semicolon.csv")
    assert (source.info.encoding, source.info.delimiter) == ("utf-8-sig", ";")
    assert source.columns[0] == "ชื่อตลาด"  # BOM stripped from the first header
    assert [r[ROW] for r in rows] == [2, 3, 4, 5]
    assert rows[1]["เปิดวัน"] == "ศุกร์; เสาร์"  # quoted delimiter
    assert rows[2]["เว็บไซต์"].startswith("=HYPERLINK(")  # formulas pass through
    assert rows[3]["จำนวนแผง"] == "  85  "  # surrounding spaces kept (normalisation trims)


def test_tsv() -> None:
    source, rows = read(FIXTURES / "tsv_utf8.tsv")
    assert (source.info.encoding, source.info.delimiter) == ("utf-8", "\t")
    assert rows[-1] == {
        "รหัสสถานศึกษา": "40010003",
        "ชื่อโรงเรียน": "โรงเรียนเทศบาลสามเหลี่ยม",
        "สังกัด": "เทศบาลนครขอนแก่น",
        "จำนวนนักเรียน": "967",
        ROW: 4,
    }


TITLE_CSV = (
    "รายงานข้อมูลประชากร เทศบาลนครขอนแก่น,,,\nประจำปี พ.ศ. 2566,,,\n,,,\n"
    "ชุมชน,ชาย,หญิง,รวม\nก,1,2,3\nข,4,5,9\n"
)


@pytest.mark.parametrize(
    ("name", "data", "kwargs", "expect"),
    [
        ("pipe.txt", "a|b|c\n1|2|3\n", {}, {"delimiter": "|", "rows": [("1", 2)]}),
        (
            "utf16.csv",
            "ชื่อ\tค่า\nก\t1\n".encode("utf-16"),
            {},
            {"encoding": "utf-16", "delimiter": "\t", "rows": [("ก", 2)]},
        ),
        (
            "titles.csv",
            TITLE_CSV,
            {},
            {
                "header_row": 4,
                "titles": ["รายงานข้อมูลประชากร เทศบาลนครขอนแก่น", "ประจำปี พ.ศ. 2566"],
                "rows": [("ก", 5), ("ข", 6)],
            },
        ),
        ("override.csv", "junk\nx,y\n1,2\n", {"header_row": 2}, {"rows": [("1", 3)]}),
        (
            "units_line.csv",
            "ชื่อ,ตำบล,ประเภท\n(หน่วย: แห่ง),,\nตลาดบางลำภู,ในเมือง,สด\n",
            {},
            {"header_row": 1, "rows": [("(หน่วย: แห่ง)", 2), ("ตลาดบางลำภู", 3)]},
        ),
        (
            "year_columns.csv",
            "ปี,2560,2561\nชาย,10,20\nหญิง,11,21\n",
            {},
            {"columns": ["ปี", "2560", "2561"], "rows": [("ชาย", 2), ("หญิง", 3)]},
        ),
        # blank lines and delimiter-only lines carry nothing: skipped, numbers kept
        ("blanks.csv", "a,b\n1,2\n\n,\n3,4\n\n\n", {}, {"rows": [("1", 2), ("3", 5)]}),
        ("crlf.csv", 'a,b\r\n"x\r\ny",1\r\n2,3\r\n', {}, {"rows": [("x\r\ny", 2), ("2", 4)]}),
        ("lone_cr.csv", 'a,b\r"x\ry",1\r2,3\r', {}, {"rows": [("x\ry", 2), ("2", 4)]}),
        ("header_only.csv", "a,b,c\n", {}, {"rows": []}),
        ("header_only_no_newline.csv", "a,b,c", {}, {"rows": []}),
        ("trailing_unnamed.csv", "a,b,,\n1,2,,\n", {}, {"columns": ["a", "b"], "rows": [("1", 2)]}),
        ("single_column.csv", "name\nก\n\nข\n", {}, {"rows": [("ก", 2), ("ข", 4)]}),
        ("bom_spaces.csv", "\ufeff a ,b\n1,2\n", {}, {"columns": ["a", "b"], "rows": [("1", 2)]}),
        ("multiline_header.csv", '"จำนวน\nครัวเรือน",b\n1,2\n', {}, {"rows": [("1", 3)]}),
        ("decimal_commas.csv", "a;b\n1,5;2,5\n", {}, {"delimiter": ";", "rows": [("1,5", 2)]}),
        (
            "stray_quote.csv",
            'a,b\n12" pipe,1\n2,x\n',
            {},
            {"rows": [('12" pipe', 2), ("2", 3)]},
        ),
        (
            "tis620.csv",
            "ชื่อ,ค่า\nก,1\n".encode("cp874"),
            {"encoding": "TIS-620"},
            {"encoding": "tis-620", "rows": [("ก", 2)]},
        ),
        ("no_extension", "a,b\n1,2\n", {}, {"rows": [("1", 2)]}),
    ],
)
def test_csv_variants(
    put: Callable[..., Path], name: str, data: Any, kwargs: dict[str, Any], expect: dict[str, Any]
) -> None:
    source, rows = read(put(name, data), **kwargs)
    first = source.columns[0]
    assert [(r[first], r[ROW]) for r in rows] == expect["rows"]
    for key in ("encoding", "delimiter", "header_row"):
        if key in expect:
            assert getattr(source.info, key) == expect[key]
    if "titles" in expect:
        assert source.info.skipped_title_rows == expect["titles"]
    if "columns" in expect:
        assert source.columns == expect["columns"]


def test_thai_after_a_first_mib_of_ascii(put: Callable[..., Path]) -> None:
    """The sample is ASCII only; the CP874 text further on is still recognised."""
    text = "a,b\n" + "x,1\n" * 300_000 + "ก,2\n"
    source, rows = read(put("late_thai.csv", text, "cp874"))
    assert source.info.encoding == "cp874"
    assert rows[-1] == {"a": "ก", "b": "2", ROW: 300_002}
    assert any("cp874" in note for note in source.info.notes)


def test_ragged_row_far_into_the_file_has_its_line(put: Callable[..., Path]) -> None:
    """Beyond the first blocks, after many multi-line cells: the line an editor shows."""
    text = "a,b\n" + '"x\ny",1\n' * 150_000 + "1,2\n" * 300_000 + "bad\n" + "1,2\n" * 10
    err = refused(put("far.csv", text), "csv-ragged-row")
    assert err.row == 1 + 150_000 * 2 + 300_000 + 1
    assert "600,002" in err.message_en


def test_transcoded_copy_is_removed_even_when_the_reader_stops_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = FIXTURES / "population_cp874.csv"
    source = open_source(path)
    batches = source.batches()
    next(batches)
    assert len(list(scratch.iterdir())) == 1  # the UTF-8 copy pyarrow reads
    assert source.bytes_read == path.stat().st_size  # progress for the pipeline
    batches.close()
    assert list(scratch.iterdir()) == []


# --------------------------------------------------------------------------------------------
# Refusals (all formats): code, row, column, wording
# --------------------------------------------------------------------------------------------

BAD: list[tuple[str, Any, str, dict[str, Any]]] = [
    ("empty.csv", None, "empty-file", {}),
    ("blank.csv", "\ufeff  \n\n ", "empty-file", {}),
    ("binary_renamed.csv", None, "format-mismatch", {"en": "PNG image"}),
    ("html.csv", "<html><body><table></table></body></html>", "format-mismatch", {"en": "HTML"}),
    ("doc.csv", b"%PDF-1.4\n%\xe2\xe3\n", "format-mismatch", {"en": "PDF"}),
    ("nul.csv", b"a,b\n1,\x00\x01\x02\x00\x00\x00\x00\x00\n", "format-mismatch", {"en": "binary"}),
    (
        "ragged.csv",
        None,
        "csv-ragged-row",
        {"row": 4, "en": "Row 4 has 3 cells but the header has 4 columns.", "th": "แถวที่ 4 มี 3 ช่อง"},
    ),
    ("too_many_cells.csv", "a,b\n1,2\n3,4,5\n", "csv-ragged-row", {"row": 3, "en": "3 cells"}),
    ("ragged_after_nl.csv", 'a,b\n"x\ny",1\n"p\nq\nr",2\n3\n', "csv-ragged-row", {"row": 7}),
    (
        "duplicate_header.csv",
        None,
        "header-duplicate",
        {"row": 1, "column": "ชื่อ", "en": "column 2 and column 5"},
    ),
    (
        "blank_header.csv",
        None,
        "header-blank",
        {"row": 1, "column": "#7", "en": "column 7 has no name", "th": "คอลัมน์ที่ 7"},
    ),
    (
        "unnamed_with_data.csv",
        "a,b,,\n1,2,,\n3,4,x,\n",
        "header-blank",
        {"row": 3, "column": "#3", "en": "row 3 has a value"},
    ),
    ("reserved.csv", "_row,b\n1,2\n", "header-reserved", {"column": "_row"}),
    ("unterminated_end.csv", 'a,b\n1,2\n3,"4\n', "csv-unterminated-quote", {"row": 3}),
    ("unterminated_eof.csv", 'a,b\n1,2\n3,"4', "csv-unterminated-quote", {"row": 3}),
    (
        "unterminated_mid.csv",
        'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,12\n',
        "csv-unterminated-quote",
        {"row": 3, "en": "row 3 is never closed"},
    ),
    ("latin1.csv", "name,city\nJosé,Zürich\n".encode("latin-1"), "encoding-unknown", {}),
    (
        "mixed.csv",
        ("a,b\nก,1\n" + "x,1\n" * 300_000).encode() + "ข,2\n".encode("cp874"),
        "encoding-invalid",
        {"row": 300_003, "en": "Line 300,003"},
    ),
    ("bad.json", '[{"a": 1}, {"a": 2,}]', "json-invalid", {"row": 1}),
    ("bad_lines.jsonl", '{"a": 1}\n{"a": \n', "json-invalid", {"row": 2}),
    ("scalar.json", '[{"a": 1}, 5]', "json-not-object", {"row": 2, "en": "Record 2 is a number"}),
    ("lines.jsonl", '{"a": 1}\n\n[1]\n', "json-not-object", {"row": 3, "en": "Line 3"}),
    ("object.json", '{"x": 1}', "json-no-records", {}),
    ("none.json", "[]", "empty-file", {}),
    ("trailing.json", '{"data": [{"a": 1}]} x', "json-invalid", {}),
    ("blank_key.json", '[{"a": 1, " ": 2}]', "header-blank", {"column": "#2"}),
    ("csv_named.json", "a,b\n1,2\n", "format-mismatch", {"en": "plain text"}),
    ("zip_slip.zip", None, "zip-unsafe-path", {"en": "../../../tmp/evil.shp"}),
    ("not_a.zip", b"PK\x03\x04 damaged", "zip-invalid", {}),
    ("no_shp.zip", mf._zip_bytes([("readme.txt", b"hello")]), "shapefile-missing-shp", {}),
    (
        "no_dbf.zip",
        mf._zip_bytes([("a.shp", b"x" * 100), ("a.shx", b"x" * 100)]),
        "shapefile-missing-part",
        {"en": ".dbf"},
    ),
    (
        "two_layers.zip",
        mf._zip_bytes([("a.shp", b"x"), ("b/c.shp", b"y")]),
        "shapefile-many-layers",
        {"en": "a.shp, b/c.shp"},
    ),
    ("garbage.parquet", b"PAR1" + b"\0" * 64, "parquet-invalid", {}),
    ("broken.xlsx", None, "zip-invalid", {}),
    ("points.shp", b"\0\0\x27\x0a", "shapefile-not-zipped", {}),
    ("bad.geojson", '{"type": "Feature"', "json-invalid", {}),
    (
        "bad_geometry.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"a": 1}, "geometry": None},
                    {
                        "type": "Feature",
                        "properties": {"a": 2},
                        "geometry": {"type": "Point", "coordinates": ["x", 1]},
                    },
                ],
            }
        ),
        "geojson-invalid-geometry",
        {"row": 2, "column": GEOMETRY, "en": "feature 2"},
    ),
    (
        "short_ring.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[100,15],[101,15],[100,15]]]}}]}',
        "geojson-invalid-geometry",
        {"row": 1, "en": "at least 4"},
    ),
    (
        "geometry_property.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{"geometry":"x"},"geometry":null}]}',
        "header-reserved",
        {"column": GEOMETRY},
    ),
    ("not_geo.geojson", "[1, 2]", "geojson-invalid", {}),
]


@pytest.mark.parametrize(("name", "data", "code", "expect"), BAD, ids=[b[0] for b in BAD])
def test_refused(
    put: Callable[..., Path], name: str, data: Any, code: str, expect: dict[str, Any]
) -> None:
    if data is not None:
        path = put(name, data)
    elif name == "broken.xlsx":
        path = put(name, (FIXTURES / "budget_title_rows.xlsx").read_bytes()[:1500])
    else:
        path = FIXTURES / name
    err = refused(path, code)
    if "row" in expect:
        assert err.row == expect["row"], err.message_en
    if "column" in expect:
        assert err.column == expect["column"], err.message_en
    if "en" in expect:
        assert expect["en"] in err.message_en
    if "th" in expect:
        assert expect["th"] in err.message_th


@pytest.mark.parametrize(
    ("fixture", "renamed", "words"),
    [
        ("budget_title_rows.xlsx", "budget.csv", "Excel workbook (XLSX)"),
        ("budget_title_rows.ods", "budget.txt", "OpenDocument spreadsheet"),
        ("parcels_utm48.zip", "parcels.csv", "zipped Shapefile"),
        ("data.parquet", "data.csv", "Parquet"),
        ("budget_title_rows.xlsx", "budget.parquet", "Excel"),
        ("binary_renamed.csv", "picture.xlsx", "PNG"),
    ],
)
def test_content_contradicting_the_extension(
    put: Callable[..., Path], fixture: str, renamed: str, words: str
) -> None:
    err = refused(put(renamed, (FIXTURES / fixture).read_bytes()), "format-mismatch")
    assert words in err.message_en


def test_explicit_format_is_checked_against_the_content() -> None:
    err = refused(FIXTURES / "data.parquet", "format-mismatch", format="csv")
    assert "Parquet" in err.message_en
    refused(FIXTURES / "tsv_utf8.tsv", "format-unsupported", format="pdf")


def test_too_many_columns_is_refused_before_reading(put: Callable[..., Path]) -> None:
    header = ",".join(f"c{i}" for i in range(10_000))
    path = put("wide_10000_columns.csv", header + "\n" + ",".join(["1"] * 10_000) + "\n")
    started = time.perf_counter()
    err = refused(path, "too-many-columns")
    assert time.perf_counter() - started < 2
    assert "10,000" in err.message_en and err.row == 1


def test_limits(put: Callable[..., Path]) -> None:
    path = put("small.csv", "a,b\n1," + "x" * 200 + "\n")
    err = refused(path, "file-too-large", limits=ReadLimits(max_bytes=10))
    assert "10 bytes" in err.message_en
    err = refused(path, "cell-too-long", limits=ReadLimits(max_cell_chars=100))
    assert (err.row, err.column, err.value) == (2, "b", 200)
    refused(path, "too-many-columns", limits=ReadLimits(max_columns=1))
    refused(FIXTURES / "records.json", "cell-too-long", limits=ReadLimits(max_cell_chars=10))
    refused(FIXTURES / "data.parquet", "cell-too-long", limits=ReadLimits(max_cell_chars=5))


def test_missing_file_and_unknown_encoding(tmp_path: Path) -> None:
    refused(tmp_path / "nope.csv", "file-not-found")
    refused(FIXTURES / "tsv_utf8.tsv", "encoding-unknown", encoding="klingon-1")


def test_batches_respect_batch_rows(put: Callable[..., Path]) -> None:
    path = put("many.csv", "n\n" + "".join(f"{i}\n" for i in range(2500)))
    source = open_source(path, limits=ReadLimits(batch_rows=1000))
    sizes = [b.num_rows for b in source.batches()]
    assert sizes and max(sizes) <= 1000 and sum(sizes) == 2500
    again = [b.num_rows for b in source.batches()]  # batches() can be called again
    assert sum(again) == 2500


# --------------------------------------------------------------------------------------------
# Spreadsheets
# --------------------------------------------------------------------------------------------

BUDGET_ROWS = [
    ["1", "แผนงานการศึกษา", "ปรับปรุงห้องเรียน", "1234", "2023-03-02", "true", 5],
    ["2", "แผนงานสาธารณสุข", "รณรงค์ป้องกันไข้เลือดออก", "250000.5", "2023-04-18", "false", 6],
    ["3", "แผนงานเคหะและชุมชน", "ซ่อมแซมถนนซอยศรีจันทร์ 12", "3500000", "2023-05-09", "true", 7],
    ["4", "แผนงานสังคมสงเคราะห์", "เบี้ยยังชีพผู้สูงอายุ", "18250000", None, None, 8],
]


@pytest.mark.parametrize("name", ["budget_title_rows.xlsx", "budget_title_rows.ods"])
def test_spreadsheet_with_title_rows(name: str) -> None:
    source, rows = read(FIXTURES / name)
    assert source.columns == mf.BUDGET_HEADER
    assert source.info.header_row == 4
    assert source.info.skipped_title_rows == [mf.BUDGET_TITLE, mf.BUDGET_SUBTITLE]
    assert source.info.sheet == "งบประมาณ"
    assert [list(r.values()) for r in rows] == BUDGET_ROWS


def test_xlsx_sheets() -> None:
    path = FIXTURES / "budget_title_rows.xlsx"
    source, _ = read(path)
    assert source.info.sheets == ["ว่าง", "งบประมาณ", "หมายเหตุ"]  # first one is empty: skipped
    source, rows = read(path, sheet="หมายเหตุ")
    assert rows == [{"หมายเหตุ": "ข้อมูลจากกองคลัง", ROW: 2}]
    source, rows = read(path, sheet=1, header_row=5)  # by index, header given
    assert source.columns[0] == "1" and rows[0][ROW] == 6
    err = refused(path, "sheet-not-found", sheet="Sheet9")
    assert "งบประมาณ" in err.message_en
    refused(path, "sheet-not-found", sheet=7)
    refused(path, "header-row-invalid", sheet=1, header_row=3)


def test_xlsx_cells_and_columns(put: Callable[..., Path]) -> None:
    import datetime as dt

    rows: list[list[Any]] = [
        [],
        [None, "รหัส", "วันเวลา", "ค่า", None],
        [None, 1, dt.datetime(2023, 3, 2, 10, 30), 0.1 + 0.2, ""],
        [],
        [None, 2, dt.date(2024, 2, 29), -12.5, None],
    ]
    source, got = read(put("cells.xlsx", mf.xlsx_bytes([("s", rows, [])])))
    assert source.columns == ["รหัส", "วันเวลา", "ค่า"]  # leading/trailing empty columns left out
    assert got == [
        {"รหัส": "1", "วันเวลา": "2023-03-02T10:30:00", "ค่า": "0.3", ROW: 3},
        {"รหัส": "2", "วันเวลา": "2024-02-29", "ค่า": "-12.5", ROW: 5},
    ]
    bad = [["a", None, "c"], [1, 2, 3]]
    err = refused(put("blank.xlsx", mf.xlsx_bytes([("s", bad, [])])), "header-blank")
    assert (err.row, err.column) == (1, "#2")
    assert "column 2 (B)" in err.message_en and "row 2" in err.message_en
    dup = [["a", "b", "a"], [1, 2, 3]]
    refused(put("dup.xlsx", mf.xlsx_bytes([("s", dup, [])])), "header-duplicate")
    refused(put("empty.xlsx", mf.xlsx_bytes([("s", [], [])])), "empty-file")


def test_xls_named_file_that_is_xlsx(put: Callable[..., Path]) -> None:
    source, rows = read(put("budget.xls", (FIXTURES / "budget_title_rows.xlsx").read_bytes()))
    assert source.info.format == "xlsx" and len(rows) == 4
    assert any(".xls" in n for n in source.info.notes)


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


def test_ckan_json() -> None:
    source, rows = read(FIXTURES / "records.json")
    assert source.info.format == "json"
    assert source.columns == ["_id", "ชื่อ", "พื้นที่_ไร่", "เปิด", "ที่ตั้ง", "หมายเหตุ"]
    assert rows[0] == {
        "_id": "1",
        "ชื่อ": "สวนสาธารณะบึงทุ่งสร้าง",
        "พื้นที่_ไร่": "1.5",
        "เปิด": "true",
        "ที่ตั้ง": None,
        "หมายเหตุ": None,
        ROW: 1,
    }
    assert rows[1]["ที่ตั้ง"] == '{"ตำบล":"ในเมือง","พิกัด":[16.43,102.83]}'
    assert rows[2]["พื้นที่_ไร่"] is None  # "" is an empty cell


def test_json_lines() -> None:
    source, rows = read(FIXTURES / "records.jsonl")
    assert source.info.format == "jsonl"
    assert source.columns == ["รหัส", "ประเภท", "จำนวน", "ด่วน"]
    assert [(r["รหัส"], r["จำนวน"], r[ROW]) for r in rows] == [
        ("KK-001", "3", 1),
        ("KK-002", "1", 2),
        ("KK-003", "12.0", 4),  # line numbers: line 3 is blank
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[{"a": 1.50e3, "b": [1, {"c": null}]}]',
            [{"a": "1.50e3", "b": '[1,{"c":null}]', ROW: 1}],
        ),
        (
            '{"data": [{"a": "x"}, {"b": true}]}',
            [{"a": "x", "b": None, ROW: 1}, {"a": None, "b": "true", ROW: 2}],
        ),
        ('{"records": [{"a": -0.0}]}', [{"a": "-0.0", ROW: 1}]),
        ('{"a": 1}\n{"a": 2}\n', [{"a": "1", ROW: 1}, {"a": "2", ROW: 2}]),  # .json holding lines
    ],
)
def test_json_shapes(put: Callable[..., Path], text: str, expected: list[dict[str, Any]]) -> None:
    _, rows = read(put("x.json", text))
    assert rows == expected


def test_big_json_array_streams(put: Callable[..., Path]) -> None:
    records = ",".join(json.dumps({"i": i, "t": "ข้อความ" * 20}) for i in range(20_000))
    _, rows = read(put("big.json", "[" + records + "]"))
    assert len(rows) == 20_000 and rows[-1][ROW] == 20_000 and rows[-1]["i"] == "19999"


# --------------------------------------------------------------------------------------------
# Geographic formats
# --------------------------------------------------------------------------------------------


def _first_position(geometry: str) -> list[float]:
    coords: Any = json.loads(geometry)["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords


def test_geojson_utm47_reprojected() -> None:
    source, rows = read(FIXTURES / "points_utm47.geojson")
    assert source.info.crs == "EPSG:32647"
    assert source.columns == ["รหัส", "ชื่อ", "ประเภท", "เปิดบริการ", "ข้อมูลเพิ่มเติม"]
    for row, (name, _kind, lon, lat) in zip(rows, mf.KHON_KAEN_PLACES, strict=False):
        assert row["ชื่อ"] == name
        x, y = _first_position(row[GEOMETRY])
        assert abs(x - lon) < 1e-6 and abs(y - lat) < 1e-6
    park = rows[3]
    assert json.loads(park[GEOMETRY])["type"] == "Polygon"
    assert park["ข้อมูลเพิ่มเติม"] == '{"พื้นที่_ไร่":150,"ผู้ดูแล":["เทศบาล"]}'
    assert rows[4][GEOMETRY] is None and rows[4][ROW] == 5


def test_geojson_without_crs(put: Callable[..., Path]) -> None:
    x, y = mf.utm(32647, 102.8353, 16.4419)
    projected = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 7,
                "properties": {"n": "a"},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            },
        ],
    }
    source, rows = read(put("p.geojson", json.dumps(projected)))
    assert source.info.crs == "EPSG:32647" and "assumed EPSG:32647" in source.info.notes[0]
    assert source.columns == ["id", "n"] and rows[0]["id"] == "7"
    lon, lat = _first_position(rows[0][GEOMETRY])
    assert abs(lon - 102.8353) < 1e-6 and abs(lat - 16.4419) < 1e-6
    plain = (
        '{"type":"Feature","properties":{"n":1},'
        '"geometry":{"type":"Point","coordinates":[102.8,16.4]}}'
    )
    source, rows = read(put("f.geojson", plain))
    assert source.info.crs == "EPSG:4326"
    assert rows == [{"n": "1", GEOMETRY: '{"type":"Point","coordinates":[102.8,16.4]}', ROW: 1}]


def test_geojson_declared_wgs84_but_projected(put: Callable[..., Path]) -> None:
    text = (
        '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},'
        '"features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Point","coordinates":[909000,1826000]}}]}'
    )
    refused(put("x.geojson", text), "geo-crs-mismatch")


def test_shapefile_utm48_cp874() -> None:
    source, rows = read(FIXTURES / "parcels_utm48.zip")
    assert source.info.format == "shapefile"
    assert (source.info.crs, source.info.encoding, source.info.sheet) == (
        "EPSG:32648",
        "cp874",
        "parcels",
    )
    assert source.columns == ["PARCEL_NO", "OWNER", "TAMBON", "AREA_SQM", "SURVEY_DT"]
    assert rows[0]["OWNER"] == "นายสมชาย ใจดี"
    assert (rows[0]["AREA_SQM"], rows[0]["SURVEY_DT"], rows[0][ROW]) == ("1000.5", "2022-11-03", 1)
    assert (rows[2]["AREA_SQM"], rows[2]["SURVEY_DT"]) == ("2400", None)
    lon, lat = _first_position(rows[0][GEOMETRY])
    assert abs(lon - 102.845533) < 1e-5 and abs(lat - 16.477664) < 1e-5  # Khon Kaen


@pytest.mark.parametrize(
    ("kwargs", "crs", "encoding", "lonlat"),
    [
        # Indian 1975 / UTM 47N (Thai cadastre): the datum shift moves it ~500 m from WGS 84
        (
            {"epsg": 24047, "origin": (909000.0, 1826000.0)},
            "EPSG:24047",
            "cp874",
            (102.824859, 16.484067),
        ),
        (
            {"epsg": 32647, "origin": (909000.0, 1826000.0)},
            "EPSG:32647",
            "cp874",
            (102.829618, 16.480783),
        ),
        ({"epsg": None}, "EPSG:32648", "cp874", (102.845533, 16.477664)),  # no .prj: guessed
        ({"encoding": "utf-8", "cpg": "UTF-8"}, "EPSG:32648", "utf-8", (102.845533, 16.477664)),
        ({"encoding": "cp874", "cpg": "874"}, "EPSG:32648", "cp874", (102.845533, 16.477664)),
        (
            {"epsg": 4326, "origin": (102.8, 16.4), "unit": 1e-5},
            "EPSG:4326",
            "cp874",
            (102.8, 16.4),
        ),
    ],
)
def test_shapefile_variants(
    put: Callable[..., Path],
    kwargs: dict[str, Any],
    crs: str,
    encoding: str,
    lonlat: tuple[float, float],
) -> None:
    source, rows = read(put("layer.zip", mf.shapefile_zip_bytes(**kwargs)))
    assert (source.info.crs, source.info.encoding) == (crs, encoding)
    assert rows[1]["OWNER"] == "นางสาวสุดารัตน์ แก้วใส"
    lon, lat = _first_position(rows[0][GEOMETRY])
    assert abs(lon - lonlat[0]) < 1e-5 and abs(lat - lonlat[1]) < 1e-5


def test_shapefile_layer_choice(put: Callable[..., Path]) -> None:
    one = zipfile.ZipFile(put("a.zip", mf.shapefile_zip_bytes(stem="roads")))
    two = mf.shapefile_zip_bytes(
        stem="parcels", extra=[(i.filename, one.read(i)) for i in one.infolist()]
    )
    path = put("two.zip", two)
    err = refused(path, "shapefile-many-layers")
    assert "parcels.shp" in err.message_en and "roads.shp" in err.message_en
    source, rows = read(path, sheet="roads")
    assert source.info.sheet == "roads" and source.info.sheets == ["parcels", "roads"]
    assert len(rows) == 3
    refused(path, "shapefile-layer-not-found", sheet="rivers")


def test_shapefile_temp_files_are_removed(
    put: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    read(FIXTURES / "parcels_utm48.zip")
    refused(
        put("two.zip", mf._zip_bytes([("a.shp", b"x"), ("b.shp", b"y")])), "shapefile-many-layers"
    )
    assert list(scratch.iterdir()) == []


def test_zip_bomb_refused_quickly_without_expanding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    bomb = tmp_path / "parcels.zip"
    bomb.write_bytes(mf.zip_bomb_bytes(50 * 1024 * 1024))  # 50 MB of zeros in ~50 KB
    assert bomb.stat().st_size < 100_000
    started = time.perf_counter()
    err = refused(bomb, "zip-bomb")
    assert time.perf_counter() - started < 1
    assert "parcels.shp" in err.message_en and "times" in err.message_en
    assert list(scratch.iterdir()) == []  # nothing was expanded


def test_zip_bomb_with_lying_sizes_stops_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declared sizes that pass the checks (here: checks switched off) do not help: extraction
    counts the real bytes and stops once past the ratio/size limits."""
    import tempfile

    from nakhon.ingestion.readers import _zipsafe

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(_zipsafe, "check_declared", lambda infos, limits: 0)
    bomb = tmp_path / "parcels.zip"
    bomb.write_bytes(mf.zip_bomb_bytes(50 * 1024 * 1024))
    err = refused(bomb, "zip-bomb")
    assert "more than 100 times" in err.message_en
    assert list(scratch.iterdir()) == []
    # the same with a total budget smaller than one member
    limits = ReadLimits(max_uncompressed_bytes=2 * 1024 * 1024, max_compression_ratio=10**6)
    refused(bomb, "zip-too-large", limits=limits)
    assert list(scratch.iterdir()) == []


def test_xlsx_bomb_refused(put: Callable[..., Path]) -> None:
    import io

    buf = io.BytesIO()
    src = zipfile.ZipFile(FIXTURES / "budget_title_rows.xlsx")
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
        zf.writestr("xl/media/padding.bin", bytes(30 * 1024 * 1024))
    refused(put("bomb.xlsx", buf.getvalue()), "zip-bomb")


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------


def test_parquet() -> None:
    source, rows = read(FIXTURES / "data.parquet")
    assert source.info.format == "parquet"
    assert source.columns == ["รหัส", "ชื่อโครงการ", "งบประมาณ", "วันที่เริ่ม", "เสร็จแล้ว", "ปรับปรุงล่าสุด"]
    assert rows[0] == {
        "รหัส": "1",
        "ชื่อโครงการ": "ถนนคอนกรีต",
        "งบประมาณ": "1234",
        "วันที่เริ่ม": "2023-03-02",
        "เสร็จแล้ว": "true",
        "ปรับปรุงล่าสุด": "2024-05-01T09:30:00",
        ROW: 1,
    }
    assert rows[2] == {ROW: 3, "รหัส": "3", **dict.fromkeys(source.columns[1:])}
    assert [r[ROW] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[4]["งบประมาณ"] == "99.99" and rows[4]["ปรับปรุงล่าสุด"] == "2024-05-02T00:00:00"


def test_geoparquet_wkb_in_utm(put: Callable[..., Path], tmp_path: Path) -> None:
    import shapely
    from pyproj import CRS

    table = pa.table(
        {
            "name": ["ศาลากลาง", None],
            "geometry": [shapely.to_wkb(shapely.Point(*mf.utm(32647, 102.8353, 16.4419))), None],
        }
    )
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": ["Point"],
                "crs": json.loads(CRS.from_epsg(32647).to_json()),
            }
        },
    }
    path = tmp_path / "g.parquet"
    pq.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    source, rows = read(path)
    assert source.columns == ["name"] and source.info.crs == "EPSG:32647"
    lon, lat = _first_position(rows[0][GEOMETRY])
    assert abs(lon - 102.8353) < 1e-6 and abs(lat - 16.4419) < 1e-6
    assert rows[1] == {"name": None, GEOMETRY: None, ROW: 2}


# --------------------------------------------------------------------------------------------
# Streaming: memory stays flat
# --------------------------------------------------------------------------------------------

_MEASURE = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    from nakhon.ingestion.readers import open_source

    warm, big = Path(sys.argv[1]), Path(sys.argv[2])
    for _ in open_source(warm).batches():  # imports, thread pools, allocator warm
        pass
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = 0
    last = 0
    for batch in open_source(big).batches():
        rows += batch.num_rows
        last = batch.column("_row")[-1].as_py()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(rows, last, (peak - base) * 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
@pytest.mark.parametrize("encoding", ["utf-8", "cp874"])
def test_streaming_memory_stays_flat(tmp_path: Path, encoding: str) -> None:
    """A ~50 MB CSV is read in a child process whose peak RSS barely grows beyond what a 2 MB
    read of the same rows needed: the memory in flight is bounded (read-ahead blocks, one
    batch), not proportional to the file. (Before the jemalloc pool it grew by ~60 MB.)"""
    line = "".join(
        f'{i},ชุมชนบ้านโนนทัน {i % 97},ในเมือง,3 มี.ค. 2560,{i * 7 % 5000},"1,234.50",16.43,102.83\n'
        for i in range(1000)
    ).encode(encoding)
    header = "id,ชื่อ,ตำบล,วันที่,จำนวน,มูลค่า,lat,lon\n".encode(encoding)
    big, warm = tmp_path / "big.csv", tmp_path / "warm.csv"
    warm.write_bytes(header + line * 20)  # ~2 MB: warms the pools the big read will use
    with big.open("wb") as f:
        f.write(header)
        while f.tell() < 50 * 1024 * 1024:
            f.write(line)
    size = big.stat().st_size
    expected_rows = (size - len(header)) // len(line) * 1000
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(warm), str(big)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        timeout=60,
    ).stdout.split()
    rows, last, growth = (int(v) for v in out)
    assert rows == expected_rows and last == expected_rows + 1
    assert growth < size * 0.25, f"peak RSS grew {growth >> 20} MB for a {size >> 20} MB file"
    assert time.perf_counter() - started < 20
