"""Schema as data and normalisation of text cells to typed values (DuckDB, no Django DB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pytest

from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.normalize import load_admin_areas, normalize
from nakhon.ingestion.pipeline_core import typed_reader
from nakhon.ingestion.schema import ColumnSpec, SchemaError, TableSchema
from nakhon.lake.duck import connect


@pytest.fixture(scope="module")
def con():
    connection = connect()
    yield connection
    connection.close()


def table(mapping: dict[str, list[Any]] | None = None, **columns: list[Any]) -> pa.Table:
    """An input table like a reader's; Thai headers go in ``mapping`` (keyword names are NFKC
    normalised by Python, which changes "ำ")."""
    columns = {**(mapping or {}), **columns}
    n = len(next(iter(columns.values())))
    data = {"_row": pa.array(range(2, n + 2), pa.int64())}
    data.update({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return pa.table(data)


def convert(con, spec: ColumnSpec, values: list[Any], **kw: Any) -> list[tuple[Any, Any]]:
    """(typed value, conversion rule) for each cell of a one-column table."""
    schema = TableSchema([spec])
    result = normalize(con, table({spec.name: values}), schema, **kw)
    try:
        typed = dict(result.typed().fetchall())
        errors = {row: rule for row, _, _, rule, _ in result.errors().fetchall()}
        return [(typed[r], errors.get(r)) for r in range(2, len(values) + 2)]
    finally:
        result.drop()


# --- schema -----------------------------------------------------------------------------------


def test_schema_round_trip_and_arrow_types():
    schema = TableSchema.from_dict(
        {
            "columns": [
                {"name": "id", "type": "integer", "required": True, "unique": True},
                {"name": "ชื่อ", "type": "string", "personal": True, "max_length": 100},
                {"name": "x", "type": "number"},
                {"name": "amount", "type": "decimal", "scale": 3},
                {"name": "ภาษี", "type": "baht", "minimum": 0},
                {"name": "ok", "type": "boolean"},
                {"name": "วันที่", "type": "date", "minimum": "2000-01-01", "date_era": "be"},
                {"name": "at", "type": "datetime"},
                {"name": "pid", "type": "thai_id"},
                {"name": "tb", "type": "tambon", "context": "40", "enum": ["400101"]},
                {"name": "lat", "type": "latitude"},
                {"name": "geometry", "type": "geometry"},
            ],
            "primary_key": ["id"],
        }
    )
    assert TableSchema.from_dict(schema.to_dict()) == schema
    types = {f.name: f.type for f in schema.arrow_schema()}
    assert types == {
        "_row": pa.int64(),
        "id": pa.int64(),
        "ชื่อ": pa.string(),
        "x": pa.float64(),
        "amount": pa.decimal128(18, 3),
        "ภาษี": pa.decimal128(18, 2),
        "ok": pa.bool_(),
        "วันที่": pa.date32(),
        "at": pa.timestamp("us", tz="UTC"),
        "pid": pa.string(),
        "tb": pa.string(),
        "lat": pa.float64(),
        "geometry": pa.string(),
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"columns": [{"name": "a", "type": "money"}]}, "unknown type 'money'"),
        ({"columns": [{"name": "a", "pattern": "[a-"}]}, "does not compile"),
        ({"columns": [{"name": "a", "pattern": "(?=a)b"}]}, "not supported by RE2"),
        ({"columns": [{"name": "a"}], "primary_key": ["b"]}, "primary_key names 'b'"),
        ({"columns": [{"name": "a"}, {"name": "a"}]}, "appears more than once"),
        ({"columns": [{"name": "a", "type": "integer", "minimum": 5, "maximum": 1}]}, "above"),
        ({"columns": [{"name": "a", "type": "date", "minimum": "3/3/2560"}]}, "ISO date"),
        ({"columns": [{"name": "a", "type": "baht", "scale": 3}]}, "scale 2"),
        ({"columns": [{"name": "a", "type": "string", "minimum": 1}]}, "numbers and dates"),
        ({"columns": [{"name": "a", "date_era": "th"}]}, "date_era"),
        ({"columns": [{"name": "a", "type": "tambon", "context": "Khon Kaen"}]}, "DOPA code"),
        ({"columns": [{"name": "a", "colour": "red"}]}, "unknown keys colour"),
        ({"columns": [{"name": "_row"}]}, "reserved"),
        ({"columns": []}, "at least one column"),
        ({"columns": [{"name": "a", "type": "integer", "enum": ["x"]}]}, "whole number"),
    ],
)
def test_schema_errors_are_clear(data, expected):
    with pytest.raises(SchemaError) as excinfo:
        TableSchema.from_dict(data)
    assert any(expected in problem for problem in excinfo.value.problems), excinfo.value


def test_schema_error_lists_every_problem():
    with pytest.raises(SchemaError) as excinfo:
        TableSchema.from_dict(
            {"columns": [{"name": "a", "type": "nope"}, {"name": "b"}], "primary_key": ["z"]}
        )
    assert len(excinfo.value.problems) == 2


# --- dates ------------------------------------------------------------------------------------

D = dt.date(2017, 3, 3)


@pytest.mark.parametrize(
    ("raw", "era", "value", "rule"),
    [
        ("3 มี.ค. 2560", "be", D, None),
        ("3 มีนาคม 2560", "be", D, None),
        ("3 มี.ค. 60", "be", D, None),
        ("3 มี.ค.60", "be", D, None),
        ("วันที่ 3 มีนาคม พ.ศ. 2560", "be", D, None),
        ("03/03/2560", "be", D, None),
        ("3/3/2560", "be", D, None),
        ("3-3-2560", "be", D, None),
        ("2560-03-03", "be", D, None),
        ("๓ มี.ค. ๒๕๖๐", "be", D, None),
        ("๐๓/๐๓/๒๕๖๐", "be", D, None),
        ("  3 มี.ค. 2560\u00a0", "be", D, None),
        ("3\u200bมี.ค. 2560", "be", D, None),
        ("3 มีนา 2560", "be", D, None),
        ("3 Mar 2017", "ce", D, None),
        ("03/03/2017", "ce", D, None),
        ("2017-03-03", "ce", D, None),
        ("3/3/17", "ce", D, None),
        ("03/03/2560", "auto", D, None),
        ("03/03/2017", "auto", D, None),
        ("3 มีนาคม ค.ศ. 2017", "be", D, None),  # the marker overrides the column's era
        ("29 ก.พ. 2567", "be", dt.date(2024, 2, 29), None),
        ("31 ก.พ. 2566", "be", None, "impossible-date"),
        ("29 ก.พ. 2566", "be", None, "impossible-date"),
        ("31/04/2560", "be", None, "impossible-date"),
        ("0 มี.ค. 2560", "be", None, "impossible-date"),
        ("3/13/2560", "be", None, "invalid-date"),
        ("3 มีค่ะ 2560", "be", None, "invalid-date"),
        ("3/3-2560", "be", None, "invalid-date"),
        ("3 มี.ค. 2017", "be", None, "date-era"),
        ("2017-03-03", "be", None, "date-era"),
        ("03/03/2560", "ce", None, "date-era"),
        ("3 มี.ค. 1999", "be", None, "date-era"),
        ("3 มี.ค. 2999", "be", None, "invalid-date"),
        ("3 มี.ค. 256", "be", None, "invalid-date"),
        ("yesterday", "be", None, "invalid-date"),
        ("3 มี.ค. 2560 14:05", "be", None, "invalid-date"),  # a time in a date column
        ("3 มี.ค. 2560 00:00:00", "be", D, None),
        ("", "be", None, None),
        ("   ", "be", None, None),
        (None, "be", None, None),
    ],
)
def test_dates(con, raw, era, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("วันที่", "date", date_era=era), [raw])
    assert (got, problem) == (value, rule)


def test_impossible_date_params(con):
    schema = TableSchema([ColumnSpec("วันที่สำรวจ", "date")])
    result = normalize(con, table({"วันที่สำรวจ": ["31 ก.พ. 2566"]}), schema)
    [(row, column, value, rule, params)] = result.errors().fetchall()
    assert (row, column, value, rule) == (2, "วันที่สำรวจ", "31 ก.พ. 2566", "impossible-date")
    assert '"days":28' in params and '"year":2566' in params
    result.drop()


UTC = dt.UTC


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("3 มี.ค. 2560 14:05", dt.datetime(2017, 3, 3, 7, 5), None),
        ("3 มี.ค. 2560 14:05 น.", dt.datetime(2017, 3, 3, 7, 5), None),
        ("3 มี.ค. 2560 14.05 น.", dt.datetime(2017, 3, 3, 7, 5), None),
        ("3/3/2560 14:05:30", dt.datetime(2017, 3, 3, 7, 5, 30), None),
        ("วันที่ 3 มีนาคม พ.ศ. 2560 เวลา 14.05 น.", dt.datetime(2017, 3, 3, 7, 5), None),
        ("3 มี.ค. 2560", dt.datetime(2017, 3, 2, 17, 0), None),  # midnight Bangkok
        ("2560-03-03T14:05:00+07:00", dt.datetime(2017, 3, 3, 7, 5), None),
        ("2560-03-03T14:05:00Z", dt.datetime(2017, 3, 3, 14, 5), None),
        ("3 มี.ค. 2560 25:00", None, "invalid-datetime"),
        ("3 มี.ค. 2560 14:65", None, "invalid-datetime"),
        ("31 ก.พ. 2566 10:00", None, "impossible-date"),
    ],
)
def test_datetimes_are_bangkok_time_stored_as_utc(con, raw, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("เวลา", "datetime"), [raw])
    assert (got, problem) == (value, rule)


def test_datetime_arrow_output_is_utc(con):
    schema = TableSchema([ColumnSpec("เวลา", "datetime")])
    result = normalize(con, table({"เวลา": ["3 มี.ค. 2560 14:05"]}), schema)
    batch = typed_reader(result, result.typed_sql()).read_all()
    assert batch.schema.field("เวลา").type == pa.timestamp("us", tz="UTC")
    assert batch.column("เวลา")[0].as_py() == dt.datetime(2017, 3, 3, 7, 5, tzinfo=UTC)
    result.drop()


# --- numbers, booleans, identifiers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "value", "rule"),
    [
        ("integer", "1234", 1234, None),
        ("integer", "1,234", 1234, None),
        ("integer", "1,234,567", 1234567, None),
        ("integer", "-5", -5, None),
        ("integer", "+7", 7, None),
        ("integer", " 12 ", 12, None),
        ("integer", "๑๒", 12, None),
        ("integer", "๑,๒๓๔", 1234, None),
        ("integer", "12.00", 12, None),
        ("integer", "007", 7, None),
        ("integer", "1.5", None, "invalid-integer"),
        ("integer", "1,23", None, "invalid-integer"),
        ("integer", "0x10", None, "invalid-integer"),
        ("integer", "abc", None, "invalid-integer"),
        ("integer", "99999999999999999999", None, "invalid-integer"),
        ("number", "1234.5", 1234.5, None),
        ("number", "1,234.5", 1234.5, None),
        ("number", "-0.25", -0.25, None),
        ("number", "๓.๑๔", 3.14, None),
        ("number", "1e3", 1000.0, None),
        ("number", "nan", None, "invalid-number"),
        ("number", "inf", None, "invalid-number"),
        ("number", "1.2.3", None, "invalid-number"),
        ("baht", "1,234.50", Decimal("1234.50"), None),
        ("baht", "1,234.50 บาท", Decimal("1234.50"), None),
        ("baht", "฿1,234.50", Decimal("1234.50"), None),
        ("baht", "฿ 1,234.50", Decimal("1234.50"), None),
        ("baht", "๑,๒๓๔.๕๐", Decimal("1234.50"), None),
        ("baht", "1234.5", Decimal("1234.50"), None),
        ("baht", "1.005", Decimal("1.01"), None),  # half-up to the satang
        ("baht", "-50", Decimal("-50.00"), None),
        ("baht", "1,2", None, "invalid-baht"),
        ("baht", "หนึ่งร้อย", None, "invalid-baht"),
        ("decimal", "3.14159", Decimal("3.14"), None),
        ("latitude", "16.4419", 16.4419, None),
        ("latitude", "16.4419°", 16.4419, None),
        ("longitude", "east", None, "invalid-longitude"),
    ],
)
def test_numbers(con, kind, raw, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("n", kind), [raw])
    assert (got, problem) == (value, rule)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("true", True, None),
        ("FALSE", False, None),
        ("yes", True, None),
        ("No", False, None),
        ("ใช่", True, None),
        ("ไม่ใช่", False, None),
        ("มี", True, None),
        ("ไม่มี", False, None),
        ("1", True, None),
        ("0", False, None),
        ("๑", True, None),
        (" ใช่ ", True, None),
        ("maybe", None, "invalid-boolean"),
        ("", None, None),
    ],
)
def test_booleans(con, raw, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("ok", "boolean"), [raw])
    assert (got, problem) == (value, rule)


@pytest.mark.parametrize(
    ("kind", "raw", "value", "rule"),
    [
        ("thai_id", "1101700207510", "1101700207510", None),
        ("thai_id", "1-1017-00207-51-0", "1101700207510", None),
        ("thai_id", "1 1017 00207 51 0", "1101700207510", None),
        ("thai_id", "๑๑๐๑๗๐๐๒๐๗๕๑๐", "1101700207510", None),
        ("thai_id", "110170020751", None, "invalid-thai-id"),
        ("thai_id", "1-1017-ABCDE-51-0", None, "invalid-thai-id"),
        ("juristic_id", "0-10-5-536-11201-4", "0105536112014", None),
        ("phone", "081-234-5678", "0812345678", None),
        ("phone", "+66 81 234 5678", "0812345678", None),
        ("phone", "(02) 123 4567", "021234567", None),
        ("phone", "ติดต่อสำนักงาน", "ติดต่อสำนักงาน", None),  # kept; the phone check flags it
        ("string", "  สวัสดี\u200b ", "สวัสดี", None),
        ("string", "\u00a0a b\u00a0", "a b", None),
        ("string", "๑๒๓", "๑๒๓", None),  # text keeps its Thai digits
        ("email", " a@b.co ", "a@b.co", None),
    ],
)
def test_identifiers_and_text(con, kind, raw, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("x", kind), [raw])
    assert (got, problem) == (value, rule)


# --- administrative areas ---------------------------------------------------------------------


def test_admin_areas_table():
    areas = load_admin_areas()
    assert areas.num_rows == 8441
    assert set(areas.column_names) == {"code", "level", "name_th", "name_en", "parent_code"}
    levels = areas.group_by("level").aggregate([("code", "count")]).to_pydict()
    assert dict(zip(levels["level"], levels["code_count"], strict=True)) == {
        "province": 77,
        "district": 928,
        "subdistrict": 7436,
    }


@pytest.mark.parametrize(
    ("kind", "context", "raw", "value", "rule"),
    [
        ("tambon", "4001", "ตำบลในเมือง", "400101", None),
        ("tambon", "4001", "ต.ในเมือง", "400101", None),
        ("tambon", "4001", "ต. ในเมือง", "400101", None),
        ("tambon", "4001", "ในเมือง", "400101", None),
        ("tambon", "4001", "Nai Mueang", "400101", None),
        ("tambon", "4001", "Tambon Nai Mueang", "400101", None),
        ("tambon", "4001", "400101", "400101", None),
        ("tambon", None, "400101", "400101", None),
        ("tambon", "40", "ศิลา", "400114", None),
        ("tambon", "40", "ในเมือง", None, "ambiguous-admin-area"),  # 3 in Khon Kaen
        ("tambon", None, "หนองบัว", None, "ambiguous-admin-area"),
        ("tambon", "40", "ไม่มีตำบลนี้", None, "unknown-admin-area"),
        ("tambon", "40", "4001", None, "unknown-admin-area"),  # an amphoe code
        ("amphoe", "40", "อ.เมือง", "4001", None),
        ("amphoe", "40", "อำเภอเมืองขอนแก่น", "4001", None),
        ("amphoe", None, "Mueang Khon Kaen", "4001", None),
        ("amphoe", None, "เขตพระนคร", "1001", None),
        ("amphoe", None, "พระนคร", "1001", None),
        ("amphoe", None, "อ.เมือง", None, "ambiguous-admin-area"),  # every province has one
        ("province", None, "ขอนแก่น", "40", None),
        ("province", None, "จ.ขอนแก่น", "40", None),
        ("province", None, "จังหวัดขอนแก่น", "40", None),
        ("province", None, "Khon Kaen", "40", None),
        ("province", None, "กทม.", "10", None),
        ("province", None, "๔๐", "40", None),
    ],
)
def test_admin_names_to_codes(con, kind, context, raw, value, rule):
    [(got, problem)] = convert(con, ColumnSpec("area", kind), [raw], context=context)
    assert (got, problem) == (value, rule)


def test_ambiguous_admin_area_lists_candidates(con):
    schema = TableSchema([ColumnSpec("ตำบล", "tambon")])
    result = normalize(con, table({"ตำบล": ["ในเมือง"]}), schema, context="40")
    [(_, _, _, rule, params)] = result.errors().fetchall()
    assert rule == "ambiguous-admin-area"
    assert '"candidates":3' in params and '"400101"' in params
    result.drop()


def test_column_context_beats_the_default(con):
    spec = ColumnSpec("ตำบล", "tambon", context="4001")
    assert convert(con, spec, ["ในเมือง"], context="40") == [("400101", None)]


def test_custom_admin_areas(con):
    areas = pa.table(
        {
            "code": ["99", "9901", "990101"],
            "level": ["province", "district", "subdistrict"],
            "name_th": ["ทดสอบ", "เมืองทดสอบ", "ในเมือง"],
            "name_en": ["Test", "Mueang Test", "Nai Mueang"],
            "parent_code": [None, "99", "9901"],
        }
    )
    assert convert(con, ColumnSpec("t", "tambon"), ["ในเมือง"], admin_areas=areas) == [
        ("990101", None)
    ]


# --- the whole table ----------------------------------------------------------------------------


def test_every_cell_that_fails_is_null_with_one_error_and_row_kept(con):
    schema = TableSchema(
        [ColumnSpec("n", "integer"), ColumnSpec("d", "date"), ColumnSpec("t", "tambon")]
    )
    data = table(n=["1", "x", "3"], d=["3 มี.ค. 2560", "31 ก.พ. 2566", None], t=["ศิลา"] * 3)
    result = normalize(con, data, schema, context="40")
    assert result.row_count == 3
    rows = result.typed().fetchall()
    assert [r[0] for r in rows] == [2, 3, 4]
    assert rows[1][1:3] == (None, None)
    errors = [(r[0], r[1], r[3]) for r in result.errors().fetchall()]
    assert errors == [(3, "n", "invalid-integer"), (3, "d", "impossible-date")]
    result.drop()


@pytest.mark.parametrize("kind", ["table", "batch", "reader", "iterator", "relation", "name"])
def test_inputs(con, kind):
    data = table(n=["1", "2"])
    schema = TableSchema([ColumnSpec("n", "integer")])
    if kind == "batch":
        source: Any = data.to_batches()[0]
    elif kind == "reader":
        source = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
    elif kind == "iterator":
        source = iter(data.to_batches())
    elif kind == "relation":
        source = con.from_arrow(data)
    elif kind == "name":
        con.register("input_table", data)
        source = "input_table"
    else:
        source = data
    result = normalize(con, source, schema)
    assert result.typed().fetchall() == [(2, 1), (3, 2)]
    result.drop()


def test_missing_column_is_an_ingest_error(con):
    schema = TableSchema([ColumnSpec("n", "integer"), ColumnSpec("วันที่", "date")])
    with pytest.raises(IngestError) as excinfo:
        normalize(con, table(n=["1"]), schema)
    assert excinfo.value.code == "missing-column"
    assert excinfo.value.column == "วันที่"
    assert "วันที่" in excinfo.value.message_th


def test_drop_removes_work_tables(con):
    schema = TableSchema([ColumnSpec("d", "date"), ColumnSpec("t", "tambon")])
    result = normalize(con, table(d=["3 มี.ค. 2560"], t=["400101"]), schema)
    prefix = result.tag
    result.drop()
    left = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, ?)", [prefix]
    ).fetchone()
    assert left == (0,)
