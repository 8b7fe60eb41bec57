"""`nakhon ingest`, `validate`, `versions` as a person runs them, and a killed ingest.

Real processes on a fresh data directory (SQLite + the lake's own SQLite catalog).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import NAKHON, cli_env, run

HEADER = "รหัส,ชื่อตลาด,วันที่สำรวจ,จำนวนแผง,ละติจูด,ลองจิจูด\n"


def csv_file(path: Path, rows: list[str], encoding: str = "cp874") -> Path:
    path.write_bytes((HEADER + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def good_rows(n: int, start: int = 1) -> list[str]:
    return [
        f"M{i:06d},ตลาด{i},3 มี.ค. 2560,{i % 500},16.4{i % 10},102.8{i % 10}"
        for i in range(start, start + n)
    ]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("ingest")
    result = run(data, "demo", timeout=300)
    assert result.returncode == 0, result.stderr
    return data


def versions(data: Path, slug: str) -> list[dict[str, object]]:
    result = run(data, "versions", slug, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ingest_creates_then_versions(city: Path, tmp_path: Path) -> None:
    first = csv_file(tmp_path / "markets-a.csv", good_rows(20))
    result = run(
        city,
        "ingest",
        str(first),
        "--dataset",
        "cli-markets",
        "--title",
        "ตลาดทดสอบ",
        "--department",
        "health",
        "--user",
        "kk-steward",
    )
    assert result.returncode == 0, result.stderr
    assert "published cli-markets version 1 (20 rows" in result.stdout
    second = csv_file(tmp_path / "markets-b.csv", good_rows(25))
    result = run(
        city, "ingest", str(second), "--dataset", "cli-markets", "--json", "--user", "kk-steward"
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["published"] and body["version"]["number"] == 2
    listed = versions(city, "cli-markets")
    assert [v["number"] for v in listed] == [2, 1]
    assert listed[0]["rows_total"] == 25 and listed[0]["published_by"] == "kk-steward"


def test_validate_reports_rows_and_publishes_nothing(city: Path, tmp_path: Path) -> None:
    csv_file(tmp_path / "base.csv", good_rows(5))
    assert (
        run(
            city,
            "ingest",
            str(tmp_path / "base.csv"),
            "--dataset",
            "cli-check",
            "--department",
            "health",
        ).returncode
        == 0
    )
    bad = csv_file(tmp_path / "bad.csv", [*good_rows(2), "M9,ตลาดผิด,31 ก.พ. 2566,5,16.4,102.8"])
    result = run(city, "validate", str(bad), "--dataset", "cli-check", "--json")
    assert result.returncode == 0, result.stderr  # a report, not a failure
    report = json.loads(result.stdout)["report"]
    assert report["error_rows"] == 1
    problem = report["problems"][0]
    assert problem["row"] == 4 and problem["column"] == "วันที่สำรวจ"
    refused = run(city, "ingest", str(bad), "--dataset", "cli-check")
    assert refused.returncode == 2
    assert "row 4" in refused.stderr and "Traceback" not in refused.stderr
    assert [v["number"] for v in versions(city, "cli-check")] == [1]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.csv", b"", "empty"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "PNG"),
        ("ragged.csv", (HEADER + "M1,ก,3 มี.ค. 2560,1\n").encode("cp874"), "Row 2"),
        ("dupe.csv", b"a,b,a\n1,2,3\n", "a"),
        ("wide.csv", (",".join(f"c{i}" for i in range(10_000)) + "\n").encode(), "10"),
    ],
)
def test_bad_files_are_refused_clearly(
    city: Path, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(city, "ingest", str(path), "--dataset", "cli-bad-" + name.split(".")[0])
    assert result.returncode == 2, result.stdout
    assert "nothing was published" in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_dataset_for_validate(city: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "x.csv", good_rows(1))
    result = run(city, "validate", str(path), "--dataset", "no-such-dataset")
    assert result.returncode == 2 and "no-such-dataset" in result.stderr


def _run_state(data: Path) -> str | None:
    db = sqlite3.connect(data / "nakhon.sqlite3", timeout=1)
    try:
        row = db.execute("SELECT state FROM catalog_ingestrun ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()
    return row[0] if row else None


def test_killed_ingest_leaves_the_published_version(city: Path, tmp_path: Path) -> None:
    """SIGKILL the process while it publishes a big replace: the old version stays current."""
    small = csv_file(tmp_path / "small.csv", good_rows(10))
    assert (
        run(
            city, "ingest", str(small), "--dataset", "cli-kill", "--department", "health"
        ).returncode
        == 0
    )
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.write(HEADER.encode("cp874"))
        for start in range(1, 1_500_001, 100_000):
            out.write(("\n".join(good_rows(100_000, start)) + "\n").encode("cp874"))
    before = len(list((city / "lake").rglob("*.parquet")))
    process = subprocess.Popen(
        [NAKHON, "ingest", str(big), "--dataset", "cli-kill"],
        env=cli_env(city),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        state = None
        while time.monotonic() < deadline and process.poll() is None:
            state = _run_state(city)
            if state == "publishing":
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest finished before it could be killed"
        assert state == "publishing", f"the run never reached publishing (last: {state})"
        # wait for the new data files to appear: kill in the middle of writing them
        table_dir = city / "lake"
        while time.monotonic() < deadline and process.poll() is None:
            if len(list(table_dir.rglob("*.parquet"))) > before:
                break
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    listed = versions(city, "cli-kill")
    # Either the kill came before the lake's commit (the old version is current) or after it
    # (the new version is whole): never a half-written version.
    assert (listed[0]["number"], listed[0]["rows_total"]) in {(1, 10), (2, 1_500_000)}
    assert _run_state(city) in {"failed", "published"}  # the dead run is not left "publishing"
    # the killed process's files: unreferenced, removable, and the version still reads whole
    old = time.time() - 3 * 86400
    for path in (city / "lake").rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    vacuum = run(city, "vacuum", "--older-than-hours", "24")
    assert vacuum.returncode == 0, vacuum.stderr
    if listed[0]["number"] == 1:
        assert "deleted" in vacuum.stdout and not vacuum.stdout.startswith("0 orphan")
    count = run(
        city,
        "manage",
        "shell",
        "-c",
        "from nakhon.catalog.models import Dataset; from nakhon.lake import service; "
        "d = Dataset.objects.get(slug='cli-kill'); "
        "print(service.rows(actor=None, dataset=d, limit=1).total)",
    )
    assert count.stdout.strip().splitlines()[-1] == str(listed[0]["rows_total"]), count.stderr
