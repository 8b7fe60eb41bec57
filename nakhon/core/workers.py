"""Which process works on a background run, and whether it is still alive.

Ingest runs and tax assessment runs record the worker (``host:pid``) that took them; when the
web process is killed or the machine restarts, a run is left "running" for ever. The reapers
ask :func:`worker_alive` and mark such runs failed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone

# A run on another machine (whose process we cannot ask) is given up after this long.
FOREIGN_TIMEOUT = dt.timedelta(days=1)


def worker_id() -> str:
    """This process, as recorded on the runs it takes: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_alive(worker: str, started_at: dt.datetime | None) -> bool:
    """Whether the process ``worker`` (``host:pid``) may still be working: on this host, ask the
    operating system; elsewhere, assume so for a day after ``started_at``."""
    host, _sep, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return not (started_at and timezone.now() - started_at > FOREIGN_TIMEOUT)
