"""How fast is the CSV reader? 1M Thai rows in CP874 (~90 MB) vs DuckDB's read_csv on UTF-8.

    .venv/bin/python benchmarks/readers_speed.py [--rows 1000000] [--repeat 3] [--keep DIR]

Generates the file into a temporary directory (id, Thai name, Thai tambon, a Buddhist-era date
like "3 มี.ค. 2560", an integer, an amount like "1,234.50" (quoted), latitude, longitude),
once in CP874 and once in UTF-8, then times, best of ``--repeat``:

* ``open_source(...).batches()`` end to end on the CP874 file (detect, transcode, parse, rows),
* the transcoding alone (CP874 -> temporary UTF-8 file), to show the reading beyond decoding,
* ``open_source(...).batches()`` on the UTF-8 file,
* ``duckdb.read_csv(all_varchar=true)`` on the UTF-8 file, fetched as Arrow record batches.

Also prints the peak RSS growth of one CP874 read (Linux), measured first.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from nakhon.ingestion.readers import open_source
from nakhon.ingestion.readers._text import Encoding, transcode

FIRST = ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ประเสริฐ", "สุดารัตน์", "อนันต์", "กาญจนา", "ธนพล"]
LAST = ["ใจดี", "รักไทย", "ศรีสุข", "ทองดี", "มีสุข", "แก้วใส", "บุญมา", "พรหมวงศ์", "ศรีวงศ์"]
TAMBON = ["ในเมือง", "ศิลา", "บ้านเป็ด", "พระลับ", "เมืองเก่า", "สาวะถี", "บ้านทุ่ม", "ดอนช้าง"]
MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค."]
HEADER = "รหัส,ชื่อ-นามสกุล,ตำบล,วันที่สำรวจ,จำนวนสมาชิก,รายได้ต่อปี,ละติจูด,ลองจิจูด\n"


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    rng = random.Random(2567)
    cp874, utf8 = directory / "rows_cp874.csv", directory / "rows_utf8.csv"
    with cp874.open("wb") as a, utf8.open("wb") as b:
        a.write(HEADER.encode("cp874"))
        b.write(HEADER.encode("utf-8"))
        for start in range(0, rows, 50_000):
            lines = []
            for i in range(start + 1, min(rows, start + 50_000) + 1):
                money = rng.randint(0, 99_999_999)
                lines.append(
                    f"{i},นาย{rng.choice(FIRST)} {rng.choice(LAST)},"
                    f"{rng.choice(TAMBON)} หมู่ {rng.randint(1, 20)},"
                    f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2550, 2567)},"
                    f'{rng.randint(1, 12)},"{money // 100:,}.{money % 100:02d}",'
                    f"{16.38 + rng.random() * 0.1:.6f},{102.78 + rng.random() * 0.1:.6f}\n"
                )
            text = "".join(lines)
            a.write(text.encode("cp874"))
            b.write(text.encode("utf-8"))
    return cp874, utf8


def read_all(path: Path) -> int:
    source = open_source(path)
    n = sum(batch.num_rows for batch in source.batches())
    source.close()
    return n


def transcode_only(path: Path) -> int:
    with path.open("rb") as raw, tempfile.TemporaryFile() as dest:
        transcode(raw, Encoding("cp874", "cp874"), dest, start_line=1)
        return dest.tell()


def duckdb_all_varchar(path: Path) -> int:
    con = duckdb.connect()
    try:
        rel = con.read_csv(str(path), all_varchar=True, header=True)
        reader = rel.to_arrow_reader(100_000)
        return sum(batch.num_rows for batch in reader)
    finally:
        con.close()


def best(fn: Callable[[Path], int], path: Path, repeat: int) -> tuple[float, float, int]:
    times = []
    result = 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(path)
        times.append(time.perf_counter() - started)
    times.sort()
    return times[0], times[len(times) // 2], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nakhon-bench-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        cp874, utf8 = generate(directory, args.rows)
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f}s: "
            f"cp874 {cp874.stat().st_size / 1e6:.1f} MB, utf-8 {utf8.stat().st_size / 1e6:.1f} MB"
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_all(cp874)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        if sys.platform == "linux":
            print(f"peak RSS growth of one cp874 read: {grown / 1024:.0f} MB")
        cases: list[tuple[str, Callable[[Path], int], Path]] = [
            ("open_source(cp874).batches()", read_all, cp874),
            ("  of which transcoding cp874->utf-8", transcode_only, cp874),
            ("open_source(utf-8).batches()", read_all, utf8),
            ("duckdb.read_csv(utf-8, all_varchar)", duckdb_all_varchar, utf8),
        ]
        print(f"{'':40} {'best':>7} {'median':>7}  (of {args.repeat})")
        for label, fn, path in cases:
            fastest, median, result = best(fn, path, args.repeat)
            unit = "bytes" if fn is transcode_only else "rows"
            print(f"{label:40} {fastest:6.2f}s {median:6.2f}s  {result:,} {unit}")


if __name__ == "__main__":
    main()
