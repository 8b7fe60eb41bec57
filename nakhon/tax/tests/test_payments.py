"""Payments: late charges from dates (table-driven, per the rule files), partial payments,
installments, every refused input named, reversal, bank import all or nothing, receipts."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from pypdf import PdfReader

from nakhon.core import thai
from nakhon.core.errors import PermissionDenied
from nakhon.tax import assessments, bank_import, payments
from nakhon.tax.models import Assessment, Payment, Reminder

D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The services' messages in English (the catalogue translates them to Thai)."""
    with translation.override("en"):
        yield


@pytest.fixture
def lbt(demo) -> Assessment:
    """An issued land and building tax 2568 (due 30 June 2568 = 2025-06-30) of 10,000 baht."""
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "land_building", 2568)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    item = Assessment.objects.filter(run=run, status="issued").earliest("pk")
    Assessment.objects.filter(pk=item.pk).update(tax_baht=Decimal("10000.00"))
    item.refresh_from_db()
    assert item.due_on == D(2025, 6, 30)
    return item


@pytest.fixture
def sign(demo) -> Assessment:
    """An issued signboard tax 2568 of 1,000 baht, due 2025-04-30."""
    officer = demo.user("kk-tax")
    run = assessments.run_assessment(officer, demo.kk, "signboard", 2568)
    assessments.run_issue(actor=officer, municipality=demo.kk, run=run)
    item = Assessment.objects.filter(run=run, status="issued").earliest("pk")
    Assessment.objects.filter(pk=item.pk).update(tax_baht=Decimal("1000.00"), due_on=D(2025, 4, 30))
    item.refresh_from_db()
    return item


def pay(demo, item, amount, paid_on, **kw):
    return payments.payment_record(
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        assessment=item,
        amount_baht=Decimal(amount),
        paid_on=paid_on,
        **kw,
    )


def balance(demo, item, on):
    return payments.account_get(
        actor=demo.user("kk-tax"), municipality=demo.kk, assessment=item, as_of=on
    )


# Land and Building Tax Act B.E. 2562 §68 (penalty: 10 % paid late before a warning notice,
# 20 % within the warning's deadline, 40 % after; lbt rule file [penalty]) and §70 (surcharge
# 1 % a month of the tax, a fraction of a month a month, at most the tax; [surcharge]).
# Warning received 2025-08-01 with a deadline of 2025-08-31 where "warned".
LBT_CASES = [
    # paid on, warned, penalty, surcharge
    (D(2025, 6, 30), False, "0", "0"),  # on the due date
    (D(2025, 7, 1), False, "1000", "100"),  # a day late: 10 % + 1 month
    (D(2025, 7, 30), False, "1000", "100"),  # same day next month: still 1 month
    (D(2025, 7, 31), False, "1000", "200"),  # one day more: 2 months
    (D(2025, 7, 31), True, "1000", "200"),  # before the warning is received: 10 %
    (D(2025, 8, 15), True, "2000", "200"),  # within the warning's deadline: 20 %
    (D(2025, 8, 31), True, "2000", "300"),  # on the deadline: 20 %, 3 months
    (D(2025, 9, 1), True, "4000", "300"),  # after it: 40 %
    (D(2035, 1, 1), True, "4000", "10000"),  # surcharge capped at the tax
]


@pytest.mark.parametrize(("on", "warned", "penalty", "surcharge"), LBT_CASES)
def test_land_building_late_charges_from_dates(demo, lbt, on, warned, penalty, surcharge) -> None:
    if warned:
        Reminder.objects.create(
            municipality=demo.kk,
            assessment=lbt,
            kind="warning",
            sent_on=D(2025, 7, 31),
            received_on=D(2025, 8, 1),
            respond_by=D(2025, 8, 31),
        )
    account = balance(demo, lbt, on)
    expected = Decimal(penalty) + Decimal(surcharge)
    assert account.charges_baht == expected
    assert account.balance_baht == Decimal("10000") + expected
    if expected:
        codes = {s["code"]: s["value"] for s in account.parts[0].charges.steps}
        assert Decimal(codes["penalty"]) == Decimal(penalty)
        assert Decimal(codes["surcharge"]) == Decimal(surcharge)


# Signboard Tax Act B.E. 2510 §25(3): 2 % of the tax a month, a fraction of a month a month
# (signboard rule file [late_payment]).
@pytest.mark.parametrize(
    ("on", "charges"),
    [(D(2025, 4, 30), "0"), (D(2025, 5, 1), "20"), (D(2025, 5, 31), "40"), (D(2025, 12, 1), "160")],
)
def test_signboard_surcharge_from_dates(demo, sign, on, charges) -> None:
    assert balance(demo, sign, on).charges_baht == Decimal(charges)


def test_full_payment_late_stores_charges_with_their_explanation(demo, lbt) -> None:
    payment = pay(demo, lbt, "11100.00", D(2025, 7, 15))
    assert payment.principal_baht == Decimal("10000.00")
    assert payment.charges_baht == Decimal("1100.00")
    assert payment.fiscal_year == 2568 and payment.receipt_number == "2568-000001"
    steps = payment.allocations[0]["steps"]
    assert any(s["code"] == "penalty" and s["rule"] for s in steps)
    assert balance(demo, lbt, D(2026, 1, 1)).balance_baht == 0


def test_partial_payments_split_tax_and_charges_in_proportion(demo, lbt) -> None:
    on_time = pay(demo, lbt, "4000", D(2025, 6, 1))
    assert (on_time.principal_baht, on_time.charges_baht) == (Decimal(4000), Decimal(0))
    # 6,000 unpaid; on 2025-07-15 the rate is 11 %: 6,660 settles it; pay 3,330 (half)
    late = pay(demo, lbt, "3330", D(2025, 7, 15))
    assert late.principal_baht == Decimal("3000.00") and late.charges_baht == Decimal("330.00")
    account = balance(demo, lbt, D(2025, 7, 15))
    assert account.unpaid_baht == Decimal("3000.00")
    assert account.charges_baht == Decimal("330.00")
    assert account.balance_baht == Decimal("3330.00")


def test_installments_where_the_law_allows(demo, lbt) -> None:
    plan = payments.installments_plan(
        actor=demo.user("kk-tax"), municipality=demo.kk, assessment=lbt, requested_on=D(2025, 6, 1)
    )
    # Act §52, rule file 2568 [installments]: 3 parts from 3,000 baht, June/July/August
    assert [(i.due_on, i.amount_baht) for i in plan] == [
        (D(2025, 6, 30), Decimal("3333.34")),
        (D(2025, 7, 31), Decimal("3333.33")),
        (D(2025, 8, 31), Decimal("3333.33")),
    ]
    first = pay(demo, lbt, "3333.34", D(2025, 6, 30))
    assert first.installment_number == 1 and first.charges_baht == 0
    assert balance(demo, lbt, D(2025, 7, 31)).installments_ended is None  # nothing missed yet
    # Act §52 (rule file [installment_default]): the second installment, not paid by 31 July,
    # ends the right to installments: the third is due on 31 July too, with the penalty but
    # without the surcharge. On 15 Aug: 10 % 333.33 + 1 % 33.33 on the second, 10 % 333.33 on
    # the third.
    account = balance(demo, lbt, D(2025, 8, 15))
    assert account.charges_baht == Decimal("699.99")
    assert account.unpaid_baht == Decimal("6666.66")
    assert account.overdue_since == D(2025, 7, 31)
    assert [(p.due_on, p.planned_on, p.surcharge) for p in account.parts] == [
        (D(2025, 6, 30), D(2025, 6, 30), True),
        (D(2025, 7, 31), D(2025, 7, 31), True),
        (D(2025, 7, 31), D(2025, 8, 31), False),
    ]
    ended = account.as_dict()["installments_ended"]
    assert ended["installment"] == 2 and ended["due_on"] == "2025-07-31"
    assert ended["ended_on"] == "2025-08-01" and "§52" in ended["steps"][0]["rule"]
    # paying it all on 15 Aug settles both with their own charges, stored per installment
    payment = pay(demo, lbt, "7366.65", D(2025, 8, 15))
    assert payment.charges_baht == Decimal("699.99")
    assert [a["planned_on"] for a in payment.allocations] == ["2025-07-31", "2025-08-31"]
    assert balance(demo, lbt, D(2025, 12, 31)).balance_baht == 0


# Act §52 at the edges, on the account: (payments on the first installment, as of, the
# installment missed or None, charges accrued). Plan of 10,000: 3,333.34 due 30 June 2025.
EDGE_CASES = [
    ([("3333.34", D(2025, 6, 30))], D(2025, 7, 15), None, "0"),  # paid on the due date
    ([("3333.34", D(2025, 6, 29))], D(2025, 7, 15), None, "0"),  # paid before it
    # a day late: the first installment bore 10 % + 1 month when paid (366.67 with it); on
    # 15 July the other two (6,666.66) are due since 30 June with 10 %, no surcharge
    ([("3700.01", D(2025, 7, 1))], D(2025, 7, 15), 1, "666.66"),
    # part paid by the due date: missed; on 333.34 left of the first 10 % + 1 % (33.33 +
    # 3.33), on each of the others 10 % (333.33)
    ([("3000", D(2025, 6, 30))], D(2025, 7, 15), 1, "703.32"),
]


@pytest.mark.parametrize(("paid", "on", "missed", "charges"), EDGE_CASES)
def test_a_missed_installment_ends_the_right_at_the_edges(demo, lbt, paid, on, missed, charges):
    payments.installments_plan(
        actor=demo.user("kk-tax"), municipality=demo.kk, assessment=lbt, requested_on=D(2025, 6, 1)
    )
    for amount, day in paid:
        pay(demo, lbt, amount, day)
    account = balance(demo, lbt, on)
    ended = account.installments_ended
    assert (ended["installment"] if ended else None) == missed
    assert account.charges_baht == Decimal(charges)
    if missed:
        assert {p.due_on for p in account.parts} == {D(2025, 6, 30)}
        assert account.overdue_since == D(2025, 6, 30)


def test_no_installments_below_the_minimum_or_for_signboards(demo, lbt, sign) -> None:
    officer = demo.user("kk-tax")
    Assessment.objects.filter(pk=lbt.pk).update(tax_baht=Decimal("2999.99"))
    lbt.refresh_from_db()
    with pytest.raises(payments.PaymentRefused, match="3,000"):
        payments.installments_plan(
            actor=officer, municipality=demo.kk, assessment=lbt, requested_on=D(2025, 6, 1)
        )
    with pytest.raises(payments.PaymentRefused, match="signboard"):
        payments.installments_plan(
            actor=officer, municipality=demo.kk, assessment=sign, requested_on=D(2025, 4, 1)
        )


def test_a_payment_larger_than_the_debt_is_refused_with_the_record_named(demo, lbt) -> None:
    with pytest.raises(payments.PaymentRefused) as caught:
        pay(demo, lbt, "11100.01", D(2025, 7, 15))
    message = caught.value.message
    assert lbt.payment_reference in message and lbt.taxpayer.code in message
    assert "11,100.00" in message
    assert not Payment.objects.exists()


def test_a_duplicated_receipt_number_is_refused(demo, lbt) -> None:
    first = pay(demo, lbt, "100", D(2025, 6, 1), receipt_number="B12/034")
    with pytest.raises(payments.PaymentRefused) as caught:
        pay(demo, lbt, "100", D(2025, 6, 2), receipt_number="B12/034")
    assert "B12/034" in caught.value.message and str(first.pk) in caught.value.message
    # the same number in the next fiscal year (from 1 October) is another receipt
    assert pay(demo, lbt, "100", D(2025, 10, 1), receipt_number="B12/034").fiscal_year == 2569


def test_payment_on_a_draft_or_superseded_assessment_is_refused(demo, lbt) -> None:
    officer = demo.user("kk-tax")
    draft = assessments.run_assessment(officer, demo.kk, "signboard", 2569).assessments.first()
    with pytest.raises(payments.PaymentRefused, match="not issued"):
        pay(demo, draft, "10", D(2025, 6, 1))
    new = assessments.reassess(
        actor=officer,
        municipality=demo.kk,
        taxpayer=lbt.taxpayer,
        kind=lbt.kind,
        tax_year=lbt.tax_year,
    )
    lbt.refresh_from_db()
    with pytest.raises(payments.PaymentRefused) as caught:
        pay(demo, lbt, "10", D(2025, 6, 1))
    assert str(new.pk) in caught.value.message and str(lbt.pk) in caught.value.message


def test_other_refusals(demo, lbt) -> None:
    with pytest.raises(payments.PaymentRefused, match="future"):
        pay(demo, lbt, "10", dt.date.today() + dt.timedelta(days=2))
    with pytest.raises(payments.PaymentRefused, match="positive"):
        payments.parse_amount("-5")
    with pytest.raises(PermissionDenied):
        payments.payment_record(
            actor=demo.user("kk-executive"),
            municipality=demo.kk,
            assessment=lbt,
            amount_baht=Decimal(10),
            paid_on=D(2025, 6, 1),
        )


def test_reversal_keeps_the_payment_with_its_reason(demo, lbt) -> None:
    officer = demo.user("kk-tax")
    payment = pay(demo, lbt, "10000", D(2025, 6, 1), channel="transfer")
    with pytest.raises(payments.PaymentRefused, match="reason"):
        payments.payment_reverse(actor=officer, municipality=demo.kk, payment=payment, reason=" ")
    payments.payment_reverse(
        actor=officer, municipality=demo.kk, payment=payment, reason="transfer bounced"
    )
    payment.refresh_from_db()
    assert payment.reversed and payment.reversed_by == officer
    assert balance(demo, lbt, D(2025, 6, 1)).balance_baht == Decimal("10000.00")
    with pytest.raises(payments.PaymentRefused, match="already"):
        payments.payment_reverse(actor=officer, municipality=demo.kk, payment=payment, reason="x")


def _statement(rows: list[str]) -> bytes:
    return ("ref1,ref2,amount,paid_on,transaction_id\n" + "\n".join(rows) + "\n").encode()


def test_bank_import_is_all_or_nothing_with_a_report_per_row(demo, lbt, sign) -> None:
    officer = demo.user("kk-tax")
    good = f"{lbt.payment_reference},,5000.00,15/06/2568,T1"
    bad = f"{sign.payment_reference},,999999,15/06/2568,T2"
    with pytest.raises(bank_import.ImportRefused) as caught:
        bank_import.payments_import(
            actor=officer,
            municipality=demo.kk,
            data=_statement([good, bad, "X999,,10,01/06/2568,T3", f"{good[:-2]}T1"]),
        )
    report = caught.value.report
    assert [r.ok for r in report.rows] == [True, False, False, False]
    assert "larger than the debt" in report.rows[1].message
    assert "X999" in report.rows[2].message and "row 2" in report.rows[3].message
    assert not Payment.objects.exists()
    dry = bank_import.payments_import(
        actor=officer, municipality=demo.kk, data=_statement([good]), dry_run=True
    )
    assert dry.ok and not dry.saved and not Payment.objects.exists()
    saved = bank_import.payments_import(
        actor=officer,
        municipality=demo.kk,
        data=_statement([good, f"{sign.payment_reference},,1000,15/04/2568,T9"]),
    )
    assert saved.saved and Payment.objects.filter(channel="bank_import").count() == 2
    with pytest.raises(bank_import.ImportRefused, match="already recorded"):
        bank_import.payments_import(actor=officer, municipality=demo.kk, data=_statement([good]))


def test_receipt_pdf_text(demo, lbt) -> None:
    payment = pay(demo, lbt, "11100.00", D(2025, 7, 15))
    data = payments.receipt_pdf(actor=demo.user("kk-tax"), municipality=demo.kk, payment=payment)
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    nfkc = lambda s: unicodedata.normalize("NFKC", s)  # noqa: E731
    assert nfkc("ใบเสร็จรับเงิน") in text and "2568-000001" in text
    assert nfkc(thai.baht_text(Decimal("11100"))) in text  # หนึ่งหมื่นหนึ่งพันหนึ่งร้อยบาทถ้วน
    assert "11,100.00" in text and "1,100.00" in text
    assert nfkc(thai.format_thai_date(D(2025, 7, 15), style="long")) in text
    assert lbt.taxpayer.name in text and lbt.payment_reference in text


def test_the_assessment_page_and_its_json_say_the_right_to_installments_ended(
    demo, lbt, client_as
) -> None:
    # Act §52: nothing paid by 30 June 2025: installment 1 missed, the right ended on 1 July.
    payments.installments_plan(
        actor=demo.user("kk-tax"), municipality=demo.kk, assessment=lbt, requested_on=D(2025, 6, 1)
    )
    client = client_as("kk-tax")
    page = client.get(f"/{demo.kk.slug}/tax/assessments/{lbt.pk}/")
    assert b'data-testid="installments-ended"' in page.content
    assert "§52" in page.content.decode()
    data = client.get(f"/api/v1/municipalities/{demo.kk.slug}/tax/assessments/{lbt.pk}").json()
    assert [p["due_on"] for p in data["parts"]] == ["2025-06-30"] * 3
    assert [p["surcharge"] for p in data["parts"]] == [True, False, False]
    ended = data["installments_ended"]
    assert (ended["installment"], ended["due_on"], ended["ended_on"]) == (
        1,
        "2025-06-30",
        "2025-07-01",
    )
    assert any("52" in str(step) for step in ended["steps"])
