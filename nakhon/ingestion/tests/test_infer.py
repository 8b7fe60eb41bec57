"""Schema inference from whole Thai tables (no Django DB)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pytest

from nakhon.ingestion.infer import infer_schema
from nakhon.ingestion.pipeline_core import validate
from nakhon.lake.duck import connect


@pytest.fixture(scope="module")
def con():
    connection = connect()
    yield connection
    connection.close()


def table(columns: dict[str, list[Any]]) -> pa.Table:
    n = len(next(iter(columns.values())))
    data = {"_row": pa.array(range(2, n + 2), pa.int64())}
    data.update({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return pa.table(data)


SURVEY = {
    "รหัส": ["1", "2", "3"],
    "ชื่อ-สกุล": ["นายสมชาย ใจดี", "นางสาวมาลี ศรีสุข", None],
    "เลขประจำตัวประชาชน": ["1-1017-00207-51-0", "3100600123450", "1409900123454"],
    "เลขนิติบุคคล": ["0105536112014", "0105536112014", "0105536112014"],
    "ตำบล": ["ในเมือง", "ศิลา", "บ้านเป็ด"],
    "วันที่สำรวจ": ["3 มี.ค. 2560", "๔ เม.ย. ๒๕๖๑", "2560-01-31"],
    "วันที่ ค.ศ.": ["03/03/2017", "2017-04-04", "1 Jan 2018"],
    "ปีผสม": ["03/03/2017", "03/03/2560", "1/1/2561"],
    "เวลาแจ้ง": ["3 มี.ค. 2560 14:05", "3/3/2560 14.05 น.", None],
    "ราคา": ["1,234.50", "฿5.00", "10"],
    "ค่าเฉลี่ย": ["1.5", "2.25", "3"],
    "ยอดเงิน": ["1.00", "2.50", "3.75"],
    "มีบ้าน": ["ใช่", "ไม่ใช่", "มี"],
    "สถานะ": ["1", "0", "1"],
    "ละติจูด": ["16.4", "16.5", "16.6"],
    "lng": ["102.8", "102.9", "103"],
    "อีเมล": ["a@b.co", "c@d.th", "e@f.com"],
    "โทรศัพท์": ["081-234-5678", "02 123 4567", "0812345678"],
    "เว็บไซต์": ["https://a.th", "http://b.th/x", None],
    "รหัสไปรษณีย์": ["040000", "040000", "010200"],
    "จำนวนคน": ["1,200", "35", "-4"],
    "ปีงบประมาณ": ["2566", "2567", "2568"],
    "งบประมาณ": ["2566", "2567", "2568"],
    "หมายเหตุ": ["ok", "", "=HYPERLINK(1)"],
    "geometry": ['{"type":"Point","coordinates":[102.8,16.4]}'] * 3,
}


@pytest.fixture(scope="module")
def survey(con):
    return {c.name: c for c in infer_schema(con, table(SURVEY), context="4001").columns}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("รหัส", {"type": "integer", "required": True, "unique": True}),
        ("ชื่อ-สกุล", {"type": "string", "required": False, "personal": True}),
        ("เลขประจำตัวประชาชน", {"type": "thai_id", "personal": True}),
        ("เลขนิติบุคคล", {"type": "juristic_id", "personal": False, "unique": False}),
        ("ตำบล", {"type": "tambon", "context": "4001"}),
        ("วันที่สำรวจ", {"type": "date", "date_era": "be"}),
        ("วันที่ ค.ศ.", {"type": "date", "date_era": "ce"}),
        ("ปีผสม", {"type": "date", "date_era": "auto"}),
        ("เวลาแจ้ง", {"type": "datetime", "required": False}),
        ("ราคา", {"type": "baht"}),
        ("ค่าเฉลี่ย", {"type": "number"}),
        ("ยอดเงิน", {"type": "baht"}),
        ("ปีงบประมาณ", {"type": "integer"}),  # a fiscal year, not money
        ("งบประมาณ", {"type": "baht"}),
        ("มีบ้าน", {"type": "boolean"}),
        ("สถานะ", {"type": "integer", "unique": False}),
        ("ละติจูด", {"type": "latitude"}),
        ("lng", {"type": "longitude", "label_en": "lng", "label_th": ""}),
        ("อีเมล", {"type": "email", "personal": True}),
        ("โทรศัพท์", {"type": "phone", "personal": True}),
        ("เว็บไซต์", {"type": "url"}),
        ("รหัสไปรษณีย์", {"type": "string"}),  # leading zeros: not a number
        ("จำนวนคน", {"type": "integer"}),
        ("หมายเหตุ", {"type": "string", "required": False}),
        ("geometry", {"type": "geometry"}),
    ],
)
def test_infer_types(survey, name, expected):
    spec = survey[name]
    for key, value in expected.items():
        assert getattr(spec, key) == value, (name, key, getattr(spec, key))


def test_labels_follow_the_script(survey):
    assert survey["รหัส"].label_th == "รหัส" and survey["รหัส"].label_en == ""
    assert survey["lng"].label_en == "lng"


def test_primary_key_suggestion(con):
    schema = infer_schema(con, table(SURVEY))
    assert schema.primary_key == ["รหัส"]
    no_key = infer_schema(con, table({"ชื่อ": ["ก", "ข"], "code": ["1", "1"]}))
    assert no_key.primary_key == []


def test_whole_input_not_a_sample(con):
    # text after 100,000 numbers: the whole column is read, not the first rows
    values = [str(i) for i in range(100_000)] + ["not a number"] * 3_000
    [spec] = infer_schema(con, table({"n": values})).columns
    assert spec.type == "string"


def test_a_stray_cell_is_reported_not_absorbed(con):
    # one stray cell in a long number column keeps it numeric; validation names the cell
    values = [str(i) for i in range(100_000)] + ["หก"]
    data = table({"n": values})
    schema = infer_schema(con, data)
    assert schema.columns[0].type == "integer"
    _, report = validate(data, schema, con=con)
    assert [(p["row"], p["value"]) for p in report.problems] == [(100_002, "หก")]
    report.close()


def test_inferred_schema_validates_its_own_data(con):
    data = table(SURVEY)
    schema = infer_schema(con, data, context="4001")
    _, report = validate(data, schema, con=con, context="4001")
    # the formula cell is the only problem of a table whose schema came from itself
    assert [(p["row"], p["column"], p["rule"]) for p in report.problems] == [
        (4, "หมายเหตุ", "formula")
    ]
    report.close()


def test_infer_reads_a_stream_once(con):
    data = table({"id": ["1", "2"], "วันที่": ["1 ม.ค. 2560", "2 ม.ค. 2560"]})
    reader = pa.RecordBatchReader.from_batches(data.schema, data.to_batches())
    schema = infer_schema(con, reader)
    assert [c.type for c in schema.columns] == ["integer", "date"]


def test_ambiguous_admin_names_stay_text(con):
    [spec] = infer_schema(con, table({"ตำบล": ["ในเมือง", "หนองบัว"]})).columns
    assert spec.type == "string"
