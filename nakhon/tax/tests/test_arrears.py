"""Arrears (buckets, by year, tambon, taxpayer), warning notices and legal follow-up,
collection by Thai fiscal year (1 October), targets, exports, objections, and the pages with
who may see what."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import translation

from nakhon.core.errors import InvalidInput, PermissionDenied
from nakhon.tax import arrears, assessments, objections, payments
from nakhon.tax.models import Assessment, Objection, Reminder

D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The services' messages in English (the catalogue translates them to Thai)."""
    with translation.override("en"):
        yield


@pytest.fixture
def issued(demo) -> list[Assessment]:
    """Land and building tax 2568 issued (due 2025-06-30)."""
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land_building", 2568)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    return list(Assessment.objects.filter(run=run, status="issued").order_by("pk"))


def pay(demo, item, amount, on):
    return payments.payment_record(
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        assessment=item,
        amount_baht=Decimal(amount),
        paid_on=on,
    )


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(1, "1-90"), (90, "1-90"), (91, "91-180"), (180, "91-180"), (181, "181-365"),
     (365, "181-365"), (366, "365+")],
)  # fmt: skip
def test_buckets(days, bucket) -> None:
    assert arrears.bucket_of(days) == bucket


def test_arrears_by_age_year_tambon_and_taxpayer(demo, issued) -> None:
    officer = demo.user("kk-tax")
    before = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=D(2025, 6, 30))
    assert before.rows == []  # nothing is overdue on the due date
    on = D(2025, 8, 15)  # 46 days past due
    data = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=on)
    assert len(data.rows) == len(issued)
    assert {r.bucket for r in data.rows} == {"1-90"} and data.rows[0].days == 46
    total = sum((a.tax_baht for a in issued), Decimal(0))
    assert sum((r.unpaid_baht for r in data.rows), Decimal(0)) == total
    assert data.by_bucket[0]["balance_baht"] == data.total_baht
    assert data.by_year[0]["key"] == (2568, "land_building")
    # by tambon (the taxpayer's), against the database's own sums of the issued assessments
    expected = {
        row["taxpayer__tambon__name_th"] or "-": (row["n"], row["tax"])
        for row in Assessment.objects.filter(pk__in=[a.pk for a in issued])
        .values("taxpayer__tambon__name_th")
        .annotate(n=Count("pk"), tax=Sum("tax_baht"))
    }
    assert len(expected) >= 3  # the demo taxpayers live in several tambons
    got = {g["key"]: (g["count"], g["unpaid_baht"]) for g in data.by_tambon}
    assert got == expected
    for g in data.by_tambon:
        assert g["balance_baht"] == g["unpaid_baht"] + g["charges_baht"] > g["unpaid_baht"]
    assert data.by_taxpayer[0]["balance_baht"] >= data.by_taxpayer[-1]["balance_baht"]
    # a full payment takes the taxpayer off the list
    first = issued[0]
    owed = payments.account_get(
        actor=officer, municipality=demo.kk, assessment=first, as_of=D(2025, 8, 1)
    ).balance_baht
    pay(demo, first, owed, D(2025, 8, 1))
    after = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=on)
    assert first.pk not in {r.assessment_id for r in after.rows}
    # a year later: the bucket moves
    later = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=D(2026, 7, 1))
    assert {r.bucket for r in later.rows} == {"365+"}


def test_warning_notices_and_legal_follow_up(demo, issued) -> None:
    officer = demo.user("kk-tax")
    made = arrears.reminders_generate(
        actor=officer, municipality=demo.kk, sent_on=D(2025, 8, 1), respond_days=30
    )
    assert len(made) == len(issued) and all(r.respond_by == D(2025, 8, 31) for r in made)
    # again: no second warning for the same assessments
    assert (
        arrears.reminders_generate(actor=officer, municipality=demo.kk, sent_on=D(2025, 8, 2)) == []
    )
    within = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=D(2025, 8, 20))
    assert within.legal == []
    after = arrears.arrears_get(actor=officer, municipality=demo.kk, as_of=D(2025, 9, 1))
    assert len(after.legal) == len(issued)
    # the warning raises the penalty to 40 % once its deadline has passed (Act §68)
    item = issued[0]
    account = payments.account_get(
        actor=officer, municipality=demo.kk, assessment=item, as_of=D(2025, 9, 1)
    )
    steps = {s["code"]: s for s in account.parts[0].charges.steps}
    assert "40" in steps["penalty"]["label_en"]
    with pytest.raises(PermissionDenied):
        arrears.reminders_generate(actor=demo.user("kk-executive"), municipality=demo.kk)
    assert Reminder.objects.count() == len(issued)


def test_collection_by_fiscal_year_30_september_vs_1_october(demo, issued) -> None:
    officer = demo.user("kk-tax")
    a, b = issued[0], issued[1]
    pay(demo, a, "100.00", D(2025, 9, 30))  # FY 2568 (1 Oct 2567 - 30 Sep 2568)
    pay(demo, b, "100.00", D(2025, 10, 1))  # FY 2569
    arrears.target_set(
        actor=officer, municipality=demo.kk, fiscal_year=2568, kind="land_building",
        target_baht=Decimal("1000"),
    )  # fmt: skip
    fy68 = arrears.collection_report(actor=officer, municipality=demo.kk, fiscal_year=2568)
    fy69 = arrears.collection_report(actor=officer, municipality=demo.kk, fiscal_year=2569)
    assert [m["month"] for m in fy68.months][:2] == ["2024-10", "2024-11"]
    assert fy68.months[-1]["month"] == "2025-09"
    charges = fy68.months[-1]["land_building"]["charges"]
    assert fy68.months[-1]["land_building"]["total"] == Decimal("100.00")
    assert fy68.totals["land_building"]["total"] == Decimal("100.00")
    assert fy68.totals["land_building"]["percent"] == Decimal("10.00")
    assert charges > 0  # paid late: part of the 100 baht is penalty and surcharge
    assert fy69.months[0]["month"] == "2025-10"
    assert fy69.months[0]["land_building"]["total"] == Decimal("100.00")
    assert fy69.totals["land_building"]["target"] == 0
    # the executive reads the report; the export has no personal data
    executive = demo.user("kk-executive")
    report = arrears.collection_report(actor=executive, municipality=demo.kk, fiscal_year=2568)
    owed = arrears.arrears_get(actor=executive, municipality=demo.kk, as_of=D(2025, 9, 30))
    header, rows = arrears.upward_rows(report, owed)
    text = arrears.to_csv(header, rows).decode("utf-8-sig")
    assert "ภาษีที่ดินและสิ่งปลูกสร้าง" in text and "ประมาณการรายรับ" in text
    assert a.taxpayer.name not in text and "by_taxpayer" not in owed.as_dict()
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    book = load_workbook(io.BytesIO(arrears.to_xlsx([("summary", header, rows)])))
    assert book["summary"]["B2"].value == "ภาษีที่ดินและสิ่งปลูกสร้าง"


def test_objection_decided_with_a_reassessment(demo, issued) -> None:
    officer = demo.user("kk-tax")
    item = issued[0]
    pay(demo, item, "10.00", D(2025, 6, 1))
    objection = objections.objection_file(
        actor=officer, municipality=demo.kk, assessment=item, filed_on=D(2025, 5, 20),
        grounds="the building is my primary home",
    )  # fmt: skip
    decided = objections.objection_decide(
        actor=officer, municipality=demo.kk, objection=objection, decision="partly", note="ok"
    )
    assert decided.reassessment is not None and decided.reassessment.status == "issued"
    item.refresh_from_db()
    assert item.status == "superseded"
    # the payment counts for the re-assessment
    account = payments.account_get(
        actor=officer, municipality=demo.kk, assessment=decided.reassessment, as_of=D(2025, 6, 1)
    )
    assert account.paid_tax_baht == Decimal("10.00")
    with pytest.raises(InvalidInput, match="already decided"):
        objections.objection_decide(
            actor=officer, municipality=demo.kk, objection=decided, decision="rejected"
        )
    rejected = objections.objection_file(
        actor=officer, municipality=demo.kk, assessment=decided.reassessment,
        filed_on=D(2025, 6, 2), grounds="again",
    )  # fmt: skip
    objections.objection_decide(
        actor=officer, municipality=demo.kk, objection=rejected, decision="rejected"
    )
    assert Objection.objects.get(pk=rejected.pk).reassessment is None


def test_pages_officer(demo, client_as, issued) -> None:
    client = client_as("kk-tax")
    item = issued[0]
    page = client.get(f"/khon-kaen/tax/assessments/{item.pk}/").content.decode()
    assert "tax-account" in page and "record-payment" in page
    form = client.get(f"/khon-kaen/tax/assessments/{item.pk}/pay/")
    assert form.status_code == 200
    too_much = client.post(
        f"/khon-kaen/tax/assessments/{item.pk}/pay/",
        {"amount": "999999999", "paid_on": "01/06/2568", "channel": "counter"},
    )
    assert too_much.status_code == 422
    assert "มากกว่าหนี้" in too_much.content.decode()  # the page speaks Thai
    assert item.payment_reference in too_much.content.decode()
    done = client.post(
        f"/khon-kaen/tax/assessments/{item.pk}/pay/",
        {"amount": "10", "paid_on": "01/06/2568", "channel": "counter"},
    )
    assert done.status_code == 302
    payment = item.payments.get()
    receipt = client.get(f"/khon-kaen/tax/payments/{payment.pk}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    arrears_page = client.get("/khon-kaen/tax/arrears/", {"as_of": "15/08/2568"}).content.decode()
    assert "arrears-taxpayers" in arrears_page and item.taxpayer.code in arrears_page
    csv_file = client.get("/khon-kaen/tax/arrears/", {"as_of": "15/08/2568", "format": "csv"})
    assert item.taxpayer.code in csv_file.content.decode("utf-8-sig")
    xlsx = client.get("/khon-kaen/tax/reports/", {"fy": "2568", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get("/khon-kaen/tax/reports/", {"fy": "2568"}).status_code == 200
    assert client.post("/khon-kaen/tax/arrears/").status_code == 302
    reverse = client.post(f"/khon-kaen/tax/payments/{payment.pk}/reverse/", {"reason": "typo"})
    assert reverse.status_code == 302
    assert (
        client.post(
            f"/khon-kaen/tax/assessments/{item.pk}/objections/",
            {"filed_on": "01/06/2568", "grounds": "wrong area"},
        ).status_code
        == 302
    )
    assert "wrong area" in client.get("/khon-kaen/tax/objections/").content.decode()
    imp = client.post(
        "/khon-kaen/tax/payments/import/",
        {"file": io.BytesIO(b"ref1,amount,paid_on\nNOPE,10,01/06/2568\n")},
    )
    assert imp.status_code == 422 and "NOPE" in imp.content.decode()


def test_pages_executive_sees_totals_without_personal_data(demo, client_as, issued) -> None:
    client = client_as("kk-executive")
    item = issued[0]
    page = client.get("/khon-kaen/tax/arrears/", {"as_of": "15/08/2568"}).content.decode()
    assert "arrears-buckets" in page and "arrears-taxpayers" not in page
    assert item.taxpayer.code not in page and item.taxpayer.name not in page
    data = json.loads(
        client.get("/khon-kaen/tax/arrears/", {"as_of": "15/08/2568", "format": "json"}).content
    )
    assert "rows" not in data and data["count"] == len(issued)
    assert client.get("/khon-kaen/tax/reports/").status_code == 200
    assert client.get(f"/khon-kaen/tax/assessments/{item.pk}/pay/").status_code == 403
    assert client.post("/khon-kaen/tax/arrears/").status_code == 403


@pytest.mark.parametrize(
    ("username", "status"), [(None, 302), ("sila-admin", 404), ("kk-viewer", 403)]
)
def test_pages_hidden(demo, client_as, username, status) -> None:
    client = client_as(username)
    for url in ("/khon-kaen/tax/arrears/", "/khon-kaen/tax/reports/", "/khon-kaen/tax/objections/"):
        assert client.get(url).status_code == status, url


def test_cli_pay_import_and_arrears(demo, issued, tmp_path) -> None:
    from click.testing import CliRunner

    from nakhon.cli import main

    runner = CliRunner()
    city = ["--municipality", "khon-kaen", "--user", "kk-tax"]
    a, b = issued[0], issued[1]
    result = runner.invoke(
        main, ["tax", "pay", a.payment_reference, "50", "--paid-on", "01/06/2568", *city]
    )
    assert result.exit_code == 0, result.output
    assert "receipt 2568-000001" in result.output
    refused = runner.invoke(main, ["tax", "pay", a.payment_reference, "99999999", *city])
    assert refused.exit_code == 2 and "larger than the debt" in refused.output
    statement = tmp_path / "bank.csv"
    statement.write_text(f"ref1,amount,paid_on\n{b.payment_reference},20.00,02/06/2568\n")
    dry = runner.invoke(main, ["tax", "import-payments", str(statement), "--dry-run", *city])
    assert dry.exit_code == 0 and "nothing was saved" in dry.output
    saved = runner.invoke(main, ["tax", "import-payments", str(statement), "--json", *city])
    assert saved.exit_code == 0 and json.loads(saved.output)["saved"] is True
    listed = runner.invoke(main, ["tax", "arrears", "--as-of", "15/08/2568", "--json", *city])
    data = json.loads(listed.output)
    assert data["count"] == len(issued) and "by_taxpayer" in data
