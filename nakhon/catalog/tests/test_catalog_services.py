"""Datasets: create with GD Catalog metadata, clear errors, visibility, overdue notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from nakhon.catalog import selectors, services
from nakhon.catalog.models import Dataset
from nakhon.core.errors import InvalidInput, NotFound, PermissionDenied
from nakhon.core.models import AuditEvent

pytestmark = pytest.mark.django_db

META = {
    "title_th": "ข้อมูลภาษีป้ายประจำปี",
    "title_en": "Annual signboard tax data",
    "department": "finance",
    "data_type": "statistical",
    "classification": "public",
    "objective": ["public-service", "law"],
    "update_frequency_unit": "year",
    "update_frequency_interval": 1,
    "geo_coverage": "municipality",
    "data_format": ["csv"],
    "data_language": ["th"],
    "first_year_be": 2563,
    "last_year_be": 2568,
    "maintainer_email": "finance@kkmuni.example",
    "tags": "ภาษี, ป้าย",
}


def make(
    demo: Any, slug: str = "signboard-tax", actor: str = "kk-steward", **extra: Any
) -> Dataset:
    return services.dataset_create(
        actor=demo.user(actor), municipality=demo.kk, slug=slug, data={**META, **extra}
    )


def test_create_with_metadata(demo: Any) -> None:
    dataset = make(demo)
    assert dataset.department.code == "finance"
    assert sorted(t.name for t in dataset.tags.all()) == ["ป้าย", "ภาษี"]
    assert dataset.objective == ["public-service", "law"]
    assert AuditEvent.objects.filter(action="dataset.create", object_id=str(dataset.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title_th": ""}, "title_th"),
        ({"department": "nope"}, "department"),
        ({"data_type": "spreadsheet"}, "data_type"),
        ({"classification": "top-secret"}, "classification"),
        ({"objective": ["win"]}, "objective"),
        ({"first_year_be": 2023}, "first_year_be"),
        ({"first_year_be": 2568, "last_year_be": 2563}, "last_year_be"),
        ({"maintainer_email": "not-mail"}, "maintainer_email"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_errors_name_the_field(demo: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        make(demo, **change)
    assert field in info.value.errors, info.value.errors
    assert not Dataset.objects.filter(slug="signboard-tax").exists()


def test_roles(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        make(demo, actor="kk-viewer")
    with pytest.raises(NotFound):
        services.dataset_create(
            actor=demo.user("sila-steward"), municipality=demo.kk, slug="x", data=META
        )


def test_private_datasets_are_invisible_to_the_public(demo: Any) -> None:
    make(demo, slug="open")
    make(demo, slug="taxpayers", classification="personal")
    public = {d.slug for d in selectors.dataset_list(actor=None, municipality=demo.kk)}
    staff = {
        d.slug for d in selectors.dataset_list(actor=demo.user("kk-viewer"), municipality=demo.kk)
    }
    other_city = {
        d.slug for d in selectors.dataset_list(actor=demo.user("sila-admin"), municipality=demo.kk)
    }
    assert "open" in public and "taxpayers" not in public
    assert {"open", "taxpayers"} <= staff
    assert "taxpayers" not in other_city
    with pytest.raises(NotFound):
        selectors.dataset_get(actor=None, municipality=demo.kk, slug="taxpayers")


@pytest.mark.parametrize(
    ("actor", "city", "slug"),
    [
        (None, "khon-kaen", "open"),
        (None, "khon-kaen", "taxpayers"),
        ("kk-viewer", "khon-kaen", "taxpayers"),
        ("sila-admin", "khon-kaen", "taxpayers"),
        (None, "khon-kaen", "nope"),
        (None, "atlantis", "open"),
        (None, "sila", "open"),
    ],
)
def test_dataset_get_by_slugs_answers_as_the_two_selectors(
    demo: Any, actor: str | None, city: str, slug: str
) -> None:
    from nakhon.accounts.selectors import municipality_get

    make(demo, slug="open")
    make(demo, slug="taxpayers", classification="personal")
    user = demo.user(actor) if actor else None

    def two_steps() -> Any:
        m = municipality_get(slug=city)
        return selectors.dataset_get(actor=user, municipality=m, slug=slug)

    def one() -> Any:
        return selectors.dataset_get_by_slugs(actor=user, municipality_slug=city, slug=slug)

    try:
        expected = two_steps()
    except NotFound as exc:
        with pytest.raises(NotFound) as caught:
            one()
        assert str(caught.value) == str(exc)
    else:
        assert one().pk == expected.pk


def test_overdue_notice_once_by_mail_and_webhook(demo: Any, monkeypatch: Any) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(services, "_post_webhook", lambda url, payload: calls.append(payload))
    dataset = make(demo, update_frequency_unit="month", notify_webhook="https://hooks.example/x")
    Dataset.objects.filter(pk=dataset.pk).update(
        last_published_at=timezone.now() - dt.timedelta(days=70)
    )
    assert selectors.dataset_freshness(Dataset.objects.get(pk=dataset.pk)).state == "overdue"
    notified = services.notify_overdue()
    assert [d.pk for d in notified] == [dataset.pk]
    assert mail.outbox and "finance@kkmuni.example" in mail.outbox[0].to
    assert "เลยกำหนด" in mail.outbox[0].subject
    assert calls and calls[0]["dataset"] == "signboard-tax"
    assert services.notify_overdue() == []  # once per overdue period
    due = selectors.datasets_due(actor=demo.user("kk-steward"), municipality=demo.kk)
    assert [(d.slug, f.state) for d, f in due] == [("signboard-tax", "overdue")]


def test_admin_checks_the_table_schema(demo: Any, client_as: Any) -> None:
    import json

    dataset = make(demo)
    client = client_as("kk-admin")
    url = f"/admin/catalog/dataset/{dataset.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "municipality": demo.kk.pk,
            "department": dataset.department_id,
            "objective": json.dumps(dataset.objective),
            "data_format": json.dumps([]),
            "data_language": json.dumps([]),
            "disaggregate": json.dumps([]),
            "table_schema": json.dumps(
                {"columns": [{"name": "a", "type": "colour"}], "primary_key": ["b"]}
            ),
            "resources-TOTAL_FORMS": 0,
            "resources-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "table_schema" in errors
    text = " ".join(errors["table_schema"])
    assert "colour" in text and "b" in text
