"""Background tasks as a person runs them: `nakhon worker`, the worker inside `nakhon serve`,
a worker killed in the middle of a publish, and a graceful stop.

Real processes on a fresh data directory (SQLite + the lake's own SQLite catalog). Runs are
queued the way the upload page queues them (``pipeline.ingest_in_background``), through
`nakhon manage shell`.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import NAKHON, cli_env, run, start

HEADER = "รหัส,ชื่อตลาด,วันที่สำรวจ,จำนวนแผง\n"


def _rows(n: int, start: int = 1) -> str:
    return "".join(f"M{i:07d},ตลาด{i},3 มี.ค. 2560,{i % 500}\n" for i in range(start, start + n))


def _csv(path: Path, n: int) -> Path:
    with path.open("wb") as out:
        out.write(HEADER.encode("cp874"))
        for first in range(1, n + 1, 100_000):
            out.write(_rows(min(100_000, n + 1 - first), first).encode("cp874"))
    return path


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("worker")
    result = run(data, "demo", timeout=300)
    assert result.returncode == 0, result.stderr
    return data


def _queue(data: Path, slug: str, path: Path) -> int:
    """Queue an upload of ``path`` into ``slug`` as kk-steward; the run's id."""
    code = (
        "from pathlib import Path; from nakhon.accounts.models import User; "
        "from nakhon.catalog.models import Dataset; from nakhon.ingestion import pipeline; "
        f"d = Dataset.objects.get(slug={slug!r}, municipality__slug='khon-kaen'); "
        "r = pipeline.ingest_in_background(actor=User.objects.get(username='kk-steward'), "
        f"municipality=d.municipality, dataset=d, path=Path({str(path)!r}), "
        f"source_name={path.name!r}, publish=True); print('RUN', r.pk, r.state)"
    )
    result = run(data, "manage", "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("RUN "))
    assert line.endswith(" queued"), line  # the request does not wait for the work
    return int(line.split()[1])


def _query(data: Path, sql: str, *args: Any) -> tuple[Any, ...] | None:
    db = sqlite3.connect(data / "nakhon.sqlite3", timeout=5)
    try:
        row: tuple[Any, ...] | None = db.execute(sql, args).fetchone()
        return row
    except sqlite3.OperationalError:  # locked for a moment: ask again
        return None
    finally:
        db.close()


def _run(data: Path, run_id: int) -> tuple[Any, ...]:
    """(state, error_code, task_id) of the run, and the status of its task."""
    while True:
        row = _query(
            data,
            "SELECT r.state, r.error_code, r.task_id, t.status FROM catalog_ingestrun r "
            "LEFT JOIN django_tasks_database_dbtaskresult t "
            "ON t.id = replace(r.task_id, '-', '') WHERE r.id = ?",
            run_id,
        )
        if row is not None:
            return row
        time.sleep(0.05)


def _wait_final(data: Path, run_id: int, timeout: float = 120) -> tuple[Any, ...]:
    """The run once it and its task have ended (the task ends a moment after its run: it
    tidies the upload and returns its result)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _run(data, run_id)
        if row[0] in {"published", "validated", "rejected", "failed"} and row[3] not in {
            "READY",
            "RUNNING",
        }:
            return row
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish: {_run(data, run_id)}")


def _versions(data: Path, slug: str) -> list[dict[str, Any]]:
    result = run(data, "versions", slug, "--json")
    assert result.returncode == 0, result.stderr
    listed: list[dict[str, Any]] = json.loads(result.stdout)
    return listed


def _seed(data: Path, slug: str, tmp_path: Path) -> None:
    small = _csv(tmp_path / f"{slug}-seed.csv", 10)
    seeded = run(data, "ingest", str(small), "--dataset", slug, "--department", "health")
    assert seeded.returncode == 0, seeded.stderr


def test_a_killed_worker_leaves_the_version_and_its_run_is_failed(
    city: Path, tmp_path: Path
) -> None:
    """SIGKILL `nakhon worker` while it publishes a big replace: the old version stays
    current, the run and its task are marked failed, and the next worker goes on."""
    _seed(city, "w-kill", tmp_path)
    big = _csv(tmp_path / "big.csv", 1_500_000)
    before = len(list((city / "lake").rglob("*.parquet")))
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [NAKHON, "worker", "--threads", "1", "--no-migrate"],
        env=cli_env(city),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        run_id = _queue(city, "w-kill", big)
        deadline = time.monotonic() + 120
        state = None
        while time.monotonic() < deadline and worker.poll() is None:
            state = _run(city, run_id)[0]
            if state in {"publishing", "published", "failed", "rejected"}:
                break
            time.sleep(0.05)
        assert state == "publishing", f"the run never reached publishing (last: {state})"
        while time.monotonic() < deadline and worker.poll() is None:
            if len(list((city / "lake").rglob("*.parquet"))) > before:
                break  # kill in the middle of writing the new data files
            time.sleep(0.02)
        assert worker.poll() is None, "the worker stopped before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    assert _run(city, run_id)[3] == "RUNNING"  # nobody told the queue
    listed = _versions(city, "w-kill")  # (also reaps runs whose process died)
    # before the lake's commit: the old version; after it: the new one, whole
    assert (listed[0]["number"], listed[0]["rows_total"]) in {(1, 10), (2, 1_500_000)}
    state, error, _task, task_status = _run(city, run_id)
    if listed[0]["number"] == 1:
        assert (state, error, task_status) == ("failed", "interrupted", "FAILED")
    else:  # killed after the commit: `versions` found the snapshot and mirrored it
        assert state == "published"

    # the queue goes on with the next worker, which stops gracefully on SIGTERM
    again = _queue(city, "w-kill", _csv(tmp_path / "again.csv", 20))
    second = subprocess.Popen(
        [NAKHON, "worker", "--no-migrate"],
        env=cli_env(city),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_final(city, again)[::3] == ("published", "SUCCESSFUL")
        second.send_signal(signal.SIGTERM)
        out, _err = second.communicate(timeout=20)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0 and "Worker stopped." in out, out
    assert _versions(city, "w-kill")[0]["rows_total"] == 20


def test_serve_runs_the_tasks_itself_unless_told_not_to(city: Path, tmp_path: Path) -> None:
    """The first run is one command: `nakhon serve` works on queued runs in its own process.
    With NAKHON_WORKER=false runs wait for `nakhon worker` (here `--batch`)."""
    _seed(city, "w-serve", tmp_path)
    server = start(city, "serve", "--no-migrate")
    try:
        run_id = _queue(city, "w-serve", _csv(tmp_path / "a.csv", 30))
        assert _wait_final(city, run_id, timeout=60)[::3] == ("published", "SUCCESSFUL")
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=20)
    assert server.process.returncode == 0, server.output  # a graceful stop
    assert "Task worker: 2 thread(s)" in server.output

    server = start(city, "serve", "--no-migrate", NAKHON_WORKER="false", NAKHON_SCHEDULER="0")
    try:
        run_id = _queue(city, "w-serve", _csv(tmp_path / "b.csv", 40))
        time.sleep(3)
        assert _run(city, run_id)[0] == "queued"
        assert "Task worker" not in server.output
        batch = run(city, "worker", "--batch", "--no-migrate")
        assert batch.returncode == 0 and "No task left" in batch.stdout, batch.stderr
        assert _run(city, run_id)[::3] == ("published", "SUCCESSFUL")
    finally:
        server.stop()
    assert _versions(city, "w-serve")[0]["rows_total"] == 40


def test_worker_refuses_the_immediate_backend(tmp_path: Path) -> None:
    result = run(tmp_path, "worker", NAKHON_TASKS_BACKEND="immediate")
    assert result.returncode == 2 and "NAKHON_TASKS_BACKEND=immediate" in result.stderr
