"""HTTP side of the CKAN Action API (``nakhon.catalog.ckan``): parse the call, run it, answer
in CKAN's envelope. GET with query parameters or POST with a JSON (or form) body, as CKAN."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from nakhon.accounts.selectors import municipality_get
from nakhon.catalog import ckan
from nakhon.core.errors import NakhonError

MAX_BODY = 1_000_000
log = logging.getLogger("nakhon.ckan")


def _respond(request: HttpRequest, name: str, body: dict[str, Any], status: int) -> HttpResponse:
    body = {
        "help": request.build_absolute_uri(
            f"{request.path.rsplit('/', 1)[0]}/help_show?name={name}"
        ),
        **body,
    }
    response = JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False, "default": str}
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Headers"] = "Authorization, X-CKAN-API-Key, Content-Type"
    response["Cache-Control"] = "no-cache" if status == 200 else "no-store"
    return response


def _error(request: HttpRequest, name: str, exc: ckan.CkanError) -> HttpResponse:
    return _respond(request, name, {"success": False, "error": exc.body()}, exc.status)


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if len(request.body) > MAX_BODY:
            raise ckan.CkanError("Validation Error", 409, "The request body is too large.")
        if request.content_type == "application/json" or request.body.strip().startswith(b"{"):
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                raise ckan.CkanError(
                    "Bad request", 400, "Bad request - JSON Error: could not read the body"
                ) from None
            if not isinstance(data, dict):
                raise ckan.CkanError(
                    "Bad request", 400, "Bad request - JSON Error: the body must be an object"
                )
            return data
        return {k: v[0] if len(v) == 1 else v for k, v in request.POST.lists()}
    return {k: v[0] if len(v) == 1 else v for k, v in request.GET.lists()}


def _actor(request: HttpRequest) -> Any:
    """A CKAN client sends its key as ``Authorization: <key>`` or ``X-CKAN-API-Key``; ours
    are Nakhon API tokens (``Bearer`` accepted too). No key: the signed-in user or the public."""
    from nakhon.accounts.services import api_token_authenticate
    from nakhon.core.permissions import TokenActor

    raw = request.headers.get("X-CKAN-API-Key") or request.headers.get("Authorization") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    if raw:
        token = api_token_authenticate(raw)
        if token is None:
            raise ckan.CkanError(
                "Authorization Error", 403, "Access denied: the API key is invalid or expired."
            )
        return TokenActor(user=token.user, token=token)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@csrf_exempt
def action(request: HttpRequest, name: str, slug: str | None = None) -> HttpResponse:
    if request.method == "OPTIONS":
        return _respond(request, name, {"success": True, "result": None}, 200)
    if request.method not in ("GET", "POST"):
        return _error(request, name, ckan.CkanError("Bad request", 405, "Use GET or POST."))
    try:
        municipality = municipality_get(slug=slug) if slug else None
        ctx = ckan.Context(
            actor=_actor(request),
            municipality=municipality,
            base_url=request.build_absolute_uri("/"),
        )
        result = ckan.call(ctx, name, _params(request))
    except ckan.CkanError as exc:
        return _error(request, name, exc)
    except NakhonError as exc:
        return _error(request, name, ckan.CkanError.from_nakhon(exc))
    except Exception:  # never a traceback to a client
        log.exception("CKAN action %s failed", name)
        return _error(
            request,
            name,
            ckan.CkanError("Internal Server Error", 500, "Something went wrong on the server."),
        )
    return _respond(request, name, {"success": True, "result": result}, 200)


@csrf_exempt
def api_root(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """``GET /api/3`` → ``{"version": 3}``, as CKAN answers."""
    return JsonResponse({"version": ckan.API_VERSION})
