"""Roles, actions and the one permission check services call: ``require(actor, action, m)``.

A staff user holds one or more roles in a municipality (``accounts.Membership``). A role grants
actions; an action is a stable string ``<area>.<verb>``. The public (no account) may do only the
actions in ``PUBLIC_ACTIONS``. An API token is bound to one municipality and carries scopes
(``read``, ``write``, ``personal``) that narrow what its user's roles allow.

Tenancy rule: somebody with no membership in a municipality is told "not found" (404) for
anything of that municipality that is not public, so that one city's objects do not even
reveal their existence to another city's staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from nakhon.core.errors import NotAuthenticated, NotFound, PermissionDenied

if TYPE_CHECKING:
    from nakhon.accounts.models import ApiToken, Municipality, User


class Role:
    ADMIN = "admin"
    EXECUTIVE = "executive"
    DATA_STEWARD = "data_steward"
    TAX_OFFICER = "tax_officer"
    ENGINEER = "engineer"
    VIEWER = "viewer"

    CHOICES = [
        (ADMIN, _("Administrator")),
        (EXECUTIVE, _("Executive")),
        (DATA_STEWARD, _("Data steward")),
        (TAX_OFFICER, _("Tax officer")),
        (ENGINEER, _("Engineer")),
        (VIEWER, _("Viewer")),
    ]
    ALL = tuple(code for code, _label in CHOICES)


# Actions anybody may do, signed in or not.
PUBLIC_ACTIONS = frozenset({"municipality.view", "department.view"})

_STAFF = frozenset({"staff.home", "member.list", "dataset.list", "dataset.view"})
_STEWARD = frozenset(
    {"dataset.create", "dataset.change", "dataset.ingest", "dataset.publish", "dataset.validate"}
)
# Moderating citizens' comments and data requests (nakhon.participation).
_MODERATOR = frozenset({"moderation.view", "moderation.change"})
# Read-only analytical SQL over the city's lake tables (nakhon.lake.sql).
_ANALYST = frozenset({"sql.view"})
# Local revenue (issue #6): registers and imports. Executives read the registers without the
# taxpayers' personal data (that needs ``personal_data.view``), and of the assessment runs only
# their totals; ``tax_assessment.view`` (each taxpayer's assessment) and ``tax.assess`` (run,
# issue, re-assess, print notices) are the tax office's, and so is ``tax.collect`` (payments,
# receipts, reversals, reminders, objections, collection targets).
_TAX_READ = frozenset({"tax.view"})
_TAX = _TAX_READ | {"tax.change", "tax.import", "tax.assess", "tax_assessment.view", "tax.collect"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: _STAFF
    | {
        "municipality.change",
        "department.change",
        "member.view",
        "member.manage",
        "audit.view",
        "audit.export",
        "token.manage",
        "personal_data.view",
    }
    | _STEWARD
    | _ANALYST
    | _TAX
    | _MODERATOR,
    Role.EXECUTIVE: _STAFF | {"audit.view"} | _TAX_READ | _ANALYST,
    Role.DATA_STEWARD: _STAFF | _STEWARD | _ANALYST | _MODERATOR,
    Role.TAX_OFFICER: _STAFF | {"personal_data.view"} | _TAX,
    Role.ENGINEER: _STAFF,
    Role.VIEWER: _STAFF,
}

# Which token scope an action needs. Anything not listed is a write.
_SCOPE_OF_VERB = {
    "view": "read",
    "list": "read",
    "home": "read",
    "export": "read",
    "validate": "read",  # a dry run changes nothing
}
TOKEN_SCOPES = ("read", "write", "personal")


def scope_for(action: str) -> str:
    if action.startswith("personal_data."):
        return "personal"
    return _SCOPE_OF_VERB.get(action.rsplit(".", 1)[-1], "write")


@dataclass(frozen=True)
class TokenActor:
    """A request authenticated with an API token: the token's user, narrowed by the token."""

    user: User
    token: ApiToken

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def pk(self) -> Any:
        return self.user.pk

    def __str__(self) -> str:
        return f"{self.user.get_username()} (token {self.token.prefix})"


def user_of(actor: Any) -> User | None:
    """The signed-in user behind an actor, or None for the public."""
    if actor is None:
        return None
    if isinstance(actor, TokenActor):
        return actor.user
    if getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False):
        return actor
    return None


def roles_of(actor: Any, municipality: Municipality) -> frozenset[str]:
    """The roles the actor holds in the municipality (empty for the public and non-members)."""
    user = user_of(actor)
    if user is None:
        return frozenset()
    cache: dict[int, frozenset[str]] | None = getattr(user, "_nakhon_roles", None)
    if cache is None:
        cache = {}
        for m_id, role in user.memberships.filter(is_active=True).values_list(
            "municipality_id", "role"
        ):
            cache[m_id] = cache.get(m_id, frozenset()) | {role}
        user._nakhon_roles = cache  # type: ignore[attr-defined]
    return cache.get(municipality.pk, frozenset())


def is_member(actor: Any, municipality: Municipality) -> bool:
    user = user_of(actor)
    return user is not None and (user.is_superuser or bool(roles_of(actor, municipality)))


def allowed_actions(actor: Any, municipality: Municipality) -> frozenset[str]:
    user = user_of(actor)
    if user is None:
        return PUBLIC_ACTIONS
    if isinstance(actor, TokenActor) and actor.token.municipality_id != municipality.pk:
        return PUBLIC_ACTIONS
    if user.is_superuser:
        granted: Iterable[str] = set().union(*ROLE_ACTIONS.values())
    else:
        granted = set().union(*(ROLE_ACTIONS[r] for r in roles_of(actor, municipality)))
    result = set(granted) | PUBLIC_ACTIONS
    if isinstance(actor, TokenActor):
        scopes = set(actor.token.scopes)
        result = {a for a in result if a in PUBLIC_ACTIONS or scope_for(a) in scopes}
    return frozenset(result)


def can(actor: Any, action: str, municipality: Municipality) -> bool:
    return action in allowed_actions(actor, municipality)


def require(actor: Any, action: str, municipality: Municipality) -> None:
    """Raise unless ``actor`` may do ``action`` in ``municipality``.

    - public actions: always allowed;
    - the public: ``NotAuthenticated`` (401 / sign-in page);
    - a signed-in user with no membership there (or a token of another municipality):
      ``NotFound`` (404), so other tenants' objects stay invisible;
    - a member whose roles (and token scopes) do not grant the action: ``PermissionDenied``.
    """
    if action in PUBLIC_ACTIONS:
        return
    user = user_of(actor)
    if user is None:
        raise NotAuthenticated(str(_("Please sign in to continue.")))
    if isinstance(actor, TokenActor) and actor.token.municipality_id != municipality.pk:
        raise NotFound(str(_("Not found.")))
    if not is_member(actor, municipality):
        raise NotFound(str(_("Not found.")))
    if action not in allowed_actions(actor, municipality):
        raise PermissionDenied(str(_("Your role does not allow this.")))
