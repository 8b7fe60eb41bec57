"""Background tasks of the tax office (the Django Tasks API; ARCHITECTURE.md decision 6).

``assessment_run`` assesses a whole register for the queued ``AssessmentRun`` that
``assessments.run_start`` created: the run holds the state and the progress, which the officer's
page polls; the task's own result says only which run it worked on and how it ended.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from nakhon.core.errors import NakhonError
from nakhon.core.workers import actor_from, origin_of
from nakhon.tax.models import AssessmentRun

logger = logging.getLogger(__name__)


@task()
def assessment_run(run_id: int, *, actor: dict[str, Any], origin: dict[str, Any]) -> dict[str, Any]:
    """Assess the register of the queued run ``run_id`` (draft assessments, in one
    transaction). Errors of the register end the task normally, recorded on the run; others
    fail the task too, with their traceback."""
    from nakhon.tax import assessments

    run = AssessmentRun.objects.select_related("municipality").filter(pk=run_id).first()
    if run is None or run.state != AssessmentRun.State.QUEUED:
        logger.info("assessment run %s is not waiting any more; nothing to do", run_id)
        return {"run": run_id, "state": "skipped"}
    with origin_of(origin):
        try:
            assessments.run_assessment(
                actor_from(actor), run.municipality, run.kind, run.tax_year, run=run
            )
        except NakhonError as exc:  # recorded on the run by run_assessment
            assessments.run_fail(run, exc.message)
        except Exception as exc:
            assessments.run_fail(run, f"{type(exc).__name__}: {exc}")
            raise
    run.refresh_from_db(fields=["state"])
    return {"run": run.pk, "state": run.state}
