"""Objections and appeals against an assessment (issue #6): record, decide, re-assess.

Land and Building Tax Act B.E. 2562 §73: an objection to the local executive within 30 days of
receiving the notice; Signboard Tax Act B.E. 2510 §30: an appeal within 30 days. An objection
does not suspend payment. A decision that accepts the objection (wholly or in part) re-assesses
the taxpayer (``assessments.reassess``) after the officer corrected the register: the new
assessment supersedes the old one and keeps its payments; a rejection leaves it as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.tax.assessments import reassess
from nakhon.tax.models import Assessment, Objection

DEADLINE_DAYS = 30


@transaction.atomic
def objection_file(
    *,
    actor: Any,
    municipality: Municipality,
    assessment: Assessment,
    filed_on: dt.date,
    grounds: str,
) -> Objection:
    """Record an objection (or appeal) against an issued assessment."""
    require(actor, "tax.collect", municipality)
    if assessment.municipality_id != municipality.pk:
        raise NotFound()
    grounds = grounds.strip()
    if not grounds:
        raise InvalidInput(_("Give the grounds of the objection."), errors={"grounds": "required"})
    if assessment.status != Assessment.Status.ISSUED:
        raise InvalidInput(
            _("Only an issued assessment can be objected to; assessment %(pk)s is %(status)s.")
            % {"pk": assessment.pk, "status": assessment.get_status_display()}
        )
    if filed_on > timezone.localdate():
        raise InvalidInput(_("The filing date is in the future."))
    objection = Objection.objects.create(
        municipality=municipality,
        assessment=assessment,
        filed_on=filed_on,
        grounds=grounds[:5000],
        filed_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="tax.objection.file",
        municipality=municipality,
        obj=objection,
        changes={"assessment": assessment.pk, "filed_on": filed_on.isoformat()},
    )
    return objection


def is_late(objection: Objection) -> bool:
    """Filed more than 30 days after the notice was issued (the officer checks the date the
    taxpayer received it, which the register does not hold)."""
    notice = getattr(objection.assessment, "notice", None)
    if notice is None:
        return False
    issued = timezone.localtime(notice.issued_at).date()
    return (objection.filed_on - issued).days > DEADLINE_DAYS


@transaction.atomic
def objection_decide(
    *,
    actor: Any,
    municipality: Municipality,
    objection: Objection,
    decision: str,
    note: str = "",
) -> Objection:
    """Decide an objection: ``accepted`` or ``partly`` re-assesses the taxpayer from the
    (corrected) register and links the new assessment; ``rejected`` keeps the assessment."""
    require(actor, "tax.collect", municipality)
    require(actor, "tax.assess", municipality)
    objection = Objection.objects.select_for_update().get(
        pk=objection.pk, municipality=municipality
    )
    if objection.decision != Objection.Decision.PENDING:
        raise InvalidInput(
            _("Objection %(pk)s was already decided: %(decision)s.")
            % {"pk": objection.pk, "decision": objection.get_decision_display()}
        )
    if decision not in ("accepted", "partly", "rejected"):
        raise InvalidInput(_("Decide: accepted, partly or rejected."), errors={"decision": "?"})
    if decision != "rejected":
        assessment = objection.assessment
        objection.reassessment = reassess(
            actor=actor,
            municipality=municipality,
            taxpayer=assessment.taxpayer,
            kind=assessment.kind,
            tax_year=assessment.tax_year,
            reason=f"objection {objection.pk}: {decision}. {note}"[:300],
        )
    objection.decision = decision
    objection.decision_note = note.strip()[:5000]
    objection.decided_by = user_of(actor)
    objection.decided_at = timezone.now()
    objection.save()
    audit_record(
        actor=actor,
        action="tax.objection.decide",
        municipality=municipality,
        obj=objection,
        changes={
            "decision": decision,
            "reassessment": objection.reassessment_id,
        },
    )
    return objection


def objection_list(
    *, actor: Any, municipality: Municipality, pending: bool = False
) -> QuerySet[Objection]:
    require(actor, "tax_assessment.view", municipality)
    items = Objection.objects.filter(municipality=municipality).select_related(
        "assessment", "assessment__taxpayer", "assessment__notice", "reassessment", "decided_by"
    )
    if pending:
        items = items.filter(decision="pending")
    return items


def objection_get(*, actor: Any, municipality: Municipality, pk: int) -> Objection:
    require(actor, "tax_assessment.view", municipality)
    found = objection_list(actor=actor, municipality=municipality).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
