"""Serving benchmark (issue #5): queries of a 1M-row published dataset, against Datasette, and
catalog search over 10,000 datasets.

    .venv/bin/python benchmarks/serve_1m.py                       # full, ~10 min
    .venv/bin/python benchmarks/serve_1m.py --rows 100000 --duration 5 --datasets 1000

What runs, all as subprocesses on a fresh ``NAKHON_DATA_DIR`` in a temporary folder:

1. ``nakhon demo``; a 1,000,000-row Thai CSV (the generator of ``ingest_1m.py``, tambon names of
   Khon Kaen province) published with ``nakhon ingest`` as the dataset ``shops-1m``; 10,000
   generated catalog entries (Thai and English titles, descriptions, tags, departments) added
   to khon-kaen in bulk through the ORM (the search index does not care how they got there).
2. The real ``nakhon serve`` (waitress, ``NAKHON_SERVER_THREADS`` = 4, its default) on a free
   port, with ``NAKHON_API_RATE_LIMIT=0``: the limit (300 a minute per address by default)
   would otherwise answer 429 to a benchmark from one address. Its first query of the dataset
   loads the version into memory: that cold time is printed apart. It also starts building the
   version's indexed SQLite serving copy (``nakhon.lake.serving_index``): the benchmark waits
   for it and prints how long it took.
3. The same rows in SQLite, from Nakhon's own Parquet download of the version, served by
   Datasette (``datasette serve -i``, immutable as ``datasette publish`` does, defaults
   otherwise — 3 SQL threads — plus ``sql_time_limit_ms`` 60 s and facet suggestions off, which
   Nakhon does not compute). Indexes: ``(tambon, income)``, ``(income)``, ``(survey date)``, one
   for each query shape below, each covering its filter and its sort.
4. The workload, from a separate process: 8 threads, each with one keep-alive
   ``http.client`` connection, for ``--duration`` seconds, running one fixed sequence of
   filter + sort + page-of-100 queries (the same sequence for both servers):
   a tambon (equality) sorted by income descending; an income range sorted by income
   descending; a 30-day range of survey dates sorted by date descending. Both servers return
   the filtered row count with the page (Nakhon ``total``, Datasette
   ``filtered_table_rows_count``). On a sample, both answers must have the same count,
   sort values and ids (ties at the page's last value aside: Datasette leaves their order to
   SQLite). Latency is from
   sending the request to the last byte of the body. The servers take turns, ``--rounds``
   times; the figures pool the rounds.
5. Catalog search through ``GET /api/v1/municipalities/khon-kaen/search?q=``: the first search
   (builds the index of ~10,000 datasets) apart, then 24 Thai queries (one or more words, one
   with a typo, one mixed with English) by 1 client (``--search-repeat`` passes) and by 8
   clients for ``--duration`` seconds.

Targets: query p50 <= 30 ms, p99 <= 150 ms, throughput >= Datasette's; search p95 <= 100 ms.
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_1m import (
    HEADER,
    NAKHON,
    PYTHON,
    ROOT,
    code_version,
    generate,
    loadavg,
    tambons,
)

DATASETTE = ROOT / ".venv" / "bin" / "datasette"
CITY = "khon-kaen"
SLUG = "shops-1m"
TARGET_P50_MS = 30.0
TARGET_P99_MS = 150.0
TARGET_SEARCH_P95_MS = 100.0

ID, PLACE, KIND, TAMBON, DATE, STAFF, INCOME, LAT, LON = HEADER

# --- processes ----------------------------------------------------------------------------------


def nakhon_env(data_dir: Path, work: Path, **extra: str) -> dict[str, str]:
    """A fresh machine's environment (as tests/helpers.py ``cli_env``), bytecode cached in
    the work folder (see ingest_1m.py ``child_env``)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NAKHON_", "DJANGO_")) and k not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["NAKHON_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(cmd: list[str], env: dict[str, str], timeout: float = 3600) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - started


def get(port: int, path: str, timeout: float = 300) -> tuple[int, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        conn.close()


def wait_ready(process: subprocess.Popen[bytes], port: int, path: str, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < 300:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            status, _body, _t = get(port, path, timeout=5)
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server not ready:\n{log.read_text(errors='replace')[-3000:]}")


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the 10,000 catalog entries -----------------------------------------------------------------

CATALOG_SCRIPT = r"""
import json, random, sys
import django
django.setup()
from nakhon.accounts.models import Department, Municipality
from nakhon.catalog.models import Dataset, Tag

spec = json.loads(sys.argv[1])
rng = random.Random(2568)
m = Municipality.objects.get(slug=spec["city"])
departments = []
for code, th, en in spec["departments"]:
    d, _ = Department.objects.get_or_create(
        municipality=m, code=code, defaults={"name_th": th, "name_en": en}
    )
    departments.append(d)
tags = {}
for name in spec["tags"]:
    tags[name], _ = Tag.objects.get_or_create(municipality=m, name=name)
topics, prefixes, suffixes, places = (
    spec["topics"], spec["prefixes"], spec["suffixes"], spec["places"]
)
datasets, links = [], []
for i in range(spec["n"]):
    topic_th, topic_en, topic_tags = rng.choice(topics)
    prefix_th, prefix_en = rng.choice(prefixes)
    suffix_th, suffix_en = rng.choice(suffixes)
    place = rng.choice(places) if rng.random() < 0.4 else ""
    title_th = f"{prefix_th}{topic_th}{suffix_th}" + (f" ตำบล{place}" if place else "")
    title_en = f"{prefix_en} {topic_en} {suffix_en}".strip()
    department = rng.choice(departments)
    description_th = (
        f"ชุดข้อมูล{topic_th}{suffix_th} ของ{department.name_th} เทศบาลนครขอนแก่น "
        f"ปรับปรุงจากระบบงานของ{department.name_th} "
        + rng.choice(spec["sentences"])
    )
    datasets.append(
        Dataset(
            municipality=m,
            slug=f"bench-{i:05d}",
            title_th=title_th[:300],
            title_en=title_en[:300],
            description_th=description_th,
            description_en=f"{title_en} of Khon Kaen City Municipality, by {department.name_en}.",
            department=department,
            data_format=[rng.choice(["CSV", "XLSX", "JSON"])],
        )
    )
    links.append([*topic_tags, *rng.sample(spec["tags"][-10:], 2)])
created = Dataset.objects.bulk_create(datasets, batch_size=500)
through = Dataset.tags.through
through.objects.bulk_create(
    [
        through(dataset_id=d.pk, tag_id=tags[name].pk)
        for d, names in zip(created, links)
        for name in dict.fromkeys(names)
    ],
    batch_size=2000,
)
print(Dataset.objects.filter(municipality=m).count())
"""

DEPARTMENTS = [
    ("bench-palad", "สำนักปลัดเทศบาล", "Office of the Municipal Clerk"),
    ("bench-finance", "กองคลัง", "Finance Division"),
    ("bench-works", "กองช่าง", "Public Works Division"),
    ("bench-health", "กองสาธารณสุขและสิ่งแวดล้อม", "Public Health and Environment Division"),
    ("bench-education", "กองการศึกษา", "Education Division"),
    ("bench-welfare", "กองสวัสดิการสังคม", "Social Welfare Division"),
    ("bench-strategy", "กองยุทธศาสตร์และงบประมาณ", "Strategy and Budget Division"),
    ("bench-water", "การประปาเทศบาล", "Municipal Waterworks"),
    ("bench-disaster", "งานป้องกันและบรรเทาสาธารณภัย", "Disaster Prevention"),
    ("bench-engineering", "สำนักการช่าง", "Engineering Bureau"),
]
TOPICS: list[tuple[str, str, list[str]]] = [
    ("ภาษีป้าย", "signboard tax", ["ภาษี", "ภาษีป้าย"]),
    ("ภาษีที่ดินและสิ่งปลูกสร้าง", "land and building tax", ["ภาษี", "ที่ดิน"]),
    ("งบประมาณรายจ่าย", "expenditure budget", ["งบประมาณ", "การเงิน"]),
    ("รายได้ของเทศบาล", "municipal revenue", ["รายได้", "การเงิน"]),
    ("การจัดซื้อจัดจ้าง", "procurement", ["จัดซื้อจัดจ้าง", "การเงิน"]),
    ("ปริมาณขยะมูลฝอย", "solid waste volume", ["ขยะ", "สิ่งแวดล้อม"]),
    ("การคัดแยกขยะ", "waste sorting", ["ขยะ", "รีไซเคิล"]),
    ("น้ำประปา", "water supply", ["น้ำประปา", "สาธารณูปโภค"]),
    ("คุณภาพน้ำ", "water quality", ["น้ำ", "สิ่งแวดล้อม"]),
    ("ผู้ป่วยไข้เลือดออก", "dengue fever cases", ["ไข้เลือดออก", "สาธารณสุข"]),
    ("การฉีดวัคซีน", "vaccination", ["วัคซีน", "สาธารณสุข"]),
    ("โรคพิษสุนัขบ้า", "rabies", ["สุนัข", "สาธารณสุข"]),
    ("ไฟฟ้าสาธารณะ", "street lights", ["ไฟฟ้า", "โครงสร้างพื้นฐาน"]),
    ("ถนนและทางเท้า", "roads and footpaths", ["ถนน", "โครงสร้างพื้นฐาน"]),
    ("ท่อระบายน้ำ", "drainage", ["น้ำท่วม", "โครงสร้างพื้นฐาน"]),
    ("จุดเสี่ยงน้ำท่วม", "flood risk points", ["น้ำท่วม", "ภัยพิบัติ"]),
    ("เบี้ยยังชีพผู้สูงอายุ", "old-age allowance", ["ผู้สูงอายุ", "สวัสดิการ"]),
    ("คนพิการ", "people with disabilities", ["คนพิการ", "สวัสดิการ"]),
    ("ศูนย์พัฒนาเด็กเล็ก", "child development centres", ["การศึกษา", "เด็ก"]),
    ("นักเรียนโรงเรียนเทศบาล", "municipal school pupils", ["การศึกษา", "โรงเรียน"]),
    ("ตลาดสด", "fresh markets", ["ตลาด", "เศรษฐกิจ"]),
    ("ใบอนุญาตก่อสร้างอาคาร", "building permits", ["ใบอนุญาต", "อาคาร"]),
    ("อุบัติเหตุทางถนน", "road accidents", ["อุบัติเหตุ", "ความปลอดภัย"]),
    ("คุณภาพอากาศ ฝุ่น PM2.5", "air quality PM2.5", ["ฝุ่น", "สิ่งแวดล้อม"]),
    ("กล้องวงจรปิด", "CCTV cameras", ["กล้องวงจรปิด", "ความปลอดภัย"]),
    ("สวนสาธารณะ", "public parks", ["สวนสาธารณะ", "สิ่งแวดล้อม"]),
    ("ประชากร", "population", ["ประชากร", "ทะเบียนราษฎร"]),
    ("เรื่องร้องเรียน", "complaints", ["ร้องเรียน", "บริการประชาชน"]),
    ("ชุมชน", "communities", ["ชุมชน"]),
    ("ป้ายรถโดยสารประจำทาง", "bus stops", ["ขนส่ง", "รถโดยสาร"]),
]
PREFIXES = [
    ("ข้อมูล", "Data on"),
    ("สถิติ", "Statistics of"),
    ("รายงาน", "Report on"),
    ("ทะเบียน", "Register of"),
    ("บัญชี", "List of"),
    ("สรุป", "Summary of"),
]
SUFFIXES = [
    ("ประจำปี", "annual"),
    ("รายเดือน", "monthly"),
    ("รายไตรมาส", "quarterly"),
    ("ปีงบประมาณ 2567", "fiscal year 2024"),
    ("ปีงบประมาณ 2566", "fiscal year 2023"),
    ("แยกตามชุมชน", "by community"),
    ("แยกตามตำบล", "by tambon"),
    ("", ""),
]
SENTENCES = [
    "เผยแพร่ตามพระราชบัญญัติข้อมูลข่าวสารของราชการ พ.ศ. 2540",
    "ใช้ประกอบการวางแผนพัฒนาท้องถิ่นและการจัดทำงบประมาณ",
    "ข้อมูลเปิดสำหรับประชาชน นักวิจัย และหน่วยงานภาครัฐ",
    "Open data published under the Open Government Data policy.",
    "รวบรวมจากการสำรวจภาคสนามและรายงานของชุมชน",
]
GENERAL_TAGS = [
    "ข้อมูลเปิด",
    "เทศบาล",
    "ขอนแก่น",
    "open-data",
    "สถิติ",
    "รายปี",
    "รายเดือน",
    "บริการ",
    "แผนที่",
    "ตำบล",
]
SEARCH_QUERIES = [
    "ภาษีป้าย",
    "ข้อมูลภาษีป้ายประจำปี",
    "งบประมาณ",
    "ขยะ",
    "ขยะมูลฝอย รายเดือน",
    "น้ำประปา",
    "ไข้เลือดออก",
    "ผู้ป่วยไข้เลือดออก ตำบลในเมือง",
    "ไฟฟ้าสาธารณะ",
    "ถนน ทางเท้า",
    "เบี้ยยังชีพผู้สูงอายุ",
    "ศูนย์พัฒนาเด็กเล็ก",
    "ตลาดสด",
    "ใบอนุญาตก่อสร้าง",
    "อุบัติเหตุทางถนน",
    "คุณภาพอากาศ ฝุ่น",
    "น้ำท่วม",
    "สวนสาธารณะ",
    "ประชากร แยกตามชุมชน",
    "การจัดซื้อจัดจ้าง ปีงบประมาณ 2567",
    "วัคซีน",
    "กล้องวงจรปิด",
    "ภาษีป้ย",  # typo: ป้าย without the vowel
    "budget งบประมาณ",
]


def add_catalog(data_dir: Path, work: Path, n: int, places: list[str]) -> tuple[float, int]:
    spec = {
        "city": CITY,
        "n": n,
        "departments": DEPARTMENTS,
        "tags": sorted({t for _th, _en, ts in TOPICS for t in ts}) + GENERAL_TAGS,
        "topics": TOPICS,
        "prefixes": PREFIXES,
        "suffixes": SUFFIXES,
        "places": places,
        "sentences": SENTENCES,
    }
    env = nakhon_env(data_dir, work, DJANGO_SETTINGS_MODULE="nakhon.config.settings")
    started = time.perf_counter()
    done = subprocess.run(
        [str(PYTHON), "-c", CATALOG_SCRIPT, json.dumps(spec, ensure_ascii=False)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"creating the catalog failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, int(done.stdout.strip().splitlines()[-1])


# --- the same rows in SQLite --------------------------------------------------------------------

INDEXES = [(TAMBON, INCOME), (INCOME,), (DATE,)]


def to_sqlite(parquet: Path, db: Path) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    relation = con.sql(
        f"SELECT * REPLACE (CAST({q(INCOME)} AS DOUBLE) AS {q(INCOME)}, "
        f"CAST({q(DATE)} AS VARCHAR) AS {q(DATE)}) FROM read_parquet(?) ORDER BY {q(ID)}",
        params=[str(parquet)],
    )
    kinds = {"VARCHAR": "TEXT", "BIGINT": "INTEGER", "DOUBLE": "REAL"}
    columns = ", ".join(
        f"{q(c)} {kinds[str(t)]}" for c, t in zip(relation.columns, relation.types, strict=True)
    )
    lite = sqlite3.connect(db)
    lite.execute(f"CREATE TABLE shops ({columns})")
    marks = ", ".join("?" for _ in relation.columns)
    reader = relation.to_arrow_reader(100_000)
    for batch in reader:
        rows = list(zip(*(col.to_pylist() for col in batch.columns), strict=True))
        lite.executemany(f"INSERT INTO shops VALUES ({marks})", rows)
    for i, cols in enumerate(INDEXES):
        lite.execute(f"CREATE INDEX shops_idx_{i} ON shops ({', '.join(q(c) for c in cols)})")
    lite.commit()
    lite.execute("ANALYZE")
    lite.close()
    con.close()
    return time.perf_counter() - started


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- the workload -------------------------------------------------------------------------------


def workload(n: int, places: list[str], seed: int = 5) -> list[dict[str, Any]]:
    """``n`` queries: (kind, filters as (column, op, value), sort column, descending)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = ("tambon", "income", "date")[i % 3]
        if kind == "tambon":
            filters = [(TAMBON, "eq", rng.choice(places))]
            sort = INCOME
        elif kind == "income":
            low = rng.randint(0, 95_000)
            filters = [(INCOME, "gte", str(low)), (INCOME, "lte", str(low + rng.randint(50, 2000)))]
            sort = INCOME
        else:
            first = dt.date(2007, 1, 1) + dt.timedelta(days=rng.randint(0, 6400))
            last = first + dt.timedelta(days=30)
            filters = [(DATE, "gte", first.isoformat()), (DATE, "lte", last.isoformat())]
            sort = DATE
        out.append({"kind": kind, "filters": filters, "sort": sort})
    return out


def nakhon_path(query: dict[str, Any]) -> str:
    params = [("filter", f"{c}:{op}:{v}") for c, op, v in query["filters"]]
    # a total order; Datasette leaves ties to SQLite (see same_answer)
    params += [("sort", f"-{query['sort']},{ID}"), ("limit", "100")]
    return f"/api/v1/municipalities/{CITY}/datasets/{SLUG}/query?" + urllib.parse.urlencode(params)


def datasette_path(query: dict[str, Any]) -> str:
    params = [(f"{c}__{op}" if op != "eq" else c, v) for c, op, v in query["filters"]]
    params += [("_sort_desc", query["sort"]), ("_size", "100")]
    return "/shops/shops.json?" + urllib.parse.urlencode(params)


def search_path(text: str) -> str:
    return f"/api/v1/municipalities/{CITY}/search?" + urllib.parse.urlencode({"q": text})


CLIENT_FLAG = "--load-client"


def load_client(spec: dict[str, Any]) -> dict[str, Any]:
    """Run in its own process: ``clients`` threads with keep-alive connections, each walking
    its share of ``paths`` (thread k: paths k, k + clients, …, cycling) for ``duration``
    seconds, or ``passes`` times over its share when given."""
    port, paths, clients = spec["port"], spec["paths"], spec["clients"]
    duration, passes = spec.get("duration", 0.0), spec.get("passes", 0)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(k: int) -> None:
        mine = paths[k::clients] or paths
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        i = 0
        while True:
            if passes and i >= passes * len(mine):
                break
            if not passes and time.perf_counter() >= deadline[0]:
                break
            path = mine[i % len(mine)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            elapsed = time.perf_counter() - started
            if ok:
                latencies[k].append(elapsed)
            else:
                errors[k] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline[0] = started + duration
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"latencies": [x for xs in latencies for x in xs], "errors": sum(errors), "wall": wall}


def drive(
    port: int, paths: list[str], clients: int, *, duration: float = 0, passes: int = 0
) -> dict[str, Any]:
    """``load_client`` in a separate process (neither server's)."""
    spec = {
        "port": port,
        "paths": paths,
        "clients": clients,
        "duration": duration,
        "passes": passes,
    }
    done = subprocess.run(
        [str(PYTHON), __file__, CLIENT_FLAG],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=duration + 3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"load client failed:\n{done.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(done.stdout)
    out["load"] = loadavg()
    return out


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


def summary(label: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    lat = [x for r in runs for x in r["latencies"]]
    wall = sum(r["wall"] for r in runs)
    return {
        "label": label,
        "n": len(lat),
        "errors": sum(r["errors"] for r in runs),
        "p50": pct(lat, 50),
        "p90": pct(lat, 90),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "max": max(lat) * 1000 if lat else float("nan"),
        "rps": len(lat) / wall if wall else 0.0,
        "loads": [r["load"] for r in runs],
    }


def row_line(s: dict[str, Any]) -> str:
    return (
        f"  {s['label']:<34} {s['n']:>7,} {s['errors']:>5} {s['p50']:8.1f} {s['p90']:8.1f} "
        f"{s['p95']:8.1f} {s['p99']:8.1f} {s['max']:8.1f} {s['rps']:8.1f}"
    )


HEAD_LINE = (
    f"  {'':<34} {'reqs':>7} {'errs':>5} {'p50 ms':>8} {'p90 ms':>8} {'p95 ms':>8} "
    f"{'p99 ms':>8} {'max ms':>8} {'req/s':>8}"
)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- equivalence --------------------------------------------------------------------------------


def _key(value: Any) -> Any:
    """A sort value comparable across the servers (Nakhon: decimal as text, Datasette: REAL)."""
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return str(value)


def nakhon_page(port: int, query: dict[str, Any]) -> tuple[list[Any], int]:
    status, body, _t = get(port, nakhon_path(query))
    if status != 200:
        raise SystemExit(f"Nakhon answered {status}: {body[:500]!r}")
    data = json.loads(body)
    return [(_key(r[query["sort"]]), r[ID]) for r in data["rows"]], int(data["total"])


def datasette_page(port: int, query: dict[str, Any]) -> tuple[list[Any], int]:
    status, body, _t = get(port, datasette_path(query))
    if status != 200:
        raise SystemExit(f"Datasette answered {status}: {body[:500]!r}")
    data = json.loads(body)
    at, by = data["columns"].index(ID), data["columns"].index(query["sort"])
    return [(_key(r[by]), r[at]) for r in data["rows"]], int(data["filtered_table_rows_count"])


def same_answer(a: tuple[list[Any], int], b: tuple[list[Any], int]) -> bool:
    """Same count, same sort values in the same order, the same rows except among the ties
    at the page's last value (Datasette leaves the order of equal values to SQLite)."""
    (rows_a, total_a), (rows_b, total_b) = a, b
    if total_a != total_b or [k for k, _ in rows_a] != [k for k, _ in rows_b]:
        return False
    last = rows_a[-1][0] if rows_a else None
    return {i for k, i in rows_a if k != last} == {i for k, i in rows_b if k != last}


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == CLIENT_FLAG:
        json.dump(load_client(json.loads(sys.stdin.read())), sys.stdout)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=2, help="turns of each server")
    parser.add_argument("--queries", type=int, default=600, help="length of the query sequence")
    parser.add_argument("--search-repeat", type=int, default=5, help="1-client passes")
    parser.add_argument(
        "--server-threads", type=int, default=4, help="NAKHON_SERVER_THREADS (default 4)"
    )
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-query", action="store_true")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="nakhon-serve-", dir=args.workdir))
    try:
        _main(args, base)
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def _main(args: argparse.Namespace, base: Path) -> None:
    loads = [f"start: {loadavg()}"]
    print(f"code: {code_version()}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    print(f"work folder {base}; load average {loadavg()}")
    data_dir = base / "data"
    env = nakhon_env(
        data_dir,
        base,
        NAKHON_API_RATE_LIMIT="0",
        NAKHON_SERVER_THREADS=str(args.server_threads),
    )
    print(f"nakhon demo (set-up): {run([str(NAKHON), 'demo'], env):.1f}s")
    places = tambons("province")

    if not args.skip_query:
        csv_path = base / "shops.csv"
        t = time.perf_counter()
        generate(csv_path, None, args.rows, scope="province")
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s")
        took = run(
            [str(NAKHON), "ingest", str(csv_path), "--dataset", SLUG, "--municipality", CITY], env
        )
        print(f"nakhon ingest (set-up): {took:.1f}s")
        csv_path.unlink()
    if not args.skip_search:
        took, total = add_catalog(data_dir, base, args.datasets, places)
        print(f"{args.datasets:,} catalog entries added in {took:.1f}s ({total:,} in {CITY})")
    loads.append(f"after set-up: {loadavg()}")

    port = free_port()
    log = base / "nakhon-serve.log"
    server = start([str(NAKHON), "serve", "--port", str(port)], env, log)
    try:
        print(f"nakhon serve ready in {wait_ready(server, port, '/healthz', log):.1f}s")
        get(port, f"/api/v1/municipalities/{CITY}/datasets")  # the first request, apart
        figures: dict[str, Any] = {}
        if not args.skip_query:
            figures.update(query_part(args, base, port, places))
            loads.append(f"after queries: {loadavg()}")
        if not args.skip_search:
            figures.update(search_part(args, port))
            loads.append(f"after search: {loadavg()}")
    finally:
        stop(server)
    report(args, figures, loads)


def wait_serving_copy(folder: Path, timeout: float = 900) -> float:
    """Seconds until the version's SQLite serving copy is in ``folder`` (renamed into place
    when whole), or nan when none came (then DuckDB answers every query)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if list(folder.rglob("*.sqlite")):
            time.sleep(0.5)  # the server opens it at its next query
            return time.perf_counter() - started
        time.sleep(0.5)
    return float("nan")


def query_part(
    args: argparse.Namespace, base: Path, port: int, places: list[str]
) -> dict[str, Any]:
    queries = workload(args.queries, places)
    status, _body, cold = get(port, nakhon_path(queries[0]))
    if status != 200:
        raise SystemExit(f"Nakhon answered {status} to {nakhon_path(queries[0])}")
    _s, _b, warm = get(port, nakhon_path(queries[0]))
    print(
        f"Nakhon first query of the version (loads it into memory): {cold * 1000:.0f} ms; "
        f"the same again: {warm * 1000:.1f} ms"
    )
    # the first query also starts building the indexed SQLite copy (nakhon.lake.serving_index);
    # DuckDB answers until it is there: wait for it, and print how long it took
    ready = wait_serving_copy(base / "data" / "cache" / "serving")
    print(f"Nakhon indexed serving copy ready {ready:.1f}s after the first query")

    parquet = base / "shops.parquet"
    status, body, took = get(
        port, f"/api/v1/municipalities/{CITY}/datasets/{SLUG}/download/parquet"
    )
    if status != 200:
        raise SystemExit(f"Parquet download answered {status}")
    parquet.write_bytes(body)
    db = base / "shops.db"
    print(
        f"Parquet download {len(body) / 1e6:.1f} MB in {took:.1f}s; SQLite + indexes in "
        f"{to_sqlite(parquet, db):.1f}s ({db.stat().st_size / 1e6:.0f} MB)"
    )

    dport = free_port()
    dlog = base / "datasette.log"
    datasette = start(
        [
            str(DATASETTE),
            "serve",
            "-i",
            str(db),
            "--host",
            "127.0.0.1",
            "--port",
            str(dport),
            "--setting",
            "sql_time_limit_ms",
            "60000",
            "--setting",
            "suggest_facets",
            "off",
        ],
        os.environ.copy(),
        dlog,
    )
    try:
        print(f"datasette ready in {wait_ready(datasette, dport, '/-/versions.json', dlog):.1f}s")
        _s, _b, dcold = get(dport, datasette_path(queries[0]))
        print(f"Datasette first query: {dcold * 1000:.0f} ms")
        # equivalence on a sample
        sample = queries[:: max(1, len(queries) // 30)]
        same = 0
        for query in sample:
            a, b = nakhon_page(port, query), datasette_page(dport, query)
            if same_answer(a, b):
                same += 1
            else:
                print(
                    f"  DIFFERENT answers for {query}: Nakhon {a[1]} rows {a[0][:3]}…, "
                    f"Datasette {b[1]} rows {b[0][:3]}…"
                )
        print(f"equivalent answers (count, sort values, ids): {same}/{len(sample)}")
        npaths = [nakhon_path(x) for x in queries]
        dpaths = [datasette_path(x) for x in queries]
        # a short warm-up of each, not measured
        drive(port, npaths[:48], args.clients, passes=1)
        drive(dport, dpaths[:48], args.clients, passes=1)
        nruns, druns = [], []
        for r in range(args.rounds):
            nruns.append(drive(port, npaths, args.clients, duration=args.duration))
            druns.append(drive(dport, dpaths, args.clients, duration=args.duration))
            n, d = summary("", nruns[-1:]), summary("", druns[-1:])
            print(
                f"  round {r + 1}: Nakhon p50 {n['p50']:.1f} ms p99 {n['p99']:.1f} ms "
                f"{n['rps']:.0f} req/s (load {nruns[-1]['load']}); Datasette p50 "
                f"{d['p50']:.1f} ms p99 {d['p99']:.1f} ms {d['rps']:.0f} req/s "
                f"(load {druns[-1]['load']})"
            )
        by_kind = {}
        for kind in ("tambon", "income", "date"):
            kp = [nakhon_path(x) for x in queries if x["kind"] == kind]
            dp = [datasette_path(x) for x in queries if x["kind"] == kind]
            by_kind[kind] = (
                summary(
                    f"Nakhon, {kind} only",
                    [drive(port, kp, args.clients, duration=args.duration / 2)],
                ),
                summary(
                    f"Datasette, {kind} only",
                    [drive(dport, dp, args.clients, duration=args.duration / 2)],
                ),
            )
    finally:
        stop(datasette)
    return {
        "cold_ms": cold * 1000,
        "datasette_cold_ms": dcold * 1000,
        "equivalent": (same, len(sample)),
        "nakhon": summary(f"Nakhon ({args.clients} clients)", nruns),
        "datasette": summary(f"Datasette ({args.clients} clients)", druns),
        "by_kind": by_kind,
    }


def search_part(args: argparse.Namespace, port: int) -> dict[str, Any]:
    status, body, cold = get(port, search_path(SEARCH_QUERIES[0]))
    if status != 200:
        raise SystemExit(f"search answered {status}: {body[:300]!r}")
    print(f"first search (builds the index): {cold * 1000:.0f} ms")
    counts = {}
    for text in SEARCH_QUERIES:
        _s, found, _t = get(port, search_path(text))
        counts[text] = json.loads(found)["count"]
    print("matches: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    paths = [search_path(t) for t in SEARCH_QUERIES]
    one = summary("search, 1 client", [drive(port, paths, 1, passes=args.search_repeat)])
    eight = summary(
        f"search, {args.clients} clients",
        [drive(port, paths, args.clients, duration=args.duration)],
    )
    # per query, 1 client
    per_query = {}
    for text in SEARCH_QUERIES:
        per_query[text] = summary(text, [drive(port, [search_path(text)], 1, passes=5)])
    return {
        "search_cold_ms": cold * 1000,
        "search1": one,
        "search8": eight,
        "per_query": per_query,
        "counts": counts,
    }


def report(args: argparse.Namespace, f: dict[str, Any], loads: list[str]) -> None:
    print()
    print("=" * 110)
    print(
        f"Serving benchmark: {args.rows:,} rows, {args.clients} clients, {args.duration:g}s per "
        f"run, {args.rounds} rounds; {os.cpu_count()} CPUs"
    )
    print("=" * 110)
    print(HEAD_LINE)
    if "nakhon" in f:
        print(row_line(f["nakhon"]))
        print(row_line(f["datasette"]))
        for n, d in f["by_kind"].values():
            print(row_line(n))
            print(row_line(d))
    if "search1" in f:
        print(row_line(f["search1"]))
        print(row_line(f["search8"]))
    print()
    if "nakhon" in f:
        print(
            f"cold: Nakhon first query of the version {f['cold_ms']:.0f} ms (loads 1 version "
            f"into memory); Datasette first query {f['datasette_cold_ms']:.0f} ms"
        )
        same, total = f["equivalent"]
        print(f"equivalent answers on the sample: {same}/{total}")
    if "search1" in f:
        print(
            f"cold: first search {f['search_cold_ms']:.0f} ms (builds the index of "
            f"{args.datasets:,} datasets)"
        )
        worst = sorted(f["per_query"].values(), key=lambda s: -s["p50"])[:5]
        print(
            "slowest search queries (1 client, p50 ms of 5): "
            + ", ".join(f"{s['label']} {s['p50']:.0f}" for s in worst)
        )
    print("Load average (1, 5, 15 min): " + "; ".join(loads) + f"; end: {loadavg()}")
    print()
    print("Targets:")
    if "nakhon" in f:
        n, d = f["nakhon"], f["datasette"]
        print(
            f"  {verdict(n['p50'] <= TARGET_P50_MS)}  query p50 <= {TARGET_P50_MS:g} ms: "
            f"{n['p50']:.1f} ms"
        )
        print(
            f"  {verdict(n['p99'] <= TARGET_P99_MS)}  query p99 <= {TARGET_P99_MS:g} ms: "
            f"{n['p99']:.1f} ms"
        )
        print(
            f"  {verdict(n['rps'] >= d['rps'])}  throughput >= Datasette's: {n['rps']:.0f} vs "
            f"{d['rps']:.0f} req/s ({n['rps'] / d['rps']:.2f}x)"
        )
        print(
            f"  {verdict(n['errors'] == 0 and d['errors'] == 0)}  no errors: Nakhon "
            f"{n['errors']}, Datasette {d['errors']}"
        )
    else:
        print("  SKIP  queries (--skip-query)")
    if "search1" in f:
        for key in ("search1", "search8"):
            s = f[key]
            print(
                f"  {verdict(s['p95'] <= TARGET_SEARCH_P95_MS)}  {s['label']} p95 <= "
                f"{TARGET_SEARCH_P95_MS:g} ms: {s['p95']:.1f} ms"
            )
    else:
        print("  SKIP  search (--skip-search)")


if __name__ == "__main__":
    main()
