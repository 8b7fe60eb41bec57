"""Tenant isolation through the web UI: one city's staff get 404/403 for every object of another."""

from __future__ import annotations

from typing import Any

import pytest

from nakhon.accounts.models import Department, Membership

pytestmark = pytest.mark.django_db


def staff_pages(slug: str, department_id: int, user_id: int) -> list[str]:
    return [
        f"/{slug}/staff/",
        f"/{slug}/staff/{user_id}/",
        f"/{slug}/tokens/",
        f"/{slug}/audit/",
        f"/{slug}/audit/?export=csv",
        f"/{slug}/departments/{department_id}/edit/",
    ]


def sila_objects(demo: Any) -> tuple[int, int]:
    dept = Department.objects.filter(municipality=demo.sila).first()
    member = Membership.objects.filter(municipality=demo.sila).first()
    assert dept is not None and member is not None
    return dept.pk, member.user_id


@pytest.mark.parametrize(
    "username", ["kk-admin", "kk-executive", "kk-steward", "kk-tax", "kk-engineer", "kk-viewer"]
)
def test_khon_kaen_staff_get_404_for_every_sila_staff_page(
    demo: Any, client_as: Any, username: str
) -> None:
    client = client_as(username)
    dept_id, user_id = sila_objects(demo)
    for url in staff_pages("sila", dept_id, user_id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Traceback" not in response.content


def test_post_to_other_city_changes_nothing(demo: Any, client_as: Any) -> None:
    dept_id, _user_id = sila_objects(demo)
    before = Department.objects.get(pk=dept_id).name_th
    response = client_as("kk-admin").post(
        f"/sila/departments/{dept_id}/edit/", {"name_th": "ถูกแก้โดยขอนแก่น"}
    )
    assert response.status_code == 404
    assert Department.objects.get(pk=dept_id).name_th == before


def test_other_citys_object_under_own_slug_is_404(demo: Any, client_as: Any) -> None:
    """Swapping the slug for one's own city does not reach the other city's object either."""
    dept_id, _user_id = sila_objects(demo)
    client = client_as("kk-admin")
    assert client.get(f"/khon-kaen/departments/{dept_id}/edit/").status_code == 404
    sila_only = (
        Membership.objects.filter(municipality=demo.sila)
        .exclude(user__memberships__municipality=demo.kk)
        .first()
    )
    assert sila_only is not None
    assert client.get(f"/khon-kaen/staff/{sila_only.user_id}/").status_code == 404


def test_sila_admin_sees_only_sila(demo: Any, client_as: Any) -> None:
    client = client_as("sila-admin")
    assert client.get("/sila/staff/").status_code == 200
    assert client.get("/khon-kaen/staff/").status_code == 404
    kk_dept = Department.objects.filter(municipality=demo.kk).first()
    assert kk_dept is not None
    assert client.get(f"/khon-kaen/departments/{kk_dept.pk}/edit/").status_code == 404


def test_staff_list_shows_only_own_city_members(demo: Any, client_as: Any) -> None:
    page = client_as("kk-admin").get("/khon-kaen/staff/").content.decode()
    assert "kk-viewer" in page
    assert "sila-steward" not in page and "sila-admin" not in page


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("kk-viewer", "/khon-kaen/audit/", 403),
        ("kk-steward", "/khon-kaen/audit/", 403),
        ("kk-executive", "/khon-kaen/audit/", 200),
        ("kk-admin", "/khon-kaen/audit/", 200),
        ("kk-viewer", "/khon-kaen/staff/", 200),
        ("kk-engineer", "/khon-kaen/tokens/", 200),
        ("kk-executive", "/khon-kaen/audit/?export=csv", 403),
        ("kk-admin", "/khon-kaen/audit/?export=csv", 200),
    ],
)
def test_roles_within_own_city(client_as: Any, username: str, url: str, status: int) -> None:
    assert client_as(username).get(url).status_code == status


def test_public_sees_home_pages_but_not_staff_pages(demo: Any, client_as: Any) -> None:
    public = client_as(None)
    for slug in ("khon-kaen", "sila"):
        assert public.get(f"/{slug}/").status_code == 200
        assert public.get(f"/{slug}/departments/").status_code == 200
        response = public.get(f"/{slug}/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_department_edit_forbidden_for_non_admin(demo: Any, client_as: Any) -> None:
    dept = Department.objects.filter(municipality=demo.kk).first()
    assert dept is not None
    response = client_as("kk-steward").post(
        f"/khon-kaen/departments/{dept.pk}/edit/", {"name_th": "x"}
    )
    assert response.status_code == 403
    dept.refresh_from_db()
    assert dept.name_th != "x"


def test_json_twin_of_staff_page_respects_tenancy(demo: Any, client_as: Any) -> None:
    response = client_as("kk-admin").get("/sila/staff/?format=json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not-found"
