"""The audit log: every write and personal-data read, append-only, viewable, exportable."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from nakhon.accounts.models import Department
from nakhon.accounts.services import department_update
from nakhon.core.audit import audit_record, origin
from nakhon.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def latest(**filters: Any) -> AuditEvent:
    event = AuditEvent.objects.filter(**filters).order_by("-id").first()
    assert event is not None, f"no audit event {filters}"
    return event


def test_service_write_is_audited_with_who_what_where(demo: Any) -> None:
    dept = Department.objects.filter(municipality=demo.kk).first()
    assert dept is not None
    admin = demo.user("kk-admin")
    with origin(via=AuditEvent.Via.WEB, ip="203.0.113.7", user_agent="pytest", request_id="r1"):
        department_update(
            actor=admin, municipality=demo.kk, department=dept, data={"phone": "043-221-122"}
        )
    event = latest(action="department.update")
    assert event.actor == admin and event.actor_label == "kk-admin"
    assert event.municipality == demo.kk
    assert event.object_type == "accounts.department" and event.object_id == str(dept.pk)
    assert event.changes["phone"][1] == "043-221-122"
    assert (event.ip, event.user_agent, event.via, event.request_id) == (
        "203.0.113.7",
        "pytest",
        "web",
        "r1",
    )


def test_web_write_records_ip_and_request_id(demo: Any, client_as: Any) -> None:
    dept = Department.objects.filter(municipality=demo.kk).first()
    assert dept is not None
    response = client_as("kk-admin").post(
        f"/khon-kaen/departments/{dept.pk}/edit/",
        {
            "name_th": dept.name_th,
            "name_en": "Changed",
            "description_th": "",
            "description_en": "",
            "email": "",
            "phone": "",
        },
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302, response.content[:500]
    event = latest(action="department.update")
    assert event.request_id == "req-123" and event.ip == "198.51.100.4" and event.via == "web"
    assert event.changes["name_en"][1] == "Changed"


def test_personal_data_read_is_audited_web_and_api(
    demo: Any, client_as: Any, token_for: Any
) -> None:
    viewer = demo.user("kk-viewer")
    before = AuditEvent.objects.filter(personal_data=True).count()
    page = client_as("kk-admin").get(f"/khon-kaen/staff/{viewer.pk}/")
    assert page.status_code == 200 and viewer.email in page.content.decode()
    event = latest(personal_data=True)
    assert event.action == "personal_data.read" and event.object_id == str(viewer.pk)
    assert "email" in event.changes["fields"]
    raw = token_for("kk-admin", scopes=["read", "personal"])
    response = Client().get(
        f"/api/v1/municipalities/khon-kaen/members/{viewer.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    event = latest(personal_data=True)
    assert event.via == "api" and event.token_label == raw.split("_")[1]
    assert AuditEvent.objects.filter(personal_data=True).count() == before + 2


def test_denied_personal_read_leaves_no_data_and_no_read_event(demo: Any, client_as: Any) -> None:
    viewer = demo.user("kk-viewer")
    before = AuditEvent.objects.filter(personal_data=True).count()
    response = client_as("kk-steward").get(f"/khon-kaen/staff/{viewer.pk}/")
    assert response.status_code == 403
    assert viewer.email not in response.content.decode()
    assert AuditEvent.objects.filter(personal_data=True).count() == before


def test_login_logout_and_failure_are_audited(demo: Any) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "kk-viewer", "password": "wrong"})
    assert response.status_code == 200
    assert latest(action="auth.login_failed").object_repr == "kk-viewer"
    from nakhon.testing.fixtures import DEMO_PASSWORD

    response = client.post("/accounts/login/", {"username": "kk-viewer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert latest(action="auth.login").actor_label == "kk-viewer"
    client.post("/accounts/logout/")
    assert latest(action="auth.logout").actor_label == "kk-viewer"


def test_model_refuses_update_and_delete(demo: Any) -> None:
    event = audit_record(actor=None, action="test.event", municipality=demo.kk)
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'rewritten' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete(demo: Any, sql: str) -> None:
    """Raw SQL bypasses the model: the database trigger (SQLite or PostgreSQL) still refuses."""
    event = audit_record(actor=None, action="test.event", municipality=demo.kk)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_audit_page_filters(demo: Any, client_as: Any) -> None:
    audit_record(
        actor=demo.user("kk-admin"),
        action="test.filter_me",
        municipality=demo.kk,
        object_repr="หาฉันให้เจอ",
    )
    audit_record(
        actor=demo.user("sila-admin"),
        action="test.filter_me",
        municipality=demo.sila,
        object_repr="ของศิลา",
    )
    client = client_as("kk-admin")
    page = client.get("/khon-kaen/audit/", {"action": "test."}).content.decode()
    assert "หาฉันให้เจอ" in page and "ของศิลา" not in page
    page = client.get("/khon-kaen/audit/", {"q": "ไม่มีคำนี้"}).content.decode()
    assert "หาฉันให้เจอ" not in page
    data = client.get(
        "/khon-kaen/audit/", {"actor": "kk-admin", "action": "test.filter_me", "export": "json"}
    ).json()
    assert [row["object_repr"] for row in data] == ["หาฉันให้เจอ"]


def test_audit_api_is_paginated_and_scoped(demo: Any, client_as: Any) -> None:
    for i in range(3):
        audit_record(actor=None, action="test.page", municipality=demo.kk, object_repr=str(i))
    body = (
        client_as("kk-executive")
        .get("/api/v1/municipalities/khon-kaen/audit", {"action": "test.page", "limit": 2})
        .json()
    )
    assert body["count"] == 3 and len(body["items"]) == 2
    assert all(item["action"] == "test.page" for item in body["items"])


def test_csv_export_is_excel_safe_and_audited(demo: Any, client_as: Any) -> None:
    audit_record(
        actor=None,
        action="test.csv",
        municipality=demo.kk,
        object_repr='=HYPERLINK("http://evil.example","คลิก")',
    )
    response = client_as("kk-admin").get(
        "/khon-kaen/audit/", {"action": "test.csv", "export": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-khon-kaen-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["object_repr"].startswith("'=HYPERLINK")
    export = latest(action="audit.export")
    assert export.actor_label == "kk-admin" and export.changes["format"] == "csv"
    assert export.changes["filters"]["action"] == "test.csv"  # the filters used are kept


def test_admin_writes_are_audited(demo: Any, client_as: Any) -> None:
    dept = Department.objects.filter(municipality=demo.kk).first()
    assert dept is not None
    client = client_as("kk-admin")
    url = f"/admin/accounts/department/{dept.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "municipality": demo.kk.pk,
            "code": dept.code,
            "name_th": dept.name_th,
            "name_en": "Changed in admin",
            "description_th": "",
            "description_en": "",
            "email": "",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = latest(action="department.update")
    assert event.via == "admin" and event.changes["name_en"]["to"] == "Changed in admin"
