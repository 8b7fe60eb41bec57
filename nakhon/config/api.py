"""The JSON API root: /api/v1/ (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

import nakhon
from nakhon.core.api_auth import ActorAuth, CsrfFailed
from nakhon.core.errors import NakhonError

api = NinjaAPI(
    title="Nakhon API",
    version=nakhon.__version__,
    description=(
        "The API of Nakhon, the city data platform for Thai municipalities. Municipality "
        "data lives under `/municipalities/{slug}/`. Errors have the shape "
        '`{"error": {"code": "...", "message": "...", "errors": {...}}}`.'
    ),
    auth=ActorAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, errors: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if errors:
        body["error"]["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NakhonError)
def _nakhon_error(request: HttpRequest, exc: NakhonError) -> HttpResponse:
    errors = getattr(exc, "errors", None)
    return _error(request, exc.status, exc.code, exc.message, errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = str(exc.message) if getattr(exc, "message", None) else "Authentication failed."
    response = _error(request, 401, "not-authenticated", message)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad-request", 403: "permission-denied", 404: "not-found", 429: "throttled"}.get(
        exc.status_code, "error"
    )
    message = str(exc.message)
    if message == "Cannot parse request body":
        message = "The request body is not valid JSON."
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not-found", "Not found.")


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, 400, "bad-request", f"The multipart body cannot be read: {exc}")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too-large", "The request body is too large.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Never a traceback, even with NAKHON_DEBUG on: it goes to the log with the request id."""
    request_id = request.headers.get("X-Request-ID", "")
    logging.getLogger("nakhon.api").exception("API error on %s %s", request.method, request.path)
    return _error(
        request,
        500,
        "server-error",
        "Something went wrong on the server; it has been logged."
        + (f" Request id: {request_id}." if request_id else ""),
    )


@api.exception_handler(CsrfFailed)
def _csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return _error(request, 403, "csrf", "CSRF check failed: send the X-CSRFToken header.")


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")} for e in exc.errors
    ]
    return _error(request, 422, "invalid", "The request is not valid.", errors)


from nakhon.accounts.api import router as accounts_router  # noqa: E402
from nakhon.catalog.api import router as catalog_router  # noqa: E402
from nakhon.participation.api import router as participation_router  # noqa: E402
from nakhon.tax.api import router as tax_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", catalog_router)
api.add_router("/", participation_router)
api.add_router("/", tax_router)
