"""Tenant isolation and token scopes through the API (/api/v1/)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from nakhon.accounts.models import ApiToken, Department, Membership
from nakhon.accounts.services import api_token_revoke
from nakhon.core.errors import NotFound
from nakhon.core.models import AuditEvent

pytestmark = pytest.mark.django_db
API = "/api/v1"


def bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def sila_ids(demo: Any) -> tuple[int, int]:
    dept = Department.objects.filter(municipality=demo.sila).first()
    member = Membership.objects.filter(municipality=demo.sila).first()
    assert dept and member
    return dept.pk, member.user_id


def private_urls(slug: str, user_id: int) -> list[str]:
    return [
        f"{API}/municipalities/{slug}/members",
        f"{API}/municipalities/{slug}/members/{user_id}",
        f"{API}/municipalities/{slug}/audit",
    ]


@pytest.mark.parametrize("username", ["kk-admin", "kk-executive", "kk-viewer"])
def test_session_user_of_one_city_gets_404_for_another(
    demo: Any, client_as: Any, username: str
) -> None:
    _dept, user_id = sila_ids(demo)
    client = client_as(username)
    for url in private_urls("sila", user_id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not-found"


def test_token_of_one_city_gets_404_for_another(demo: Any, token_for: Any) -> None:
    raw = token_for("kk-admin", scopes=["read", "write", "personal"])
    dept_id, user_id = sila_ids(demo)
    client = Client()
    for url in private_urls("sila", user_id):
        assert client.get(url, **bearer(raw)).status_code == 404, url
    response = client.patch(
        f"{API}/municipalities/sila/departments/{dept_id}",
        data=json.dumps({"name_th": "แก้ข้ามเมือง"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code in (403, 404)
    assert Department.objects.get(pk=dept_id).name_th != "แก้ข้ามเมือง"


def test_token_is_bound_to_its_municipality_even_for_multi_city_user(demo: Any) -> None:
    """A user who is staff in both cities gets a token for one: it does not open the other."""
    from nakhon.accounts.services import api_token_create, membership_grant
    from nakhon.core.permissions import Role

    user = demo.user("kk-admin")
    membership_grant(
        actor=demo.user("sila-admin"), municipality=demo.sila, user=user, role=Role.ADMIN
    )
    issued = api_token_create(
        actor=user, municipality=demo.kk, user=user, name="kk only", scopes=["read"]
    )
    client = Client()
    assert (
        client.get(f"{API}/municipalities/khon-kaen/members", **bearer(issued.raw)).status_code
        == 200
    )
    assert client.get(f"{API}/municipalities/sila/members", **bearer(issued.raw)).status_code == 404
    # the same user's browser session sees both
    session = Client()
    session.force_login(user)
    assert session.get(f"{API}/municipalities/sila/members").status_code == 200


def test_cannot_issue_a_token_for_another_city(demo: Any) -> None:
    from nakhon.accounts.services import api_token_create

    user = demo.user("kk-admin")
    with pytest.raises(NotFound):
        api_token_create(actor=user, municipality=demo.sila, user=user, name="x", scopes=["read"])


def test_token_scopes_narrow_the_role(demo: Any, token_for: Any) -> None:
    kk_dept = Department.objects.filter(municipality=demo.kk).first()
    assert kk_dept is not None
    viewer = demo.user("kk-viewer")
    client = Client()
    read_only = token_for("kk-admin", scopes=["read"])
    patch: dict[str, Any] = {
        "data": json.dumps({"phone": "043-000000"}),
        "content_type": "application/json",
    }
    url = f"{API}/municipalities/khon-kaen/departments/{kk_dept.pk}"
    assert client.patch(url, **patch, **bearer(read_only)).status_code == 403
    # personal data needs the personal scope
    detail = f"{API}/municipalities/khon-kaen/members/{viewer.pk}"
    assert client.get(detail, **bearer(read_only)).status_code == 403
    full = token_for("kk-admin", scopes=["read", "write", "personal"])
    assert client.patch(url, **patch, **bearer(full)).status_code == 200
    response = client.get(detail, **bearer(full))
    assert response.status_code == 200
    assert response.json()["email"] == viewer.email


def test_role_still_limits_a_full_scope_token(demo: Any, token_for: Any) -> None:
    raw = token_for("kk-viewer", scopes=["read", "write", "personal"])
    viewer = demo.user("kk-viewer")
    client = Client()
    assert client.get(f"{API}/municipalities/khon-kaen/audit", **bearer(raw)).status_code == 403
    detail = f"{API}/municipalities/khon-kaen/members/{viewer.pk}"
    assert client.get(detail, **bearer(raw)).status_code == 403


def test_bad_revoked_and_malformed_tokens(demo: Any, token_for: Any) -> None:
    client = Client()
    url = f"{API}/me"
    assert client.get(url, HTTP_AUTHORIZATION="Bearer nkh_nope_nope").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Basic abc").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer " + "x" * 5000).status_code == 401
    raw = token_for("kk-admin")
    assert client.get(url, **bearer(raw)).status_code == 200
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    api_token_revoke(actor=demo.user("kk-admin"), municipality=demo.kk, token=token)
    response = client.get(url, **bearer(raw))
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_token_is_stored_only_as_a_digest(demo: Any, token_for: Any) -> None:
    raw = token_for("kk-admin")
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    assert raw not in token.digest and len(token.digest) == 64
    assert not AuditEvent.objects.filter(changes__icontains=raw).exists()


def test_public_api(demo: Any) -> None:
    client = Client()
    slugs = {m["slug"] for m in client.get(f"{API}/municipalities").json()}
    assert {"khon-kaen", "sila"} <= slugs
    detail = client.get(f"{API}/municipalities/khon-kaen?include_boundary=true").json()
    assert detail["lao_code"] == "3400102"
    assert detail["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    assert client.get(f"{API}/municipalities/khon-kaen/members").status_code == 401
    assert client.get(f"{API}/municipalities/nowhere").status_code == 404


def test_session_write_needs_csrf(demo: Any) -> None:
    kk_dept = Department.objects.filter(municipality=demo.kk).first()
    assert kk_dept is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("kk-admin"))
    response = client.patch(
        f"{API}/municipalities/khon-kaen/departments/{kk_dept.pk}",
        data=json.dumps({"phone": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_invalid_patch_is_a_clear_422(demo: Any, token_for: Any) -> None:
    kk_dept = Department.objects.filter(municipality=demo.kk).first()
    assert kk_dept is not None
    raw = token_for("kk-admin", scopes=["read", "write"])
    client = Client()
    url = f"{API}/municipalities/khon-kaen/departments/{kk_dept.pk}"
    response = client.patch(
        url, data=json.dumps({"name_th": ""}), content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 422
    assert "name_th" in response.json()["error"]["errors"]
    response = client.patch(url, data="{not json", content_type="application/json", **bearer(raw))
    assert response.status_code in (400, 422)
    assert "error" in response.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [("offset=14417763300657707614208", "offset"), ("limit=0", "limit"), ("limit=5000", "limit")],
)
def test_audit_paging_out_of_range_is_bad_input_not_a_server_error(
    demo: Any, client_as: Any, query: str, field: str
) -> None:
    # found by schemathesis: an offset past 2**63 reached the database and failed there
    response = client_as("kk-admin").get(f"{API}/municipalities/khon-kaen/audit?{query}")
    assert response.status_code == 422
    assert field in response.content.decode()
    assert client_as("kk-admin").get(f"{API}/municipalities/khon-kaen/audit?limit=2").json()
