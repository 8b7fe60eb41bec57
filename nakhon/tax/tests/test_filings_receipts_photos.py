"""Dates of receipt (notices, warning notices, a delivery list), the ภ.ป.1 register and its
Signboard Tax Act §25(1)(2) surcharges, and sign photos — with their date edges."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from nakhon.tax import assessments, deliveries, filings, payments, photos
from nakhon.tax.models import (
    Assessment,
    Notice,
    Reminder,
    Signboard,
    SignboardFiling,
    SignboardPhoto,
    Taxpayer,
)
from nakhon.tax.quotes import rules_for
from nakhon.tax.tests.conftest import valid_id

D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def owner(demo) -> Taxpayer:
    return Taxpayer.objects.create(
        municipality=demo.kk, code="TP-FILE-1", kind="person", national_id=valid_id(901), name="x"
    )


def sign(demo, owner, code="SB-FILE-1", installed_on=None) -> Signboard:
    # type 2 static 200 × 100 cm = 40 units × 26 baht = 1,040 baht a year (docs: SB-5)
    return Signboard.objects.create(
        municipality=demo.kk,
        code=code,
        owner=owner,
        sign_type=2,
        moving=False,
        width_cm=200,
        height_cm=100,
        installed_on=installed_on,
    )


def assess(demo, owner) -> Assessment:
    """The signboard run of 2568 with the ภ.ป.1 surcharges (the call ``_save`` makes)."""
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "signboard", 2568)
    made = list(Assessment.objects.filter(run=run))
    filings.apply_charges(
        municipality=demo.kk, rules=rules_for("signboard", 2568, demo.kk), assessments=made
    )
    return Assessment.objects.get(run=run, taxpayer=owner)


def record(demo, owner, signs, filed_on, kind="yearly", **kw) -> SignboardFiling:
    return filings.filing_record(
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        owner=owner,
        tax_year=2568,
        kind=kind,
        signboards=signs,
        filed_on=filed_on,
        **kw,
    )


# --- §25(1)(2) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "prompted", "charge"),
    [
        (D(2025, 3, 31), False, "0.00"),  # the last day of March: in time (§12)
        (D(2025, 4, 1), False, "52.00"),  # a day late, on the owner's own: 5 % (§25(1))
        (D(2025, 4, 1), True, "104.00"),  # a day late after the office's notice: 10 %
        (None, False, "104.00"),  # no return, the year's register declared complete: 10 %
    ],
)
def test_yearly_return_deadline_and_rates(demo, owner, filed_on, prompted, charge) -> None:
    mine = sign(demo, owner)
    other_owner = Taxpayer.objects.create(
        municipality=demo.kk, code="TP-FILE-2", kind="person", national_id=valid_id(902), name="y"
    )
    other = sign(demo, other_owner, "SB-FILE-2")
    record(demo, other_owner, [other], D(2025, 3, 1))
    filings.filing_year_declare(
        actor=demo.user("kk-tax"), municipality=demo.kk, tax_year=2568, complete=True
    )
    if filed_on is not None:
        record(demo, owner, [mine], filed_on, prompted=prompted)
    item = assess(demo, owner)
    assert item.tax_baht == Decimal("1040.00")
    assert item.filing_charges_baht == Decimal(charge)
    codes = [s["code"] for s in item.steps]
    if charge != "0.00":
        assert "late_filing" in codes and codes[-1] == "amount_due"
        assert item.steps[-1]["value"] == str(Decimal("1040.00") + Decimal(charge))
        basis = next(s for s in item.steps if s["code"] == "filing_basis")
        assert ("no ภ.ป.1 recorded" in basis["label_en"]) == (filed_on is None)
    else:
        assert "late_filing" not in codes


def test_no_register_kept_no_charge(demo, owner) -> None:
    sign(demo, owner)
    item = assess(demo, owner)
    assert item.filing_charges_baht == 0
    assert not any(s["code"] == "late_filing" for s in item.steps)


@pytest.mark.parametrize(
    ("filed_on", "charge"), [(D(2025, 6, 25), "0.00"), (D(2025, 6, 26), "78.00")]
)
def test_new_sign_15_days(demo, owner, filed_on, charge) -> None:
    # installed 10 June: quarter 2, 75 % of 1,040 = 780; due by 25 June (15 days, §12)
    mine = sign(demo, owner, installed_on=D(2025, 6, 10))
    record(demo, owner, [mine], filed_on, kind="new", prompted=True)
    item = assess(demo, owner)
    assert item.tax_baht == Decimal("780.00")
    assert item.filing_charges_baht == Decimal(charge)


def test_changed_sign_late(demo, owner) -> None:
    mine = sign(demo, owner)
    record(demo, owner, [mine], D(2025, 3, 20))
    record(demo, owner, [mine], D(2025, 9, 17), kind="changed", changed_on=D(2025, 9, 1))
    item = assess(demo, owner)  # 16 days after the change, before any notice: 5 %
    assert item.filing_charges_baht == Decimal("52.00")


def test_understated_return(demo, owner) -> None:
    mine = sign(demo, owner)
    record(demo, owner, [mine], D(2025, 3, 10), declared_tax_baht="800")
    item = assess(demo, owner)  # §25(2): 10 % of 1,040 − 800 = 24
    assert item.filing_charges_baht == Decimal("24.00")
    assert any(s["code"] == "understatement" for s in item.steps)


def test_a_register_kept_in_part_charges_no_missing_return(demo, owner, client_as) -> None:
    # one return recorded for 2568 does not make every other owner "never filed": until the
    # office declares the year's register complete, only returns recorded as late are charged
    mine = sign(demo, owner)
    other_owner = Taxpayer.objects.create(
        municipality=demo.kk, code="TP-FILE-2", kind="person", national_id=valid_id(902), name="y"
    )
    record(demo, other_owner, [sign(demo, other_owner, "SB-FILE-2")], D(2025, 3, 1))
    assert mine.filings.count() == 0
    assert assess(demo, owner).filing_charges_baht == 0
    # declared complete through the page (tax.change), audited; then the missing return costs 10 %
    client = client_as("kk-tax")
    url = f"/{demo.kk.slug}/tax/filings/years/"
    client.post(url, {"tax_year": "2568", "complete": "1"})
    assert filings.filing_year_complete(municipality=demo.kk, tax_year=2568)
    listed = client.get(f"/{demo.kk.slug}/tax/signboards/")
    assert "2568" in listed.content.decode().split('data-testid="filing-years"')[1]
    assert assess(demo, owner).filing_charges_baht == Decimal("104.00")
    client.post(url, {"tax_year": "2568", "complete": "0"})
    assert not filings.filing_year_complete(municipality=demo.kk, tax_year=2568)
    refused = client_as("kk-executive").post(url, {"tax_year": "2568", "complete": "1"})
    assert refused.status_code in {403, 404}
    assert not filings.filing_year_complete(municipality=demo.kk, tax_year=2568)


@pytest.mark.parametrize("bad", ["1e100", "123456789012345678.12", "-1", "abc"])
def test_a_declared_tax_out_of_range_is_refused_by_name(demo, owner, bad) -> None:
    from nakhon.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        record(demo, owner, [sign(demo, owner)], D(2025, 3, 1), declared_tax_baht=bad)
    assert "declared_tax_baht" in caught.value.message
    assert not SignboardFiling.objects.filter(owner=owner).exists()


def test_the_filings_api_checks_permission_before_any_lookup(demo, owner, client) -> None:
    # an anonymous client must not learn which register numbers exist
    url = f"/api/v1/municipalities/{demo.kk.slug}/tax/filings"
    body = {"tax_year": 2568, "kind": "yearly", "signboards": ["SB-NOPE"], "filed_on": "2025-03-01"}
    known = client.post(url, {**body, "owner": owner.code}, content_type="application/json")
    unknown = client.post(url, {**body, "owner": "TP-NOPE"}, content_type="application/json")
    assert known.status_code == unknown.status_code == 401
    huge = {**body, "owner": owner.code, "declared_tax_baht": "1e100"}
    assert client.post(url, huge, content_type="application/json").status_code in {401, 422}
    # the tax office is told which number is unknown, and nothing is recorded
    client.force_login(demo.user("kk-tax"))
    unknown = client.post(url, {**body, "owner": "TP-NOPE"}, content_type="application/json")
    assert unknown.status_code == 422 and "TP-NOPE" in unknown.content.decode()
    no_sign = client.post(url, {**body, "owner": owner.code}, content_type="application/json")
    assert no_sign.status_code == 422 and "SB-NOPE" in no_sign.content.decode()
    assert not SignboardFiling.objects.filter(owner=owner).exists()


def test_the_filing_pages_refuse_odd_numbers_without_a_server_error(demo, owner, client_as) -> None:
    mine = sign(demo, owner)
    filing = record(demo, owner, [mine], D(2025, 3, 1))
    client = client_as("kk-tax")
    gone = client.post(f"/{demo.kk.slug}/tax/filings/{filing.pk}/delete/", {"sign": "abc"})
    assert gone.status_code == 302 and not SignboardFiling.objects.filter(pk=filing.pk).exists()
    bad_year = client.post(
        f"/{demo.kk.slug}/tax/signboards/{mine.pk}/filings/",
        {"tax_year": "25x8", "kind": "yearly", "filed_on": "01/03/2568"},
    )
    assert bad_year.status_code == 302 and not SignboardFiling.objects.filter(owner=owner).exists()


def test_filing_charges_are_due_but_bear_no_late_surcharge(demo, owner) -> None:
    mine = sign(demo, owner)
    record(demo, owner, [mine], D(2025, 4, 2), prompted=True)
    item = assess(demo, owner)
    officer = demo.user("kk-tax")
    assert item.run is not None
    assessments.run_issue(actor=officer, municipality=demo.kk, run=item.run)
    item.refresh_from_db()
    assert item.due_on is not None
    later = item.due_on + dt.timedelta(days=40)
    account = payments.account_get(
        actor=officer, municipality=demo.kk, assessment=item, as_of=later
    )
    # 2 % a month × 2 months on the tax only (§25(3)), plus the 104 of §25(1)
    assert account.unpaid_baht == Decimal("1040.00")
    assert account.charges_baht == Decimal("41.60") + Decimal("104.00")
    Assessment.objects.filter(pk=item.pk).update(due_on=timezone.localdate())
    item.refresh_from_db()
    paid = payments.payment_record(
        actor=officer,
        municipality=demo.kk,
        assessment=item,
        amount_baht=Decimal("1144.00"),
        paid_on=timezone.localdate(),
    )
    assert paid.principal_baht == Decimal("1040.00")
    assert paid.charges_baht == Decimal("104.00")
    assert paid.allocations[-1]["part"] == "filing"
    account = payments.account_get(actor=officer, municipality=demo.kk, assessment=item)
    assert account.balance_baht == 0


def test_the_pp3_notice_asks_for_the_tax_and_the_filing_surcharge(demo, owner) -> None:
    # the §25(1) surcharge is due with the tax: the notice shows both, their total in figures
    # and in words, and its Thai QR asks for the total
    import unicodedata

    from pypdf import PdfReader

    from nakhon.core import thai
    from nakhon.tax.notices import service

    mine = sign(demo, owner)
    record(demo, owner, [mine], D(2025, 4, 2), prompted=True)
    item = assess(demo, owner)
    officer = demo.user("kk-tax")
    assert item.run is not None
    assessments.run_issue(actor=officer, municipality=demo.kk, run=item.run)
    item.refresh_from_db()
    data = service.notice_data(item, demo.kk, {"biller_id": "099400012345601"})
    assert data.due_baht == Decimal("1144.00") and data.surcharge_baht == Decimal("104.00")
    pdf_bytes = service.render_pdf(data)
    reader = PdfReader(io.BytesIO(pdf_bytes))
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    assert "1,040.00" in text and "104.00" in text and "1,144.00" in text
    assert "มาตรา 25" in text
    assert unicodedata.normalize("NFKC", "รวมเงินที่ต้องชำระ") in text
    assert unicodedata.normalize("NFKC", thai.baht_text(Decimal("1144.00"))) in text
    assert "54071144.00" in data.qr_payload()  # EMVCo tag 54, the transaction amount


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "monthly"}, "kind"),
        ({"filed_on": ""}, "filed_on"),
        ({"filed_on": "31/02/2568"}, "filed_on"),
        ({"kind": "changed"}, "changed_on"),
        ({"kind": "changed", "changed_on": D(2025, 5, 2)}, "changed_on"),
        ({"declared_tax_baht": "-5"}, "declared_tax_baht"),
        ({"signboards": []}, "signboards"),
    ],
)
def test_filing_refused_names_the_field(demo, owner, kw, field) -> None:
    mine = sign(demo, owner)
    args = {"signboards": [mine], "filed_on": D(2025, 5, 1)} | kw
    with pytest.raises(filings.FilingRefused) as caught:
        record(demo, owner, args.pop("signboards"), args.pop("filed_on"), **args)
    assert field in caught.value.errors
    assert not SignboardFiling.objects.exists()


def test_filing_of_another_owners_sign_refused(demo, owner) -> None:
    stranger = Signboard.objects.filter(municipality=demo.kk).exclude(owner=owner).first()
    with pytest.raises(filings.FilingRefused, match="not a sign of taxpayer TP-FILE-1"):
        record(demo, owner, [stranger], D(2025, 3, 1))


def test_filing_is_audited_and_needs_tax_change(demo, owner) -> None:
    from nakhon.core.audit import AuditEvent
    from nakhon.core.errors import PermissionDenied

    mine = sign(demo, owner)
    made = record(demo, owner, [mine], D(2025, 3, 1))
    assert AuditEvent.objects.filter(action="tax.filing.record", object_id=str(made.pk)).exists()
    with pytest.raises(PermissionDenied):
        filings.filing_record(
            actor=demo.user("kk-executive"),
            municipality=demo.kk,
            owner=owner,
            tax_year=2568,
            kind="yearly",
            signboards=[mine],
            filed_on=D(2025, 3, 1),
        )


# --- dates of receipt ---------------------------------------------------------------------------


@pytest.fixture
def issued_sign(demo, owner) -> Assessment:
    sign(demo, owner)
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "signboard", 2568)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    return Assessment.objects.get(run=run, taxpayer=owner)


def test_signboard_due_date_follows_the_receipt(demo, issued_sign) -> None:
    officer = demo.user("kk-tax")
    today = timezone.localdate()
    notice = issued_sign.notice
    assert issued_sign.due_on == today + dt.timedelta(days=15)  # from the issue date
    account = payments.account_get(
        actor=officer,
        municipality=demo.kk,
        assessment=issued_sign,
        as_of=today + dt.timedelta(days=40),
    )
    basis = account.parts[0].charges.steps[0]
    assert basis["code"] == "due_basis" and basis["unconfirmed"]
    assert "approximation" in basis["label_en"]
    deliveries.notice_receive(actor=officer, municipality=demo.kk, notice=notice, received_on=today)
    issued_sign.refresh_from_db()
    assert issued_sign.due_on == today + dt.timedelta(days=15)
    account = payments.account_get(
        actor=officer,
        municipality=demo.kk,
        assessment=issued_sign,
        as_of=today + dt.timedelta(days=40),
    )
    basis = account.parts[0].charges.steps[0]
    assert "from the receipt of the notice" in basis["label_en"] and not basis["unconfirmed"]
    deliveries.notice_receive(actor=officer, municipality=demo.kk, notice=notice, received_on="")
    notice.refresh_from_db()
    assert notice.received_on is None


def test_signboard_due_date_moves_with_a_later_receipt(demo, issued_sign) -> None:
    officer = demo.user("kk-tax")
    notice = issued_sign.notice
    # issued 10 days ago, received 3 days ago: due 15 days after the receipt
    Notice.objects.filter(pk=notice.pk).update(issued_at=timezone.now() - dt.timedelta(days=10))
    notice.refresh_from_db()
    got = timezone.localdate() - dt.timedelta(days=3)
    deliveries.notice_receive(actor=officer, municipality=demo.kk, notice=notice, received_on=got)
    issued_sign.refresh_from_db()
    assert issued_sign.due_on == got + dt.timedelta(days=15)


def test_a_receipt_that_would_move_the_due_date_under_payments_is_refused(
    demo, issued_sign
) -> None:
    officer = demo.user("kk-tax")
    notice = issued_sign.notice
    Notice.objects.filter(pk=notice.pk).update(issued_at=timezone.now() - dt.timedelta(days=10))
    notice.refresh_from_db()
    payments.payment_record(
        actor=officer,
        municipality=demo.kk,
        assessment=issued_sign,
        amount_baht=Decimal("100.00"),
        paid_on=timezone.localdate(),
    )
    due = issued_sign.due_on
    got = timezone.localdate() - dt.timedelta(days=3)
    with pytest.raises(deliveries.ReceiptRefused, match="payments are already recorded"):
        deliveries.notice_receive(
            actor=officer, municipality=demo.kk, notice=notice, received_on=got
        )
    notice.refresh_from_db()
    issued_sign.refresh_from_db()
    assert notice.received_on is None and issued_sign.due_on == due  # nothing half-written


@pytest.mark.parametrize(
    ("offset", "error"), [(-1, "before it was sent"), (1, "in the future"), (0, None)]
)
def test_notice_received_date_edges(demo, issued_sign, offset, error) -> None:
    day = timezone.localdate() + dt.timedelta(days=offset)  # issued today
    call = lambda: deliveries.notice_receive(  # noqa: E731
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        notice=issued_sign.notice,
        received_on=day,
    )
    if error:
        with pytest.raises(deliveries.ReceiptRefused, match=error):
            call()
        issued_sign.notice.refresh_from_db()
        assert issued_sign.notice.received_on is None
    else:
        assert call().received_on == day


@pytest.fixture
def lbt(demo) -> Assessment:
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land_building", 2568)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    item = Assessment.objects.filter(run=run, status="issued").earliest("pk")
    Assessment.objects.filter(pk=item.pk).update(tax_baht=Decimal("10000.00"))
    item.refresh_from_db()
    assert item.due_on == D(2025, 6, 30)
    return item


def test_section_68_penalty_steps_from_the_warning_receipt(demo, lbt) -> None:
    officer = demo.user("kk-tax")
    warning = Reminder.objects.create(
        municipality=demo.kk,
        assessment=lbt,
        kind="warning",
        sent_on=D(2025, 7, 10),
        respond_by=D(2025, 8, 9),
    )

    def charges(on: dt.date) -> tuple[Decimal, dict]:
        account = payments.account_get(
            actor=officer, municipality=demo.kk, assessment=lbt, as_of=on
        )
        return account.charges_baht, account.parts[0].charges.steps[0]

    # not recorded: the sending date stands for the receipt (20 % from 10 July), said so
    amount, basis = charges(D(2025, 7, 12))
    assert amount == Decimal("2100.00")  # 20 % + 1 % for one month (§68, §70)
    assert basis["code"] == "warning_basis" and basis["unconfirmed"]
    assert "approximation" in basis["label_en"]
    with pytest.raises(deliveries.ReceiptRefused, match="before it was sent"):
        deliveries.reminder_receive(
            actor=officer, municipality=demo.kk, reminder=warning, received_on=D(2025, 7, 9)
        )
    deliveries.reminder_receive(
        actor=officer, municipality=demo.kk, reminder=warning, received_on="15/07/2568"
    )
    assert charges(D(2025, 7, 14))[0] == Decimal("1100.00")  # before its receipt: 10 %
    assert charges(D(2025, 7, 15))[0] == Decimal("2100.00")  # from the day it is received
    amount, basis = charges(D(2025, 7, 20))
    assert "received on" in basis["label_en"] and not basis["unconfirmed"]


# --- the delivery list --------------------------------------------------------------------------


def test_delivery_list_all_or_nothing(demo, issued_sign, lbt, tmp_path: Path) -> None:
    officer = demo.user("kk-tax")
    warning = Reminder.objects.create(
        municipality=demo.kk, assessment=lbt, kind="warning", sent_on=D(2025, 7, 10)
    )
    today = timezone.localdate()
    be = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    good = tmp_path / "good.csv"
    good.write_text(
        "document,received_on\n"
        f"{issued_sign.payment_reference},{be}\n"
        f"หนังสือแจ้งเตือน {warning.pk}/2568,15/07/2568\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "document,received_on\n"
        f"{issued_sign.payment_reference},{be}\n"
        f"หนังสือแจ้งเตือน {warning.pk}/2568,01/07/2568\n"  # before it was sent
        "S25689999999,01/07/2568\n"  # no such notice
        f"{issued_sign.payment_reference},{be}\n",  # twice
        encoding="utf-8",
    )
    with pytest.raises(deliveries.DeliveriesRefused) as caught:
        deliveries.deliveries_import(actor=officer, municipality=demo.kk, path=bad)
    rows = caught.value.report.rows
    assert [r.ok for r in rows] == [True, False, False, False]
    assert "before it was sent" in rows[1].message
    assert "no notice has the payment reference" in rows[2].message
    assert "same document as row 2" in rows[3].message
    assert Notice.objects.get(pk=issued_sign.notice.pk).received_on is None  # nothing saved
    checked = deliveries.deliveries_import(
        actor=officer, municipality=demo.kk, path=good, dry_run=True
    )
    assert checked.ok and not checked.saved
    assert Notice.objects.get(pk=issued_sign.notice.pk).received_on is None
    report = deliveries.deliveries_import(actor=officer, municipality=demo.kk, path=good)
    assert report.saved
    assert Notice.objects.get(pk=issued_sign.notice.pk).received_on == today
    assert Reminder.objects.get(pk=warning.pk).received_on == D(2025, 7, 15)


def test_delivery_list_by_form_and_number_and_missing_columns(demo, issued_sign, tmp_path) -> None:
    officer = demo.user("kk-tax")
    notice = issued_sign.notice
    today = timezone.localdate()
    path = tmp_path / "list.csv"
    path.write_text(
        f"เลขที่,แบบ,วันที่ได้รับ\n{notice.number},ภ.ป.3,{today.day}/{today.month}/{today.year + 543}\n",
        encoding="utf-8",
    )
    deliveries.deliveries_import(actor=officer, municipality=demo.kk, path=path)
    notice.refresh_from_db()
    assert notice.received_on == today
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("number,date_sent\n1/2568,01/01/2568\n", encoding="utf-8")
    with pytest.raises(deliveries.DeliveriesRefused, match="received_on"):
        deliveries.deliveries_import(actor=officer, municipality=demo.kk, path=wrong)


def test_receipt_pages_and_api(demo, issued_sign, client: Client) -> None:
    client.force_login(demo.user("kk-tax"))
    today = timezone.localdate()
    url = f"/khon-kaen/tax/assessments/{issued_sign.pk}/"
    page = client.get(url)
    assert b'data-testid="notice-received"' in page.content
    response = client.post(f"{url}received/", {"received_on": "01/01/2500"}, follow=True)
    assert "ก่อนวันที่ส่ง" in response.content.decode()  # the error, in the page's Thai
    issued_sign.notice.refresh_from_db()
    assert issued_sign.notice.received_on is None
    api = client.put(
        f"/api/v1/municipalities/khon-kaen/tax/assessments/{issued_sign.pk}/notice/received",
        data={"received_on": today.isoformat()},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    assert api.json()["due_on"] == (today + dt.timedelta(days=15)).isoformat()
    future = client.put(
        f"/api/v1/municipalities/khon-kaen/tax/assessments/{issued_sign.pk}/notice/received",
        data={"received_on": (today + dt.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 422


def test_filing_api_and_page(demo, owner, client: Client) -> None:
    mine = sign(demo, owner)
    client.force_login(demo.user("kk-tax"))
    made = client.post(
        "/api/v1/municipalities/khon-kaen/tax/filings",
        data={
            "owner": "TP-FILE-1",
            "tax_year": 2568,
            "kind": "yearly",
            "signboards": ["SB-FILE-1"],
            "filed_on": "2025-04-03",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    unknown = client.post(
        "/api/v1/municipalities/khon-kaen/tax/filings",
        data={
            "owner": "TP-FILE-1",
            "tax_year": 2568,
            "kind": "yearly",
            "signboards": ["NOPE"],
            "filed_on": "2025-04-03",
        },
        content_type="application/json",
    )
    assert unknown.status_code == 422 and "NOPE" in unknown.content.decode()
    listed = client.get("/api/v1/municipalities/khon-kaen/tax/filings?year=2568")
    assert [f["signboards"] for f in listed.json()] == [["SB-FILE-1"]]
    page = client.post(
        f"/khon-kaen/tax/signboards/{mine.pk}/filings/",
        {"tax_year": "2568", "kind": "new", "filed_on": "20/06/2568", "signs": [str(mine.pk)]},
        follow=True,
    )
    assert page.status_code == 200
    assert SignboardFiling.objects.filter(owner=owner).count() == 2
    assert b'data-testid="sign-filings"' in page.content


# --- photos ------------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (16.0, 26.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert b"Exif" in data
    return data


def test_photo_upload_strips_exif_and_is_served_to_tax_staff_only(
    demo, owner, client: Client, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    mine = sign(demo, owner)
    client.force_login(demo.user("kk-tax"))
    upload = SimpleUploadedFile("sign.jpg", jpeg_with_gps(), content_type="image/jpeg")
    page = client.post(
        f"/khon-kaen/tax/signboards/{mine.pk}/photos/",
        {"photo": upload, "taken_on": "01/08/2568", "note": "front"},
        follow=True,
    )
    assert b'data-testid="sign-photos"' in page.content
    photo = SignboardPhoto.objects.get(signboard=mine)
    assert photo.taken_on == D(2025, 8, 1) and photo.width_px == 64
    stored = photos.photo_root() / photo.path
    data = stored.read_bytes()
    assert b"Exif" not in data and not Image.open(io.BytesIO(data)).getexif()
    served = client.get(f"/khon-kaen/tax/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    thumb = client.get(f"/khon-kaen/tax/photos/{photo.pk}/?thumb=1")
    assert thumb.status_code == 200
    for who in ("kk-executive", "kk-viewer"):
        client.force_login(demo.user(who))
        assert client.get(f"/khon-kaen/tax/photos/{photo.pk}/").status_code in (403, 404)
    client.logout()
    assert client.get(f"/khon-kaen/tax/photos/{photo.pk}/").status_code != 200
    # deleted with the sign
    with django_capture_on_commit_callbacks(execute=True):
        mine.delete()
    assert not SignboardPhoto.objects.filter(pk=photo.pk).exists()
    assert not stored.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.jpg", b"this is text, not an image", "not an image"),
        ("empty.png", b"", "empty"),
        ("anim.gif", None, "not taken"),
    ],
)
def test_photo_refused_with_a_clear_message(demo, owner, name, data, message) -> None:
    mine = sign(demo, owner)
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, format="GIF")
        data = out.getvalue()
    with pytest.raises(photos.PhotoRefused) as caught:
        photos.photo_add(
            actor=demo.user("kk-tax"),
            municipality=demo.kk,
            signboard=mine,
            upload=io.BytesIO(data),
            name=name,
        )
    assert name in caught.value.message and message in caught.value.message
    assert not SignboardPhoto.objects.exists()


def test_photo_too_large_refused(demo, owner, monkeypatch) -> None:
    mine = sign(demo, owner)
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    with pytest.raises(photos.PhotoRefused, match="larger than"):
        photos.photo_add(
            actor=demo.user("kk-tax"),
            municipality=demo.kk,
            signboard=mine,
            upload=io.BytesIO(jpeg_with_gps()),
            name="big.jpg",
        )


def test_signboard_import_keeps_the_owner(demo, write_csv) -> None:
    """The "owner" column of a signboard file (mapped to ``owners`` for parcels) sets the
    sign's owner: before, the sign was saved with none and the signboard run then refused the
    whole register (the browser test's flow)."""
    from nakhon.tax import imports

    path = write_csv(
        "signs.csv",
        "code,owner,sign_type,moving,width_cm,height_cm\n",
        ["SB-OWNED-1,TP-0001,2,no,200,100"],
    )
    imports.register_import(
        actor=demo.user("kk-tax"), municipality=demo.kk, register="signboards", path=path
    )
    assert Signboard.objects.get(municipality=demo.kk, code="SB-OWNED-1").owner.code == "TP-0001"


def test_the_tax_home_links_the_delivery_list_for_the_tax_office(demo, client_as) -> None:
    url = f"/{demo.kk.slug}/tax/deliveries/"
    assert url in client_as("kk-tax").get(f"/{demo.kk.slug}/tax/").content.decode()
    assert url not in client_as("kk-executive").get(f"/{demo.kk.slug}/tax/").content.decode()


def test_the_delivery_list_page_records_the_upload_and_keeps_no_file(
    demo, issued_sign, client_as, settings
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    today = timezone.localdate()
    be = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    body = f"document,received_on\n{issued_sign.payment_reference},{be}\n".encode()
    url = f"/{demo.kk.slug}/tax/deliveries/"
    client = client_as("kk-tax")
    bad = SimpleUploadedFile("list.csv", b"document,received_on\nNOPE,01/01/2568\n")
    refused = client.post(url, {"file": bad})
    assert refused.status_code == 422 and "NOPE" in refused.content.decode()
    ok = client.post(url, {"file": SimpleUploadedFile("list.csv", body)})
    assert ok.status_code == 200
    issued_sign.notice.refresh_from_db()
    assert issued_sign.notice.received_on == today
    folder = Path(settings.NAKHON_UPLOAD_DIR) / "tax"
    assert not list(folder.glob("delivery-*"))  # the file was read and deleted
    assert client_as("kk-executive").post(url, {"file": bad}).status_code in {403, 404}
