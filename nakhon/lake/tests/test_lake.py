"""The versioned lake: publish modes, versions, time travel, diffs, schema evolution, atomicity.

No Django database: each test has its own warehouse under ``tmp_path`` and a SQLite catalog;
the ``postgres`` variants run the same flows with the catalog in PostgreSQL (skipped cleanly
where no server answers at NAKHON_TEST_POSTGRES_URL within 2 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from nakhon.lake.iceberg import Lake, LakeError, TableRef, Version, table_ref
from nakhon.lake.tests import publish_child

ADMIN_URL = os.environ.get(
    "NAKHON_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
PG_DB = f"nakhon_lake_test_{os.getpid()}"

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("amount", pa.decimal128(12, 2)),
        ("day", pa.date32()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("score", pa.int32()),
        ("geometry", pa.string()),
    ]
)
REF = TableRef("m_khon_kaen", "parcels")


def rows(*items: tuple[int, str, str], schema: pa.Schema = SCHEMA) -> pa.Table:
    """A table from (id, name, amount) triples; the other columns derive from the id."""
    return pa.table(
        {
            "id": pa.array([i for i, _, _ in items], pa.int64()),
            "name": [n for _, n, _ in items],
            "amount": pa.array([Decimal(a) for _, _, a in items], pa.decimal128(12, 2)),
            "day": pa.array([date(2024, 1, i % 28 + 1) for i, _, _ in items], pa.date32()),
            "at": pa.array(
                [datetime(2024, 5, 1, 8, i % 60, tzinfo=UTC) for i, _, _ in items],
                pa.timestamp("us", tz="UTC"),
            ),
            "score": pa.array([i * 10 for i, _, _ in items], pa.int32()),
            "geometry": [f'{{"type":"Point","coordinates":[102.8,16.{i}]}}' for i, _, _ in items],
        },
        schema=schema,
    )


def fetch(relation: Any) -> list[dict[str, Any]]:
    """Rows as dicts, ordered by id (through Arrow: DuckDB's fetchall needs pytz for tz)."""
    return relation.order("id").to_arrow_table().to_pylist()


def pairs(relation: Any) -> list[tuple[Any, ...]]:
    return relation.order("id").select("id, name, amount").fetchall()


def current(lake: Lake, ref: TableRef) -> Version:
    version = lake.current(ref)
    assert version is not None
    return version


def parquet_files(lake: Lake, ref: TableRef) -> set[Path]:
    return set(lake.location(ref).rglob("*.parquet"))


# --- catalogs ------------------------------------------------------------------------------------


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=2)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        admin = _pg_admin()
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL}: {exc}")
    admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
    admin.execute(f'CREATE DATABASE "{PG_DB}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/catalog.sqlite3"


@pytest.fixture
def catalog_name() -> str:
    return f"test_{uuid.uuid4().hex[:8]}"  # tables of different tests never meet


@pytest.fixture
def lake(tmp_path: Path, catalog_uri: str, catalog_name: str) -> Iterator[Lake]:
    the_lake = Lake(tmp_path / "lake", catalog_uri, catalog_name=catalog_name)
    yield the_lake
    the_lake.close()


@pytest.fixture
def sqlite_lake(tmp_path: Path) -> Iterator[Lake]:
    the_lake = Lake(tmp_path / "lake", f"sqlite:///{tmp_path}/catalog.sqlite3")
    yield the_lake
    the_lake.close()


def publish_three(lake: Lake) -> tuple[Any, Any, Any]:
    """replace (3 rows) → append (2 rows) → upsert (1 changed, 1 new), a few ms apart."""
    lake.ensure_table(REF, SCHEMA, key=["id"])
    v1 = lake.publish(
        REF,
        rows((1, "สมชาย", "100.50"), (2, "สมหญิง", "200.00"), (3, "วิไล", "0.25")),
        mode="replace",
        properties={"nakhon.run": "1", "nakhon.actor": "kk-admin", "source": "parcels.xlsx"},
    )
    time.sleep(0.005)
    v2 = lake.publish(
        REF, rows((4, "บุญมี", "4.00"), (5, "สุดา", "5.00")), mode="append", properties={"r": "2"}
    )
    time.sleep(0.005)
    v3 = lake.publish(
        REF, iter(rows((2, "สมหญิง", "250.00"), (6, "อำนาจ", "6.00")).to_batches()), mode="upsert"
    )
    return v1, v2, v3


# --- naming --------------------------------------------------------------------------------------


def test_table_ref_naming() -> None:
    ref = table_ref("khon-kaen", "budget-2567")
    assert (ref.namespace, ref.name, str(ref)) == (
        "m_khon_kaen",
        "budget_2567",
        ref.identifier[0] + ".budget_2567",
    )
    assert TableRef.parse("m_sila.land_tax") == TableRef("m_sila", "land_tax")
    for bad in [("Khon-Kaen", "x"), ("khon-kaen", "2567"), ("khon-kaen", "a.b"), ("kk", "")]:
        with pytest.raises(LakeError) as err:
            table_ref(*bad)
        assert err.value.code == "invalid-name"


# --- publish, versions, scans --------------------------------------------------------------------


def test_publish_versions_and_scans(lake: Lake) -> None:
    lake.ensure_table(REF, SCHEMA, key=["id"])
    assert lake.current(REF) is None
    assert lake.versions(REF) == []
    empty = lake.scan(REF)
    assert empty.columns == SCHEMA.names and empty.fetchall() == []

    v1, v2, v3 = publish_three(lake)

    versions = lake.versions(REF)
    assert [v.snapshot_id for v in versions] == [v3.snapshot_id, v2.snapshot_id, v1.snapshot_id]
    assert [v.mode for v in versions] == ["upsert", "append", "replace"]
    assert [(v.added_rows, v.deleted_rows, v.total_rows) for v in versions] == [
        (4, 3, 6),  # copy-on-write: the file holding key 2 (3 rows) was rewritten
        (2, 0, 5),
        (3, 0, 3),
    ]
    assert (v3.rows_updated, v3.rows_inserted) == (1, 1)
    assert v1.properties == {
        "nakhon.run": "1",
        "nakhon.actor": "kk-admin",
        "source": "parcels.xlsx",
    }
    assert v2.properties == {"r": "2"} and v3.properties == {}
    assert all(v.committed_at.tzinfo is not None for v in versions)
    assert v1.committed_at < v2.committed_at < v3.committed_at
    assert {c.name for c in v1.schema_changes} == set(SCHEMA.names)  # the first: all added
    assert v2.schema_changes == () and v3.schema_changes == ()
    assert lake.current(REF) == versions[0]
    assert lake.version(REF, v2.snapshot_id) == versions[1]

    current = fetch(lake.scan(REF))
    assert [(r["id"], r["name"], r["amount"]) for r in current] == [
        (1, "สมชาย", Decimal("100.50")),
        (2, "สมหญิง", Decimal("250.00")),
        (3, "วิไล", Decimal("0.25")),
        (4, "บุญมี", Decimal("4.00")),
        (5, "สุดา", Decimal("5.00")),
        (6, "อำนาจ", Decimal("6.00")),
    ]
    first = current[0]
    assert first["day"] == date(2024, 1, 2) and type(first["day"]) is date
    assert first["at"] == datetime(2024, 5, 1, 8, 1, tzinfo=UTC)
    assert first["geometry"].startswith('{"type":"Point"')
    assert lake.scan(REF).types[2:5] == ["DECIMAL(12,2)", "DATE", "TIMESTAMP WITH TIME ZONE"]

    as_v1 = [
        (1, "สมชาย", Decimal("100.50")),
        (2, "สมหญิง", Decimal("200.00")),
        (3, "วิไล", Decimal("0.25")),
    ]
    assert pairs(lake.scan(REF, snapshot_id=v1.snapshot_id)) == as_v1
    between = v1.committed_at + (v2.committed_at - v1.committed_at) / 2
    assert pairs(lake.scan(REF, as_of=between)) == as_v1
    assert pairs(lake.scan(REF, as_of=v1.committed_at)) == as_v1  # inclusive
    bangkok = timezone(timedelta(hours=7))
    assert lake.scan(REF, as_of=v2.committed_at.astimezone(bangkok)).count("*").fetchone() == (5,)
    assert lake.scan(REF, as_of=datetime.now(UTC)).count("*").fetchone() == (6,)
    assert lake.scan(REF, columns=["name", "id"]).columns == ["name", "id"]

    with pytest.raises(LakeError) as err:
        lake.scan(REF, as_of=v1.committed_at - timedelta(milliseconds=1))
    assert err.value.code == "before-first-version"
    with pytest.raises(LakeError) as err:
        lake.scan(REF, as_of=datetime(2024, 1, 1))  # naive
    assert err.value.code == "invalid-argument"
    with pytest.raises(LakeError) as err:
        lake.scan(REF, snapshot_id=12345)
    assert err.value.code == "unknown-version"
    with pytest.raises(LakeError) as err:
        lake.scan(REF, columns=["nope"])
    assert err.value.code == "unknown-column"
    with pytest.raises(LakeError) as err:
        lake.versions(TableRef("m_khon_kaen", "missing"))
    assert err.value.code == "unknown-table"


def test_scan_on_callers_connection_and_replace_to_fewer_rows(sqlite_lake: Lake) -> None:
    from nakhon.lake import duck

    lake = sqlite_lake
    v1, _, _ = publish_three(lake)
    v4 = lake.publish(REF, rows((9, "ใหม่", "1.00")), mode="replace")
    assert (v4.added_rows, v4.deleted_rows, v4.total_rows) == (1, 6, 1)
    con = duck.connect()
    relation = lake.scan(REF, con=con)
    relation.create_view("parcels")
    assert con.sql("SELECT id, name FROM parcels").fetchall() == [(9, "ใหม่")]
    assert lake.scan(REF, snapshot_id=v1.snapshot_id).count("*").fetchone() == (3,)


# --- diffs ---------------------------------------------------------------------------------------


def test_diff_by_key_and_as_multisets(lake: Lake) -> None:
    v1, _, v3 = publish_three(lake)
    with lake.diff(REF, v1.snapshot_id, v3.snapshot_id) as diff:  # the table's key: id
        assert diff.key == ("id",)
        assert (diff.added, diff.removed, diff.changed) == (3, 0, 1)
        assert [r["id"] for r in diff.rows("added")] == [4, 5, 6]
        assert [r["id"] for r in diff.rows("added", offset=1, limit=1)] == [5]
        assert diff.page("added", limit=2).select("id, name").fetchall()[1] == (5, "สุดา")
        assert diff.rows("removed") == []
        (change,) = diff.changes()
        assert change.key == {"id": 2}
        assert change.columns == ("amount",)
        assert (change.old["amount"], change.new["amount"]) == (
            Decimal("200.00"),
            Decimal("250.00"),
        )
        assert change.new["name"] == "สมหญิง"
        assert diff.schema_changes == ()
        assert diff.relation("added").count("*").fetchone() == (3,)
        changed = diff.page("changed")
        assert changed.columns[:3] == ["id", "old.name", "new.name"]
        assert changed.columns[-1] == "changed_columns"
        assert changed.select('"old.amount", "new.amount", changed_columns').fetchall() == [
            (Decimal("200.00"), Decimal("250.00"), ["amount"])
        ]
    with lake.diff(REF, v3.snapshot_id, v1.snapshot_id) as back:
        assert (back.added, back.removed, back.changed) == (0, 3, 1)
    with lake.diff(REF, v1.snapshot_id, v3.snapshot_id, key=[]) as whole:
        assert whole.key is None
        assert (whole.added, whole.removed, whole.changed) == (4, 1, 0)
        assert [r["id"] for r in whole.rows("added")] == [2, 4, 5, 6]
        assert [(r["id"], r["amount"]) for r in whole.rows("removed")] == [(2, Decimal("200.00"))]
        assert whole.changes() == [] and whole.rows("changed") == []

    keyless = TableRef("m_khon_kaen", "events")
    lake.ensure_table(keyless, SCHEMA)
    a, b = (1, "ก", "1.00"), (2, "ข", "2.00")
    e1 = lake.publish(keyless, rows(a, a, b), mode="replace")
    e2 = lake.publish(keyless, rows(a, b, b), mode="replace")
    with lake.diff(keyless, e1.snapshot_id, e2.snapshot_id) as multiset:
        assert (multiset.added, multiset.removed) == (1, 1)
        assert [r["id"] for r in multiset.rows("added")] == [2]
        assert [r["id"] for r in multiset.rows("removed")] == [1]
    with pytest.raises(LakeError) as err:
        lake.diff(keyless, e1.snapshot_id, e2.snapshot_id, key=["id"])
    assert err.value.code == "duplicate-key"


# --- schema evolution ----------------------------------------------------------------------------


def test_schema_evolution_add_column_and_widen(lake: Lake) -> None:
    v1, _, v3 = publish_three(lake)
    wider = SCHEMA.set(SCHEMA.get_field_index("score"), pa.field("score", pa.int64())).append(
        pa.field("zone", pa.string())
    )
    data = rows((7, "ใหม่", "7.00"), schema=SCHEMA).cast(
        SCHEMA.set(SCHEMA.get_field_index("score"), pa.field("score", pa.int64()))
    )
    data = data.append_column("zone", pa.array(["พาณิชยกรรม"]))
    v4 = lake.publish(REF, data, mode="append")
    changes = {(c.kind, c.name, c.old_type, c.new_type) for c in v4.schema_changes}
    assert changes == {("type_changed", "score", "int", "long"), ("added", "zone", None, "string")}
    assert lake.versions(REF)[0].schema_changes == v4.schema_changes
    assert [f.name for f in lake.schema(REF).fields] == wider.names

    now = lake.scan(REF)
    assert dict(zip(now.columns, now.types, strict=True))["score"] == "BIGINT"
    assert [(r["id"], r["zone"]) for r in fetch(now)][-2:] == [(6, None), (7, "พาณิชยกรรม")]
    old = lake.scan(REF, snapshot_id=v1.snapshot_id)
    assert (
        "zone" not in old.columns
        and dict(zip(old.columns, old.types, strict=True))["score"] == "INTEGER"
    )

    with lake.diff(REF, v3.snapshot_id, v4.snapshot_id) as diff:
        assert {(c.kind, c.name) for c in diff.schema_changes} == {
            ("type_changed", "score"),
            ("added", "zone"),
        }
        assert "zone" not in diff.columns  # compared: the columns of both versions
        assert (diff.added, diff.removed, diff.changed) == (1, 0, 0)

    # ensure_table evolves without a version; the change shows at the next publish
    lake.ensure_table(REF, wider.append(pa.field("note", pa.string())))
    assert current(lake, REF).snapshot_id == v4.snapshot_id
    assert "note" not in lake.scan(REF).columns  # readers keep the version's schema
    v5 = lake.publish(REF, rows((8, "แปด", "8.00")), mode="append")
    assert [(c.kind, c.name) for c in v5.schema_changes] == [("added", "note")]
    assert fetch(lake.scan(REF))[-1]["zone"] is None  # a column missing from the data: NULL


def test_dropped_column_and_a_new_one_of_the_same_name(sqlite_lake: Lake) -> None:
    lake = sqlite_lake
    ref = lake.ensure_table(
        "m_sila", "shops", pa.schema([("id", pa.int64()), ("owner", pa.string())])
    )
    assert ref == TableRef("m_sila", "shops")
    v1 = lake.publish(ref, pa.table({"id": [1], "owner": ["นาย ก"]}), mode="replace")
    v2 = lake.publish(ref, pa.table({"id": [2]}), mode="replace", drop_missing_columns=True)
    assert [(c.kind, c.name) for c in v2.schema_changes] == [("removed", "owner")]
    assert lake.scan(ref).columns == ["id"]
    assert lake.scan(ref, snapshot_id=v1.snapshot_id).fetchall() == [(1, "นาย ก")]
    v3 = lake.publish(ref, pa.table({"id": [1], "owner": [7]}), mode="append")  # a new column
    assert [(c.kind, c.name, c.new_type) for c in v3.schema_changes] == [("added", "owner", "long")]
    # matched by field id: the old file's text never shows up in the new column
    assert lake.scan(ref).order("id").fetchall() == [(1, 7), (2, None)]
    with lake.diff(ref, v1.snapshot_id, v3.snapshot_id, key=[]) as diff:
        assert [(c.kind, c.name) for c in diff.schema_changes] == [
            ("added", "owner"),
            ("removed", "owner"),
        ]
        assert diff.columns == ("id",) and (diff.added, diff.removed) == (1, 0)


def test_incompatible_change_is_rejected_and_changes_nothing(lake: Lake) -> None:
    _, _, v3 = publish_three(lake)
    before_schema = lake.schema(REF)
    before_rows = fetch(lake.scan(REF))
    files = parquet_files(lake, REF)
    as_int = SCHEMA.set(SCHEMA.get_field_index("name"), pa.field("name", pa.int64()))
    with pytest.raises(LakeError) as err:
        lake.ensure_table(REF, as_int)
    assert err.value.code == "incompatible-schema" and "'name'" in err.value.message
    bad = rows((9, "x", "1.00")).set_column(1, "name", pa.array([9], pa.int64()))
    with pytest.raises(LakeError) as err:
        lake.publish(REF, bad, mode="append")
    assert err.value.code == "incompatible-schema" and "'name'" in err.value.message
    narrowed = SCHEMA.set(SCHEMA.get_field_index("amount"), pa.field("amount", pa.float64()))
    with pytest.raises(LakeError) as err:
        lake.ensure_table(REF, narrowed)
    assert err.value.code == "incompatible-schema" and "'amount'" in err.value.message
    assert lake.schema(REF) == before_schema
    assert current(lake, REF).snapshot_id == v3.snapshot_id
    assert len(lake.versions(REF)) == 3
    assert fetch(lake.scan(REF)) == before_rows
    assert parquet_files(lake, REF) == files


def test_narrower_values_fit_and_types_round_trip(sqlite_lake: Lake) -> None:
    lake = sqlite_lake
    ref = TableRef("m_sila", "types")
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("flag", pa.bool_()),
            ("ratio", pa.float64()),
            ("baht", pa.decimal128(14, 2)),
            ("when", pa.timestamp("us", tz="UTC")),
            ("local", pa.timestamp("us")),
        ]
    )
    lake.ensure_table(ref, schema, key=["id"])
    bangkok = timezone(timedelta(hours=7))
    data = pa.table(
        {
            "id": pa.array([1, 2], pa.int32()),  # int into long
            "flag": [True, None],
            "ratio": pa.array([1, 2], pa.int16()),  # ints into double
            "baht": pa.array([Decimal("1.5"), Decimal("-2.25")], pa.decimal128(5, 2)),
            "when": pa.array(
                [datetime(2024, 1, 1, 7, tzinfo=bangkok), None],
                pa.timestamp("ns", tz="Asia/Bangkok"),
            ),
            "local": pa.array([datetime(2024, 1, 1, 7), None], pa.timestamp("ms")),
        }
    )
    version = lake.publish(ref, data, mode="replace")
    assert version.schema_changes[0].new_type == "long"
    got = fetch(lake.scan(ref))
    assert got[0] == {
        "id": 1,
        "flag": True,
        "ratio": 1.0,
        "baht": Decimal("1.50"),
        "when": datetime(2024, 1, 1, 0, tzinfo=UTC),
        "local": datetime(2024, 1, 1, 7),
    }
    assert got[1]["baht"] == Decimal("-2.25") and got[1]["flag"] is None
    too_big = pa.table({"id": [3], "baht": pa.array([Decimal("1.005")], pa.decimal128(5, 3))})
    with pytest.raises(LakeError) as err:
        lake.publish(ref, too_big, mode="append")
    assert err.value.code == "incompatible-schema"
    with pytest.raises(LakeError) as err:
        lake.ensure_table(ref, pa.schema([("id", pa.int64()), ("tags", pa.list_(pa.string()))]))
    assert err.value.code == "unsupported-type"


# --- keys ----------------------------------------------------------------------------------------


def test_key_rules(sqlite_lake: Lake) -> None:
    lake = sqlite_lake
    _, _, v3 = publish_three(lake)
    files = parquet_files(lake, REF)
    cases = [
        ("duplicate-key", rows((7, "a", "1"), (7, "b", "2")), "replace", None),
        ("duplicate-key", rows((1, "a", "1")), "append", None),
        ("duplicate-key", rows((8, "a", "1"), (8, "b", "1")), "upsert", None),
        (
            "null-key",
            rows((1, "a", "1")).set_column(0, "id", pa.array([None], pa.int64())),
            "upsert",
            None,
        ),
        ("key-mismatch", rows((7, "a", "1")), "upsert", ["name"]),
        ("invalid-argument", rows((7, "a", "1")), "merge", None),
        ("invalid-property", rows((7, "a", "1")), "append", None),
    ]
    for code, data, mode, key in cases:
        properties = {"total-records": "1"} if code == "invalid-property" else None
        with pytest.raises(LakeError) as err:
            lake.publish(REF, data, mode=mode, key=key, properties=properties)
        assert err.value.code == code, (code, err.value)
    assert current(lake, REF).snapshot_id == v3.snapshot_id
    assert parquet_files(lake, REF) == files  # files of refused publishes were deleted

    keyless = TableRef("m_khon_kaen", "keyless")
    lake.ensure_table(keyless, SCHEMA)
    with pytest.raises(LakeError) as err:
        lake.publish(keyless, rows((1, "a", "1")), mode="upsert")
    assert err.value.code == "missing-key"
    lake.publish(keyless, rows((1, "a", "1")), mode="upsert", key=["id"])  # becomes its key
    assert lake.key(keyless) == ["id"]


# --- atomicity -----------------------------------------------------------------------------------


class SourceBroke(RuntimeError):
    pass


def test_failing_batch_iterator_leaves_the_version_intact(tmp_path: Path) -> None:
    lake = Lake(
        tmp_path / "lake",
        f"sqlite:///{tmp_path}/c.sqlite3",
        target_file_size=4096,
        row_group_rows=1_000,
    )
    _, _, v3 = publish_three(lake)
    before = fetch(lake.scan(REF))
    files = parquet_files(lake, REF)
    written: list[int] = []

    def broken() -> Iterator[pa.RecordBatch]:
        for start in range(0, 30_000, 1_000):
            if start == 20_000:
                assert len(parquet_files(lake, REF)) > len(files)  # data files were written
                raise SourceBroke("the reader failed on row 20001")
            yield rows(
                *((i, f"แถว {i}", "1.00") for i in range(start + 100, start + 1_100))
            ).to_batches()[0]

    for mode in ("replace", "append", "upsert"):
        with pytest.raises(SourceBroke):
            lake.publish(REF, broken(), mode=mode, progress=written.append)
        assert current(lake, REF).snapshot_id == v3.snapshot_id
        assert fetch(lake.scan(REF)) == before
        assert parquet_files(lake, REF) == files
    assert written[-1] == 20_000
    lake.close()


def test_killed_publish_leaves_the_previous_version(tmp_path: Path) -> None:
    warehouse, catalog_uri = tmp_path / "lake", f"sqlite:///{tmp_path}/catalog.sqlite3"
    lake = Lake(warehouse, catalog_uri)
    ref = publish_child.REF
    lake.ensure_table(ref, publish_child.SCHEMA)
    old = pa.Table.from_batches(list(publish_child.batches(1_000)))
    v1 = lake.publish(ref, old, mode="replace")
    old_files = parquet_files(lake, ref)
    child = subprocess.Popen(
        [sys.executable, publish_child.__file__, str(warehouse), catalog_uri, "3000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the first batch is written
        assert line.strip() == "writing", child.stderr.read() if child.stderr else line
        deadline = time.monotonic() + 30
        while not (parquet_files(lake, ref) - old_files) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert parquet_files(lake, ref) - old_files, "the child wrote no data file"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        rest = child.stdout.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert "committed" not in rest  # killed in the middle of writing

    current = lake.current(ref)
    assert current is not None and current.snapshot_id == v1.snapshot_id
    assert [v.snapshot_id for v in lake.versions(ref)] == [v1.snapshot_id]
    scanned = lake.scan(ref).order("id").to_arrow_table()
    assert scanned.cast(old.schema).equals(old)

    orphans = lake.vacuum_orphans(ref, older_than=timedelta(0))
    assert orphans and all(p.endswith(".parquet") for p in orphans)
    assert parquet_files(lake, ref) == old_files
    assert lake.scan(ref).count("*").fetchone() == (1_000,)
    assert lake.vacuum_orphans(ref, older_than=timedelta(0)) == []
    lake.close()


def _interfering(other: Lake, ref: TableRef, other_id: int) -> Iterator[pa.RecordBatch]:
    """Two batches; between them ``other`` commits an append to the same table."""
    yield rows((100, "หนึ่ง", "1.00")).to_batches()[0]
    other.publish(ref, rows((other_id, "อื่น", "2.00")), mode="append", properties={"by": "other"})
    yield rows((101, "สอง", "1.00")).to_batches()[0]


def test_concurrent_commit_append_retried_replace_refused(lake: Lake) -> None:
    _, _, v3 = publish_three(lake)
    other = Lake(lake.warehouse, lake.catalog_uri, catalog_name=lake.catalog.name)
    try:
        mine = lake.publish(REF, _interfering(other, REF, 200), mode="append")
        versions = lake.versions(REF)
        assert versions[0].snapshot_id == mine.snapshot_id
        assert (
            versions[1].properties == {"by": "other"} and versions[2].snapshot_id == v3.snapshot_id
        )
        ids = [r[0] for r in lake.scan(REF).order("id").select("id").fetchall()]
        assert ids == [1, 2, 3, 4, 5, 6, 100, 101, 200]

        files = parquet_files(lake, REF)
        for other_id, mode in ((201, "replace"), (202, "upsert")):
            data = _interfering(other, REF, other_id)
            with pytest.raises(LakeError) as err:
                lake.publish(REF, data, mode=mode)
            assert err.value.code == "concurrent-publish"
            assert current(lake, REF).properties == {"by": "other"}  # the other's commit stands
            added = parquet_files(lake, REF) - files
            assert len(added) == 1  # only the other's append; ours were deleted
            files |= added
        assert lake.vacuum_orphans(REF, older_than=timedelta(0), dry_run=True) == []
    finally:
        other.close()


# --- files ---------------------------------------------------------------------------------------


def test_streaming_rolls_files_and_drop_table(tmp_path: Path) -> None:
    lake = Lake(
        tmp_path / "lake",
        f"sqlite:///{tmp_path}/c.sqlite3",
        target_file_size=64 * 1024,
        row_group_rows=10_000,
    )
    ref = publish_child.REF
    lake.ensure_table(ref, publish_child.SCHEMA, key=["id"])
    version = lake.publish(ref, publish_child.batches(200_000), mode="replace")
    assert version.total_rows == 200_000 and version.data_files > 1
    assert version.data_files == len(parquet_files(lake, ref))
    upserted = lake.publish(
        ref, pa.Table.from_batches(list(publish_child.batches(10))), mode="upsert"
    )
    assert upserted.rows_updated == 10 and upserted.total_rows == 200_000
    assert upserted.deleted_rows < 200_000  # only the file holding ids 0-9 was rewritten
    assert lake.scan(ref).aggregate("count(*), count(DISTINCT id)").fetchone() == (200_000, 200_000)
    assert lake.tables("m_test") == [ref]

    location = lake.location(ref)
    lake.drop_table(ref)
    assert not location.exists()
    assert not lake.exists(ref)
    with pytest.raises(LakeError) as err:
        lake.current(ref)
    assert err.value.code == "unknown-table"
    lake.close()
