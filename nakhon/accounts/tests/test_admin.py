"""The back office (Django admin) is scoped to the municipalities a user administers."""

from __future__ import annotations

from typing import Any

import pytest

from nakhon.accounts.models import Department, Membership
from nakhon.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_city_admin_sees_only_own_city_rows(demo: Any, client_as: Any) -> None:
    client = client_as("kk-admin")
    page = client.get("/admin/accounts/department/").content.decode()
    for dept in Department.objects.filter(municipality=demo.kk):
        assert dept.name_th in page
    # Sila's own departments with names Khon Kaen does not share
    assert "กองคลัง" not in page and "กองช่าง" not in page
    audit = client.get("/admin/core/auditevent/").content.decode()
    assert "เทศบาลเมืองศิลา" not in audit


@pytest.mark.parametrize("model", ["department", "membership"])
def test_city_admin_cannot_open_other_citys_rows(demo: Any, client_as: Any, model: str) -> None:
    cls: Any = {"department": Department, "membership": Membership}[model]
    obj = cls.objects.filter(municipality=demo.sila).first()
    assert obj is not None
    client = client_as("kk-admin")
    for suffix in ("change/", "delete/", "history/"):
        response = client.get(f"/admin/accounts/{model}/{obj.pk}/{suffix}")
        # Django admin answers "doesn't exist" with a redirect to the admin home
        assert response.status_code in (302, 404), (suffix, response.status_code)
        assert obj.__class__.objects.filter(pk=obj.pk).exists()


def test_city_admin_cannot_move_a_row_to_another_city(demo: Any, client_as: Any) -> None:
    dept = Department.objects.filter(municipality=demo.kk).first()
    assert dept is not None
    response = client_as("kk-admin").post(
        f"/admin/accounts/department/{dept.pk}/change/",
        {
            "municipality": demo.sila.pk,
            "code": dept.code,
            "name_th": dept.name_th,
            "name_en": "",
            "description_th": "",
            "description_en": "",
            "email": "",
            "phone": "",
        },
    )
    assert response.status_code == 200  # the form again: Sila is not a valid choice
    assert "municipality" in response.context["adminform"].form.errors
    dept.refresh_from_db()
    assert dept.municipality == demo.kk


def test_non_admin_roles_have_no_back_office(demo: Any, client_as: Any) -> None:
    response = client_as("kk-tax").get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_users_are_managed_by_the_platform_superuser_only(demo: Any, client_as: Any) -> None:
    assert client_as("kk-admin").get("/admin/accounts/user/").status_code == 403
    viewer = demo.user("kk-viewer")
    response = client_as("admin").get(f"/admin/accounts/user/{viewer.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="personal_data.read").order_by("-id").first()
    assert event is not None and event.object_id == str(viewer.pk) and event.via == "admin"


def test_audit_log_is_read_only_in_admin(demo: Any, client_as: Any) -> None:
    event = AuditEvent.objects.filter(municipality=demo.kk).first()
    assert event is not None
    client = client_as("admin")
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    response = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert response.status_code == 200 and b'name="_save"' not in response.content


def test_membership_user_choices_hide_other_citys_staff(demo: Any, client_as: Any) -> None:
    page = client_as("kk-admin").get("/admin/accounts/membership/add/").content.decode()
    assert "kk-viewer" in page
    assert "sila-steward" not in page
