"""Ingest 1M Thai rows (CP874 CSV, ~90 MB): Nakhon vs DuckDB's read_csv vs frictionless.

    .venv/bin/python benchmarks/ingest_1m.py                      # the full run (~10 min)
    .venv/bin/python benchmarks/ingest_1m.py --rows 200000 --skip-10m --skip-frictionless

What it does, in one run, in a temporary folder (``--workdir`` to choose it, ``--keep`` to keep):

1. Generates ``--rows`` rows (default 1,000,000) as a CP874 CSV with CRLF line ends, written with
   the ``csv`` module in chunks, plus a UTF-8 copy for the peers: id ``KK0000001``, the name of a
   place or shop (no personal data), its kind, a tambon (from
   ``nakhon/core/data/th_subdistricts_geothai.csv``, province 40: by default those of
   Mueang Khon Kaen, amphoe 4001, the demo municipality's district, so that Nakhon types the
   column as ``tambon`` and checks every cell against the gazetteer; ``--tambons province``
   takes all of province 40, which Nakhon then types as plain text), a Buddhist-Era date like
   ``3 มี.ค. 2560``, an integer, an amount like ``1,234.50``, latitude and longitude around
   Khon Kaen. About 3 % of the dates and 10 % of the names are written with Thai digits.
2. Nakhon, the real CLI in subprocesses on a fresh ``NAKHON_DATA_DIR`` (``nakhon demo`` first, for
   users and a municipality): ``nakhon ingest big.csv --dataset bench …`` (first publish, the
   schema inferred from the whole file), then the same file again into the existing dataset
   (validated against the stored schema: the steady-state figure). Wall time of the whole
   process, nothing subtracted; the CLI's own start-up is measured apart (a ``nakhon versions``
   listing, and the ingest of a 10-row file). Peak RSS of each subprocess from ``wait4``.
3. The in-process core path, no Django (readers → ``pipeline_core.run`` → ``Lake.publish``, in
   a subprocess), with the time split into read, load, infer, normalise, checks, report,
   publish.
4. DuckDB: ``CREATE TABLE t AS SELECT * FROM read_csv(<utf-8 copy>)``, all_varchar and
   auto-typed (auto types leave the BE dates and "1,234.50" as VARCHAR: it does not parse
   them), a fresh connection each, the same threads and memory limit as Nakhon's ingest
   (``--memory-limit``, default 1GB, is given to both: NAKHON_INGEST_MEMORY_LIMIT).
   The floor is the faster of the two.
5. ``frictionless validate`` (the CLI) with an equivalent Table Schema on the CP874 file
   (``encoding: cp874`` in the resource descriptor; frictionless reads it through Python's
   codec). frictionless cannot parse Thai month names, so the date is a string with a
   ``pattern``. Measured on 50k and 100k rows first; the full file is run only when the
   linear prediction stays under ``--frictionless-budget`` seconds, else the full-size figure is
   extrapolated (and labelled so).
6. ``--rows-10m`` rows (default 10,000,000, ~920 MB CP874, generated straight to disk, never
   held in memory): the Nakhon CLI ingest, first publish and steady state, time and peak RSS;
   DuckDB all_varchar on its UTF-8 copy for scale. Skipped when the disk is short (~8 GB).

Each timing is the best of ``--repeat`` runs (the machine may be shared); the load average is
printed with the results. Exit status 0 whatever the PASS/FAIL verdicts (it is a measurement).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
NAKHON = ROOT / ".venv" / "bin" / "nakhon"
FRICTIONLESS = ROOT / ".venv" / "bin" / "frictionless"
SUBDISTRICTS = ROOT / "nakhon" / "core" / "data" / "th_subdistricts_geothai.csv"

MB = 1024 * 1024
TARGET_FLOOR_RATIO = 2.0
TARGET_FRICTIONLESS_SPEEDUP = 20.0
TARGET_RSS_1M_MB = 1.5 * 1024
TARGET_RSS_10M_MB = 2.0 * 1024

# --- the data -----------------------------------------------------------------------------------

HEADER = [
    "รหัส",
    "ชื่อสถานที่",
    "ประเภท",
    "ตำบล",
    "วันที่สำรวจ",
    "จำนวนพนักงาน",
    "รายได้ต่อเดือน (บาท)",
    "ละติจูด",
    "ลองจิจูด",
]
KINDS = ["ร้านอาหาร", "ร้านค้า", "ตลาด", "โรงแรม", "คลินิก", "โรงเรียน", "วัด", "สหกรณ์", "ร้านกาแฟ"]
PLACE_HEAD = ["ร้าน", "ตลาดสด", "ร้านค้า", "โรงแรม", "คลินิก", "ศูนย์", "สหกรณ์", "ร้านกาแฟ"]
PLACE_BODY = [
    "ข้าวมันไก่",
    "ส้มตำ",
    "ไก่ย่าง",
    "ผ้าไหม",
    "ก๋วยเตี๋ยว",
    "บ้านสวน",
    "มิตรภาพ",
    "ริมบึง",
    "แก่นคูน",
    "ทุ่งสร้าง",
    "หนองแวง",
    "โคลัมโบ",
    "ประชาสโมสร",
    "ศรีจันทร์",
]
MONTHS = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def tambons(scope: str) -> list[str]:
    """Tambon names of Khon Kaen province (40); ``amphoe``: only Mueang Khon Kaen (4001)."""
    with SUBDISTRICTS.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["province_code"] == "40"]
    if scope == "amphoe":
        rows = [r for r in rows if r["district_code"] == "4001"]
    return sorted({r["subdistrict_th"] for r in rows})


def _rows(start: int, count: int, rng: random.Random, names: list[str]) -> Iterator[list[str]]:
    choice, randint, rand = rng.choice, rng.randint, rng.random
    for i in range(start, start + count):
        place = f"{choice(PLACE_HEAD)}{choice(PLACE_BODY)}"
        r = rand()
        if r < 0.10:
            place += f" สาขา {randint(1, 9)}".translate(THAI_DIGITS)
        elif r < 0.25:
            place += f" สาขา {randint(1, 9)}"
        date = f"{randint(1, 28)} {choice(MONTHS)} {randint(2550, 2567)}"
        if rand() < 0.03:
            date = date.translate(THAI_DIGITS)
        money = randint(0, 9_999_999)
        yield [
            f"KK{i:07d}",
            place,
            choice(KINDS),
            choice(names),
            date,
            str(randint(0, 250)),
            f"{money // 100:,}.{money % 100:02d}",
            f"{16.3 + rand() * 0.2:.6f}",
            f"{102.7 + rand() * 0.2:.6f}",
        ]


def generate(cp874: Path, utf8: Path | None, rows: int, *, scope: str, seed: int = 2567) -> None:
    """Write ``rows`` rows to ``cp874`` (and the same text to ``utf8``), 50k rows at a time."""
    rng = random.Random(seed)
    names = tambons(scope)
    chunk = 50_000
    with cp874.open("wb") as a, utf8.open("wb") if utf8 else open(os.devnull, "wb") as b:
        buf = io.StringIO()
        writer = csv.writer(buf)  # CRLF line ends, quotes only where needed ("1,234.50")
        writer.writerow(HEADER)
        for start in range(1, rows + 1, chunk):
            writer.writerows(_rows(start, min(chunk, rows + 1 - start), rng, names))
            text = buf.getvalue()
            a.write(text.encode("cp874"))
            if utf8:
                b.write(text.encode("utf-8"))
            buf.seek(0)
            buf.truncate()


def head(src: Path, dest: Path, rows: int) -> Path:
    """The header and the first ``rows`` rows of ``src`` (no cell spans lines here)."""
    with src.open("rb") as a, dest.open("wb") as b:
        for n, line in enumerate(a):
            if n > rows:
                break
            b.write(line)
    return dest


# --- running and measuring subprocesses ----------------------------------------------------------


@dataclass
class Run:
    label: str
    rows: int
    seconds: float  # wall time of the measured thing
    rss_mb: float  # peak RSS of the subprocess
    note: str = ""
    extrapolated: bool = False
    cpu: float | None = None  # user + system CPU seconds (all threads), when known
    output: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every measured subprocess.

    Bytecode is cached (as in a deployed install, where ``.pyc`` files exist) but under
    ``PYCACHE`` in the work folder, so nothing is written beside the sources: without it, a
    ``PYTHONDONTWRITEBYTECODE=1`` environment makes every CLI start recompile ~2,000 modules.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra)
    return env


PYCACHE = Path(tempfile.gettempdir()) / "nakhon-bench-pycache"  # set in main()


def run_child(
    cmd: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None
) -> tuple[int, float, float, str, float]:
    """Run ``cmd``; return (exit code, wall seconds, peak RSS MB, stdout+stderr, CPU seconds).

    The peak RSS and the CPU time (user + system, all threads) are those of the child (and
    its waited-for descendants), from ``wait4``; on a shared machine the CPU time varies much
    less than the wall time. The exit code is -9 when ``timeout`` ran out and the child was
    killed.
    """
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env or child_env())
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout and time.perf_counter() - started > timeout:
                proc.kill()
                killed = True
                _pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return (-9 if killed else proc.returncode), elapsed, usage.ru_maxrss / 1024, text, cpu


def code_version() -> str:
    """The commit measured, and whether the work tree had changes (others may be editing)."""
    try:
        head_ = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "nakhon"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return head_ + (" + uncommitted changes in nakhon/" if dirty else "")


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --- Nakhon through the CLI -----------------------------------------------------------------------


class NakhonCLI:
    def __init__(self, data_dir: Path, tmp_dir: Path, memory_limit: str) -> None:
        self.env = child_env(
            NAKHON_DATA_DIR=str(data_dir),
            NAKHON_INGEST_MEMORY_LIMIT=memory_limit,
            TMPDIR=str(tmp_dir),  # the reader's UTF-8 transcode goes there
            PYTHONUNBUFFERED="1",
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp_dir.mkdir(parents=True, exist_ok=True)

    def __call__(
        self, *args: str, timeout: float | None = None
    ) -> tuple[int, float, float, str, float]:
        return run_child([str(NAKHON), *args], env=self.env, timeout=timeout)

    def ingest(self, path: Path, slug: str, rows: int, label: str) -> Run:
        code, elapsed, rss, out, cpu = self(
            "ingest",
            str(path),
            "--dataset",
            slug,
            "--title",
            "สถานประกอบการในเขตเทศบาล (benchmark)",
            "--department",
            "strategy",
        )
        published = re.search(r"published \S+ version (\d+) \(([\d,]+) rows", out)
        if code != 0 or not published:
            raise SystemExit(f"nakhon ingest failed (exit {code}):\n{out[-4000:]}")
        got = int(published.group(2).replace(",", ""))
        if got != rows:
            raise SystemExit(f"nakhon published {got:,} rows, expected {rows:,}:\n{out[-2000:]}")
        return Run(label, rows, elapsed, rss, output=out, cpu=cpu)


def inferred_schema(cli: NakhonCLI, slug: str) -> list[tuple[str, str, str]]:
    """(column, type, flags) of the schema Nakhon stored for ``slug``."""
    script = textwrap.dedent(
        f"""
        import json, django
        django.setup()
        from nakhon.catalog.models import Dataset
        d = Dataset.objects.get(slug={slug!r}, municipality__slug="khon-kaen")
        print(json.dumps(d.table_schema, ensure_ascii=False))
        """
    )
    env = dict(cli.env, DJANGO_SETTINGS_MODULE="nakhon.config.settings")
    proc = subprocess.run(
        [str(PYTHON), "-c", script], env=env, capture_output=True, text=True, check=True
    )
    schema = json.loads(proc.stdout.strip().splitlines()[-1])
    out = []
    for col in schema.get("columns", schema.get("fields", [])):
        flags = [k for k in ("required", "unique", "personal") if col.get(k)]
        extra = {k: col[k] for k in ("context", "date_era", "scale", "max_length") if col.get(k)}
        flags += [f"{k}={v}" for k, v in extra.items()]
        out.append((col["name"], col["type"], " ".join(flags)))
    return out


# --- DuckDB ---------------------------------------------------------------------------------------

DUCKDB_SCRIPT = """
import json, resource, sys, time, duckdb
path, all_varchar, threads, memory = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4]
con = duckdb.connect(config={"threads": threads, "memory_limit": memory})
usage = resource.getrusage(resource.RUSAGE_SELF)
start, cpu = time.perf_counter(), usage.ru_utime + usage.ru_stime
con.execute(
    "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true, all_varchar = ?)",
    [path, all_varchar],
)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
types = [r[1] for r in con.execute("DESCRIBE t").fetchall()]
con.close()
print(json.dumps({"seconds": elapsed, "cpu": cpu, "rows": rows, "types": types}))
"""


def duckdb_read(path: Path, rows: int, *, all_varchar: bool, threads: int, memory: str) -> Run:
    code, _wall, rss, out, _cpu = run_child(
        [
            str(PYTHON),
            "-c",
            DUCKDB_SCRIPT,
            str(path),
            "1" if all_varchar else "0",
            str(threads),
            memory,
        ]
    )
    if code != 0:
        raise SystemExit(f"duckdb read_csv failed:\n{out[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    if result["rows"] != rows:
        raise SystemExit(f"duckdb read {result['rows']} rows, expected {rows}")
    label = "DuckDB read_csv all_varchar" if all_varchar else "DuckDB read_csv auto types"
    return Run(
        label, rows, result["seconds"], rss, extra={"types": result["types"]}, cpu=result["cpu"]
    )


# --- frictionless ---------------------------------------------------------------------------------


def frictionless_schema(nakhon_types: dict[str, str], names: list[str]) -> dict[str, Any]:
    """The Table Schema frictionless gets: what Nakhon checks, in frictionless's terms."""
    digit = "[0-9๐-๙]"
    months = "|".join(re.escape(m) for m in MONTHS)
    tambon: dict[str, Any] = {
        "name": HEADER[3],
        "type": "string",
        "constraints": {"required": True},
    }
    if nakhon_types.get(HEADER[3]) == "tambon":  # Nakhon checks it against the gazetteer
        tambon["constraints"]["enum"] = names
    return {
        "fields": [
            {
                "name": HEADER[0],
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": "KK[0-9]{7}"},
            },
            {"name": HEADER[1], "type": "string", "constraints": {"required": True}},
            {"name": HEADER[2], "type": "string", "constraints": {"required": True}},
            tambon,
            {
                "name": HEADER[4],
                "type": "string",  # frictionless's date type cannot read Thai month names
                "constraints": {
                    "required": True,
                    "pattern": f"{digit}{{1,2}} ({months}) {digit}{{4}}",
                },
            },
            {
                "name": HEADER[5],
                "type": "integer",
                "constraints": {"required": True, "minimum": 0},
            },
            {
                "name": HEADER[6],
                "type": "number",
                "groupChar": ",",
                "constraints": {"required": True, "minimum": 0},
            },
            {
                "name": HEADER[7],
                "type": "number",
                "constraints": {"required": True, "minimum": -90, "maximum": 90},
            },
            {
                "name": HEADER[8],
                "type": "number",
                "constraints": {"required": True, "minimum": -180, "maximum": 180},
            },
        ],
        "primaryKey": [HEADER[0]],
    }


def frictionless_validate(path: Path, schema_path: Path, rows: int, work: Path) -> Run:
    resource_path = work / f"resource-{path.stem}.json"
    resource_path.write_text(
        json.dumps(
            {
                "name": "bench",
                "path": path.name,
                "format": "csv",
                "encoding": "cp874",
                "schema": schema_path.name,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    # --trusted: the descriptor names files beside it; --json: a machine-readable report
    code, elapsed, rss, out, cpu = run_child(
        [str(FRICTIONLESS), "validate", "--trusted", "--json", str(resource_path)],
    )
    report = _json_tail(out)
    if report is None:
        raise SystemExit(f"frictionless gave no report (exit {code}):\n{out[-3000:]}")
    task = report["tasks"][0]
    stats = task.get("stats", {})
    seen = stats.get("rows")
    if seen != rows:
        raise SystemExit(f"frictionless read {seen} rows, expected {rows}:\n{out[-3000:]}")
    errors = stats.get("errors", 0)
    if errors:
        first = task.get("errors", [])[:3]
        raise SystemExit(f"frictionless found {errors} errors (the data is clean): {first}")
    return Run("frictionless validate", rows, elapsed, rss, note="cp874, valid", cpu=cpu)


def _json_tail(text: str) -> dict[str, Any] | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except json.JSONDecodeError:
        return None


# --- the in-process core path ---------------------------------------------------------------------

CORE_SCRIPT = r'''
import json, sys, tempfile, time
from pathlib import Path

path, work, threads, memory = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from nakhon.ingestion import pipeline_core
from nakhon.ingestion.readers import open_source
from nakhon.ingestion.report import Report
from nakhon.lake import duck
from nakhon.lake.iceberg import Lake, table_ref

CONTEXT = {"province_code": "40", "amphoe_code": "4001"}  # as area_context(khon-kaen)
times = {}

def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            times[name] = times.get(name, 0.0) + time.perf_counter() - t
    return wrapper

pipeline_core.infer_schema = timed("infer", pipeline_core.infer_schema)
pipeline_core.normalize = timed("normalize", pipeline_core.normalize)
pipeline_core.run_checks = timed("checks", pipeline_core.run_checks)
_from_table = Report.from_table.__func__
Report.from_table = classmethod(timed("report", _from_table))

def counted(batches):
    """Time spent producing the batches (the reader), and when they ran out."""
    it = iter(batches)
    while True:
        t = time.perf_counter()
        try:
            batch = next(it)
        except StopIteration:
            times["reader"] = times.get("reader", 0.0) + time.perf_counter() - t
            times["input_done_at"] = time.perf_counter()
            return
        times["reader"] = times.get("reader", 0.0) + time.perf_counter() - t
        yield batch

# the reader alone
t = time.perf_counter()
source = open_source(path)
n = sum(b.num_rows for b in source.batches())
source.close()
read_only = time.perf_counter() - t

lake = Lake(work / "lake", f"sqlite:///{work / 'lake' / 'catalog.sqlite3'}")
results = {"read_only": read_only, "rows": n}
schema = None
for phase in ("first", "steady"):
    times.clear()
    run_dir = Path(tempfile.mkdtemp(dir=work))
    con = duck.connect(str(run_dir / "work.duckdb"), extensions=("spatial",), memory_limit=memory,
                       threads=threads or None, temp_directory=run_dir / "spill")
    t0 = time.perf_counter()
    source = open_source(path)
    outcome = pipeline_core.run(con, counted(source.batches()), schema=schema,
                                infer=schema is None, context=CONTEXT)
    source.close()
    t1 = time.perf_counter()
    outcome.report.write_csv(run_dir / "report.csv")
    t2 = time.perf_counter()
    # the typed rows alone (what publish pulls), then the real publish
    drained = sum(b.num_rows for b in outcome.typed_batches(only_valid=False))
    t3 = time.perf_counter()
    ref = lake.ensure_table(table_ref("khon-kaen", "bench-core"), outcome.schema.arrow_schema(),
                            key=list(outcome.schema.primary_key) or None)
    version = lake.publish(ref, outcome.typed_rows(only_valid=False), mode="replace",
                           key=list(outcome.schema.primary_key) or None,
                           key_checked=True)  # as the pipeline: its checks proved the keys
    t4 = time.perf_counter()
    outcome.close()
    con.close()
    results[phase] = {
        "total": t4 - t0 - (t3 - t2),
        "validate": t1 - t0,
        "input_pass": times.get("input_done_at", t0) - t0,
        "reader": times.get("reader", 0.0),
        "infer": times.get("infer", 0.0),
        "normalize": times.get("normalize", 0.0),
        "checks": times.get("checks", 0.0),
        "report": times.get("report", 0.0),
        "report_csv": t2 - t1,
        "typed_read": t3 - t2,
        "publish": t4 - t3,
        "rows_valid": outcome.report.valid_rows,
        "rows_published": version.total_rows,
        "errors": outcome.report.error_rows,
    }
    schema = outcome.schema.to_dict()
print(json.dumps(results))
'''


def core_breakdown(
    path: Path, work: Path, threads: int, memory: str
) -> tuple[dict[str, Any], float]:
    work.mkdir(parents=True, exist_ok=True)
    env = child_env(TMPDIR=str(work))
    code, _wall, rss, out, _cpu = run_child(
        [str(PYTHON), "-c", CORE_SCRIPT, str(path), str(work), str(threads), memory], env=env
    )
    if code != 0:
        raise SystemExit(f"in-process core run failed:\n{out[-4000:]}")
    return json.loads(out.strip().splitlines()[-1]), rss


# --- the report -----------------------------------------------------------------------------------


def print_table(runs: list[Run], floor: float | None, fric: float | None) -> None:
    head_ = (
        f"{'tool':<46} {'rows':>11} {'seconds':>9} {'rows/s':>11} {'peak RSS MB':>11} "
        f"{'x floor':>8} {'x faster than fl.':>17} {'CPU s':>7}"
    )
    print(head_)
    print("-" * len(head_))
    for r in runs:
        ratio = f"{r.seconds / floor:.2f}" if floor else "-"
        faster = f"{fric / r.seconds:.1f}" if fric else "-"
        label = r.label + (" (extrapolated)" if r.extrapolated else "")
        cpu = f"{r.cpu:.2f}" if r.cpu is not None else "-"
        print(
            f"{label:<46} {r.rows:>11,} {r.seconds:>9.2f} {r.rows / r.seconds:>11,.0f} "
            f"{r.rss_mb:>11.0f} {ratio:>8} {faster:>17} {cpu:>7}"
        )


def best(runs: list[Run]) -> Run:
    """The fastest run, with the worst peak RSS of all of them."""
    chosen = min(runs, key=lambda r: r.seconds)
    chosen.rss_mb = max(r.rss_mb for r in runs)
    return chosen


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rows-10m", type=int, default=10_000_000)
    parser.add_argument("--skip-10m", action="store_true", help="skip the 10M-row streaming run")
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument("--skip-core", action="store_true", help="skip the in-process breakdown")
    parser.add_argument("--repeat", type=int, default=2, help="best of N (Nakhon, DuckDB)")
    parser.add_argument(
        "--frictionless-budget",
        type=float,
        default=600,
        help="run frictionless on the full file only if predicted under this many seconds",
    )
    parser.add_argument(
        "--tambons",
        choices=["amphoe", "province"],
        default="amphoe",
        help="tambon names of Mueang Khon Kaen (4001, the city's district) or of province 40",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-limit", default="1GB", help="as NAKHON_INGEST_MEMORY_LIMIT")
    parser.add_argument("--workdir", type=Path, help="work here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    base = args.workdir or Path(tempfile.mkdtemp(prefix="nakhon-ingest-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        _main(args, base)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"\nwork folder kept: {base}")


def _main(args: argparse.Namespace, base: Path) -> None:
    global PYCACHE
    PYCACHE = base / "pycache"
    rows = args.rows
    loads = [f"start: {loadavg()}"]
    print(f"Nakhon ingest benchmark: {rows:,} rows; {os.cpu_count()} cores; load avg {loadavg()}")
    print(f"work folder {base}; DuckDB threads {args.threads}, memory limit {args.memory_limit}")
    print(f"code: {code_version()}; Python {sys.version.split()[0]}")

    free = shutil.disk_usage(base).free
    need_1m = rows * 100 * 8  # the files, the transcode, DuckDB spill, lake, a data dir
    if free < need_1m:
        raise SystemExit(f"only {free / 1e9:.1f} GB free in {base}; need ~{need_1m / 1e9:.1f} GB")

    # 1. the files
    cp874, utf8 = base / "big.csv", base / "big.utf8.csv"
    t = time.perf_counter()
    generate(cp874, utf8, rows, scope=args.tambons)
    print(
        f"generated in {time.perf_counter() - t:.1f}s: {cp874.name} (cp874) "
        f"{cp874.stat().st_size / 1e6:.1f} MB, UTF-8 copy {utf8.stat().st_size / 1e6:.1f} MB"
    )
    names = tambons(args.tambons)
    sizes_mb = (cp874.stat().st_size / 1e6, utf8.stat().st_size / 1e6)

    # 2. Nakhon CLI
    cli = NakhonCLI(base / "data", base / "tmp", args.memory_limit)
    code, elapsed, _rss, out, _cpu = cli("demo")
    if code != 0:
        raise SystemExit(f"nakhon demo failed:\n{out[-3000:]}")
    print(f"nakhon demo (set-up, not measured): {elapsed:.1f}s")

    # start-up and fixed costs: a 10-row ingest (the first one also warms the bytecode cache)
    # and the CLI doing (almost) nothing
    tiny = head(cp874, base / "tiny.csv", 10)
    cli.ingest(tiny, "bench-tiny", 10, "warm-up")
    tiny_run = best(
        [cli.ingest(tiny, "bench-tiny", 10, "Nakhon CLI ingest, 10 rows") for _ in range(3)]
    )
    startup = []
    for _ in range(3):
        code, elapsed, rss, out, _cpu = cli("versions", "bench-tiny")
        if code != 0:
            raise SystemExit(f"nakhon versions failed:\n{out}")
        startup.append((elapsed, rss))
    start_s, start_rss = min(startup)
    print(f"CLI fixed costs: 10-row ingest {tiny_run.seconds:.2f}s, `versions` {start_s:.2f}s")

    first_runs, steady_runs, duck_varchar, duck_auto = [], [], [], []
    for k in range(args.repeat):
        slug = "bench" if k == 0 else f"bench-{k + 1}"
        first_runs.append(cli.ingest(cp874, slug, rows, "Nakhon CLI ingest, first publish"))
        steady_runs.append(cli.ingest(cp874, slug, rows, "Nakhon CLI ingest, steady state"))
        duck_varchar.append(
            duckdb_read(
                utf8, rows, all_varchar=True, threads=args.threads, memory=args.memory_limit
            )
        )
        duck_auto.append(
            duckdb_read(
                utf8, rows, all_varchar=False, threads=args.threads, memory=args.memory_limit
            )
        )
        print(
            f"  round {k + 1}: first {first_runs[-1].seconds:.2f}s, steady "
            f"{steady_runs[-1].seconds:.2f}s, duckdb varchar {duck_varchar[-1].seconds:.2f}s, "
            f"auto {duck_auto[-1].seconds:.2f}s (load {loadavg()})"
        )
    loads.append(f"after Nakhon/DuckDB: {loadavg()}")

    first, steady = best(first_runs), best(steady_runs)
    dv, da = best(duck_varchar), best(duck_auto)

    schema_cols = inferred_schema(cli, "bench")
    nakhon_types = {name: kind for name, kind, _ in schema_cols}

    # 3. in-process breakdown
    core: dict[str, Any] | None = None
    core_rss = 0.0
    if not args.skip_core:
        core, core_rss = core_breakdown(cp874, base / "core", args.threads, args.memory_limit)
        loads.append(f"after core: {loadavg()}")

    # 4. frictionless
    fric: Run | None = None
    fric_small: list[Run] = []
    if not args.skip_frictionless:
        schema_path = base / "schema.json"
        schema_path.write_text(
            json.dumps(frictionless_schema(nakhon_types, names), ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        sizes = [s for s in (50_000, 100_000) if s < rows]
        for size in sizes:
            part = head(cp874, base / f"part{size}.csv", size)
            fric_small.append(frictionless_validate(part, schema_path, size, base))
            print(
                f"  frictionless {size:,} rows: {fric_small[-1].seconds:.1f}s "
                f"({size / fric_small[-1].seconds:,.0f} rows/s)"
            )
        # linear in the rows, with a fixed start-up: the line through the two measurements
        if len(fric_small) == 2:
            (n1, t1), (n2, t2) = ((r.rows, r.seconds) for r in fric_small)
            slope = (t2 - t1) / (n2 - n1)
            predicted = t2 + slope * (rows - n2)
            fit = f"t = {t1 - slope * n1:.2f}s + {slope * 1e6:.1f}s per million rows"
        else:
            predicted, fit = 0.0, ""
        if predicted <= args.frictionless_budget:
            fric = frictionless_validate(cp874, schema_path, rows, base)
        else:
            last = fric_small[-1]
            fric = Run(
                "frictionless validate",
                rows,
                predicted,
                last.rss_mb,
                extrapolated=True,
                note=f"{fit} (from {fric_small[0].rows:,} and {last.rows:,} rows); "
                f"its RSS is that of {last.rows:,} rows",
            )
            print(
                f"  frictionless on {rows:,} rows predicted {predicted:.0f}s > budget "
                f"{args.frictionless_budget:.0f}s: extrapolated"
            )
        loads.append(f"after frictionless: {loadavg()}")

    # 5. 10M rows
    big: Run | None = None
    big_steady: Run | None = None
    big_duck: Run | None = None
    big_note = ""
    if not args.skip_10m:
        rows10 = args.rows_10m
        est_file = rows10 * 95
        need = est_file * 8  # cp874 + utf-8 copy + transcode + DuckDB spill + lake
        free = shutil.disk_usage(base).free
        if free < need:
            big_note = (
                f"skipped: {free / 1e9:.1f} GB free, ~{need / 1e9:.1f} GB needed for "
                f"{rows10:,} rows"
            )
        else:
            # the small files are done with: free the disk before the big one
            for leftover in (utf8, *base.glob("part*.csv")):
                leftover.unlink(missing_ok=True)
            big_path, big_utf8 = base / "big10m.csv", base / "big10m.utf8.csv"
            t = time.perf_counter()
            generate(big_path, big_utf8, rows10, scope=args.tambons, seed=2568)
            print(
                f"generated {rows10:,} rows in {time.perf_counter() - t:.0f}s: "
                f"{big_path.stat().st_size / 1e6:.0f} MB cp874"
            )
            big = cli.ingest(big_path, "bench10m", rows10, "Nakhon CLI ingest, first publish")
            print(f"  10M Nakhon first publish: {big.seconds:.1f}s, peak RSS {big.rss_mb:.0f} MB")
            big_steady = cli.ingest(big_path, "bench10m", rows10, "Nakhon CLI ingest, steady state")
            print(
                f"  10M Nakhon steady state: {big_steady.seconds:.1f}s, "
                f"peak RSS {big_steady.rss_mb:.0f} MB"
            )
            big_duck = duckdb_read(
                big_utf8, rows10, all_varchar=True, threads=args.threads, memory=args.memory_limit
            )
            loads.append(f"after 10M: {loadavg()}")
            big_utf8.unlink(missing_ok=True)

    # --- the report ---
    floor_run = min((dv, da), key=lambda r: r.seconds)
    floor = floor_run.seconds
    fric_s = fric.seconds if fric else None
    print()
    print("=" * 118)
    print(
        f"Ingest benchmark: {rows:,} rows, {sizes_mb[0]:.1f} MB CP874 (UTF-8 copy "
        f"{sizes_mb[1]:.1f} MB for DuckDB); best of {args.repeat}; peak RSS = worst of the runs"
    )
    print(f"DuckDB floor = the faster DuckDB read: {floor_run.label} ({floor:.2f}s)")
    print(
        "Nakhon CLI = the whole `nakhon ingest` process (wall); in-process core = readers -> "
        "pipeline_core.run -> report CSV -> Lake.publish, no Django (its RSS: both phases)"
    )
    print(
        "CPU s = user + system CPU time of the process, all threads (DuckDB: of the read alone); "
        "other load on a shared machine moves it much less than the wall time"
    )
    print("=" * 118)
    table = [steady, first]
    if core:
        for phase, label in (("steady", "steady state"), ("first", "first publish")):
            table.append(
                Run(f"Nakhon in-process core, {label}", rows, core[phase]["total"], core_rss)
            )
    table += [dv, da]
    if fric:
        table.append(fric)
    print_table(table, floor, fric_s)
    if fric_small:
        print("  frictionless measured on subsets (linearity):")
        for r in fric_small:
            print(
                f"    {r.rows:>9,} rows {r.seconds:8.2f}s {r.rows / r.seconds:>9,.0f} rows/s "
                f"{r.rss_mb:6.0f} MB"
            )
        if fric and fric.extrapolated:
            print(f"    {rows:,}-row figure EXTRAPOLATED: {fric.note}")
    print()
    print("Start-up and fixed costs of the Nakhon CLI (included in the figures above):")
    print(f"  nakhon versions (a listing)     {start_s:6.2f}s   peak RSS {start_rss:5.0f} MB")
    print(
        f"  nakhon ingest of a 10-row file {tiny_run.seconds:6.2f}s   peak RSS "
        f"{tiny_run.rss_mb:5.0f} MB"
    )
    print(
        f"  steady state minus the 10-row ingest: {steady.seconds - tiny_run.seconds:.2f}s "
        f"({(steady.seconds - tiny_run.seconds) / floor:.2f}x floor) - for information only"
    )
    print()
    print("Schema Nakhon inferred (first publish):")
    for name, kind, flags in schema_cols:
        print(f"  {name:<22} {kind:<10} {flags}")
    print(f"DuckDB auto types: {', '.join(da.extra.get('types', []))}")
    print("  (auto-detection leaves the BE dates and the grouped amounts as VARCHAR)")
    if core:
        print()
        print(f"In-process core path (no Django, no CLI), peak RSS {core_rss:.0f} MB:")
        print(f"  reader alone (open_source + all batches): {core['read_only']:.2f}s")
        keys = [
            ("input_pass", "first pass over the input (read + load into DuckDB)"),
            ("reader", "  of which producing the reader's batches"),
            ("infer", "infer_schema (whole file)"),
            ("normalize", "normalize (steady: includes the input pass)"),
            ("checks", "run_checks"),
            ("report", "Report.from_table"),
            ("validate", "= pipeline_core.run total"),
            ("report_csv", "report.write_csv"),
            ("typed_read", "typed rows as Arrow batches (extra, not in total)"),
            ("publish", "Lake.ensure_table + publish (reads the typed rows)"),
            ("total", "total (run + report csv + publish)"),
        ]
        print(f"  {'':56} {'first':>8} {'steady':>8}")
        for key, label in keys:
            print(f"  {label:<56} {core['first'][key]:8.2f} {core['steady'][key]:8.2f}")
    if big or big_note:
        print()
        if big:
            print(f"{args.rows_10m:,}-row streaming run:")
            print_table(
                [r for r in (big_steady, big, big_duck) if r is not None],
                big_duck.seconds if big_duck else None,
                None,
            )
            print("  (x floor: against DuckDB read_csv all_varchar on the UTF-8 copy of it)")
        else:
            print(f"10M-row run {big_note}")
    print()
    print("Load average (1, 5, 15 min): " + "; ".join(loads) + f"; end: {loadavg()}")
    print()
    print("Targets:")
    ratio = steady.seconds / floor
    print(
        f"  {verdict(ratio <= TARGET_FLOOR_RATIO)}  Nakhon steady state <= {TARGET_FLOOR_RATIO:g}x "
        f"DuckDB floor: {ratio:.2f}x (first publish: {first.seconds / floor:.2f}x)"
    )
    if fric:
        speed = fric.seconds / steady.seconds
        label = " (frictionless extrapolated)" if fric.extrapolated else ""
        print(
            f"  {verdict(speed >= TARGET_FRICTIONLESS_SPEEDUP)}  Nakhon >= "
            f"{TARGET_FRICTIONLESS_SPEEDUP:g}x faster than frictionless: {speed:.1f}x{label} "
            f"(first publish: {fric.seconds / first.seconds:.1f}x)"
        )
    else:
        print("  SKIP  Nakhon >= 20x faster than frictionless (--skip-frictionless)")
    peak = max(first.rss_mb, steady.rss_mb)
    print(
        f"  {verdict(peak <= TARGET_RSS_1M_MB)}  Nakhon peak RSS <= {TARGET_RSS_1M_MB:.0f} MB "
        f"on {rows:,} rows: {peak:.0f} MB"
    )
    if big:
        worst = max(big.rss_mb, big_steady.rss_mb if big_steady else 0)
        took = f"{big.seconds:.0f}s first publish" + (
            f", {big_steady.seconds:.0f}s steady state" if big_steady else ""
        )
        print(
            f"  {verdict(worst <= TARGET_RSS_10M_MB)}  {big.rows:,} rows stream through, "
            f"peak RSS <= {TARGET_RSS_10M_MB:.0f} MB: {worst:.0f} MB ({took})"
        )
    else:
        print(f"  SKIP  10M-row streaming run ({big_note or '--skip-10m'})")


if __name__ == "__main__":
    main()
