"""Assessment runs over the demo register: the same results as the pure engine, progress,
refusals, re-assessment and issuing (issue #6, the cycle)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from nakhon.core.errors import InvalidInput, NotFound, PermissionDenied
from nakhon.tax import assessments, services
from nakhon.tax.models import Assessment, AssessmentRun, Notice, Signboard
from nakhon.tax.quotes import rules_for
from nakhon.tax.rules import signboard

YEAR = 2568


def test_signboard_run_equals_the_pure_engine(demo) -> None:
    officer = demo.user("kk-tax")
    seen: list[tuple[str, int]] = []
    run = assessments.run_assessment(
        officer, demo.kk, "signboard", YEAR, progress=lambda s, p: seen.append((s, p))
    )
    assert run.state == "done" and run.progress == 100
    assert [p for _s, p in seen] == sorted(p for _s, p in seen) and seen
    signs = Signboard.objects.filter(municipality=demo.kk).order_by("code")
    rules = rules_for("signboard", YEAR, demo.kk)
    frame = pl.DataFrame(
        {
            "sign_id": [s.code for s in signs],
            "sign_type": [s.sign_type for s in signs],
            "moving": [s.moving for s in signs],
            "width_cm": [s.width_cm for s in signs],
            "height_cm": [s.height_cm for s in signs],
            "faces": [s.faces for s in signs],
            "installed_on": [s.installed_on for s in signs],
            "exemption": [s.exemption or None for s in signs],
        },
        schema_overrides={"installed_on": pl.Date, "exemption": pl.String},
    )
    table = signboard.assess(rules, frame)
    expected: dict[int | None, int] = {}
    for sign, tax in zip(signs, table["tax_satang"].to_list(), strict=True):
        expected[sign.owner_id] = expected.get(sign.owner_id, 0) + tax
    got = {a.taxpayer_id: a for a in Assessment.objects.filter(run=run)}
    assert {k: int(v.tax_baht * 100) for k, v in got.items()} == expected
    assert run.total_baht == Decimal(sum(expected.values())) / 100
    assert run.assessment_count == len(expected)
    one = next(iter(got.values()))
    assert one.steps[0]["heading"] and one.steps[-1]["code"] in ("tax", "total")
    assert one.signboards.count() == len(one.records)


def test_land_building_run_and_issue_numbers_notices(demo) -> None:
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land-building", YEAR)
    assert run.state == "done", run.error
    assert run.assessment_count > 10 and run.total_baht > 0
    taxed = Assessment.objects.filter(run=run, tax_baht__gt=0).count()
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    run.refresh_from_db()
    assert run.state == "issued"
    notices = Notice.objects.filter(municipality=demo.kk, tax_year=YEAR, form="pds6")
    assert notices.count() == taxed
    assert sorted(n.sequence for n in notices) == list(range(1, taxed + 1))
    issued = Assessment.objects.filter(run=run, status="issued").first()
    assert issued.payment_reference.startswith(f"L{YEAR}")
    assert issued.due_on is not None
    with pytest.raises(InvalidInput):
        assessments.run_issue(actor=officer, municipality=demo.kk, run=run)


def test_a_year_with_no_rules_is_refused(demo) -> None:
    with pytest.raises(InvalidInput) as err:
        assessments.run_assessment(demo.user("kk-tax"), demo.kk, "signboard", 2500)
    assert "2500" in err.value.message
    assert not AssessmentRun.objects.filter(tax_year=2500).exists()


def test_bad_register_data_names_the_record_and_saves_nothing(demo) -> None:
    officer = demo.user("kk-tax")
    parcel = demo.kk_parcel if hasattr(demo, "kk_parcel") else None
    from nakhon.tax.models import Parcel

    parcel = Parcel.objects.filter(municipality=demo.kk, holdings__isnull=False).first()
    Parcel.objects.filter(pk=parcel.pk).update(price_per_sq_wah=None)
    before = Assessment.objects.count()
    with pytest.raises(assessments.RegisterError) as err:
        assessments.run_assessment(officer, demo.kk, "land_building", YEAR)
    assert f"parcel {parcel.code}" in err.value.message
    assert "price_per_sq_wah" in err.value.message
    assert Assessment.objects.count() == before
    run = AssessmentRun.objects.latest("pk")
    assert run.state == "failed" and parcel.code in run.error


@pytest.mark.parametrize("what", ["use", "owners"])
def test_shares_not_totalling_100_on_the_register_refuse_the_run(demo, what) -> None:
    # a record whose shares do not cover it would be partly untaxed: the run names it instead
    from nakhon.tax.models import Holding, Parcel, PropertyUse

    parcel = Parcel.objects.filter(municipality=demo.kk, holdings__isnull=False).first()
    model = PropertyUse if what == "use" else Holding
    row = model.objects.filter(parcel=parcel).first()
    model.objects.filter(pk=row.pk).update(share_percent=row.share_percent - 40)
    before = Assessment.objects.count()
    with pytest.raises(assessments.RegisterError) as err:
        assessments.run_assessment(demo.user("kk-tax"), demo.kk, "land_building", YEAR)
    assert f"parcel {parcel.code}: {what}:" in err.value.message
    assert "not 100" in err.value.message
    assert Assessment.objects.count() == before


def test_reassessment_supersedes_and_keeps_history(demo) -> None:
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "signboard", YEAR)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    old = Assessment.objects.filter(run=run, status="issued").first()
    sign = Signboard.objects.filter(owner=old.taxpayer).first()
    services.signboard_save(
        actor=officer,
        municipality=demo.kk,
        data={
            "code": sign.code,
            "owner": old.taxpayer.code,
            "sign_type": "3",
            "moving": "yes",
            "width_cm": str(sign.width_cm * 2),
            "height_cm": str(sign.height_cm),
        },
    )
    new = assessments.reassess(
        actor=officer,
        municipality=demo.kk,
        taxpayer=old.taxpayer,
        kind="signboard",
        tax_year=YEAR,
        reason="sign measured again",
    )
    old.refresh_from_db()
    assert old.status == "superseded" and new.supersedes_id == old.pk
    assert new.status == "issued" and new.tax_baht > old.tax_baht
    assert new.notice.sequence > old.notice.sequence
    assert Assessment.objects.filter(taxpayer=old.taxpayer, kind="signboard").count() == 2


def test_second_run_supersedes_drafts(demo) -> None:
    officer = demo.user("kk-tax")
    first = assessments.run_assessment(officer, demo.kk, "signboard", YEAR)
    second = assessments.run_assessment(officer, demo.kk, "signboard", YEAR)
    assert not Assessment.objects.filter(run=first).exclude(status="superseded").exists()
    assert Assessment.objects.filter(run=second, status="draft").count() == second.assessment_count


@pytest.mark.parametrize(
    ("username", "refusal"),
    [
        ("kk-executive", PermissionDenied),  # reads the runs' totals, does not run them
        ("kk-viewer", PermissionDenied),
        ("sila-admin", NotFound),  # another city's staff: the city is not theirs to see
    ],
)
def test_only_the_tax_office_runs_assessments(demo, username, refusal) -> None:
    with pytest.raises(refusal) as err:
        assessments.run_assessment(demo.user(username), demo.kk, "signboard", YEAR)
    assert type(err.value) is refusal
    assert not AssessmentRun.objects.exists()
