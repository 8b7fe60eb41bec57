"""The assessment cycle (issue #6): assess a whole register, review, issue, re-assess one.

``run_assessment`` builds Polars frames from the register, calls the pure batch engine
(``nakhon.tax.rules``), and writes one ``Assessment`` per taxpayer (with its explanation
steps) in a single transaction: a bad record or a crash leaves nothing half-assessed.
``run_start`` queues the same as a background task (``nakhon.tax.tasks``, the Django Tasks
API, as ingest runs are): state and progress are on the run row, which the page polls;
``runs_reap`` marks runs whose worker process died as failed.
``run_issue`` numbers the notices; ``reassess`` re-assesses one taxpayer after a correction
and supersedes (keeps) the old assessment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.core.audit import audit_record
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.core.permissions import require, user_of
from nakhon.core.workers import (
    actor_ref,
    origin_ref,
    task_abandon,
    task_lost,
    worker_alive,
    worker_id,
)
from nakhon.tax import filings
from nakhon.tax.models import (
    Assessment,
    AssessmentRun,
    Building,
    CondoUnit,
    Holding,
    Notice,
    Parcel,
    PropertyUse,
    Signboard,
    TaxKind,
    Taxpayer,
)
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import Step, TaxInputError, land_building, signboard

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]  # (stage, percent)
KINDS = {
    "signboard": "signboard",
    "land-building": "land_building",
    "land_building": "land_building",
}
FORMS = {"signboard": Notice.Form.PP3, "land_building": Notice.Form.PDS6}
REF_PREFIX = {"signboard": "S", "land_building": "L"}
BE = 543


def kind_code(kind: str) -> str:
    """``signboard`` | ``land_building`` from either spelling; anything else is refused."""
    code = KINDS.get(kind)
    if code is None:
        raise InvalidInput(
            _("Unknown tax: %(kind)s.") % {"kind": kind}, errors={"kind": "signboard|land-building"}
        )
    return code


@dataclass
class Result:
    """One taxpayer's assessment as the engine gave it, before it is saved."""

    taxpayer_id: int
    tax_satang: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)
    records: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, pk, code)


class RegisterError(InvalidInput):
    """Bad register data: the message names each bad record; nothing was assessed."""

    code = "bad-register"


def rules_hash(rules: Any) -> str:
    """A fingerprint of the exact rules used (the dataclass holds every value and source)."""
    return hashlib.sha256(repr(rules).encode()).hexdigest()


def _refuse(problems: list[str], total: int | None = None) -> RegisterError:
    total = total if total is not None else len(problems)
    more = f" (+{total - len(problems)})" if total > len(problems) else ""
    message = (
        _("%(count)s bad record(s) in the register; nothing was assessed: ") % {"count": total}
        + "; ".join(problems[:10])
        + more
    )
    return RegisterError(message, errors={"register": message})


# --- the register as frames ------------------------------------------------------------------


def _sign_results(
    rules: Any, municipality: Municipality, taxpayer_ids: Iterable[int] | None, say: Progress
) -> tuple[list[Result], int]:
    year_start = dt.date(rules.tax_year - BE, 1, 1)
    year_end = dt.date(rules.tax_year - BE, 12, 31)
    qs = Signboard.objects.filter(municipality=municipality).filter(
        Q(installed_on__isnull=True) | Q(installed_on__lte=year_end),
        Q(removed_on__isnull=True) | Q(removed_on__gte=year_start),
    )
    if taxpayer_ids is not None:
        qs = qs.filter(owner_id__in=list(taxpayer_ids))
    rows = list(qs.order_by("code").values("pk", "owner_id", *signboard.REGISTER_FIELDS))
    orphans = [
        f"signboard {r['code']}: owner: no taxpayer on the register"
        for r in rows
        if not r["owner_id"]
    ]
    if orphans:
        raise _refuse(orphans)
    if not rows:
        return [], 0
    frame = signboard.frame_of(rows)
    say("assessing", 30)
    try:
        table = signboard.assess(rules, frame)
    except TaxInputError as exc:
        raise _refuse([f"signboard {p}" for p in exc.problems], exc.total) from None
    say("explaining", 50)
    by_owner: dict[int, Result] = {}
    for record, row in zip(rows, table.iter_rows(named=True), strict=True):
        pk, code, owner = record["pk"], record["code"], record["owner_id"]
        result = by_owner.setdefault(owner, Result(owner))
        result.tax_satang += row["tax_satang"]
        result.records.append(("signboard", pk, code))
        result.steps.append(
            Step("sign", f"ป้าย {code}", f"Sign {code}", "", "", False).as_dict() | {"heading": True}
        )
        result.steps += [s.as_dict() for s in signboard.explain(rules, row)]
    return _with_totals(list(by_owner.values()), "ภาษีป้ายรวม", "Signboard tax, all signs"), len(rows)


def _with_totals(results: list[Result], th: str, en: str) -> list[Result]:
    for result in results:
        if sum(1 for s in result.steps if s.get("heading")) > 1:
            value = f"{Decimal(result.tax_satang) / 100:,.2f}"
            result.steps.append(Step("total", th, en, value).as_dict())
    return results


def _vacant_years(since: dt.date | None, tax_year: int) -> int:
    if since is None:
        return 0
    start = dt.date(tax_year - BE, 1, 1)
    years = start.year - since.year - (1 if (since.month, since.day) > (1, 1) else 0)
    return max(0, years)


def _share(value: Decimal | None, *percents: Decimal) -> float | None:
    if value is None:
        return None
    for p in percents:
        value = value * p / 100
    return float(value.quantize(Decimal("0.01")))


def _land_results(
    rules: Any, municipality: Municipality, taxpayer_ids: Iterable[int] | None, say: Progress
) -> tuple[list[Result], int]:
    year = rules.tax_year
    holdings = Holding.objects.filter(municipality=municipality)
    if taxpayer_ids is not None:
        holdings = holdings.filter(taxpayer_id__in=list(taxpayer_ids))
    owners: dict[tuple[str, int], list[tuple[int, str, Decimal]]] = defaultdict(list)
    for tp, tp_kind, parcel, building, unit, share in holdings.values_list(
        "taxpayer_id", "taxpayer__kind", "parcel_id", "building_id", "unit_id", "share_percent"
    ):
        key = (
            ("parcel", parcel) if parcel else ("building", building) if building else ("unit", unit)
        )
        kind = "juristic" if tp_kind == Taxpayer.Kind.JURISTIC else "individual"
        owners[key].append((tp, kind, share))
    uses: dict[tuple[str, int], list[tuple[str, Decimal, int]]] = defaultdict(list)
    for parcel, building, unit, use, share, since in PropertyUse.objects.filter(
        municipality=municipality
    ).values_list("parcel_id", "building_id", "unit_id", "use", "share_percent", "vacant_since"):
        key = (
            ("parcel", parcel) if parcel else ("building", building) if building else ("unit", unit)
        )
        uses[key].append((use, share, _vacant_years(since, year) if use == "vacant" else 0))
    problems: list[str] = []
    frames: dict[str, list[dict[str, Any]]] = {"parcel": [], "building": [], "unit": []}
    item_records: dict[str, tuple[str, int, str]] = {}
    sources = (
        ("parcel", Parcel, ("pk", "code", "area_sq_wah", "price_per_sq_wah")),
        (
            "building",
            Building,
            (
                "pk",
                "code",
                "floor_area_m2",
                "price_per_m2",
                "structure",
                "year_built",
                "building_class",
            ),
        ),
        ("unit", CondoUnit, ("pk", "code", "area_m2", "price_per_m2")),
    )
    count = 0
    for kind, model, fields in sources:
        qs = model.objects.filter(municipality=municipality)
        if taxpayer_ids is not None:
            qs = qs.filter(holdings__taxpayer_id__in=list(taxpayer_ids)).distinct()
        for values in qs.order_by("code").values_list(*fields):
            pk, code = values[0], values[1]
            count += 1
            holders, item_uses = owners.get((kind, pk)), uses.get((kind, pk))
            if taxpayer_ids is None and not holders:
                problems.append(f"{kind} {code}: owners: no owner or possessor on the register")
                continue
            if not item_uses:
                problems.append(f"{kind} {code}: use: no use on the register")
                continue
            # shares must cover the whole record, or part of it would go untaxed (records saved
            # before the register checked the total, or written around the services)
            use_total = sum(u[1] for u in item_uses)
            if use_total != 100:
                problems.append(
                    f"{kind} {code}: use: the use shares total {use_total:f} %, not 100"
                )
                continue
            owner_total = sum(h[2] for h in holders or [])
            if taxpayer_ids is None and owner_total != 100:
                problems.append(
                    f"{kind} {code}: owners: the owners' shares total {owner_total:f} %, not 100"
                )
                continue
            for tp, owner_kind, share in holders or []:
                if taxpayer_ids is not None and tp not in taxpayer_ids:
                    continue
                for use, use_share, vacant in item_uses:
                    whole = share == 100 and use_share == 100
                    item_id = (
                        code
                        if whole
                        else f"{code} ({share.normalize():f}% · {use_share.normalize():f}%)"
                    )
                    item_records[item_id] = (kind, pk, code)
                    row: dict[str, Any] = {
                        "owner_id": tp,
                        "owner_kind": owner_kind,
                        "use": use,
                        "vacant_years": vacant,
                    }
                    if kind == "parcel":
                        row |= {
                            "parcel_id": item_id,
                            "area_sq_wah": _share(values[2], share, use_share),
                            "price_per_sq_wah": _share(values[3]),
                        }
                    elif kind == "building":
                        built = values[5]
                        row |= {
                            "building_id": item_id,
                            "floor_area_m2": _share(values[2], share, use_share),
                            "price_per_m2": _share(values[3]),
                            "structure": values[4],
                            "age_years": None if built is None else max(0, year - BE - built),
                            "building_class": values[6],
                        }
                    else:
                        row |= {
                            "unit_id": item_id,
                            "area_m2": _share(values[2], share, use_share),
                            "price_per_m2": _share(values[3]),
                        }
                    frames[kind].append(row)
    if problems:
        raise _refuse(problems)
    if not any(frames.values()):
        return [], count
    schemas = {
        "parcel": {
            "parcel_id": pl.String,
            "area_sq_wah": pl.Float64,
            "price_per_sq_wah": pl.Float64,
        },
        "building": {
            "building_id": pl.String,
            "floor_area_m2": pl.Float64,
            "price_per_m2": pl.Float64,
            "structure": pl.String,
            "age_years": pl.Int64,
            "building_class": pl.String,
        },
        "unit": {"unit_id": pl.String, "area_m2": pl.Float64, "price_per_m2": pl.Float64},
    }
    base = {
        "owner_id": pl.Int64,
        "owner_kind": pl.String,
        "use": pl.String,
        "vacant_years": pl.Int64,
    }
    tables = {
        f"{kind}s": pl.DataFrame(rows, schema=base | schemas[kind]) if rows else None
        for kind, rows in frames.items()
    }
    say("assessing", 30)
    try:
        items = land_building.value_items(rules, **tables)
        table = land_building.assess(rules, **tables)
    except TaxInputError as exc:
        named = [
            f"{item_records[p.record][0]} {p.record}" if p.record in item_records else str(p.record)
            for p in exc.problems
        ]
        messages = [
            f"{n}: {p.field}: {p.reason}" if n != str(p.record) else str(p)
            for n, p in zip(named, exc.problems, strict=True)
        ]
        raise _refuse(messages, exc.total) from None
    say("explaining", 50)
    every = rules.vacant_every_years
    grouped: dict[tuple[Any, str, int], list[dict[str, Any]]] = defaultdict(list)
    for item in items.iter_rows(named=True):
        step = item["vacant_years"] // every if item["use"] == "vacant" else 0
        grouped[(item["owner_id"], item["use"], step)].append(item)
    by_owner: dict[int, Result] = {}
    for row in table.sort("owner_id", "use", "vacant_step").iter_rows(named=True):
        owner = int(row["owner_id"])
        result = by_owner.setdefault(owner, Result(owner))
        result.tax_satang += row["tax_satang"]
        its = grouped[(row["owner_id"], row["use"], row["vacant_step"])]
        for item in its:
            record = item_records[item["item_id"]]
            if record not in result.records:
                result.records.append(record)
        use_label = row["use"].replace("_", "-")
        result.steps.append(
            Step("use", f"ประเภทการใช้: {use_label}", f"Use: {use_label}", "").as_dict()
            | {"heading": True}
        )
        result.steps += [s.as_dict() for s in land_building.explain(rules, row, its)]
    totals = _with_totals(
        list(by_owner.values()), "ภาษีที่ดินและสิ่งปลูกสร้างรวม", "Land and building tax, all uses"
    )
    return totals, count


ENGINES = {"signboard": _sign_results, "land_building": _land_results}


# --- runs ------------------------------------------------------------------------------------


def _set(run: AssessmentRun, **fields: Any) -> None:
    """Update the run row at once (outside the fate of any surrounding transaction)."""
    for key, value in fields.items():
        setattr(run, key, value)
    AssessmentRun.objects.filter(pk=run.pk).update(**fields)


def _worker() -> str:
    return worker_id()


def run_create(
    *, actor: Any, municipality: Municipality, kind: str, tax_year: int
) -> AssessmentRun:
    """A queued run; refuses a tax year with no rule file (before any work starts)."""
    require(actor, "tax.assess", municipality)
    kind = kind_code(kind)
    rules = rules_for(kind, tax_year, municipality)  # InvalidInput for a year not on file
    busy = AssessmentRun.objects.filter(
        municipality=municipality, kind=kind, tax_year=tax_year, state__in=["queued", "running"]
    )
    runs_reap(municipality)
    if busy.exists():
        raise InvalidInput(_("An assessment run of this tax and year is already at work."))
    run = AssessmentRun.objects.create(
        municipality=municipality,
        kind=kind,
        tax_year=tax_year,
        started_by=user_of(actor),
        rules_version=f"{kind} {tax_year}",
        rules_hash=rules_hash(rules),
    )
    audit_record(
        actor=actor,
        action="tax.assessment_run.start",
        municipality=municipality,
        obj=run,
        changes={"kind": kind, "tax_year": tax_year},
    )
    return run


def run_assessment(
    actor: Any,
    municipality: Municipality,
    kind: str,
    year: int,
    *,
    run: AssessmentRun | None = None,
    progress: Progress | None = None,
) -> AssessmentRun:
    """Assess the whole register of ``kind`` for B.E. tax ``year``; returns the finished run.

    The run ends ``done`` (draft assessments to review) or ``failed`` with the error (a
    ``RegisterError`` naming each bad record is raised again); nothing is written unless
    every assessment is, in one transaction.
    """
    if run is None:
        run = run_create(actor=actor, municipality=municipality, kind=kind, tax_year=year)
    say_more = progress or (lambda _stage, _pct: None)

    def say(stage: str, pct: int) -> None:
        _set(run, stage=stage, progress=pct)
        say_more(stage, pct)

    _set(run, state="running", started_at=timezone.now(), worker=_worker(), error="")
    try:
        rules = rules_for(run.kind, run.tax_year, municipality)
        say("reading register", 5)
        results, records = ENGINES[run.kind](rules, municipality, None, say)
        say("saving", 80)
        with transaction.atomic():
            _save(run, municipality, rules, results, say)
            tax = sum(r.tax_satang for r in results)
            _set(
                run,
                state="done",
                progress=100,
                stage="",
                records=records,
                assessment_count=len(results),
                exempt_count=sum(1 for r in results if not r.tax_satang),
                total_baht=Decimal(tax) / 100,
                finished_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                action="tax.assessment_run.done",
                municipality=municipality,
                obj=run,
                changes={"assessments": len(results), "total_baht": str(run.total_baht)},
            )
    except Exception as exc:
        message = exc.message if isinstance(exc, InvalidInput) else f"{type(exc).__name__}: {exc}"
        _set(run, state="failed", error=message[:5000], finished_at=timezone.now())
        audit_record(
            actor=actor,
            action="tax.assessment_run.failed",
            municipality=municipality,
            obj=run,
            changes={"error": message[:500]},
        )
        raise
    return run


def _due_on(rules: Any, issued: dt.date | None) -> dt.date | None:
    if rules.kind == "land_building":
        return rules.payment_due_on
    if issued is None:
        return None
    return issued + dt.timedelta(days=rules.payment_days_after_notice)


def _save(
    run: AssessmentRun,
    municipality: Municipality,
    rules: Any,
    results: list[Result],
    say: Progress,
    *,
    reason: str = "",
) -> list[Assessment]:
    current = {
        a.taxpayer_id: a
        for a in Assessment.objects.filter(
            municipality=municipality,
            kind=run.kind,
            tax_year=run.tax_year,
            taxpayer_id__in=[r.taxpayer_id for r in results],
        ).exclude(status="superseded")
    }
    # earlier drafts are superseded at once; issued ones when these are issued
    drafts = [a.pk for a in current.values() if a.status == "draft"]
    for i in range(0, len(drafts), 900):
        Assessment.objects.filter(pk__in=drafts[i : i + 900]).update(status="superseded")
    fingerprint = rules_hash(rules)
    due = _due_on(rules, None)
    made = Assessment.objects.bulk_create(
        [
            Assessment(
                municipality=municipality,
                run=run,
                taxpayer_id=r.taxpayer_id,
                kind=run.kind,
                tax_year=run.tax_year,
                tax_baht=Decimal(r.tax_satang) / 100,
                steps=r.steps,
                records=[[k, code] for k, _pk, code in r.records],
                supersedes=current.get(r.taxpayer_id),
                rules_hash=fingerprint,
                due_on=due,
                reason=reason,
            )
            for r in results
        ],
        batch_size=1000,
    )
    through = {
        "parcel": (Assessment.parcels.through, "parcel_id"),
        "building": (Assessment.buildings.through, "building_id"),
        "unit": (Assessment.units.through, "condounit_id"),
        "signboard": (Assessment.signboards.through, "signboard_id"),
    }
    links: dict[str, list[Any]] = defaultdict(list)
    for assessment, r in zip(made, results, strict=True):
        for kind, pk, _code in r.records:
            model, column = through[kind]
            links[kind].append(model(assessment_id=assessment.pk, **{column: pk}))
    for kind, rows in links.items():
        through[kind][0]._default_manager.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    filings.apply_charges(municipality=municipality, rules=rules, assessments=made)  # §25(1)(2)
    say("saving", 95)
    return made


def run_start(*, actor: Any, municipality: Municipality, kind: str, tax_year: int) -> AssessmentRun:
    """Queue a run as a background task and return it at once (the page polls its state).

    With the ``immediate`` task backend (tests) the run has finished when this returns.
    """
    from nakhon.tax.tasks import assessment_run

    run = run_create(actor=actor, municipality=municipality, kind=kind, tax_year=tax_year)
    result = assessment_run.enqueue(run.pk, actor=actor_ref(actor), origin=origin_ref())
    AssessmentRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


INTERRUPTED = (
    "The process working on this run stopped before it finished; nothing was saved."
    "\nกระบวนการที่ทำงานนี้หยุดก่อนเสร็จ ไม่มีการบันทึกผลการประเมิน"
)


def run_fail(run: AssessmentRun, message: str) -> bool:
    """Mark ``run`` failed with ``message`` unless it already ended; whether it was marked."""
    changed = AssessmentRun.objects.filter(pk=run.pk, state__in=["queued", "running"]).update(
        state="failed", finished_at=timezone.now(), error=message[:5000]
    )
    run.refresh_from_db()
    return bool(changed)


def runs_reap(municipality: Municipality | None = None) -> int:
    """Mark runs whose worker died (killed, restarted) as failed; nothing was saved. A queued
    run is given up when its task can no longer run it (:func:`task_lost`)."""
    qs = AssessmentRun.objects.filter(state__in=["queued", "running"])
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    reaped = 0
    for run in qs:
        if run.state == "queued":
            dead = task_lost(run.task_id, run.created_at)
        else:
            dead = not worker_alive(run.worker, run.started_at)
        if dead and run_fail(run, INTERRUPTED):
            task_abandon(run.task_id, INTERRUPTED)
            reaped += 1
    return reaped


# --- issue, re-assess --------------------------------------------------------------------------


def _number(
    municipality: Municipality, assessments: list[Assessment], issued_at: dt.datetime
) -> None:
    by_form: dict[str, list[Assessment]] = defaultdict(list)
    for a in assessments:
        by_form[FORMS[a.kind]].append(a)
    rules_cache: dict[tuple[str, int], Any] = {}
    notices = []
    for form, items in by_form.items():
        year = items[0].tax_year
        last = (
            Notice.objects.filter(municipality=municipality, form=form, tax_year=year).aggregate(
                m=Max("sequence")
            )["m"]
            or 0
        )
        for seq, a in enumerate(items, start=last + 1):
            key = (a.kind, a.tax_year)
            if key not in rules_cache:
                rules_cache[key] = rules_for(a.kind, a.tax_year, municipality)
            a.payment_reference = f"{REF_PREFIX[a.kind]}{a.tax_year}{seq:07d}"
            a.due_on = _due_on(rules_cache[key], timezone.localtime(issued_at).date())
            a.status = Assessment.Status.ISSUED
            notices.append(
                Notice(
                    municipality=municipality,
                    assessment=a,
                    form=form,
                    tax_year=a.tax_year,
                    sequence=seq,
                    number=f"{seq}/{a.tax_year}",
                    issued_at=issued_at,
                )
            )
    Assessment.objects.bulk_update(
        assessments, ["payment_reference", "due_on", "status"], batch_size=1000
    )
    Notice.objects.bulk_create(notices, batch_size=1000)
    # the issued assessments these replace
    old = [a.supersedes_id for a in assessments if a.supersedes_id]
    for i in range(0, len(old), 900):
        Assessment.objects.filter(pk__in=old[i : i + 900], status="issued").update(
            status="superseded"
        )


@transaction.atomic
def run_issue(*, actor: Any, municipality: Municipality, run: AssessmentRun) -> AssessmentRun:
    """Issue a reviewed run: its draft assessments become issued, each with a numbered notice
    (ภ.ด.ส.6 or ภ.ป.3), a payment reference and its due date. No notice for a tax of 0."""
    require(actor, "tax.assess", municipality)
    run = AssessmentRun.objects.select_for_update().get(pk=run.pk, municipality=municipality)
    if run.state != "done":
        raise InvalidInput(_("Only a finished run that has not been issued can be issued."))
    drafts = list(
        Assessment.objects.filter(run=run, status="draft", tax_baht__gt=0).order_by(
            "taxpayer__code", "pk"
        )
    )
    now = timezone.now()
    _number(municipality, drafts, now)
    _set(run, state="issued", issued_at=now, issued_by=user_of(actor))
    audit_record(
        actor=actor,
        action="tax.assessment_run.issue",
        municipality=municipality,
        obj=run,
        changes={"notices": len(drafts)},
    )
    return run


@transaction.atomic
def reassess(
    *,
    actor: Any,
    municipality: Municipality,
    taxpayer: Taxpayer,
    kind: str,
    tax_year: int,
    reason: str = "",
) -> Assessment:
    """Re-assess one taxpayer after a correction of the register.

    The current assessment (draft or issued) is superseded and kept; the new one is a draft
    in the same run when the old one was a draft, and is issued at once with a new notice
    when the old one had been issued (a corrected notice).
    """
    require(actor, "tax.assess", municipality)
    kind = kind_code(kind)
    if taxpayer.municipality_id != municipality.pk:
        raise NotFound()
    rules = rules_for(kind, tax_year, municipality)
    old = (
        Assessment.objects.filter(
            municipality=municipality, taxpayer=taxpayer, kind=kind, tax_year=tax_year
        )
        .exclude(status="superseded")
        .order_by("-pk")
        .first()
    )
    results, _count = ENGINES[kind](rules, municipality, {taxpayer.pk}, lambda _s, _p: None)
    result = next((r for r in results if r.taxpayer_id == taxpayer.pk), Result(taxpayer.pk))
    run = old.run if old is not None and old.run is not None else None
    if run is None:
        run = AssessmentRun.objects.create(
            municipality=municipality,
            kind=kind,
            tax_year=tax_year,
            state="done",
            progress=100,
            started_by=user_of(actor),
            started_at=timezone.now(),
            finished_at=timezone.now(),
            rules_version=f"{kind} {tax_year}",
            rules_hash=rules_hash(rules),
        )
    (made,) = _save(run, municipality, rules, [result], lambda _s, _p: None, reason=reason[:300])
    if old is not None and old.status == "issued" and made.tax_baht > 0:
        _number(municipality, [made], timezone.now())
    elif old is not None and old.status == "issued":
        Assessment.objects.filter(pk=old.pk).update(status="superseded")
    _refresh_totals(run)
    audit_record(
        actor=actor,
        action="tax.assessment.reassess",
        municipality=municipality,
        obj=made,
        changes={
            "taxpayer": taxpayer.code,
            "kind": kind,
            "tax_year": tax_year,
            "tax_baht": [str(old.tax_baht) if old else None, str(made.tax_baht)],
            "reason": reason[:300],
        },
    )
    made.refresh_from_db()
    return made


def _refresh_totals(run: AssessmentRun) -> None:
    live = Assessment.objects.filter(run=run).exclude(status="superseded")
    agg = live.aggregate(n=Count("pk"), total=Sum("tax_baht"))
    _set(
        run,
        assessment_count=agg["n"] or 0,
        total_baht=agg["total"] or Decimal(0),
        exempt_count=live.filter(tax_baht=0).count(),
    )


# --- reads -----------------------------------------------------------------------------------


def run_list(*, actor: Any, municipality: Municipality) -> QuerySet[AssessmentRun]:
    """The runs of the city with their totals (executives may read these; no personal data)."""
    require(actor, "tax.view", municipality)
    runs_reap(municipality)
    return AssessmentRun.objects.filter(municipality=municipality).select_related(
        "started_by", "issued_by"
    )


def run_get(*, actor: Any, municipality: Municipality, pk: int) -> AssessmentRun:
    require(actor, "tax.view", municipality)
    run = AssessmentRun.objects.filter(municipality=municipality, pk=pk).first()
    if run is None:
        raise NotFound()
    return run


def assessment_list(
    *,
    actor: Any,
    municipality: Municipality,
    run: AssessmentRun,
    q: str = "",
    status: str = "",
    taxed: str = "",
) -> QuerySet[Assessment]:
    """The assessments of a run (tax office only), by taxpayer register number or status."""
    require(actor, "tax_assessment.view", municipality)
    items = Assessment.objects.filter(municipality=municipality, run=run).select_related(
        "taxpayer", "notice"
    )
    if q.strip():
        items = items.filter(taxpayer__code__icontains=q.strip())
    if status in Assessment.Status.values:
        items = items.filter(status=status)
    if taxed == "yes":
        items = items.filter(tax_baht__gt=0)
    elif taxed == "no":
        items = items.filter(tax_baht=0)
    return items.order_by("taxpayer__code", "-pk")


def assessment_get(*, actor: Any, municipality: Municipality, pk: int) -> Assessment:
    """One assessment with its explanation (tax office only)."""
    require(actor, "tax_assessment.view", municipality)
    item = (
        Assessment.objects.filter(municipality=municipality, pk=pk)
        .select_related("taxpayer", "run", "supersedes")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def taxpayer_assessments(
    *, actor: Any, municipality: Municipality, taxpayer: Taxpayer
) -> QuerySet[Assessment]:
    require(actor, "tax_assessment.view", municipality)
    return Assessment.objects.filter(municipality=municipality, taxpayer=taxpayer).order_by(
        "-tax_year", "kind", "-pk"
    )


def available_kinds() -> list[tuple[str, str]]:
    return [
        (TaxKind.SIGNBOARD.value, str(TaxKind.SIGNBOARD.label)),
        (TaxKind.LAND_BUILDING.value, str(TaxKind.LAND_BUILDING.label)),
    ]
