"""The open figures of local revenue (``nakhon.tax.publish``): three public datasets published
through the catalog's pipeline, their rows checked against the payments, assessments and
arrears read independently (ORM aggregates), scanned for any taxpayer's personal data, small
cells merged or withheld; shown to the public on the dataset page and the CKAN API; refused to
users without the permissions; re-published only when something changed."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone, translation

from nakhon.catalog.models import Dataset, DatasetVersion
from nakhon.core import thai
from nakhon.core.errors import PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.lake.service import rows as lake_rows
from nakhon.tax import publish
from nakhon.tax.models import (
    Assessment,
    Building,
    CollectionTarget,
    Holding,
    Parcel,
    Payment,
    Signboard,
    Taxpayer,
)
from nakhon.tax.publish import Cell, periods, protect

D = Decimal
PERSONAL = re.compile(r"(^|_)(name|national|id|address|phone|email|deed|parcel|reference)(_|$)")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def published(demo: Any, slug: str) -> list[dict[str, Any]]:
    """The current rows of the dataset as the public reads them."""
    dataset = Dataset.objects.get(municipality=demo.kk, slug=slug)
    page = lake_rows(actor=None, dataset=dataset, limit=1000)
    return [dict(zip(page.columns, row, strict=True)) for row in page.rows]


@pytest.fixture
def all_shown(settings: Any) -> None:
    settings.NAKHON_TAX_PUBLISH_MIN_COUNT = 1  # every cell shown: compare every figure


def test_protect_merges_small_cells_and_never_leaves_one_to_subtract() -> None:
    def cells() -> list[Cell]:
        return [
            Cell(("a",), {1, 2, 3, 6}, {"baht": D("10")}),
            Cell(("b",), {4}, {"baht": D("5")}),
            Cell(("c",), {5}, {"baht": D("7")}),
            Cell(("d",), set(), {"baht": D("0")}),
            Cell(("e",), {7, 8, 9}, {"baht": D("1")}),
        ]

    def combined(_merged: list[Cell]) -> tuple[str]:
        return ("combined",)

    # b and c (2 taxpayers) are too few together: the smallest other cell (e) joins them
    out = protect(cells(), minimum=3, combine=combined)
    assert [c.key for c in out] == [("a",), ("d",), ("combined",)]
    assert out[-1].members == {4, 5, 7, 8, 9} and out[-1].figures == {"baht": D("13")}
    assert not any(c.suppressed for c in out)
    out = protect(cells(), minimum=2, combine=combined)  # b + c = 2: enough
    assert [c.key for c in out] == [("a",), ("d",), ("e",), ("combined",)]
    assert out[-1].members == {4, 5}
    small = [Cell(("x",), {1}, {"baht": D("1")}), Cell(("y",), {2}, {"baht": D("2")})]
    out = protect(small, minimum=3, combine=combined)  # the whole group is small: withheld
    assert [(c.key, c.suppressed) for c in out] == [(("combined",), True)]


def test_periods_join_small_months() -> None:
    def month(i: int, members: set[int]) -> Cell:
        return Cell((i,), members, {"baht": D(len(members))})

    months = [month(1, set()), month(2, {1}), month(3, {2, 3}), month(4, {4, 5, 6}), month(5, {7})]
    groups = [[c.key[0] for c in g] for g in periods(months, minimum=3)]
    assert groups == [[1], [2, 3], [4, 5]]  # the last, small month joins the one before it
    assert [[c.key[0] for c in g] for g in periods(months[:2], minimum=3)] == [[1, 2]]


def test_published_rows_equal_the_tax_data(
    fresh_lake: Any, all_shown: None, demo_collection: Any
) -> None:
    demo, admin = demo_collection, demo_collection.user("kk-admin")
    today = timezone.localdate()
    # the demo's cycle has published them (as kk-admin): publishing again changes nothing
    done = publish.tax_figures_publish(actor=admin, municipality=demo.kk)
    assert [p.slug for p in done] == list(publish.SLUGS)
    assert not any(p.changed for p in done)
    for slug in publish.SLUGS:
        dataset = Dataset.objects.get(municipality=demo.kk, slug=slug)
        assert dataset.classification == "public" and dataset.data_type == "statistical"
        assert dataset.department.code == "finance" and dataset.license == "cc-by-4.0"
        assert dataset.update_frequency_unit == "month" and dataset.unit_of_measure == "บาท"
        assert dataset.first_year_be and dataset.last_year_be
        assert "NAKHON_TAX_PUBLISH_MIN_COUNT" in dataset.description_en
        assert not dataset.personal_columns()
        assert dataset.versions.count() == 1 and dataset.versions.get().actor == admin

    # 1. collection by month: the payments of this fiscal year by month and tax
    fy = thai.fiscal_year(today)
    start, end = thai.fiscal_year_range(fy)
    monthly = [r for r in published(demo, "tax-collection-monthly") if r["fiscal_year"] == fy]
    assert {r["month"] for r in monthly} == {
        dt.date(y, m, 1) for y, m in {(d.year, d.month) for d in _days(start, min(end, today))}
    }
    for row in monthly:
        paid = Payment.objects.filter(
            municipality=demo.kk,
            reversed=False,
            assessment__kind=row["tax"],
            paid_on__year=row["month"].year,
            paid_on__month=row["month"].month,
        )
        sums = paid.aggregate(tax=Sum("principal_baht"), charges=Sum("charges_baht"))
        assert row["tax_collected_baht"] == (sums["tax"] or 0)
        assert row["charges_collected_baht"] == (sums["charges"] or 0)
        assert row["total_collected_baht"] == (sums["tax"] or 0) + (sums["charges"] or 0)
        assert row["taxpayers_paid"] == paid.values("assessment__taxpayer").distinct().count()
        target = CollectionTarget.objects.get(municipality=demo.kk, fiscal_year=fy, kind=row["tax"])
        assert row["target_baht"] == target.target_baht
        expected = (row["total_collected_baht"] * 100 / target.target_baht).quantize(D("0.01"))
        assert row["percent_of_target"] == expected
        assert row["suppressed"] is False
    assert sum(r["total_collected_baht"] for r in monthly) > 0

    # 2. by category: per tax the tax assessed and collected of the demo year, signs by type
    categories = published(demo, "tax-assessed-by-category")
    for kind in ("land_building", "signboard"):
        rows = [r for r in categories if r["tax_year"] == 2568 and r["tax"] == kind]
        issued = Assessment.objects.filter(
            municipality=demo.kk, kind=kind, tax_year=2568, status="issued"
        )
        assert sum(r["tax_assessed_baht"] for r in rows) == issued.aggregate(t=Sum("tax_baht"))["t"]
        paid = Payment.objects.filter(assessment__in=issued, reversed=False)
        collected = paid.aggregate(t=Sum("principal_baht"))["t"]
        assert sum(r["tax_collected_baht"] for r in rows) == collected
        for r in rows:
            assert r["tax_outstanding_baht"] == r["tax_assessed_baht"] - r["tax_collected_baht"]
    signs = {
        r["category"]: r["item_count"]
        for r in categories
        if r["tax_year"] == 2568 and r["tax"] == "signboard"
    }
    expected_signs: dict[str, int] = defaultdict(int)
    for a in Assessment.objects.filter(
        municipality=demo.kk, kind="signboard", tax_year=2568, status="issued"
    ):
        for sign in a.signboards.all():
            expected_signs[f"type{sign.sign_type}-{'moving' if sign.moving else 'static'}"] += 1
    assert {k: v for k, v in signs.items() if v} == dict(expected_signs)

    # 3. arrears by tambon and age: every unpaid, overdue issued assessment once
    owed = published(demo, "tax-arrears-by-tambon")
    overdue = Assessment.objects.filter(
        municipality=demo.kk, status="issued", tax_baht__gt=0, due_on__lt=today
    )
    unpaid = sum(
        (a.tax_baht - (a.payments.filter(reversed=False).aggregate(t=Sum("principal_baht"))["t"]
                       or 0) for a in overdue),
        D(0),
    )  # fmt: skip
    assert sum(r["unpaid_baht"] for r in owed) == unpaid
    by_tambon: dict[str, set[int]] = defaultdict(set)
    for a in overdue:
        if a.payments.filter(reversed=False).aggregate(t=Sum("principal_baht"))["t"] != a.tax_baht:
            by_tambon[a.taxpayer.tambon_id or "-"].add(a.taxpayer_id)
    assert {r["tambon_code"]: r["taxpayers"] for r in owed} == {
        k: len(v) for k, v in by_tambon.items()
    }
    assert {r["age_band"] for r in owed} <= {"1-90", "91-180", "181-365", "365+"}


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_no_personal_data_and_small_cells_withheld(
    fresh_lake: Any, demo_collection: Any, settings: Any
) -> None:
    demo = demo_collection
    settings.NAKHON_TAX_PUBLISH_MIN_COUNT = 4  # another rule: other figures, new versions
    done = publish.tax_figures_publish(actor=demo.user("kk-admin"), municipality=demo.kk)
    assert all(p.changed for p in done)
    secrets: set[str] = set()
    for tp in Taxpayer.objects.filter(municipality=demo.kk):
        secrets |= {tp.code, tp.national_id, tp.name, f"{tp.title}{tp.name}"}
        secrets |= {v for v in (tp.address, tp.phone, tp.email) if v}
    for model in (Parcel, Building, Signboard):
        secrets |= set(model.objects.filter(municipality=demo.kk).values_list("code", flat=True))
    secrets |= set(
        Parcel.objects.filter(municipality=demo.kk).values_list("deed_number", flat=True)
    )
    secrets |= set(
        Parcel.objects.filter(municipality=demo.kk).values_list("parcel_number", flat=True)
    )
    secrets |= set(
        Assessment.objects.filter(municipality=demo.kk).values_list("payment_reference", flat=True)
    )
    secrets = {s for s in secrets if s and len(s) >= 4}
    assert len(secrets) > 50
    withheld = 0
    for slug in publish.SLUGS:
        dataset = Dataset.objects.get(municipality=demo.kk, slug=slug)
        names = [c["name"] for c in dataset.table_schema["columns"]]
        assert not [n for n in names if PERSONAL.search(n)], names
        for row in published(demo, slug):
            for value in row.values():
                text = str(value)
                assert not [s for s in secrets if s in text], (slug, row)
                assert not thai.is_valid_thai_id(re.sub(r"\D", "", text))
            counts = [row.get(k) for k in ("taxpayers", "taxpayers_paid") if k in row]
            if row["suppressed"]:
                withheld += 1
                assert counts == [None]
                assert all(v is None for k, v in row.items() if k.endswith("_baht")
                           and k != "target_baht")  # fmt: skip
            else:
                assert counts[0] is not None and (counts[0] == 0 or counts[0] >= 4), (slug, row)
    assert withheld > 0  # the demo's land and building tax was paid by 3 taxpayers
    # no small cell can be found by subtracting the shown ones from a total known elsewhere:
    # a group (tax year and tax; the arrears table) with a withheld row shows no other figures
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in published(demo, "tax-assessed-by-category"):
        groups[(r["tax_year"], r["tax"])].append(r)
    groups[("arrears",)] = published(demo, "tax-arrears-by-tambon")
    for key, rows in groups.items():
        if any(r["suppressed"] for r in rows):
            assert all(r["suppressed"] or not r["taxpayers"] for r in rows), key
    merged = [r for r in published(demo, "tax-arrears-by-tambon") if r["tambon_code"] == "combined"]
    assert len(merged) == 1 and merged[0]["tambon_th"].startswith("รวมหลายตำบล")
    assert merged[0]["taxpayers"] >= 4  # the small tambons joined by the smallest other one
    assert Holding.objects.filter(municipality=demo.kk).exists()  # the register is there


def test_republishing_the_same_figures_makes_no_version(
    fresh_lake: Any, demo_collection: Any
) -> None:
    demo, admin = demo_collection, demo_collection.user("kk-admin")
    again = publish.tax_figures_publish(actor=admin, municipality=demo.kk)  # the demo's did
    assert not any(p.changed for p in again)
    assert DatasetVersion.objects.filter(dataset__municipality=demo.kk,
                                         dataset__slug__in=publish.SLUGS).count() == 3  # fmt: skip
    assert "unchanged" in publish.describe(again)
    # a payment changes the collection (and the category and arrears figures): new versions
    item = Assessment.objects.filter(
        municipality=demo.kk, kind="land_building", tax_year=2568, status="issued",
        payments__isnull=True,
    ).order_by("pk").first()  # fmt: skip
    assert item is not None
    from nakhon.tax import payments

    payments.payment_record(
        actor=demo.user("kk-tax"),
        municipality=demo.kk,
        assessment=item,
        amount_baht=D("10.00"),
        paid_on=timezone.localdate(),
        channel="counter",
    )
    third = publish.tax_figures_publish(actor=admin, municipality=demo.kk)
    collection = third[0]
    assert collection.changed and collection.version is not None
    assert collection.version.number == 2
    events = AuditEvent.objects.filter(municipality=demo.kk, action="tax.figures.publish")
    assert events.count() == 3  # the demo's, the unchanged one, this one
    last = events.order_by("-pk").first()
    assert last is not None and last.actor_id == admin.pk
    assert last.changes["tax-collection-monthly"] == 2
    publishes = AuditEvent.objects.filter(
        municipality=demo.kk, action="dataset.publish", object_id=str(collection.dataset.pk)
    )
    assert publishes.count() == 2


def test_public_page_and_ckan_show_the_figures(
    fresh_lake: Any, demo_collection: Any, client: Any
) -> None:
    for slug in publish.SLUGS:  # published by the demo's cycle
        page = client.get(f"/khon-kaen/datasets/{slug}/")
        assert page.status_code == 200, slug
        assert client.get(f"/khon-kaen/datasets/{slug}/rows/").status_code == 200, slug
        rows = client.get(f"/khon-kaen/datasets/{slug}/rows/", {"format": "json"}).json()
        assert rows["rows"], slug
        body = client.get("/khon-kaen/api/3/action/package_show", {"id": slug}).json()
        assert body["success"] and body["result"]["name"] == slug
        assert body["result"]["organization"]["name"]
    search = client.get("/khon-kaen/api/3/action/package_search", {"q": "ภาษี", "rows": 100})
    names = {p["name"] for p in search.json()["result"]["results"]}
    assert set(publish.SLUGS) <= names


def test_only_who_may_read_the_figures_and_publish_datasets_can_publish(
    fresh_lake: Any, demo_collection: Any, client_as: Any
) -> None:
    demo = demo_collection
    before = AuditEvent.objects.filter(action="tax.figures.publish").count()
    for username in ("kk-tax", "kk-steward", "kk-executive", "kk-viewer"):
        user = demo.user(username)
        assert not publish.can_publish(user, demo.kk)
        with pytest.raises(PermissionDenied):
            publish.tax_figures_publish(actor=user, municipality=demo.kk)
        response = client_as(username).post("/khon-kaen/tax/reports/publish/")
        assert response.status_code in (403, 404), username
    assert AuditEvent.objects.filter(action="tax.figures.publish").count() == before
    assert client_as(None).post("/khon-kaen/tax/reports/publish/").status_code in (302, 401)
    # the reports page offers the button to who may use it, and only to them
    assert "tax-publish" not in client_as("kk-tax").get("/khon-kaen/tax/reports/").content.decode()
    admin = client_as("kk-admin")
    assert 'data-testid="tax-publish"' in admin.get("/khon-kaen/tax/reports/").content.decode()
    response = admin.post("/khon-kaen/tax/reports/publish/")
    assert response.status_code == 302 and response["Location"].endswith("/tax/reports/")
    assert AuditEvent.objects.filter(action="tax.figures.publish").count() == before + 1
    page = admin.get("/khon-kaen/tax/reports/").content.decode()
    assert "/khon-kaen/datasets/tax-collection-monthly/" in page
    assert "tax-collection-monthly: " in page  # the message: version or unchanged, per dataset


def test_a_refused_publish_is_a_message_not_a_server_error(
    fresh_lake: Any, demo_collection: Any, client_as: Any, monkeypatch: Any
) -> None:
    from nakhon.ingestion.errors import IngestError

    def refuse(**_kw: Any) -> Any:
        raise IngestError("file-too-large", "The table is too large.", "ตารางใหญ่เกินไป")

    monkeypatch.setattr(publish, "tax_figures_publish", refuse)
    admin = client_as("kk-admin")
    response = admin.post("/khon-kaen/tax/reports/publish/", follow=True)
    assert response.status_code == 200
    assert "ตารางใหญ่เกินไป" in response.content.decode()  # the Thai page, the Thai reason
