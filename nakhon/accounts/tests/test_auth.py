"""Sign-in: passwords (Argon2), throttling (django-axes), one-time links, sign-out."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from nakhon.accounts.services import login_link_create
from nakhon.testing.fixtures import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_argon2_is_the_production_hasher() -> None:
    from nakhon.config import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("รหัสผ่าน-ยาว-2568", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("รหัสผ่าน-ยาว-2568", encoded)
    assert not hasher.verify("wrong", encoded)


@pytest.mark.parametrize(
    "username",
    ["kk-admin", "kk-executive", "kk-steward", "kk-tax", "kk-engineer", "kk-viewer", "sila-admin"],
)
def test_each_demo_role_can_sign_in_and_lands_on_its_city(username: str, demo: Any) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    slug = "sila" if username.startswith("sila") else "khon-kaen"
    assert response.redirect_chain[-1][0] == f"/{slug}/"
    assert demo.user(username).display_name() in response.content.decode()


def test_lockout_after_repeated_failures(demo: Any) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        client.post("/accounts/login/", {"username": "kk-tax", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "kk-tax", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another user from the same address is not locked out (lockout is per user + address)
    other = client.post("/accounts/login/", {"username": "kk-viewer", "password": DEMO_PASSWORD})
    assert other.status_code == 302


def test_login_link_works_once(demo: Any) -> None:
    path = login_link_create(user=demo.user("kk-admin"), next_url="/khon-kaen/")
    client = Client()
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/khon-kaen/"
    assert client.get("/khon-kaen/staff/").status_code == 200
    again = Client().get(path)
    assert again.status_code == 404
    assert Client().get("/accounts/link/not-a-real-token/").status_code == 404


def test_login_link_ignores_offsite_next(demo: Any) -> None:
    path = login_link_create(user=demo.user("kk-admin"), next_url="https://evil.example/")
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"] == "/welcome/"


def test_login_page_ignores_offsite_next(demo: Any) -> None:
    response = Client().post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "kk-viewer", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_logout_needs_post(demo: Any, client_as: Any) -> None:
    client = client_as("kk-viewer")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/khon-kaen/staff/").status_code == 302


@override_settings(AXES_ENABLED=True)
def test_inactive_user_cannot_sign_in(demo: Any) -> None:
    user = demo.user("kk-engineer")
    user.is_active = False
    user.save()
    response = Client().post(
        "/accounts/login/", {"username": "kk-engineer", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in Client().session


def test_password_change_is_audited(demo: Any, client_as: Any) -> None:
    from nakhon.core.models import AuditEvent

    client = client_as("kk-engineer")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "ขอนแก่น-รหัสใหม่-2569",
            "new_password2": "ขอนแก่น-รหัสใหม่-2569",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="auth.password_change").order_by("-id").first()
    assert event is not None and event.actor_label == "kk-engineer"
    assert "ขอนแก่น-รหัสใหม่" not in str(event.changes)
    fresh = Client().post(
        "/accounts/login/", {"username": "kk-engineer", "password": "ขอนแก่น-รหัสใหม่-2569"}
    )
    assert fresh.status_code == 302
