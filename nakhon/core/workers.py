"""Background work: the task worker, which process works on a run, and whether it is alive.

Ingest runs, tax assessment runs and scheduled pulls are tasks of the Django Tasks API
(``django-tasks``; ARCHITECTURE.md decision 6). With the ``database`` backend a task is a row
of the queue table (``django_tasks_db``) that a worker claims and runs: ``nakhon worker``, or the
worker threads ``nakhon serve`` starts (:class:`TaskWorkers`, so that the first run is one
command). With the ``immediate`` backend (tests) a task runs inside the call that enqueues it.

A run records its task (``task_id``) and the worker process at work on it (``host:pid``). When
that process is killed or the machine restarts, the run would be left "running" for ever: the
reapers ask :func:`worker_alive` and :func:`task_lost` and mark such runs failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# A run on another machine (whose process we cannot ask) is given up after this long.
FOREIGN_TIMEOUT = dt.timedelta(days=1)


def worker_id() -> str:
    """This process, as recorded on the runs it takes: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_alive(worker: str, started_at: dt.datetime | None) -> bool:
    """Whether the process ``worker`` (``host:pid``, or a task worker's ``host:pid/tN``) may still
    be working: on this host, ask the operating system; elsewhere, assume so for a day after
    ``started_at``."""
    host, _sep, pid = worker.split("/", 1)[0].rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return not (started_at and timezone.now() - started_at > FOREIGN_TIMEOUT)


# --- what a task carries over from the request ----------------------------------------------


def actor_ref(actor: Any) -> dict[str, int | None]:
    """Who asked for the work, as a task argument (JSON): the user and, for an API request,
    the token (whose scopes narrow what the user may do)."""
    from nakhon.core.permissions import TokenActor, user_of

    user = user_of(actor)
    token = actor.token.pk if isinstance(actor, TokenActor) else None
    return {"user": user.pk if user else None, "token": token}


def actor_from(ref: dict[str, Any] | None) -> Any:
    """The actor :func:`actor_ref` describes: ``None`` (the public) when the user is gone or
    inactive, or when the API token it came through was revoked or expired meanwhile."""
    from nakhon.accounts.models import ApiToken, User
    from nakhon.core.permissions import TokenActor

    ref = ref or {}
    user_pk, token_pk = ref.get("user"), ref.get("token")
    user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk is not None else None
    if user is not None and token_pk is not None:
        token = ApiToken.objects.filter(pk=token_pk, user=user).first()
        if token is None or not token.is_usable():
            return None
        return TokenActor(user=user, token=token)
    return user


def origin_ref() -> dict[str, str | None]:
    """Where the work comes from (web, API, CLI; address; request id) for the audit log."""
    from nakhon.core.audit import current_origin

    where = asdict(current_origin())
    return {key: None if value is None else str(value) for key, value in where.items()}


@contextlib.contextmanager
def origin_of(ref: dict[str, Any] | None) -> Iterator[None]:
    """Audit the task's work as coming from where it was asked for (:func:`origin_ref`)."""
    from nakhon.core.audit import origin

    keys = {"via", "ip", "user_agent", "request_id"}
    with origin(**{k: v for k, v in (ref or {}).items() if k in keys and v is not None}):
        yield


# --- the task of a run ----------------------------------------------------------------------


def _db_backend() -> Any:
    """The default task backend when it is the database one (whose results can be looked up)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    backend = task_backends["default"]
    return backend if isinstance(backend, DatabaseBackend) else None


UNQUEUED_GRACE = dt.timedelta(minutes=5)


def task_lost(task_id: str, queued_since: dt.datetime | None = None) -> bool:
    """Whether the task ``task_id`` can no longer work on its run: it ended (failed, or
    finished without finishing the run), its row is gone, or the worker that claimed it died.
    A run that never got its task (``task_id`` empty: queueing failed, e.g. a locked SQLite
    database, after the run was created) is lost once it waited ``UNQUEUED_GRACE`` since
    ``queued_since``. ``False`` when the backend cannot tell (``immediate``)."""
    if _db_backend() is None:
        return False
    if not task_id:
        return queued_since is not None and queued_since < timezone.now() - UNQUEUED_GRACE
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(pk=task_id).values("status", "worker_ids", "started_at")
    task = row.first()
    if task is None:
        return True
    if task["status"] in {"FAILED", "SUCCESSFUL"}:
        return True
    if task["status"] == "RUNNING":
        workers = task["worker_ids"] or []
        return bool(workers) and not worker_alive(workers[-1], task["started_at"])
    return False  # READY: waiting for a worker


def task_abandon(task_id: str, reason: str) -> None:
    """Mark the queue row of a task whose worker died as failed (it would show "running" for
    ever in the admin). Only rows still running are touched."""
    if not task_id or _db_backend() is None:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="nakhon.core.workers.WorkerDied",
        traceback=reason,
    )


def tasks_prune(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the queue rows of tasks that finished (succeeded or failed) more than ``days``
    (default ``NAKHON_TASK_RESULT_DAYS``) ago; the runs keep their own state. Returns how many
    rows went (0 with a backend that keeps no rows)."""
    if _db_backend() is None:
        return 0
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - dt.timedelta(days=days or settings.NAKHON_TASK_RESULT_DAYS)
    old = DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff)
    deleted, _by_model = old.delete()
    return deleted


class WorkerDied(Exception):
    """The process working on a task stopped (killed, machine restarted) before it finished."""


# --- the worker -----------------------------------------------------------------------------


class TaskWorkers:
    """Worker threads of the database backend (``django_tasks_db``'s own worker loop, one per
    thread) in this process. Each claims a ready task (rows are locked, so several workers and
    processes never run the same task), runs it, records its result, and polls every
    ``interval`` seconds when the queue is empty.

    ``stop()`` lets the running tasks finish and takes no new ones. A process killed in the
    middle of a task leaves its run to the reapers; the published version is untouched.
    """

    def __init__(self, *, threads: int = 1, interval: float = 1.0) -> None:
        self.workers = [self._worker(n, interval=interval) for n in range(1, threads + 1)]
        self.threads: list[threading.Thread] = []

    @staticmethod
    def _worker(n: int, *, interval: float, batch: bool = False) -> Any:
        # the worker loop of django-tasks-db (pinned): its management command's own class
        from django_tasks_db.management.commands.db_worker import Worker

        return Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{worker_id()}/t{n}",
            excluded_queue_names=[],
        )

    @classmethod
    def drain(cls) -> None:
        """Run the queued tasks one after the other in this thread, then return."""
        cls._worker(1, interval=0, batch=True).run()

    def start(self) -> TaskWorkers:
        for n, worker in enumerate(self.workers, start=1):
            thread = threading.Thread(
                target=self._loop, args=(worker,), name=f"nakhon-worker-{n}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        logger.info("task worker %s started (%s threads)", worker_id(), len(self.workers))
        return self

    @staticmethod
    def _loop(worker: Any) -> None:
        import time

        from django.db import connection

        try:
            while worker.running:
                try:
                    worker.run()
                except Exception:  # e.g. the database went away: try again, do not die
                    logger.exception("task worker loop failed; retrying in 5 s")
                    for _ in range(50):
                        if not worker.running:
                            break
                        time.sleep(0.1)
        finally:
            connection.close()

    @property
    def busy(self) -> bool:
        return any(worker.running_task for worker in self.workers)

    def stop(self, *, wait: float | None = None) -> bool:
        """Take no new task; wait up to ``wait`` seconds (``None``: as long as it takes) for
        the running ones. Returns whether every thread ended."""
        for worker in self.workers:
            worker.running = False
        for thread in self.threads:
            thread.join(timeout=wait)
        return not any(thread.is_alive() for thread in self.threads)


def uses_worker() -> bool:
    """Whether tasks wait in a queue for a worker (``database``), rather than run at once."""
    return str(settings.NAKHON_TASKS_BACKEND) == "database"


@contextlib.contextmanager
def graceful_signals(on_first: Callable[[], None]) -> Iterator[None]:
    """On the first Ctrl-C or SIGTERM call ``on_first`` (stop taking work, let the running task
    finish); on the second, stop at once (``KeyboardInterrupt``). Main thread only."""
    received: list[int] = []

    def handler(signum: int, _frame: Any) -> None:
        received.append(signum)
        if len(received) == 1:
            on_first()
        else:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
