"""The assessment pages: officers start, review, issue, print and re-assess; executives see
totals only; the viewer, other cities and the public nothing, and never a taxpayer's data."""

from __future__ import annotations

import pytest

from nakhon.tax.models import Assessment, AssessmentRun

YEAR = 2568


def test_officer_flow(demo, client_as) -> None:
    client = client_as("kk-tax")
    response = client.post("/khon-kaen/tax/runs/", {"kind": "signboard", "year": YEAR})
    assert response.status_code == 302
    run = AssessmentRun.objects.get()
    assert run.state == "done"
    page = client.get(f"/khon-kaen/tax/runs/{run.pk}/").content.decode()
    assert f"{run.total_baht:,.2f}" in page and "tax-assessments" in page  # 16,584.00
    partial = client.get(f"/khon-kaen/tax/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert 'id="run-state"' in partial.content.decode()
    filtered = client.get(f"/khon-kaen/tax/runs/{run.pk}/", {"taxed": "no"}).content.decode()
    assert "tax-assessments" in filtered
    assert client.post(f"/khon-kaen/tax/runs/{run.pk}/issue/").status_code == 302
    item = Assessment.objects.filter(run=run, status="issued").first()
    detail = client.get(f"/khon-kaen/tax/assessments/{item.pk}/").content.decode()
    assert "tax-steps" in detail and item.payment_reference in detail
    pdf = client.get(f"/khon-kaen/tax/assessments/{item.pk}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    again = client.post(f"/khon-kaen/tax/assessments/{item.pk}/", {"reason": "checked"})
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.status == "superseded"
    taxpayer = item.taxpayer
    redo = client.post(
        f"/khon-kaen/tax/taxpayers/{taxpayer.pk}/reassess/",
        {"kind": "signboard", "year": YEAR, "reason": "x"},
    )
    assert redo.status_code == 302


def test_a_year_without_rules_is_refused_on_the_page(demo, client_as) -> None:
    response = client_as("kk-tax").post("/khon-kaen/tax/runs/", {"kind": "signboard", "year": 2400})
    assert response.status_code == 422 and "2400" in response.content.decode()
    assert not AssessmentRun.objects.exists()


def test_executive_sees_totals_only(demo, client_as) -> None:
    from nakhon.tax import assessments

    run = assessments.run_assessment(demo.user("kk-tax"), demo.kk, "signboard", YEAR)
    item = Assessment.objects.filter(run=run).first()
    client = client_as("kk-executive")
    page = client.get(f"/khon-kaen/tax/runs/{run.pk}/").content.decode()
    assert f"{run.total_baht:,.2f}" in page
    assert "tax-assessments" not in page and item.taxpayer.code not in page
    assert client.get(f"/khon-kaen/tax/assessments/{item.pk}/").status_code == 403
    assert client.post("/khon-kaen/tax/runs/", {"kind": "signboard", "year": YEAR}).status_code in (
        403,
        422,
    )
    assert AssessmentRun.objects.count() == 1


@pytest.mark.parametrize(
    ("username", "status"), [(None, 302), ("sila-admin", 404), ("kk-viewer", 403)]
)
def test_others_see_nothing(demo, client_as, username, status) -> None:
    from nakhon.tax import assessments

    run = assessments.run_assessment(demo.user("kk-tax"), demo.kk, "land_building", YEAR)
    assessments.run_issue(actor=demo.user("kk-tax"), municipality=demo.kk, run=run)
    item = Assessment.objects.filter(run=run, status="issued").first()
    client = client_as(username)
    for url in (
        "/khon-kaen/tax/runs/",
        f"/khon-kaen/tax/runs/{run.pk}/",
        f"/khon-kaen/tax/assessments/{item.pk}/",
        f"/khon-kaen/tax/assessments/{item.pk}/notice.pdf",
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert item.taxpayer.name.encode() not in response.content
