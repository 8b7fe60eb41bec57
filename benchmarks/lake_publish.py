"""Lake publish/read figures: ``python benchmarks/lake_publish.py [--rows 1000000]``.

Generates a parcel-tax-like table (8 columns: id, Thai owner name, Thai district, a date, two
baht decimals, lat/lon), then times with ``nakhon.lake``: replace, append, upsert of 10 % changed
rows, scan count, as-of scan, diff; and, as the peer, pyiceberg's own ``Table.overwrite`` and
``Table.upsert`` on the same data (upsert on a smaller slice: it builds one filter expression
per key and holds everything in memory). Works in a temporary folder, SQLite catalog.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from nakhon.lake.iceberg import Lake, TableRef

FIRST = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิไล", "บุญมี", "จันทร์เพ็ญ", "สุดา", "อำนาจ"]
LAST = ["ใจดี", "ศรีสุข", "แก้วมณี", "บุญเรือง", "พันธ์ุดี", "ทองคำ", "สายใจ", "มั่นคง"]
DISTRICTS = ["ในเมือง", "ศิลา", "พระลับ", "บ้านเป็ด", "ท่าพระ", "สำราญ", "โคกสี", "บ้านค้อ"]
SCHEMA = pa.schema(
    [
        ("parcel_id", pa.int64()),
        ("owner", pa.string()),
        ("district", pa.string()),
        ("assessed_on", pa.date32()),
        ("value_baht", pa.decimal128(14, 2)),
        ("tax_baht", pa.decimal128(12, 2)),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
    ]
)


def generate(
    start: int, count: int, *, seed: int, batch: int = 100_000
) -> Iterator[pa.RecordBatch]:
    rng = np.random.default_rng(seed)
    names = pa.array([f"{f} {ln}" for f in FIRST for ln in LAST])
    districts = pa.array(DISTRICTS)
    values = pa.array(
        [Decimal(int(v)) / 100 for v in rng.integers(50_000_00, 5_000_000_00, 4096)],
        pa.decimal128(14, 2),
    )
    taxes = pa.array(
        [Decimal(int(v)) / 100 for v in rng.integers(0, 5_000_000, 4096)], pa.decimal128(12, 2)
    )
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        ids = np.arange(start + offset, start + offset + n, dtype=np.int64)
        days = rng.integers(19_000, 20_000, n).astype("int32")
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(ids),
                names.take(pa.array(rng.integers(0, len(names), n))),
                districts.take(pa.array(rng.integers(0, len(districts), n))),
                pa.array(days, pa.int32()).cast(pa.date32()),
                values.take(pa.array(rng.integers(0, len(values), n))),
                taxes.take(pa.array(rng.integers(0, len(taxes), n))),
                pa.array(rng.uniform(16.3, 16.5, n)),
                pa.array(rng.uniform(102.7, 102.9, n)),
            ],
            schema=SCHEMA,
        )


def changed(rows: int, fraction: float, *, seed: int) -> pa.Table:
    """``fraction`` of the ids 0…rows-1 with new values (9/10 existing keys, 1/10 new keys)."""
    n = int(rows * fraction)
    rng = np.random.default_rng(seed)
    existing = rng.choice(rows, size=n - n // 10, replace=False)
    new_ids = np.arange(10 * rows, 10 * rows + n // 10)
    table = pa.Table.from_batches(list(generate(0, n, seed=seed + 1)), schema=SCHEMA)
    ids = pa.array(np.concatenate([existing, new_ids]).astype(np.int64))
    return table.set_column(0, "parcel_id", ids)


@contextlib.contextmanager
def timed(label: str, rows: int | None = None) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    rate = f"{rows / seconds:>12,.0f} rows/s" if rows else " " * 19
    print(f"  {label:<46} {seconds:7.2f} s {rate}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--peer-upsert-rows", type=int, default=10_000)
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory(prefix="nakhon-lake-bench-") as tmp:
        lake = Lake(Path(tmp) / "lake", f"sqlite:///{tmp}/catalog.sqlite3")
        ref = lake.ensure_table(TableRef("m_bench", "parcels"), SCHEMA, key=["parcel_id"])
        print(f"nakhon.lake — {rows:,} rows × 8 columns (Thai text, date, decimals, lat/lon)")
        with timed("(generating the batches alone, no lake)", rows):
            for _ in generate(0, rows, seed=1):
                pass
        with timed("publish replace (streamed batches)", rows):
            v1 = lake.publish(ref, generate(0, rows, seed=1), mode="replace")
        time.sleep(0.01)
        with timed("publish append (key checked)", rows):
            v2 = lake.publish(ref, generate(rows, rows, seed=2), mode="append")
        total = 2 * rows
        delta = changed(total, 0.10, seed=3)
        with timed(f"publish upsert {delta.num_rows:,} rows (10 % of table)", delta.num_rows):
            v3 = lake.publish(ref, delta, mode="upsert")
        print(
            f"    → updated {v3.rows_updated:,}, inserted {v3.rows_inserted:,}, "
            f"total {v3.total_rows:,}"
        )
        with timed("scan current: count(*)", v3.total_rows):
            count = lake.scan(ref).aggregate("count(*)").fetchone()
        assert count is not None and count[0] == v3.total_rows
        with timed("scan as of v1 (timestamp): sum(tax_baht)", v1.total_rows):
            lake.scan(ref, as_of=v1.committed_at, columns=["tax_baht"]).aggregate(
                "sum(tax_baht)"
            ).fetchone()
        with timed("scan current: group by district", v3.total_rows):
            lake.scan(ref).aggregate("district, count(*), sum(tax_baht)", "district").fetchall()
        with (
            timed(f"diff v2 → v3 by key ({v3.total_rows:,} rows)"),
            lake.diff(ref, v2.snapshot_id, v3.snapshot_id) as diff,
        ):
            page = diff.changes(limit=50)
        print(
            f"    → added {diff.added:,}, removed {diff.removed:,}, "
            f"changed {diff.changed:,} (first page {len(page)} rows)"
        )
        with (
            timed("diff v1 → v2 without key (multiset)"),
            lake.diff(ref, v1.snapshot_id, v2.snapshot_id, key=[]) as diff,
        ):
            diff.rows("added", limit=50)
        print(f"    → added {diff.added:,}, removed {diff.removed:,}")
        files = lake.current(ref)
        assert files is not None
        print(f"    data files in current version: {files.data_files}")

        print("peer: pyiceberg's own writers on the same table layout")
        table = lake.catalog.load_table(ref.identifier)
        data = pa.Table.from_batches(list(generate(0, rows, seed=1)), schema=SCHEMA)
        with timed("pyiceberg Table.overwrite (whole pa.Table)", rows):
            table.overwrite(data)
        small = args.peer_upsert_rows
        peer_delta = changed(rows, small / rows, seed=4)
        with timed(f"pyiceberg Table.upsert {peer_delta.num_rows:,} rows", peer_delta.num_rows):
            table.refresh().upsert(peer_delta, join_cols=["parcel_id"])
        with timed(
            f"nakhon.lake upsert of the same {peer_delta.num_rows:,} rows", peer_delta.num_rows
        ):
            lake.publish(ref, changed(rows, small / rows, seed=5), mode="upsert")
        lake.close()


if __name__ == "__main__":
    main()
