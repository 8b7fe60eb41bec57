"""Batch printing of tax notices: N notices as PDF (one file each plus one merged file).

    .venv/bin/python benchmarks/tax_notices.py [--notices 100000] [--out DIR] [--keep]

Generates deterministic notices (seeded): Thai names and addresses, land and building
calculation lines (3-12 per notice), amounts from 0.01 to millions of baht, references, a
biller ID (so every notice carries its Thai QR code), and prints them with
``nakhon.tax.notices.batch.print_batch`` — the code ``nakhon tax notices`` runs — showing
progress. Prints the time, notices per second, the peak RSS of the whole process tree
(the parent and its worker processes), the bytes written, and PASS/FAIL for:
100,000 notices ≤ 10 minutes and peak memory ≤ 4 GB. With fewer notices than 100,000 the
time is also extrapolated to 100,000 (labelled so; printing is linear in the number).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from nakhon.tax.notices.batch import print_batch
from nakhon.tax.notices.render import NoticeData

TARGET = 100_000
LIMIT_S = 600
LIMIT_GB = 4.0
GIVEN = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิไลวรรณ", "ณัฐพล", "กาญจนา", "ธีรศักดิ์", "พัชรี", "สุวิทย์", "อรุณี"]
FAMILY = ["ใจดี", "ศรีสุข", "แก้วมณี", "บุญมา", "ทองคำ", "พรหมวงศ์", "สุขเจริญ", "วงศ์ใหญ่"]
ROADS = ["มิตรภาพ", "ศรีจันทร์", "กลางเมือง", "ประชาสโมสร", "หน้าเมือง"]
TITLES = ["นาย", "นาง", "นางสาว"]
USES = ["residential-primary", "residential-other", "commercial", "agricultural", "vacant"]


def notices(count: int, seed: int = 6) -> Iterator[NoticeData]:
    rng = random.Random(seed)
    for i in range(1, count + 1):
        lines: list[tuple[str, str, bool]] = []
        for _u in range(rng.randint(1, 3)):
            lines.append((f"ประเภทการใช้: {rng.choice(USES)}", "", True))
            for k in range(rng.randint(1, 3)):
                value = Decimal(rng.randint(100_000, 90_000_000_00)) / 100
                lines.append((f"มูลค่าที่ดิน P-{i:06d}-{k}", f"{value:,.2f}", False))
            lines.append(
                ("ภาษีตามอัตรา (ปัดเศษสตางค์)", f"{rng.randint(1, 9_000_000) / 100:,.2f}", False)
            )
        tax = Decimal(rng.randint(1, 500_000_000)) / 100
        yield NoticeData(
            form="pds6",
            number=f"{i}/2568",
            tax_year=2568,
            city="เทศบาลนครขอนแก่น",
            city_address="เลขที่ 1 ถนนประชาสโมสร ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
            issued_on=dt.date(2025, 2, 1),
            due_on=dt.date(2025, 4, 30),
            taxpayer_code=f"TP-{i:06d}",
            taxpayer_name=f"{rng.choice(TITLES)}{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            taxpayer_address=f"{rng.randint(1, 999)}/{rng.randint(1, 99)} ถนน{rng.choice(ROADS)} "
            "ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
            tax_baht=tax,
            lines=lines,
            ref1=f"L2568{i:07d}",
            ref2=f"TP{i:06d}",
            biller_id="099400012345601",
            merchant_name="KHON KAEN CITY",
        )


def peak_rss_gb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024 / 1024  # kB → GB (each worker's peak, summed: an upper bound)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=TARGET)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="Keep the PDFs.")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="nakhon-notices-"))
    last = [0.0]
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 2 or done == total:
            last[0] = now
            rate = done / (now - started)
            print(f"\r  {done:>7,}/{total:,} notices  {rate:,.0f}/s", end="", flush=True)

    result = print_batch(notices(args.notices), args.notices, out, progress=progress)
    seconds = time.perf_counter() - started
    print()
    written = sum(p.stat().st_size for p in out.iterdir())
    rss = peak_rss_gb()
    print(
        f"notices: {result.notices:,} ({result.pages:,} pages) in {seconds:.1f} s "
        f"= {result.notices / seconds:,.0f}/s"
    )
    print(
        f"written: {written / 1e9:.2f} GB in {result.notices + 1:,} files "
        f"(merged {result.merged.stat().st_size / 1e6:.0f} MB)"
    )
    print(f"peak RSS (parent + largest worker peaks): {rss:.2f} GB")
    full = seconds * TARGET / result.notices
    label = "" if result.notices >= TARGET else f" (extrapolated from {result.notices:,})"
    ok_time = full <= LIMIT_S
    ok_mem = rss <= LIMIT_GB
    print(
        f"{'PASS' if ok_time else 'FAIL'}: {TARGET:,} notices in {full:.0f} s{label} "
        f"(limit {LIMIT_S} s)"
    )
    print(f"{'PASS' if ok_mem else 'FAIL'}: peak memory {rss:.2f} GB (limit {LIMIT_GB} GB)")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0 if ok_time and ok_mem else 1


if __name__ == "__main__":
    sys.exit(main())
