"""Assessment runs as tasks of the Django Tasks API: queued, worked by a worker, reaped when
their worker died (the ``database`` backend, as a deployment has; the other tax tests run
tasks at once)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nakhon.core.errors import InvalidInput
from nakhon.core.workers import TaskWorkers, worker_id
from nakhon.tax import assessments
from nakhon.tax.models import Assessment, AssessmentRun

pytestmark = pytest.mark.django_db
YEAR = 2568


def _start(demo: Any) -> AssessmentRun:
    return assessments.run_start(
        actor=demo.user("kk-tax"), municipality=demo.kk, kind="signboard", tax_year=YEAR
    )


def test_a_run_waits_for_the_worker_and_its_year_is_busy_meanwhile(
    demo: Any, task_queue: None
) -> None:
    run = _start(demo)
    assert (run.state, run.progress) == ("queued", 0) and run.task_id
    task = DBTaskResult.objects.get(pk=run.task_id)
    assert task.status == "READY" and task.task_path == "nakhon.tax.tasks.assessment_run"
    with pytest.raises(InvalidInput):  # one run of a tax and year at a time
        _start(demo)
    assert assessments.runs_reap(demo.kk) == 0
    TaskWorkers.drain()
    run.refresh_from_db()
    assert (run.state, run.progress) == ("done", 100) and run.worker == worker_id()
    assert Assessment.objects.filter(run=run).count() == run.assessment_count > 0
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == {"run": run.pk, "state": "done"}


def test_a_run_whose_worker_died_is_failed_and_frees_its_year(demo: Any, task_queue: None) -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    dead = f"{worker_id().rsplit(':', 1)[0]}:{process.pid}"
    run = _start(demo)
    DBTaskResult.objects.filter(pk=run.task_id).update(
        status="RUNNING", worker_ids=[f"{dead}/t1"], started_at=timezone.now()
    )
    AssessmentRun.objects.filter(pk=run.pk).update(
        state="running", worker=dead, started_at=timezone.now(), progress=40
    )
    assert assessments.runs_reap(demo.kk) == 1
    run.refresh_from_db()
    assert run.state == "failed" and "nothing was saved" in run.error
    assert not Assessment.objects.filter(run=run).exists()
    assert DBTaskResult.objects.get(pk=run.task_id).status == "FAILED"
    again = _start(demo)  # the year is free again
    TaskWorkers.drain()
    again.refresh_from_db()
    assert again.state == "done"


def test_the_run_pages_show_a_queued_run(demo: Any, client_as: Any, task_queue: None) -> None:
    client = client_as("kk-tax")
    response = client.post("/khon-kaen/tax/runs/", {"kind": "signboard", "year": YEAR})
    assert response.status_code == 302
    run = AssessmentRun.objects.get()
    assert run.state == "queued"
    partial = client.get(f"/khon-kaen/tax/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert 'id="run-state"' in partial.content.decode() and "hx-trigger" in partial.content.decode()
    TaskWorkers.drain()
    partial = client.get(f"/khon-kaen/tax/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.content.decode()  # done: the page stops polling
