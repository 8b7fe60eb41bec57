"""Child process of the kill test: stream a large ``replace`` into a lake table.

``python publish_child.py WAREHOUSE CATALOG_URI ROWS`` prints ``writing`` once the first batch
is written and ``committed`` at the end; the test kills it in between.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from nakhon.lake.iceberg import Lake, TableRef

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("amount", pa.decimal128(12, 2)),
        ("day", pa.date32()),
    ]
)
REF = TableRef("m_test", "killed")
BATCH = 50_000


def batches(rows: int) -> Iterator[pa.RecordBatch]:
    names = pa.array(["สมชาย ใจดี", "วิไล ศรีสุข", "บุญมี ทองคำ"])
    amounts = pa.array([Decimal("0"), Decimal("150.25"), Decimal("99999")], pa.decimal128(12, 2))
    for start in range(0, rows, BATCH):
        n = min(BATCH, rows - start)
        picks = pa.array(np.arange(n) % 3)
        yield pa.RecordBatch.from_arrays(
            [
                pa.array(np.arange(start, start + n, dtype=np.int64)),
                names.take(picks),
                amounts.take(picks),
                pa.array(np.full(n, 19_700, dtype=np.int32)).cast(pa.date32()),
            ],
            schema=SCHEMA,
        )


def main() -> None:
    warehouse, catalog_uri, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lake = Lake(Path(warehouse), catalog_uri, target_file_size=1024 * 1024, row_group_rows=BATCH)
    announced: list[int] = []

    def progress(written: int) -> None:
        if not announced:
            announced.append(written)
            print("writing", flush=True)

    lake.publish(REF, batches(rows), mode="replace", progress=progress)
    print("committed", flush=True)


if __name__ == "__main__":
    main()
