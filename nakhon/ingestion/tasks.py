"""Background tasks of ingestion (the Django Tasks API; ARCHITECTURE.md decision 6).

``ingest_run`` ingests a stored upload, ``pull_run`` downloads a dataset's source URL and
ingests it. Each works on an ``IngestRun`` created (``queued``) when the task was queued: the
run holds the state, the progress and the report, which the pages and the API poll; the task's
own result says only which run it worked on and how it ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django_tasks import task

from nakhon.catalog.models import Dataset, IngestRun
from nakhon.core.errors import NakhonError, NotFound
from nakhon.core.workers import actor_from, origin_of
from nakhon.ingestion.errors import IngestError

logger = logging.getLogger(__name__)


def error_fields(exc: BaseException) -> dict[str, str]:
    """The ``code`` and ``message`` a run records for ``exc``."""
    if isinstance(exc, IngestError):
        return {"code": exc.code, "message": f"{exc.message_en}\n{exc.message_th}"}
    if isinstance(exc, NakhonError):
        return {"code": exc.code, "message": exc.message}
    return {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}


def _work(
    run_id: int, origin: dict[str, Any], job: Callable[[IngestRun, Dataset], object]
) -> dict[str, Any]:
    """Do ``job`` for the run ``run_id`` if it still waits for this task (it may have been
    reaped or deleted meanwhile). An error the run did not record yet (one raised before the
    work started, such as a permission taken away meanwhile) is recorded on it. Domain errors
    end the task normally (the run says what went wrong); others fail it too, with their
    traceback."""
    from nakhon.ingestion.pipeline import run_fail

    run = IngestRun.objects.select_related("municipality", "dataset").filter(pk=run_id).first()
    if run is None or run.state != IngestRun.State.QUEUED:
        logger.info("ingest run %s is not waiting any more; nothing to do", run_id)
        return {"run": run_id, "state": "skipped"}
    with origin_of(origin):
        try:
            if run.dataset is None:
                raise NotFound("The run's dataset no longer exists.")
            job(run, run.dataset)
        except (NakhonError, IngestError) as exc:
            run_fail(run, **error_fields(exc))
        except Exception as exc:
            run_fail(run, **error_fields(exc))
            raise
    run.refresh_from_db(fields=["state", "error_code", "stored_file"])
    if run.stored_file:
        from nakhon.ingestion.pipeline import uploads_sweep

        uploads_sweep(stored_file=run.stored_file)  # published or failed: the upload goes
    return {"run": run.pk, "state": run.state, "error": run.error_code}


@task()
def ingest_run(
    run_id: int,
    *,
    actor: dict[str, Any],
    origin: dict[str, Any],
    sheet: str | int | None = None,
) -> dict[str, Any]:
    """Ingest the stored upload of the queued run ``run_id`` (validate; publish when the run
    asks for it and the dataset's policy allows)."""
    from nakhon.ingestion.pipeline import ingest

    def job(run: IngestRun, dataset: Dataset) -> object:
        return ingest(
            actor=actor_from(actor),
            municipality=run.municipality,
            dataset_slug=dataset.slug,
            path=Path(run.stored_file),
            source_name=run.source_name,
            publish=run.publish,
            sheet=sheet,
            run=run,
        )

    return _work(run_id, origin, job)


@task()
def pull_run(run_id: int, *, origin: dict[str, Any]) -> dict[str, Any]:
    """Download the source URL of the queued run's dataset and ingest it (``pull``)."""
    from nakhon.ingestion.pull import pull

    return _work(run_id, origin, lambda run, dataset: pull(dataset, run=run))
