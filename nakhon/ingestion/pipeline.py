"""The ingest pipeline: read → normalise and validate → report → publish a lake version.

One function, ``ingest``, serves the CLI (``nakhon ingest`` / ``nakhon validate``), the steward's
upload page and scheduled pulls. It records an ``IngestRun`` (state, progress, report) and, when
the policy allows, publishes one atomic Iceberg snapshot through ``nakhon.lake``; whatever
happens (bad file, invalid rows, a crash, a killed process), the published version stays exactly
as it was unless the lake commit itself succeeded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog import services as catalog_services
from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NakhonError, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.core.workers import (
    actor_ref,
    origin_ref,
    task_abandon,
    task_lost,
    uses_worker,
    worker_alive,
    worker_id,
)
from nakhon.ingestion.errors import IngestError
from nakhon.lake import duck
from nakhon.lake.model import LakeError
from nakhon.lake.service import lake, table_ref_for

logger = logging.getLogger(__name__)

Progress = Callable[[str, float], None]  # (stage, fraction 0..1)


@dataclass
class IngestResult:
    run: IngestRun
    dataset: Dataset | None
    report: Any  # nakhon.ingestion.report.Report
    version: DatasetVersion | None

    @property
    def published(self) -> bool:
        return self.version is not None


class IngestRejected(NakhonError):
    """Nothing was published: the file has errors and the policy needs every row valid."""

    status = 422
    code = "ingest-rejected"

    def __init__(self, message: str, *, run: IngestRun) -> None:
        super().__init__(message)
        self.run = run  # its summary holds the report


def _set(run: IngestRun, **fields: Any) -> None:
    """Update the run row at once (outside any surrounding transaction's fate)."""
    for key, value in fields.items():
        setattr(run, key, value)
    IngestRun.objects.filter(pk=run.pk).update(**fields)


def ingest(
    *,
    actor: Any,
    municipality: Municipality,
    dataset_slug: str,
    path: Path,
    source_name: str | None = None,
    publish: bool = True,
    create: dict[str, Any] | None = None,
    mode: str | None = None,
    policy: str | None = None,
    sheet: str | int | None = None,
    progress: Progress | None = None,
    run: IngestRun | None = None,
) -> IngestResult:
    """Ingest the file at ``path`` into the dataset ``dataset_slug``.

    ``create``: metadata for a new dataset (the schema is inferred from the whole file); without
    it the dataset must exist. ``publish=False`` validates only (``nakhon validate``).
    Raises ``IngestError`` (unreadable file), ``IngestRejected`` (invalid rows, policy
    valid-only), ``NotFound``/``PermissionDenied``; the run records the outcome in every case.
    """
    from nakhon.ingestion import pipeline_core
    from nakhon.ingestion.readers import open_source

    require(actor, "dataset.ingest" if publish else "dataset.validate", municipality)
    dataset = Dataset.objects.filter(municipality=municipality, slug=dataset_slug).first()
    if dataset is None and create is None:
        raise NotFound(
            _("No dataset %(slug)s in %(city)s.")
            % {"slug": dataset_slug, "city": municipality.slug}
        )
    if dataset is None:
        require(actor, "dataset.create", municipality)
    say = progress or (lambda _stage, _fraction: None)
    if run is None:
        run = run_create(
            actor=actor,
            municipality=municipality,
            dataset=dataset,
            source_name=source_name or path.name,
            publish=publish,
        )
    _set(run, state=IngestRun.State.READING, started_at=timezone.now(), worker=_worker())
    workdir = Path(tempfile.mkdtemp(prefix=f"run-{run.pk}-", dir=_tmp_root()))
    con = duck.connect(
        str(workdir / "work.duckdb"),
        memory_limit=settings.NAKHON_INGEST_MEMORY_LIMIT,  # spatial is loaded when needed
        temp_directory=workdir / "spill",
    )
    outcomes: list[Any] = []
    trackers: list[_Progress] = []
    try:
        say("reading", 0.0)
        source = open_source(path, sheet=sheet)
        _set(run, source_info=source.info.as_dict())
        total_bytes = max(path.stat().st_size, 1)
        schema_dict = dataset.table_schema if dataset and dataset.table_schema else None
        started = time.monotonic()
        _set(run, state=IngestRun.State.VALIDATING)
        tracker = _Progress(run, say, total_bytes, source)
        if uses_worker():  # the page polls the run while a worker reads (not in tests)
            tracker.start_writer()
        trackers.append(tracker)
        outcome = pipeline_core.run(
            con,
            tracker.wrap(source.batches()),
            schema=schema_dict,
            infer=schema_dict is None,
            context=area_context(municipality),
        )
        outcomes.append(outcome)
        tracker.stop()  # the reading is done: its progress must not overwrite what follows
        source.close()
        report = outcome.report
        logger.info(
            "run %s validated %s rows in %.2fs",
            run.pk,
            report.total_rows,
            time.monotonic() - started,
        )
        report_path = _save_report(run, report)
        _set(
            run,
            rows_read=report.total_rows,
            rows_valid=report.valid_rows,
            rows_error=report.error_rows,
            summary=json.loads(json.dumps(report.to_dict(), default=str)),
            report_file=str(report_path),
            progress=90,
        )
        if dataset is not None and not dataset.table_schema:
            Dataset.objects.filter(pk=dataset.pk).update(table_schema=outcome.schema.to_dict())
            dataset.table_schema = outcome.schema.to_dict()
        if dataset is None:
            dataset = catalog_services.dataset_create(
                actor=actor,
                municipality=municipality,
                slug=dataset_slug,
                data=create or {},
                table_schema=outcome.schema.to_dict(),
            )
            _set(run, dataset=dataset)
        use_policy = policy or dataset.policy
        use_mode = mode or dataset.mode
        _set(run, mode=use_mode, policy=use_policy)
        if report.blocking and (use_policy == Dataset.Policy.ALL_OR_NOTHING or not publish):
            state = IngestRun.State.REJECTED if publish else IngestRun.State.VALIDATED
            _finish(run, state)
            if publish:
                raise IngestRejected(
                    _("Nothing was published: %(n)s of %(total)s rows have errors.")
                    % {"n": report.error_rows, "total": report.total_rows},
                    run=run,
                )
            return IngestResult(run, dataset, report, None)
        if not publish:
            _finish(run, IngestRun.State.VALIDATED)
            return IngestResult(run, dataset, report, None)
        _set(run, state=IngestRun.State.PUBLISHING)
        say("publishing", 0.9)
        version = _publish(
            dataset,
            run,
            actor,
            outcome,
            mode=use_mode,
            only_valid=use_policy == Dataset.Policy.QUARANTINE,
        )
        _finish(run, IngestRun.State.PUBLISHED, snapshot_id=version.snapshot_id, progress=100)
        say("published", 1.0)
        return IngestResult(run, dataset, report, version)
    except IngestError as exc:
        _finish(
            run,
            IngestRun.State.FAILED,
            error_code=exc.code,
            error_message=f"{exc.message_en}\n{exc.message_th}",
        )
        raise
    except IngestRejected:
        raise
    except LakeError as exc:
        # e.g. another publish committed first, or a key the table cannot take: nothing was
        # published by this run, and the user is told why
        _finish(run, IngestRun.State.FAILED, error_code=exc.code, error_message=exc.message)
        raise InvalidInput(
            _("Nothing was published: %(reason)s") % {"reason": exc.message}, code=exc.code
        ) from exc
    except NakhonError as exc:
        _finish(run, IngestRun.State.FAILED, error_code=exc.code, error_message=exc.message)
        raise
    except Exception as exc:
        logger.exception("ingest run %s failed", run.pk)
        _finish(
            run,
            IngestRun.State.FAILED,
            error_code="internal",
            error_message=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    finally:
        for tracker in trackers:
            tracker.stop()
        for outcome in outcomes:
            try:
                outcome.close()
            except Exception:  # the connection closes next anyway
                logger.debug("closing the outcome of run %s failed", run.pk, exc_info=True)
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)


def area_context(municipality: Municipality) -> dict[str, str]:
    """Where area names in the city's files are resolved: its province and, when all its
    tambons lie in one district (amphoe), that district ("ในเมือง" exists in three districts
    of Khon Kaen province alone)."""
    codes = {t.code[:4] for t in municipality.tambons.all()}
    context = {"province_code": str(municipality.province_id)}
    if len(codes) == 1:
        context["amphoe_code"] = codes.pop()
    return context


def upload_suffixes() -> frozenset[str]:
    """What an uploaded file may be named: the extensions of every registered reader format
    (the built-in ones and those of plugins, ``register_readers``)."""
    from nakhon.ingestion.readers import upload_suffixes as registered

    return registered()


def upload_store(*, municipality: Municipality, name: str, chunks: Iterable[bytes]) -> Path:
    """Keep an uploaded file (streamed to disk) for its runs; a clear error for a file type
    Nakhon does not read."""
    safe = get_valid_filename(Path(name).name) or "upload"
    suffixes = upload_suffixes()
    if Path(safe).suffix.lower() not in suffixes:
        raise InvalidInput(
            errors={
                "file": _("Nakhon reads %(kinds)s files.") % {"kinds": ", ".join(sorted(suffixes))}
            }
        )
    folder = settings.NAKHON_UPLOAD_DIR / municipality.slug / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def uploads_sweep(*, now: dt.datetime | None = None, stored_file: str | None = None) -> int:
    """Delete uploaded files no run needs any more; their runs forget them (``stored_file``).

    An upload can hold personal data, so it is not kept for ever: a file stays while a run of
    it is queued or at work, and while a validated run of it may still be published (for
    ``NAKHON_UPLOAD_KEEP_DAYS`` after the run was created, until a run publishes it); once it
    is published, or its runs were rejected, failed or are older than that, it goes. Only files
    under ``NAKHON_UPLOAD_DIR`` are deleted. ``stored_file``: only that upload (a finished run
    tidies its own file at once); by default every one (the scheduler, each round). Returns
    how many files were deleted.
    """
    keep_after = (now or timezone.now()) - dt.timedelta(days=settings.NAKHON_UPLOAD_KEEP_DAYS)
    runs = IngestRun.objects.exclude(stored_file="")
    if stored_file is not None:
        runs = runs.filter(stored_file=stored_file)
    at_work: set[str] = set()
    published: set[str] = set()
    publishable: set[str] = set()
    for name, state, created_at in runs.values_list("stored_file", "state", "created_at"):
        if state not in IngestRun.FINAL:
            at_work.add(name)
        elif state == IngestRun.State.PUBLISHED:
            published.add(name)
        elif state == IngestRun.State.VALIDATED and created_at >= keep_after:
            publishable.add(name)
    needed = {
        name: name in at_work or (name in publishable and name not in published)
        for name in set(runs.values_list("stored_file", flat=True))
    }
    root = Path(settings.NAKHON_UPLOAD_DIR).resolve()
    deleted = 0
    for name, wanted in needed.items():
        if wanted:
            continue
        path = Path(name).resolve()
        if path.is_relative_to(root) and path != root:
            if path.is_file():
                path.unlink()
                deleted += 1
            folder = path.parent
            if folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
                folder.rmdir()  # the upload's own uuid folder
        IngestRun.objects.filter(stored_file=name).update(stored_file="")
    return deleted


def sheet_choice(text: str | None) -> str | int | None:
    """A sheet or layer as people give it: a name, or a 1-based number ("2" → index 1)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) - 1 if text.isdigit() and int(text) > 0 else text


def run_create(
    *,
    actor: Any,
    municipality: Municipality,
    dataset: Dataset | None,
    source_name: str,
    publish: bool,
    stored_file: Path | None = None,
) -> IngestRun:
    """A queued run (the web page shows it at once while the work goes on in the background)."""
    return IngestRun.objects.create(
        municipality=municipality,
        dataset=dataset,
        actor=user_of(actor),
        state=IngestRun.State.QUEUED,
        publish=publish,
        source_name=source_name[:500],
        stored_file=str(stored_file) if stored_file else "",
    )


def ingest_in_background(
    *,
    actor: Any,
    municipality: Municipality,
    dataset: Dataset,
    path: Path,
    source_name: str,
    publish: bool,
    sheet: str | int | None = None,
) -> IngestRun:
    """Queue the ingest of a stored upload as a background task and return its run at once
    (``queued``; the page polls it). The worker records the outcome and any error on the run.
    With the ``immediate`` task backend (tests) the run has finished when this returns."""
    from nakhon.ingestion.tasks import ingest_run

    require(actor, "dataset.ingest" if publish else "dataset.validate", municipality)
    run = run_create(
        actor=actor,
        municipality=municipality,
        dataset=dataset,
        source_name=source_name,
        publish=publish,
        stored_file=path,
    )
    result = ingest_run.enqueue(run.pk, actor=actor_ref(actor), origin=origin_ref(), sheet=sheet)
    IngestRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def run_fail(run: IngestRun, *, code: str, message: str) -> bool:
    """Mark ``run`` failed with ``code`` and ``message`` unless it already ended; whether it
    was marked (a task that stopped before ``ingest`` could record its own outcome)."""
    run.refresh_from_db(fields=["state"])
    if run.is_final:
        return False
    _finish(run, IngestRun.State.FAILED, error_code=code, error_message=message[:5000])
    return True


def run_publish(*, actor: Any, municipality: Municipality, run: IngestRun) -> IngestRun:
    """Publish the file a validation run checked, as a new run (the steward's *Publish*)."""
    from nakhon.catalog.selectors import run_publishable

    require(actor, "dataset.publish", municipality)
    if run.municipality_id != municipality.pk:
        raise NotFound(_("Not found."))
    if not run_publishable(actor=actor, municipality=municipality, run=run) or run.dataset is None:
        raise InvalidInput(
            _(
                "This upload cannot be published: it is not a validated upload whose rows the "
                "dataset's policy accepts."
            )
        )
    path = Path(run.stored_file)
    if not path.exists():
        raise NotFound(_("The uploaded file is no longer there; upload it again."))
    return ingest_in_background(
        actor=actor,
        municipality=municipality,
        dataset=run.dataset,
        path=path,
        source_name=run.source_name,
        publish=True,
        sheet=sheet_choice((run.source_info or {}).get("sheet")),
    )


def _worker() -> str:
    return worker_id()


INTERRUPTED = (
    "The process working on this run stopped before it finished; nothing was published by it."
    "\nกระบวนการที่ทำงานนี้หยุดก่อนเสร็จ ไม่มีการเผยแพร่ข้อมูลจากการนำเข้านี้"
)


def runs_reap(municipality: Municipality | None = None, *, run_id: int | None = None) -> int:
    """Mark runs whose process died (killed, machine restarted) as failed: "interrupted".

    A run at work knows the host and process that works on it; on this host a process that no
    longer exists cannot finish it (runs of other hosts are left alone unless a day old). A
    queued run is given up when its task can no longer run it (:func:`task_lost`). ``run_id``:
    only that run (a run's page and API look at their own run on every poll).
    """
    qs = IngestRun.objects.exclude(state__in=IngestRun.FINAL)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if run_id is not None:
        qs = qs.filter(pk=run_id)
    reaped = 0
    for run in qs:
        if run.state == IngestRun.State.QUEUED:
            dead = task_lost(run.task_id, run.created_at)
        else:
            dead = not worker_alive(run.worker, run.started_at)
        if dead and run_fail(run, code="interrupted", message=INTERRUPTED):
            task_abandon(run.task_id, INTERRUPTED)
            reaped += 1
    return reaped


def _tmp_root() -> Path:
    root = settings.DATA_DIR / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


class _Progress:
    """Progress of the reading, shared between DuckDB's scan threads (which pull the batches)
    and a writer thread that stores it on the run once a second for the web page. The scan
    threads never touch the Django database (connections are per thread)."""

    def __init__(self, run: IngestRun, say: Progress, total_bytes: int, source: Any) -> None:
        self.run_id = run.pk
        self.say = say
        self.total_bytes = total_bytes
        self.source = source
        self.rows = 0
        self.fraction = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wrap(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        last = 0.0
        for batch in batches:
            self.rows += batch.num_rows
            yield batch
            now = time.monotonic()
            if now - last > 0.3:
                last = now
                done = getattr(self.source, "bytes_read", None)
                self.fraction = min(done / self.total_bytes, 1.0) if done else 0.0
                self.say("reading", self.fraction * 0.8)

    def start_writer(self) -> None:
        from django.db import connection

        def loop() -> None:
            try:
                while not self._stop.wait(1.0):
                    IngestRun.objects.filter(pk=self.run_id).update(
                        rows_read=self.rows, progress=int(self.fraction * 80)
                    )
            except Exception:  # progress is a nicety; the run's outcome is written elsewhere
                logger.debug("progress writer of run %s stopped", self.run_id, exc_info=True)
            finally:
                connection.close()

        self._thread = threading.Thread(target=loop, name=f"progress-{self.run_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _finish(run: IngestRun, state: str, **fields: Any) -> None:
    _set(run, state=state, finished_at=timezone.now(), **fields)
    audit_record(
        actor=run.actor,
        action=f"ingest.{state}",
        municipality=run.municipality,
        obj=run.dataset or run,
        changes={
            "run": run.pk,
            "source": run.source_name,
            "rows": run.rows_read,
            "errors": run.rows_error,
            **({"error": run.error_code} if run.error_code else {}),
        },
    )


def _save_report(run: IngestRun, report: Any) -> Path:
    folder = settings.NAKHON_REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{run.pk}.csv"
    report.write_csv(path)
    return path


def _publish(
    dataset: Dataset, run: IngestRun, actor: Any, outcome: Any, *, mode: str, only_valid: bool
) -> DatasetVersion:
    the_lake = lake()
    ref = table_ref_for(dataset)
    schema = outcome.schema
    key = list(schema.primary_key) or None
    if mode == Dataset.Mode.UPSERT and not key:
        raise InvalidInput(_("Upsert needs a primary key in the dataset's schema."))
    # the source row number (_row) is for reports; it is not part of the published table
    table = the_lake.ensure_table(ref, schema.arrow_schema(row=False), key=key)
    user = user_of(actor)
    version = the_lake.publish(
        table,
        outcome.typed_rows(only_valid=only_valid),
        mode=mode,
        key=key,
        # the required and primary-key checks have proved the published keys present and unique
        key_checked=bool(key),
        properties={
            "nakhon.run": str(run.pk),
            "nakhon.actor": user.get_username() if user else "",
            "nakhon.source": run.source_name,
        },
    )
    return _mirror(dataset, run, actor, version, schema.to_dict())


@transaction.atomic
def _mirror(
    dataset: Dataset, run: IngestRun | None, actor: Any, version: Any, schema: dict[str, Any]
) -> DatasetVersion:
    return catalog_services.version_record(
        dataset=dataset,
        run=run,
        actor=actor,
        snapshot_id=version.snapshot_id,
        committed_at=version.committed_at,
        operation=getattr(version, "mode", None) or version.operation,
        rows_total=version.total_rows,
        rows_added=version.added_rows,
        rows_deleted=version.deleted_rows,
        table_schema=schema,
        schema_changes=[
            c.as_dict() if hasattr(c, "as_dict") else c for c in (version.schema_changes or [])
        ],
        source_name=run.source_name if run else "",
    )


def versions_sync(dataset: Dataset) -> list[DatasetVersion]:
    """Mirror lake snapshots that have no version row (a process killed right after the lake
    commit): the lake is the truth about what is published."""
    the_lake = lake()
    ref = table_ref_for(dataset)
    known = set(
        DatasetVersion.objects.filter(dataset=dataset).values_list("snapshot_id", flat=True)
    )
    added = []
    try:
        snapshots = list(reversed(the_lake.versions(ref)))
    except Exception:  # no table yet
        return []
    for version in snapshots:
        if version.snapshot_id in known:
            continue
        run_id = (version.properties or {}).get("nakhon.run")
        run = IngestRun.objects.filter(pk=run_id, dataset=dataset).first() if run_id else None
        if run is not None and run.state != IngestRun.State.PUBLISHED:
            _set(
                run,
                state=IngestRun.State.PUBLISHED,
                snapshot_id=version.snapshot_id,
                finished_at=run.finished_at or timezone.now(),
            )
        added.append(
            _mirror(dataset, run, run.actor if run else None, version, dataset.table_schema)
        )
    return added
