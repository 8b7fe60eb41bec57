"""The web shell: home pages, navigation per role, language and municipality switches,
health and version endpoints, error pages that never show a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_and_version(client: Client) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["checks"]["database"] == "ok"
    assert "no-cache" in health["Cache-Control"]
    version = client.get("/version").json()
    import nakhon

    assert version["version"] == nakhon.__version__ and version["name"] == "nakhon"


def test_site_index_lists_cities(client: Client, demo: Any) -> None:
    page = client.get("/").content.decode()
    assert "เทศบาลนครขอนแก่น" in page and "เทศบาลเมืองศิลา" in page
    data = client.get("/?format=json").json()
    assert {m["slug"] for m in data["municipalities"]} >= {"khon-kaen", "sila"}


def test_home_page_in_thai_by_default(client: Client, demo: Any) -> None:
    page = client.get("/khon-kaen/").content.decode()
    assert '<html lang="th">' in page
    assert "เทศบาลนครขอนแก่น" in page and "3400102" in page
    assert "ปีงบประมาณ พ.ศ. 25" in page  # the fiscal year in the Buddhist Era
    assert "หน้าหลัก" in page  # translated navigation
    assert "/static/vendor/sarabun/sarabun.css" in page  # the vendored Thai font
    assert "https://" not in page.split("<body")[0]  # no CDN in <head>


def test_language_switch_to_english(demo: Any) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/khon-kaen/"})
    assert response.status_code == 302 and response["Location"] == "/khon-kaen/"
    page = client.get("/khon-kaen/").content.decode()
    assert '<html lang="en">' in page
    assert "Khon Kaen City Municipality" in page and "FY 25" in page
    assert "Home" in page


def test_home_json_twin(client: Client, demo: Any) -> None:
    data = client.get("/khon-kaen/?format=json").json()
    assert data["lao_code"] == "3400102" and data["slug"] == "khon-kaen"
    assert data["fiscal_year_be"] > 2560


@pytest.mark.parametrize(
    ("username", "present", "absent"),
    [
        ("kk-admin", ["/khon-kaen/audit/", "/khon-kaen/staff/", "/admin/"], []),
        ("kk-executive", ["/khon-kaen/audit/", "/khon-kaen/staff/"], ["/admin/"]),
        ("kk-viewer", ["/khon-kaen/staff/"], ["/khon-kaen/audit/", "/admin/"]),
        (None, [], ["/khon-kaen/audit/", "/khon-kaen/staff/", "/admin/"]),
    ],
)
def test_navigation_follows_the_role(
    client_as: Any, username: str | None, present: list[str], absent: list[str]
) -> None:
    page = client_as(username).get("/khon-kaen/").content.decode()
    for href in present:
        assert f'href="{href}"' in page, href
    for href in absent:
        assert f'href="{href}"' not in page, href


def test_municipality_switch_lists_only_own_cities(demo: Any, client_as: Any) -> None:
    from nakhon.accounts.services import membership_grant
    from nakhon.core.permissions import Role

    user = demo.user("kk-steward")
    page = client_as("kk-steward").get("/khon-kaen/").content.decode()
    assert 'href="/sila/"' not in page
    membership_grant(
        actor=demo.user("sila-admin"), municipality=demo.sila, user=user, role=Role.VIEWER
    )
    page = client_as("kk-steward").get("/khon-kaen/").content.decode()
    assert 'href="/sila/"' in page


def test_404_page(client: Client) -> None:
    response = client.get("/no-such-city/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()
    assert client.get("/api/v1/nothing-here").json()["error"]["code"] == "not-found"


@override_settings(ROOT_URLCONF="tests.urls_boom", DEBUG=False)
def test_500_page_never_shows_a_traceback() -> None:
    client = Client(raise_request_exception=False)
    for url in ("/boom/", "/api/v1/boom/"):
        response = client.get(url)
        assert response.status_code == 500, url
        body = response.content.decode()
        assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body


def test_static_font_is_served(client: Client) -> None:
    response = client.get("/static/vendor/sarabun/files/sarabun-thai-400-normal.woff2")
    assert response.status_code == 200


def test_api_docs_are_local(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "/static/ninja/swagger-ui-bundle.js" in page
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Nakhon API"


def test_security_headers(client: Client, demo: Any) -> None:
    response = client.get("/khon-kaen/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_token_page_issues_a_token_that_works_once_shown(demo: Any, client_as: Any) -> None:
    client = client_as("kk-steward")
    response = client.post(
        "/khon-kaen/tokens/",
        {"create": "1", "name": "สคริปต์ดึงข้อมูล", "scopes": ["read"], "expires_in_days": 30},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["issued"].raw
    assert raw.startswith("nkh_") and raw in response.content.decode()
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["username"] == "kk-steward"
    again = client.get("/khon-kaen/tokens/").content.decode()
    assert raw not in again and "สคริปต์ดึงข้อมูล" in again
    from nakhon.accounts.models import ApiToken

    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    assert client.post("/khon-kaen/tokens/", {"revoke": "not-a-number"}).status_code == 302
    assert client.post("/khon-kaen/tokens/", {"revoke": str(token.pk)}).status_code == 302
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_cannot_revoke_someone_elses_token(demo: Any, client_as: Any, token_for: Any) -> None:
    from nakhon.accounts.models import ApiToken

    raw = token_for("kk-admin")
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    client_as("kk-viewer").post("/khon-kaen/tokens/", {"revoke": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is None
