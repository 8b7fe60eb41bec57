"""Ingest runs and scheduled pulls as tasks of the Django Tasks API, and the reaper.

The test settings run tasks at once (``immediate``); the tests marked with the ``task_queue``
fixture use the ``database`` backend as a deployment does: the task waits in the queue table
until a worker (here ``TaskWorkers.drain()``, the worker loop in the test's own thread) runs it.
"""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nakhon.catalog.models import Dataset, IngestRun
from nakhon.core.audit import origin
from nakhon.core.models import AuditEvent
from nakhon.core.workers import TaskWorkers, worker_id
from nakhon.ingestion import pipeline

pytestmark = pytest.mark.django_db

HEADER = "รหัส,ชื่อ,วันที่สำรวจ,จำนวน\n"


@pytest.fixture
def survey(demo: Any, fresh_lake: Path, tmp_path: Path) -> Dataset:
    """A published dataset (version 1) the tests upload to."""
    pipeline.ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug="survey",
        path=_csv(tmp_path, "seed.csv", 1),
        create={"title_th": "แบบสำรวจ", "department": "strategy"},
    )
    return Dataset.objects.get(slug="survey", municipality=demo.kk)


def _csv(folder: Path, name: str, rows: int) -> Path:
    path = folder / name
    lines = "".join(f"{i},ก{i},1 มี.ค. 2566,{i}\n" for i in range(1, rows + 1))
    path.write_bytes((HEADER + lines).encode("cp874"))
    return path


def _upload(demo: Any, dataset: Dataset, path: Path, *, actor: str = "kk-steward") -> IngestRun:
    with origin(via=AuditEvent.Via.WEB, ip="192.0.2.7"):
        return pipeline.ingest_in_background(
            actor=demo.user(actor),
            municipality=demo.kk,
            dataset=dataset,
            path=path,
            source_name=path.name,
            publish=True,
        )


def _dead_worker() -> str:
    """``host:pid`` of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{worker_id().rsplit(':', 1)[0]}:{process.pid}"


def test_an_upload_is_a_task_that_works_on_its_run(
    demo: Any, survey: Dataset, tmp_path: Path
) -> None:
    run = _upload(demo, survey, _csv(tmp_path, "b.csv", 3))
    assert run.state == "published" and run.progress == 100 and run.task_id
    assert survey.versions.count() == 2
    # audited as coming from the request that asked for it, not from "the system"
    event = AuditEvent.objects.get(action="ingest.published", changes__run=run.pk)
    assert event.via == "web" and event.ip == "192.0.2.7"


def test_the_run_waits_in_the_queue_until_a_worker_takes_it(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    run = _upload(demo, survey, _csv(tmp_path, "b.csv", 3))
    assert run.state == "queued" and run.progress == 0
    task = DBTaskResult.objects.get(pk=run.task_id)
    assert task.status == "READY" and task.task_path == "nakhon.ingestion.tasks.ingest_run"
    assert pipeline.runs_reap(demo.kk) == 0  # waiting is not dying
    TaskWorkers.drain()
    run.refresh_from_db()
    assert run.state == "published" and run.worker == worker_id()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"run": run.pk, "state": "published", "error": ""}
    assert survey.versions.count() == 2


def test_a_bad_file_ends_the_task_normally_with_the_reason_on_the_run(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + "x,ก,ไม่ใช่วันที่,ห้า\n").encode("cp874"))
    run = _upload(demo, survey, bad)
    TaskWorkers.drain()
    run.refresh_from_db()
    assert run.state == "rejected" and survey.versions.count() == 1
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL"


def test_a_permission_lost_before_the_work_starts_fails_the_run(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    """The task acts as the person who asked; if they may no longer, the run says so (it is
    not left "queued" for ever)."""
    from nakhon.ingestion.tasks import ingest_run

    run = _upload(demo, survey, _csv(tmp_path, "b.csv", 3))
    viewer = demo.user("kk-viewer")
    outcome = ingest_run.call(run.pk, actor={"user": viewer.pk, "token": None}, origin={})
    run.refresh_from_db()
    assert outcome["state"] == "failed" and run.error_code == "permission-denied"
    assert survey.versions.count() == 1
    TaskWorkers.drain()  # the queued task finds its run ended and does nothing
    skipped = DBTaskResult.objects.get(pk=run.task_id).return_value
    assert skipped == {"run": run.pk, "state": "skipped"}


def test_a_token_revoked_after_queueing_cannot_do_the_work(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    from nakhon.accounts.models import ApiToken
    from nakhon.core.workers import actor_from

    steward = demo.user("kk-steward")
    token = ApiToken.objects.create(
        municipality=demo.kk,
        user=steward,
        name="t",
        scopes=["read", "write"],
        prefix="nkt_rev",
        digest="x" * 64,
    )
    ref = {"user": steward.pk, "token": token.pk}
    assert actor_from(ref) is not None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert actor_from(ref) is None  # the public: the task fails the run as not allowed
    ApiToken.objects.filter(pk=token.pk).update(
        revoked_at=None, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert actor_from(ref) is None
    type(steward).objects.filter(pk=steward.pk).update(is_active=False)
    assert actor_from({"user": steward.pk, "token": None}) is None


def test_a_run_that_never_got_its_task_is_given_up_after_a_grace(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    # queueing failed after the run was created (e.g. a locked database): no task_id
    run = pipeline.run_create(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset=survey,
        source_name="a.csv",
        publish=True,
    )
    assert pipeline.runs_reap(demo.kk) == 0  # just created: it may still get its task
    IngestRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    assert pipeline.runs_reap(demo.kk) == 1
    run.refresh_from_db()
    assert (run.state, run.error_code) == ("failed", "interrupted")


def test_the_reaper_fails_runs_whose_worker_died(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None
) -> None:
    dead = _dead_worker()
    # a task claimed by a worker that was killed before it touched the run
    claimed = _upload(demo, survey, _csv(tmp_path, "a.csv", 2))
    DBTaskResult.objects.filter(pk=claimed.task_id).update(
        status="RUNNING", worker_ids=[f"{dead}/t1"], started_at=timezone.now()
    )
    # a run at work in a worker that was killed, and one whose worker lives (this process)
    working = _upload(demo, survey, _csv(tmp_path, "b.csv", 2))
    DBTaskResult.objects.filter(pk=working.task_id).update(
        status="RUNNING", worker_ids=[f"{dead}/t2"], started_at=timezone.now()
    )
    IngestRun.objects.filter(pk=working.pk).update(
        state="validating", worker=dead, started_at=timezone.now()
    )
    alive = _upload(demo, survey, _csv(tmp_path, "c.csv", 2))
    IngestRun.objects.filter(pk=alive.pk).update(
        state="validating", worker=worker_id(), started_at=timezone.now()
    )
    assert pipeline.runs_reap(demo.kk) == 2
    for run in (claimed, working):
        run.refresh_from_db()
        assert (run.state, run.error_code) == ("failed", "interrupted")
        assert "nothing was published" in run.error_message
        task = DBTaskResult.objects.get(pk=run.task_id)
        assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerDied")
    alive.refresh_from_db()
    assert alive.state == "validating"
    assert survey.versions.count() == 1
    assert AuditEvent.objects.filter(action="ingest.failed", changes__error="interrupted").count()


def test_the_run_page_and_api_show_a_dead_workers_run_as_failed(
    demo: Any, survey: Dataset, tmp_path: Path, task_queue: None, client: Any
) -> None:
    run = _upload(demo, survey, _csv(tmp_path, "a.csv", 2))
    IngestRun.objects.filter(pk=run.pk).update(
        state="validating", worker=_dead_worker(), started_at=timezone.now()
    )
    client.force_login(demo.user("kk-steward"))
    page = client.get(f"/khon-kaen/desk/runs/{run.pk}/?format=json").json()
    assert (page["state"], page["error_code"], page["final"]) == ("failed", "interrupted", True)

    other = _upload(demo, survey, _csv(tmp_path, "b.csv", 2))
    IngestRun.objects.filter(pk=other.pk).update(
        state="publishing", worker=_dead_worker(), started_at=timezone.now()
    )
    api = client.get(f"/api/v1/municipalities/khon-kaen/runs/{other.pk}").json()
    assert api["state"] == "failed"
    assert survey.versions.count() == 1


def _stored(demo: Any, name: str, rows: int) -> Path:
    """A steward's upload kept as the upload page keeps it."""
    body = (HEADER + "".join(f"{i},ก{i},1 มี.ค. 2566,{i}\n" for i in range(1, rows + 1))).encode(
        "cp874"
    )
    return pipeline.upload_store(municipality=demo.kk, name=name, chunks=[body])


def test_an_upload_is_deleted_once_no_run_needs_it(demo: Any, survey: Dataset) -> None:
    # published: the file goes at once (it may hold personal data)
    published = _upload(demo, survey, _stored(demo, "a.csv", 2))
    assert published.state == "published"
    published.refresh_from_db()
    assert published.stored_file == ""
    # rejected (a bad date): gone too
    bad = pipeline.upload_store(
        municipality=demo.kk,
        name="bad.csv",
        chunks=[(HEADER + "1,ก,31 ก.พ. 2566,1\n").encode("cp874")],
    )
    rejected = _upload(demo, survey, bad)
    rejected.refresh_from_db()
    assert rejected.state == "rejected" and rejected.stored_file == "" and not bad.exists()
    # validated only: kept for its Publish button, then swept after NAKHON_UPLOAD_KEEP_DAYS
    path = _stored(demo, "c.csv", 3)
    with origin(via=AuditEvent.Via.WEB):
        checked = pipeline.ingest_in_background(
            actor=demo.user("kk-steward"),
            municipality=demo.kk,
            dataset=survey,
            path=path,
            source_name=path.name,
            publish=False,
        )
    assert checked.state == "validated" and path.exists()
    days = settings.NAKHON_UPLOAD_KEEP_DAYS
    assert pipeline.uploads_sweep(now=timezone.now() + dt.timedelta(days=days - 1)) == 0
    assert path.exists()
    assert pipeline.uploads_sweep(now=timezone.now() + dt.timedelta(days=days, hours=1)) == 1
    checked.refresh_from_db()
    assert not path.exists() and not path.parent.exists() and checked.stored_file == ""


def test_publishing_a_validated_upload_deletes_it(demo: Any, survey: Dataset) -> None:
    path = _stored(demo, "c.csv", 3)
    with origin(via=AuditEvent.Via.WEB):
        checked = pipeline.ingest_in_background(
            actor=demo.user("kk-steward"),
            municipality=demo.kk,
            dataset=survey,
            path=path,
            source_name=path.name,
            publish=False,
        )
    assert path.exists()
    run = pipeline.run_publish(actor=demo.user("kk-admin"), municipality=demo.kk, run=checked)
    assert run.state == "published" and not path.exists()
    checked.refresh_from_db()
    assert checked.stored_file == ""  # its Publish button is gone with the file


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A web server with a CSV file to pull: (its folder, its URL)."""
    www = tmp_path / "www"
    www.mkdir()
    _csv(www, "survey.csv", 4)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(www), **k
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield www, f"http://127.0.0.1:{httpd.server_port}/survey.csv"
    finally:
        httpd.shutdown()


def test_the_scheduler_queues_due_pulls_once(
    demo: Any, survey: Dataset, source: tuple[Path, str], task_queue: None
) -> None:
    from nakhon.ingestion.pull import due_for_pull, schedule

    _www, url = source
    Dataset.objects.filter(pk=survey.pk).update(source_url=url, pull_every_hours=24)
    assert schedule()["queued"] == 1
    run = IngestRun.objects.get(source_name=url)
    assert run.state == "queued" and run.task_id
    assert schedule()["queued"] == 0  # the queued pull is not queued again
    # nor after its interval while it still waits for a worker (no pile-up)
    assert schedule(now=timezone.now() + dt.timedelta(hours=25))["queued"] == 0
    TaskWorkers.drain()
    run.refresh_from_db()
    assert run.state == "published" and survey.versions.count() == 2
    assert DBTaskResult.objects.get(pk=run.task_id).status == "SUCCESSFUL"
    # a finished task's queue row goes after NAKHON_TASK_RESULT_DAYS; the run stays
    later = timezone.now() + dt.timedelta(days=settings.NAKHON_TASK_RESULT_DAYS)
    assert schedule(now=later - dt.timedelta(hours=1))["pruned"] == 0
    assert schedule(now=later + dt.timedelta(hours=1))["pruned"] == 1
    assert not DBTaskResult.objects.filter(pk=run.task_id).exists()
    run.refresh_from_db()
    assert run.state == "published"
    # a day later the source is gone: the failed download is recorded on its run, and the
    # dataset is not pulled again before its interval
    later = timezone.now() + timezone.timedelta(hours=25)
    Dataset.objects.filter(pk=survey.pk).update(source_url=url + ".missing")
    assert schedule(now=later)["queued"] == 1
    TaskWorkers.drain()
    failed = IngestRun.objects.get(source_name=url + ".missing")
    assert failed.state == "failed" and failed.error_code in {"url-status", "url-unreachable"}
    IngestRun.objects.filter(pk=run.pk).update(created_at=later - timezone.timedelta(days=3))
    assert survey not in due_for_pull()  # the failed pull counts: not retried every minute
    assert survey.versions.count() == 2


def test_pull_now_records_a_failed_download(
    demo: Any, survey: Dataset, source: tuple[Path, str]
) -> None:
    """``nakhon pull`` (at once): a download that fails has its run, as a bad file has."""
    from nakhon.ingestion.errors import IngestError
    from nakhon.ingestion.pull import pull

    _www, url = source
    Dataset.objects.filter(pk=survey.pk).update(source_url=url + ".missing")
    survey.refresh_from_db()
    with pytest.raises(IngestError):
        pull(survey)
    run = IngestRun.objects.get(source_name=url + ".missing")
    assert run.state == "failed" and run.error_code in {"url-status", "url-unreachable"}
