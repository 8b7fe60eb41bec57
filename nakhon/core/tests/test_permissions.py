"""``require(actor, action, municipality)``: the one check services call. Table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from nakhon.accounts.models import ApiToken
from nakhon.core.errors import NotAuthenticated, NotFound, PermissionDenied
from nakhon.core.permissions import ROLE_ACTIONS, TokenActor, allowed_actions, require, scope_for

pytestmark = pytest.mark.django_db

OK = None


@pytest.mark.parametrize(
    ("who", "action", "city", "outcome"),
    [
        (None, "municipality.view", "khon-kaen", OK),
        (None, "department.view", "sila", OK),
        (None, "staff.home", "khon-kaen", NotAuthenticated),
        (None, "audit.view", "khon-kaen", NotAuthenticated),
        ("kk-viewer", "staff.home", "khon-kaen", OK),
        ("kk-viewer", "audit.view", "khon-kaen", PermissionDenied),
        ("kk-viewer", "staff.home", "sila", NotFound),
        ("kk-admin", "audit.export", "khon-kaen", OK),
        ("kk-admin", "audit.view", "sila", NotFound),
        ("kk-admin", "department.change", "sila", NotFound),
        ("kk-executive", "audit.view", "khon-kaen", OK),
        ("kk-executive", "audit.export", "khon-kaen", PermissionDenied),
        ("kk-tax", "personal_data.view", "khon-kaen", OK),
        ("kk-engineer", "personal_data.view", "khon-kaen", PermissionDenied),
        ("kk-steward", "department.change", "khon-kaen", PermissionDenied),
        ("sila-admin", "department.change", "sila", OK),
        ("sila-admin", "department.change", "khon-kaen", NotFound),
        ("admin", "department.change", "sila", OK),  # the platform superuser
    ],
)
def test_require(demo: Any, who: str | None, action: str, city: str, outcome: Any) -> None:
    actor = demo.user(who) if who else None
    municipality = demo.kk if city == "khon-kaen" else demo.sila
    if outcome is OK:
        require(actor, action, municipality)
    else:
        with pytest.raises(outcome):
            require(actor, action, municipality)


def test_inactive_user_is_the_public(demo: Any) -> None:
    user = demo.user("kk-admin")
    user.is_active = False
    with pytest.raises(NotAuthenticated):
        require(user, "staff.home", demo.kk)


def test_inactive_membership_grants_nothing(demo: Any) -> None:
    user = demo.user("kk-viewer")
    user.memberships.update(is_active=False)
    with pytest.raises(NotFound):
        require(demo.user("kk-viewer"), "staff.home", demo.kk)


@pytest.mark.parametrize(
    ("scopes", "action", "outcome"),
    [
        (["read"], "audit.view", OK),
        (["read"], "department.change", PermissionDenied),
        (["read", "write"], "department.change", OK),
        (["read", "write"], "personal_data.view", PermissionDenied),
        (["personal"], "personal_data.view", OK),
    ],
)
def test_token_scopes(
    demo: Any, token_for: Any, scopes: list[str], action: str, outcome: Any
) -> None:
    raw = token_for("kk-admin", scopes=scopes)
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    actor = TokenActor(user=token.user, token=token)
    if outcome is OK:
        require(actor, action, demo.kk)
    else:
        with pytest.raises(outcome):
            require(actor, action, demo.kk)
    with pytest.raises(NotFound):
        require(actor, "staff.home", demo.sila)


def test_every_action_has_a_scope() -> None:
    for actions in ROLE_ACTIONS.values():
        for action in actions:
            assert scope_for(action) in {"read", "write", "personal"}


def test_public_actions_for_everyone(demo: Any) -> None:
    assert allowed_actions(None, demo.kk) == {"municipality.view", "department.view"}
