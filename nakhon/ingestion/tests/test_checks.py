"""Validation checks and the report: each rule failing and passing, with exact row/column/rule."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pytest

from nakhon.ingestion.checks import CHECKS, RULES, check_digit_sql
from nakhon.ingestion.pipeline_core import validate, validate_batches
from nakhon.ingestion.report import escape_formula, format_message
from nakhon.ingestion.schema import ColumnSpec, TableSchema
from nakhon.lake.duck import connect

BOW_TIE = '{"type":"Polygon","coordinates":[[[100,14],[101,15],[101,14],[100,15],[100,14]]]}'
SQUARE = '{"type":"Polygon","coordinates":[[[100,14],[101,14],[101,15],[100,15],[100,14]]]}'
FAR_AWAY = '{"type":"Point","coordinates":[2.35,48.85]}'


@pytest.fixture(scope="module")
def con():
    connection = connect(extensions=("spatial",))
    yield connection
    connection.close()


def table(columns: dict[str, list[Any]]) -> pa.Table:
    n = len(next(iter(columns.values())))
    data = {"_row": pa.array(range(2, n + 2), pa.int64())}
    data.update({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return pa.table(data)


def problems(con, specs: list[ColumnSpec], columns: dict[str, list[Any]], **kw: Any):
    """(row, column, rule) of every problem, and the report."""
    primary_key = kw.pop("primary_key", [])
    schema = TableSchema(specs, primary_key=primary_key)
    _, report = validate(table(columns), schema, con=con, max_problems=1000, **kw)
    found = [(p["row"], p["column"], p["rule"]) for p in report.problems]
    report.close()
    return found, report


def test_every_rule_has_a_severity_and_a_check():
    assert {r.severity for r in RULES.values()} == {"error", "warning"}
    covered = {code for check in CHECKS for code in check.codes}
    assert covered == set(RULES)


# each case: (column spec, cells, expected problems as (row, rule)); the cells of rows not
# listed pass. Rows start at 2 (row 1 is the header).
CASES = [
    (
        ColumnSpec("c", "string", required=True),
        ["a", None, "  "],
        [(3, "required"), (4, "required")],
    ),
    (ColumnSpec("c", "integer", required=True), ["1", "x"], [(3, "invalid-integer")]),
    (
        ColumnSpec("c", "string", unique=True),
        ["a", "b", "a", None, None],
        [(2, "unique"), (4, "unique")],
    ),
    (ColumnSpec("c", "integer", minimum=0), ["0", "-1", "5"], [(3, "minimum")]),
    (ColumnSpec("c", "baht", maximum=1000), ["1,000.00", "1,000.01"], [(3, "maximum")]),
    (
        ColumnSpec("c", "date", minimum="2017-01-01"),
        ["1 ม.ค. 2560", "31 ธ.ค. 2559"],
        [(3, "minimum")],
    ),
    (
        ColumnSpec("c", "date", maximum="2017-01-01"),
        ["1 ม.ค. 2560", "2 ม.ค. 2560"],
        [(3, "maximum")],
    ),
    (
        ColumnSpec("c", "datetime", minimum="2017-01-01T08:00"),
        ["1/1/2560 08:00", "1/1/2560 07:59"],
        [(3, "minimum")],
    ),
    (ColumnSpec("c", min_length=2), ["ab", "a", "กข"], [(3, "min-length")]),
    (
        ColumnSpec("c", max_length=3),
        ["abc", "abcd", "สวัสดี"],
        [(3, "max-length"), (4, "max-length")],
    ),
    (ColumnSpec("c", enum=["ก", "ข"]), ["ก", "ค", "ข"], [(3, "enum")]),
    (ColumnSpec("c", "integer", enum=[1, 2]), ["1", "3"], [(3, "enum")]),
    (
        ColumnSpec("c", "tambon", enum=["400101"], context="4001"),
        ["ในเมือง", "400102"],
        [(3, "enum")],
    ),
    (ColumnSpec("c", "boolean", enum=[True]), ["ใช่", "ไม่ใช่"], [(3, "enum")]),
    (
        ColumnSpec("c", pattern="[A-Z]{2}-[0-9]{3}"),
        ["AB-123", "ab-123", "AB-1234"],
        [(3, "pattern"), (4, "pattern")],
    ),
    (ColumnSpec("c", "thai_id"), ["1-1017-00207-51-0", "1101700207511"], [(3, "thai-id-checksum")]),
    (
        ColumnSpec("c", "thai_id"),
        ["1101700207510", "0105536112014", "9101700207510"],
        [(3, "thai-id-first-digit"), (4, "thai-id-first-digit")],
    ),
    (
        ColumnSpec("c", "juristic_id"),
        ["0105536112014", "0105536112015", "1101700207510"],
        [(3, "juristic-id-checksum"), (4, "juristic-id-first-digit")],
    ),
    (
        ColumnSpec("c", "email"),
        ["somchai@example.go.th", "somchai@", "a b@c.th"],
        [(3, "email"), (4, "email")],
    ),
    (
        ColumnSpec("c", "url"),
        ["https://data.go.th/x?y=1", "javascript:alert(1)", "www.x.th"],
        [(3, "url"), (4, "url")],
    ),
    (
        ColumnSpec("c", "phone"),
        ["081-234-5678", "043 123 456", "1669", "12345", "โทรหาเรา"],
        [(5, "phone"), (6, "phone")],
    ),
    (
        ColumnSpec("c", "latitude"),
        ["16.44", "-91", "1.3"],
        [(3, "latitude-range"), (4, "outside-thailand")],
    ),
    (
        ColumnSpec("c", "longitude"),
        ["102.83", "181", "2.35"],
        [(3, "longitude-range"), (4, "outside-thailand")],
    ),
    (
        ColumnSpec("c", "geometry"),
        [SQUARE, BOW_TIE, "{not json", FAR_AWAY],
        [(3, "geometry-invalid"), (4, "geometry-unparsable"), (5, "outside-thailand")],
    ),
    (ColumnSpec("c", "date"), ["3 มี.ค. 2560", "31 ก.พ. 2566"], [(3, "impossible-date")]),
    (
        ColumnSpec("c", "tambon", context="40"),
        ["ศิลา", "ในเมือง", "ไม่มี"],
        [(3, "ambiguous-admin-area"), (4, "unknown-admin-area")],
    ),
]


@pytest.mark.parametrize(
    ("spec", "cells", "expected"), CASES, ids=lambda v: getattr(v, "type", None)
)
def test_check(con, spec, cells, expected):
    found, _ = problems(con, [spec], {"c": cells})
    assert found == [(row, "c", rule) for row, rule in expected]


@pytest.mark.parametrize(
    ("kind", "cell", "formula"),
    [
        ("string", '=HYPERLINK("http://evil.example","click")', True),
        ("string", "=cmd|' /C calc'!A0", True),
        ("string", "=1+1", True),
        ("string", "+SUM(A1:A2)", True),
        ("string", "-2+3+cmd|' /C calc'!A0", True),  # DDE, though it starts like a number
        ("string", "+66 (0)81 234 5678", False),
        ("string", "@SUM(A1)", True),
        ("string", "- ไม่มี -", False),
        ("string", "-5", False),
        ("string", "+66 81 234 5678", False),
        ("string", "a=b", False),
        ("string", "=", False),
        ("string", "  =HYPERLINK(1)", True),  # surrounding spaces are trimmed first
        ("email", "=x@y.th", True),
        ("integer", "-5", False),
    ],
)
def test_formula_cells(con, kind, cell, formula):
    found, _ = problems(con, [ColumnSpec("c", kind)], {"c": [cell]})
    assert ((2, "c", "formula") in found) is formula


def test_primary_key_reports_every_duplicate_row(con):
    found, report = problems(
        con,
        [ColumnSpec("เขต", "string"), ColumnSpec("เลขที่", "integer")],
        {"เขต": ["ก", "ก", "ข", "ก", None], "เลขที่": ["1", "2", "1", "1", "3"]},
        primary_key=["เขต", "เลขที่"],
    )
    assert found == [
        (2, "เขต, เลขที่", "primary-key"),
        (5, "เขต, เลขที่", "primary-key"),
        (6, "เขต", "required"),
    ]
    first = report.problems[0]
    assert first["value"] == "ก | 1"
    assert first["message_en"] == (
        "Row 2, column เขต, เลขที่: the key ก | 1 also appears in row 5 (2 rows in all)."
    )


def test_unique_lists_the_other_rows(con):
    _, report = problems(con, [ColumnSpec("id", "integer", unique=True)], {"id": ["7", "7", "7"]})
    assert report.problems[1]["message_en"] == (
        "Row 3, column id: 7 also appears in rows 2, 4 (3 rows in all)."
    )
    assert report.problems[1]["message_th"] == "แถวที่ 3 คอลัมน์ id: 7 ซ้ำกับแถวที่ 2, 4 (รวม 3 แถว)"


def test_geometry_reason_is_reported(con):
    _, report = problems(con, [ColumnSpec("geometry", "geometry")], {"geometry": [BOW_TIE]})
    [problem] = report.problems
    assert problem["rule"] == "geometry-invalid"
    assert "Self-intersection" in problem["message_en"]
    assert "Self-intersection" in problem["message_th"]


def test_thai_id_values_are_masked_in_reports(con):
    _, report = problems(con, [ColumnSpec("pid", "thai_id")], {"pid": ["1101700207511"]})
    assert report.problems[0]["value"] == "11017xxxxxxx1"
    assert "1101700207511" not in report.to_json()


def test_check_digit_sql_matches_stdnum(con):
    from stdnum.th import pin

    for number in ("110170020751", "310060012345", "010553611201", "999999999999"):
        expected = int(pin.calc_check_digit(number))
        got = con.execute(f"SELECT {check_digit_sql(repr(number + '0'))}").fetchone()
        assert got == (expected,)


# --- the report -------------------------------------------------------------------------------


def test_report_message_for_an_impossible_date(con):
    cells = ["1 ม.ค. 2566"] * 13 + ["31 ก.พ. 2566"]
    _, report = problems(con, [ColumnSpec("วันที่สำรวจ", "date")], {"วันที่สำรวจ": cells})
    [problem] = report.problems
    assert problem == {
        "row": 15,
        "column": "วันที่สำรวจ",
        "value": "31 ก.พ. 2566",
        "rule": "impossible-date",
        "severity": "error",
        "message_en": "Row 15, column วันที่สำรวจ: 31 ก.พ. 2566 is not a date "
        "(February 2566 has 28 days).",
        "message_th": "แถวที่ 15 คอลัมน์ วันที่สำรวจ: 31 ก.พ. 2566 ไม่ใช่วันที่ที่มีอยู่จริง "
        "(เดือนกุมภาพันธ์ 2566 มี 28 วัน)",
    }
    assert report.counts == [
        {"rule": "impossible-date", "column": "วันที่สำรวจ", "severity": "error", "count": 1}
    ]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_messages(rule):
    en, th = format_message(rule, 3, "คอลัมน์", "x", {})
    assert en.startswith("Row 3, column คอลัมน์: ") and en.endswith(".")
    assert th.startswith("แถวที่ 3 คอลัมน์ คอลัมน์: ")


def test_report_counts_split_and_exports(con, tmp_path):
    schema = TableSchema(
        [
            ColumnSpec("id", "integer"),
            ColumnSpec("ชื่อ", "string", required=True),
            ColumnSpec("lat", "latitude"),
        ],
        primary_key=["id"],
    )
    data = table(
        {
            "id": ["1", "2", "3", "4", "x"],
            "ชื่อ": ["ก", '=HYPERLINK("http://x")', None, "ง", "จ"],
            "lat": ["16.4", "16.5", "16.6", "1.0", "16.7"],
        }
    )
    reader, report = validate_batches(iter(data.to_batches()), schema, con=con, max_problems=2)
    valid = reader.read_all()
    assert valid.column("_row").to_pylist() == [2, 5]  # row 5 has only a warning
    assert valid.schema == schema.arrow_schema()
    assert (report.total_rows, report.valid_rows, report.error_rows) == (5, 2, 3)
    assert report.warning_rows == 1
    # invalid id (not also "required": the cell is not empty), formula, required, warning
    assert report.problem_count == 4
    assert len(report.problems) == 2
    assert report.to_dict()["problems_truncated"] is True
    assert json.loads(report.to_json())["error_rows"] == 3
    assert report.row_mask(pa.array([2, 3, 4, 5, 6])).to_pylist() == [
        True,
        False,
        False,
        True,
        False,
    ]
    quarantined = con.execute(
        f"SELECT _row FROM ({report.error_rows_sql(report_view(report))}) ORDER BY _row"
    ).fetchall()
    assert quarantined == [(3,), (4,), (6,)]

    path = tmp_path / "problems.csv"
    report.write_csv(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "rule", "severity", "message_en", "message_th"]
    assert len(rows) == 1 + report.problem_count
    formula_row = next(r for r in rows if r[3] == "formula")
    assert formula_row[2] == '\'=HYPERLINK("http://x")'

    out = io.BytesIO()
    report.write_json(out)
    document = json.loads(out.getvalue())
    assert document["total_rows"] == 5
    assert [p["rule"] for p in document["problems"]] == [p[3] for p in rows[1:]]
    report.close()


def report_view(report) -> str:
    """The typed view behind a report (the problems table's sibling)."""
    return report.table.removesuffix("problems") + "view"


def test_escape_formula():
    assert escape_formula("=1+1") == "'=1+1"
    assert escape_formula("-5") == "'-5"
    assert escape_formula("ก") == "ก"
    assert escape_formula(5) == 5


def test_many_problems_stay_in_duckdb(con):
    n = 50_000
    data = table({"n": ["x"] * n})
    _, report = validate(data, TableSchema([ColumnSpec("n", "integer")]), con=con)
    assert report.problem_count == n and len(report.problems) == 100
    assert sum(1 for _ in report.iter_problems()) == n
    report.close()


def test_200k_rows_validate_in_a_few_seconds(con):
    n = 200_000
    ids = [str(i) for i in range(n)]
    data = table(
        {
            "id": ids,
            "ชื่อ": [f"นาย ทดสอบ {i}" for i in range(n)],
            "ตำบล": ["ศิลา", "บ้านเป็ด", "ในเมือง"] * (n // 3) + ["ศิลา"] * (n % 3),
            "วันที่": [f"{i % 28 + 1} มี.ค. {2540 + i % 27}" for i in range(n)],
            "จำนวน": [f"{i:,}.50" for i in range(n)],
            "lat": ["16.44"] * n,
            "lon": ["102.83"] * n,
        }
    )
    schema = TableSchema(
        [
            ColumnSpec("id", "integer"),
            ColumnSpec("ชื่อ", "string", required=True),
            ColumnSpec("ตำบล", "tambon", context="4001"),
            ColumnSpec("วันที่", "date"),
            ColumnSpec("จำนวน", "baht", minimum=0),
            ColumnSpec("lat", "latitude"),
            ColumnSpec("lon", "longitude"),
        ],
        primary_key=["id"],
    )
    start = time.perf_counter()
    reader, report = validate_batches(iter(data.to_batches(50_000)), schema, con=con)
    rows = sum(batch.num_rows for batch in reader)
    elapsed = time.perf_counter() - start
    assert rows == n and report.ok
    assert elapsed < 5, f"{elapsed:.2f} s"
    report.close()


def test_geometry_without_the_spatial_extension(con, monkeypatch):
    from nakhon.ingestion import checks

    monkeypatch.setattr(checks, "_spatial", lambda _con: False)
    found, report = problems(
        con, [ColumnSpec("geometry", "geometry")], {"geometry": [SQUARE, BOW_TIE, "{x", FAR_AWAY]}
    )
    assert found == [
        (3, "geometry", "geometry-invalid"),
        (4, "geometry", "geometry-unparsable"),
        (5, "geometry", "outside-thailand"),
    ]
    assert "Self-intersection" in report.problems[0]["message_en"]


def test_run_with_a_schema_dict_and_context(con):
    from nakhon.ingestion.pipeline_core import run

    data = table({"id": ["1", "2", "3"], "ตำบล": ["ศิลา", "ในเมือง", "x"]})
    schema = {
        "columns": [{"name": "id", "type": "integer"}, {"name": "ตำบล", "type": "tambon"}],
        "primary_key": ["id"],
    }
    outcome = run(con, iter(data.to_batches()), schema=schema, context={"province_code": "40"})
    assert outcome.schema.primary_key == ["id"]
    assert outcome.report.blocking and json.loads(outcome.report.to_json())["blocking"]
    assert outcome.typed_batches().read_all().column("ตำบล").to_pylist() == ["400114"]
    every = outcome.typed_batches(only_valid=False).read_all()
    assert every.column("_row").to_pylist() == [2, 3, 4]
    assert every.column("ตำบล").to_pylist() == ["400114", None, None]
    outcome.close()


def test_run_infers_the_schema_from_the_stream(con):
    from nakhon.ingestion.pipeline_core import run

    data = table({"รหัส": ["1", "2"], "วันที่": ["3 มี.ค. 2560", "4 มี.ค. 2560"]})
    outcome = run(con, iter(data.to_batches()), infer=True)
    assert [c.type for c in outcome.schema.columns] == ["integer", "date"]
    assert outcome.schema.primary_key == ["รหัส"]
    assert not outcome.report.blocking
    assert outcome.typed_batches().read_all().num_rows == 2
    outcome.close()
