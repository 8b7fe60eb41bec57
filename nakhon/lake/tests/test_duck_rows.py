"""Publishing rows given as a DuckDB query (``DuckRows``): DuckDB writes the data files itself.

The ingest pipeline publishes this way; the version must be the same as one published from
Arrow batches: file order, types, field ids, key rules and atomicity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nakhon.lake.iceberg import DuckRows, Lake, LakeError, TableRef

REF = TableRef("m_khon_kaen", "shops")
SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("amount", pa.decimal128(18, 2)),
        ("day", pa.date32()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("open", pa.bool_()),
    ]
)
# the ingest pipeline's typed table: _row (line numbers, with gaps), naive UTC timestamps
ROWS_SQL = """
    SELECT i * 2 + 1 AS _row, i AS id, 'ร้าน ' || i AS name,
        CAST(i / 100 AS DECIMAL(18, 2)) AS amount, DATE '2024-01-01' + CAST(i % 300 AS INTEGER)
        AS day, TIMESTAMP '2024-05-01 01:00:00' AS at, i % 2 = 0 AS open
    FROM range({n}) t(i)
"""


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def typed(con: duckdb.DuckDBPyConnection, n: int) -> DuckRows:
    """``n`` rows stored in reverse: only ``order`` puts them back in file order."""
    con.execute(f"CREATE OR REPLACE TABLE typed AS {ROWS_SQL.format(n=n)} ORDER BY _row DESC")
    return DuckRows(con, "SELECT * FROM typed", SCHEMA, order="_row")


def files(lake: Lake) -> set[Path]:
    return set(lake.location(REF).rglob("*.parquet"))


def test_rows_in_order_typed_with_field_ids_in_several_files(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    lake = Lake(
        tmp_path / "lake",
        f"sqlite:///{tmp_path}/c.sqlite3",
        target_file_size=256 * 1024,
        row_group_rows=20_000,
    )
    # the table has one more column (NULL in these rows) and a wider id
    lake.ensure_table(REF, SCHEMA.append(pa.field("note", pa.string())), key=["id"])
    seen: list[int] = []
    rows = replace(typed(con, 100_000), rows=100_000)  # the count, as the pipeline gives it
    version = lake.publish(REF, rows, mode="replace", key=["id"], progress=seen.append)
    assert version.total_rows == 100_000 and version.data_files == len(files(lake)) > 2
    assert seen[-1] == 100_000
    scan = lake.scan(REF)
    assert scan.aggregate("count(*), count(DISTINCT id), count(note)").fetchone() == (
        100_000,
        100_000,
        0,
    )
    # without ORDER BY, DuckDB reads the files in the manifest's order: file order
    ids = [r[0] for r in scan.project("id").fetchall()]
    assert ids == list(range(100_000))
    first = scan.limit(1).to_arrow_table().to_pylist()[0]
    assert first == {
        "id": 0,
        "name": "ร้าน 0",
        "amount": Decimal("0.00"),
        "day": date(2024, 1, 1),
        "at": datetime(2024, 5, 1, 1, tzinfo=UTC),
        "open": True,
        "note": None,
    }
    some = sorted(files(lake))[0]
    field_ids = [f.metadata[b"PARQUET:field_id"] for f in pq.read_schema(some)]
    assert field_ids == [b"1", b"2", b"3", b"4", b"5", b"6", b"7"]
    lake.close()


def test_keys_are_checked_unless_the_caller_proved_them(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    lake = Lake(tmp_path / "lake", f"sqlite:///{tmp_path}/c.sqlite3")
    lake.ensure_table(REF, SCHEMA, key=["id"])
    v1 = lake.publish(REF, typed(con, 10), mode="replace", key_checked=True)
    before = files(lake)
    con.execute("INSERT INTO typed SELECT * FROM typed WHERE id = 3")
    with pytest.raises(LakeError) as err:
        lake.publish(
            REF, DuckRows(con, "SELECT * FROM typed", SCHEMA, order="_row"), mode="replace"
        )
    assert err.value.code == "duplicate-key"
    with pytest.raises(LakeError) as err:  # keys that exist already: still refused
        lake.publish(REF, typed(con, 5), mode="append", key_checked=True)
    assert err.value.code == "duplicate-key"
    current = lake.current(REF)
    assert current is not None and current.snapshot_id == v1.snapshot_id
    assert files(lake) == before  # the refused publishes left no file behind
    upserted = lake.publish(REF, typed(con, 12), mode="upsert", key_checked=True)
    assert (upserted.rows_updated, upserted.total_rows) == (10, 12)
    lake.close()


def test_a_value_that_does_not_fit_changes_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    lake = Lake(tmp_path / "lake", f"sqlite:///{tmp_path}/c.sqlite3")
    narrow = pa.schema([("id", pa.int64()), ("amount", pa.decimal128(4, 2))])
    lake.ensure_table(REF, narrow)
    con.execute("CREATE TABLE t AS SELECT 1 AS _row, 1 AS id, 12.5 AS amount")
    v1 = lake.publish(
        REF, DuckRows(con, "SELECT * FROM t", pa.schema([("id", pa.int64())])), mode="replace"
    )
    con.execute("CREATE OR REPLACE TABLE t AS SELECT 1 AS _row, 1 AS id, 123456 AS amount")
    with pytest.raises(LakeError) as err:
        lake.publish(
            REF,
            DuckRows(
                con,
                "SELECT * FROM t",
                pa.schema([("id", pa.int64()), ("amount", pa.int64())]),
                order="_row",
            ),
            mode="replace",
        )
    assert err.value.code == "invalid-value"
    current = lake.current(REF)
    assert current is not None and current.snapshot_id == v1.snapshot_id
    assert len(files(lake)) == 1
    lake.close()


def test_a_lake_not_on_local_disk_gets_arrow_batches(con: duckdb.DuckDBPyConnection) -> None:
    rows = typed(con, 5)
    batches = list(rows.batches(batch_rows=2))
    table = pa.Table.from_batches(batches)
    assert table.schema == SCHEMA
    assert table.column("id").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("at")[0].as_py() == datetime(2024, 5, 1, 1, tzinfo=UTC)
