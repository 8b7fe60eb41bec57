"""Datasets pulled from a URL, on demand or on a schedule (``source_url`` + ``pull_every_hours``).

The scheduler (a thread of ``nakhon serve`` or ``nakhon worker --scheduler``, or ``nakhon
scheduler``) calls ``schedule()`` every minute: it queues a ``pull_run`` task (and its
``IngestRun``) for each dataset that is due and sends overdue notices. ``nakhon pull --due``
runs ``tick()``: the same round, with the pulls done at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import threading
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.text import get_valid_filename

from nakhon.catalog.models import Dataset, IngestRun
from nakhon.core.audit import origin
from nakhon.core.models import AuditEvent
from nakhon.ingestion.errors import IngestError

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 2 * 1024**3
_CONTENT_TYPES = {
    "text/csv": ".csv",
    "application/json": ".json",
    "application/geo+json": ".geojson",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "application/zip": ".zip",
    "application/vnd.apache.parquet": ".parquet",
}


def fetch(
    url: str, dest: Path, *, max_bytes: int = MAX_DOWNLOAD_BYTES, timeout: float = 60
) -> Path:
    """Download ``url`` into the folder ``dest`` (streamed, size-capped) and return the file."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise IngestError(
            "url-scheme",
            f"Only http(s) URLs can be pulled, not {url!r}.",
            f"ดึงข้อมูลได้จาก URL แบบ http(s) เท่านั้น ไม่ใช่ {url!r}",
        )
    request = urllib.request.Request(url, headers={"User-Agent": "nakhon"})  # noqa: S310
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only
    except OSError as exc:
        raise IngestError(
            "url-unreachable", f"Could not download {url}: {exc}", f"ดาวน์โหลด {url} ไม่ได้: {exc}"
        ) from None
    with response:
        if response.status >= 400:
            raise IngestError(
                "url-status",
                f"{url} answered HTTP {response.status}.",
                f"{url} ตอบกลับด้วยรหัส HTTP {response.status}",
            )
        name = _filename(url, response.headers)
        dest.mkdir(parents=True, exist_ok=True)
        path = dest / name
        size = 0
        with path.open("wb") as out:
            while chunk := response.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    out.close()
                    path.unlink(missing_ok=True)
                    raise IngestError(
                        "file-too-large",
                        f"{url} is larger than {max_bytes // 1024**2:,} MB.",
                        f"ไฟล์จาก {url} ใหญ่เกิน {max_bytes // 1024**2:,} MB",
                    )
                out.write(chunk)
    return path


def _filename(url: str, headers: Any) -> str:
    disposition = headers.get("Content-Disposition", "")
    name = ""
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        name = message.get_filename() or ""
    if not name:
        name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
    name = get_valid_filename(name) or "download"
    if not Path(name).suffix:
        ctype = headers.get("Content-Type", "").split(";")[0].strip().lower()
        name += _CONTENT_TYPES.get(ctype) or mimetypes.guess_extension(ctype) or ".csv"
    return name


def pull(dataset: Dataset, *, actor: Any = None, run: IngestRun | None = None) -> Any:
    """Download the dataset's ``source_url`` and ingest it (publish when valid). A download
    that fails is recorded on the run, as a bad file is."""
    from nakhon.ingestion.pipeline import ingest, run_create, run_fail

    actor = actor or dataset.steward
    if run is None:
        run = run_create(
            actor=actor,
            municipality=dataset.municipality,
            dataset=dataset,
            source_name=dataset.source_url,
            publish=True,
        )
    folder = settings.NAKHON_UPLOAD_DIR / dataset.municipality.slug / uuid.uuid4().hex
    try:
        path = fetch(dataset.source_url, folder)
        return ingest(
            actor=actor,
            municipality=dataset.municipality,
            dataset_slug=dataset.slug,
            path=path,
            source_name=dataset.source_url,
            publish=True,
            run=run,
        )
    except Exception as exc:  # ingest() records its own outcome; this records the rest
        from nakhon.ingestion.tasks import error_fields

        run_fail(run, **error_fields(exc))
        raise


def due_for_pull(now: dt.datetime | None = None) -> list[Dataset]:
    """Datasets with a source URL whose ``pull_every_hours`` have passed since their last pull,
    and no pull of theirs still queued or at work (without a running worker, pulls would
    otherwise pile up one per interval)."""
    now = now or timezone.now()
    result = []
    for dataset in Dataset.objects.exclude(source_url="").filter(pull_every_hours__gt=0):
        pulls = IngestRun.objects.filter(dataset=dataset, source_name=dataset.source_url)
        if pulls.exclude(state__in=IngestRun.FINAL).exists():
            continue
        last = pulls.order_by("-created_at").values_list("created_at", flat=True).first()
        hours = dataset.pull_every_hours or 0
        if last is None or now - last >= dt.timedelta(hours=hours):
            result.append(dataset)
    return result


def _pullable(now: dt.datetime | None) -> Iterator[Dataset]:
    """The datasets due for a pull that have a steward (who the pull acts for)."""
    for dataset in due_for_pull(now):
        if dataset.steward is None:
            logger.warning("dataset %s has a source URL but no steward; not pulled", dataset.slug)
            continue
        yield dataset


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """One round of the scheduler done at once (``nakhon pull --due``): pull the due URL
    datasets, notify overdue datasets."""
    from nakhon.catalog.services import notify_overdue

    pulled = failed = 0
    with origin(via=AuditEvent.Via.SYSTEM):
        for dataset in _pullable(now):
            try:
                pull(dataset)
                pulled += 1
            except Exception as exc:  # recorded on the run; the scheduler goes on
                failed += 1
                logger.warning("pull of %s failed: %s", dataset.slug, exc)
        notified = len(notify_overdue(now=now))
    return {"pulled": pulled, "failed": failed, "notified": notified}


def pull_queue(dataset: Dataset) -> IngestRun:
    """Queue a pull of ``dataset`` as a background task; its run (``queued``) at once."""
    from nakhon.core.workers import origin_ref
    from nakhon.ingestion.pipeline import run_create
    from nakhon.ingestion.tasks import pull_run

    run = run_create(
        actor=dataset.steward,
        municipality=dataset.municipality,
        dataset=dataset,
        source_name=dataset.source_url,
        publish=True,
    )
    result = pull_run.enqueue(run.pk, origin=origin_ref())
    IngestRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def schedule(now: dt.datetime | None = None) -> dict[str, int]:
    """One round of the scheduler: queue the pulls that are due, notify overdue datasets,
    prune the queue rows of long-finished tasks (``NAKHON_TASK_RESULT_DAYS``) and the uploads
    no run needs any more (:func:`~nakhon.ingestion.pipeline.uploads_sweep`).

    A queued pull has its run at once, so the next round does not queue it again.
    """
    from nakhon.catalog.services import notify_overdue
    from nakhon.core.workers import tasks_prune
    from nakhon.ingestion.pipeline import uploads_sweep

    queued = 0
    with origin(via=AuditEvent.Via.SYSTEM):
        for dataset in _pullable(now):
            pull_queue(dataset)
            queued += 1
        notified = len(notify_overdue(now=now))
    pruned = tasks_prune(now=now)
    uploads_sweep(now=now)
    return {"queued": queued, "notified": notified, "pruned": pruned}


class SchedulerThread(threading.Thread):
    """Run :func:`schedule` every ``interval`` seconds until ``stop()`` (single-machine setups:
    in ``nakhon serve`` or ``nakhon worker --scheduler``)."""

    def __init__(self, interval: float = 60) -> None:
        super().__init__(name="nakhon-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            close_old_connections()
            try:
                schedule()
            except Exception:
                logger.exception("scheduler round failed")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()


def start_scheduler_thread(interval_seconds: float = 60) -> SchedulerThread:
    """Start a :class:`SchedulerThread`."""
    thread = SchedulerThread(interval_seconds)
    thread.start()
    return thread
