"""How fast are normalisation + validation? 1M synthetic Thai rows vs DuckDB's own read_csv.

    .venv/bin/python benchmarks/validate_speed.py [--rows 1000000] [--threads N]

Generates rows (id, Thai name, tambon name in Khon Kaen, BE date like "3 มี.ค. 2560", an
integer, an amount like "1,234.50", lat, lon) as Arrow string batches (the reader contract),
runs ``validate_batches`` (materialise, normalise, check, report, stream the valid typed rows)
and prints its time next to DuckDB reading the same data written as a UTF-8 CSV, once as all
VARCHAR and once with types (the floor).
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped,unused-ignore]

from nakhon.core.thai import THAI_MONTHS_ABBR
from nakhon.ingestion.normalize import SUBDISTRICTS_CSV
from nakhon.ingestion.pipeline_core import validate_batches
from nakhon.ingestion.schema import ColumnSpec, TableSchema
from nakhon.lake.duck import connect

FIRST = ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ประเสริฐ", "สุดา", "อนันต์", "กาญจนา", "ธนพล", "ปิยะ"]
LAST = ["ใจดี", "ศรีสุข", "แก้วมณี", "บุญมา", "พรหมวงศ์", "สายทอง", "ทองคำ", "มั่นคง"]
TITLE = ["นาย", "นาง", "นางสาว"]

SCHEMA = TableSchema(
    columns=[
        ColumnSpec("id", "integer", required=True),
        ColumnSpec("ชื่อ-สกุล", "string", required=True, max_length=100, personal=True),
        ColumnSpec("ตำบล", "tambon", context="40"),
        ColumnSpec("วันที่สำรวจ", "date", minimum="2000-01-01"),
        ColumnSpec("จำนวน", "integer", minimum=0),
        ColumnSpec("งบประมาณ", "baht", minimum=0),
        ColumnSpec("lat", "latitude"),
        ColumnSpec("lon", "longitude"),
    ],
    primary_key=["id"],
)


def khon_kaen_tambons() -> list[str]:
    """Tambon names that are unique within Khon Kaen (province 40)."""
    with SUBDISTRICTS_CSV.open(encoding="utf-8", newline="") as handle:
        names = [r["subdistrict_th"] for r in csv.DictReader(handle) if r["province_code"] == "40"]
    return sorted(n for n in set(names) if names.count(n) == 1)


def generate(
    rows: int, batch_rows: int = 100_000, seed: int = 7, dirty: int = 1000
) -> list[pa.RecordBatch]:
    """``rows`` rows in Arrow string batches; every ``dirty``-th row has a bad cell (0: none)."""
    rng = random.Random(seed)
    tambons = khon_kaen_tambons()
    batches = []
    for start in range(0, rows, batch_rows):
        n = min(batch_rows, rows - start)
        ids = range(start + 1, start + n + 1)
        amount = [rng.randint(0, 9_999_999) for _ in range(n)]
        columns = {
            "_row": pa.array(range(start + 2, start + n + 2), pa.int64()),
            "id": [str(i) for i in ids],
            "ชื่อ-สกุล": [
                f"{rng.choice(TITLE)}{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(n)
            ],
            "ตำบล": [rng.choice(tambons) for _ in range(n)],
            "วันที่สำรวจ": [
                f"{rng.randint(1, 28)} {THAI_MONTHS_ABBR[rng.randint(1, 12)]} "
                f"{rng.randint(2550, 2567)}"
                for _ in range(n)
            ],
            "จำนวน": [str(rng.randint(0, 5000)) for _ in range(n)],
            "งบประมาณ": [f"{a // 100:,}.{a % 100:02d}" for a in amount],
            "lat": [f"{rng.uniform(15.6, 17.1):.6f}" for _ in range(n)],
            "lon": [f"{rng.uniform(101.7, 103.1):.6f}" for _ in range(n)],
        }
        if dirty:  # an impossible date, a badly grouped amount, an unknown tambon, a dup id
            bad = {"วันที่สำรวจ": "31 ก.พ. 2566", "งบประมาณ": "12,34.50", "ตำบล": "ไม่มีตำบลนี้"}
            for k, offset in enumerate(range(dirty - 1, n, dirty)):
                if k % 4 == 3:
                    columns["id"][offset] = columns["id"][offset - 1]
                else:
                    name = list(bad)[k % 4]
                    columns[name][offset] = bad[name]
        batches.append(pa.RecordBatch.from_pydict(columns))
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dirty", type=int, default=1000, help="every Nth row has a problem")
    args = parser.parse_args()

    t0 = time.perf_counter()
    batches = generate(args.rows, dirty=args.dirty)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        pacsv.write_csv(pa.Table.from_batches(batches).drop_columns(["_row"]), path)
        size_mb = path.stat().st_size / 1e6

        def timed_read(all_varchar: bool) -> float:
            con = connect(memory_limit=args.memory_limit, threads=args.threads)
            start = time.perf_counter()
            con.execute(
                "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, all_varchar = ?)",
                [str(path), all_varchar],
            )
            elapsed = time.perf_counter() - start
            con.close()
            return elapsed

        # interleaved, best of N: the machine may be busy with other work
        varchar_times, typed_times, results = [], [], []
        for _ in range(args.repeat):
            varchar_times.append(timed_read(True))
            typed_times.append(timed_read(False))
            con = connect(memory_limit=args.memory_limit, threads=args.threads)
            start = time.perf_counter()
            reader, report = validate_batches(iter(batches), SCHEMA, con=con)
            checked = time.perf_counter() - start
            valid = sum(batch.num_rows for batch in reader)
            total = time.perf_counter() - start
            results.append((total, checked, valid, report))
            report.close()
            con.close()
        read_varchar, read_typed = min(varchar_times), min(typed_times)
        total, checked, valid, report = min(results, key=lambda r: r[0])

    print(f"CSV: {size_mb:.0f} MB, {args.rows:,} rows, 8 columns")
    print(f"duckdb read_csv, all_varchar        : {read_varchar:6.2f} s")
    print(f"duckdb read_csv, types (the floor)  : {read_typed:6.2f} s")
    print(f"normalize + checks + report         : {checked:6.2f} s")
    print(f"  + stream the valid typed rows     : {total:6.2f} s  ({valid:,} valid rows)")
    print(f"ratio to the floor                  : {total / read_typed:6.2f} x")
    print(f"problems: {report.problem_count:,}; error rows: {report.error_rows:,}")
    for count in report.counts:
        print(f"  {count['rule']:<20} {count['column']:<12} {count['count']:>8,}")


if __name__ == "__main__":
    main()
