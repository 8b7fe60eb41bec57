"""How an API request is authenticated: bearer token, else session (with CSRF), else public.

Every operation gets ``request.auth``: a ``TokenActor``, a ``User`` or ``ANONYMOUS``; the
operation passes it as ``actor`` to selectors/services, which decide what it may see.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from nakhon.core.permissions import TokenActor


class _Anonymous:
    """The public: truthy (so Ninja proceeds) but not authenticated."""

    is_authenticated = False
    is_active = False
    is_superuser = False
    pk = None

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANONYMOUS"


ANONYMOUS = _Anonymous()


def actor_of(request: HttpRequest) -> Any:
    """Who an API request acts as (set by ``ActorAuth``): a TokenActor, a User or ANONYMOUS."""
    return getattr(request, "auth", None)


class CsrfFailed(Exception):
    pass


class ActorAuth(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "An API token (`nkh_…`) made on the municipality's “API tokens” page, sent as "
        "`Authorization: Bearer nkh_…`. A token is bound to one municipality and carries "
        "scopes (read, write, personal). Without a token, public data is served; a signed-in "
        "browser session also works (with the CSRF token for writes)."
    )

    def __call__(self, request: HttpRequest) -> Any:
        from nakhon.accounts.services import api_token_authenticate

        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise AuthenticationError(401, "Use `Authorization: Bearer <token>`.")
            token = api_token_authenticate(raw.strip())
            if token is None:
                raise AuthenticationError(401, "The token is invalid, expired or revoked.")
            return TokenActor(user=token.user, token=token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in {"GET", "HEAD", "OPTIONS"} and check_csrf(request):
                raise CsrfFailed()
            return user
        return ANONYMOUS
