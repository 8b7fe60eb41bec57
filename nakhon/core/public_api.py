"""HTTP manners of the public read APIs (``/api/v1``, the CKAN Action API, DCAT, downloads):
a rate limit for anonymous clients, CORS for cross-site reads, and caching headers.

* **Rate limit** — an anonymous client (no session, no API key) may make
  ``NAKHON_API_RATE_LIMIT`` requests a minute from one address to these paths; beyond it the
  answer is 429 with ``Retry-After`` and a JSON error. Clients with an API token are not
  limited here (their token can be revoked). Counted in Django's cache (one fixed window a
  minute; per process with the default in-memory cache, shared with a shared cache).
* **CORS** — ``GET``/``HEAD`` answers of these paths carry ``Access-Control-Allow-Origin: *``
  (no cookies are honoured cross-site: browsers do not send them with ``*``), and a preflight
  ``OPTIONS`` is answered at once.
* **Caching** — an anonymous ``GET`` answer of ``/api/v1`` gets ``Cache-Control: public,
  max-age=60`` and an ``ETag`` (Django's ``ConditionalGetMiddleware`` then answers
  ``If-None-Match`` with 304); anything read with a session or token is ``private, no-store``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from nakhon.core.middleware import client_ip

PUBLIC_API = re.compile(
    r"^/(?:api/v1/|api/(?:3/)?action/|api/3/?$|catalog|[-a-z0-9]+/(?:api/|catalog)"
    r"|[-a-z0-9]+/datasets/[-a-z0-9]+/download\.)"
)
ALLOW_HEADERS = "Authorization, X-CKAN-API-Key, Content-Type, If-None-Match"


def is_public_api(path: str) -> bool:
    return bool(PUBLIC_API.match(path))


def _anonymous(request: HttpRequest) -> bool:
    if request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key"):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    limit = settings.NAKHON_API_RATE_LIMIT
    if limit <= 0:
        return None
    window = int(time.time() // 60)
    key = f"nakhon:rate:{client_ip(request) or '-'}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count <= limit:
        request.rate_remaining = limit - count  # type: ignore[attr-defined]
        return None
    retry = 60 - int(time.time() % 60)
    body = {
        "error": {
            "code": "throttled",
            "message": f"Too many requests: {limit} a minute without an API key. "
            f"Try again in {retry} s, or use an API token.",
        }
    }
    response = HttpResponse(
        json.dumps(body), status=429, content_type="application/json; charset=utf-8"
    )
    response["Retry-After"] = str(retry)
    return response


class PublicApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public_api(request.path):
            return self.get_response(request)
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = "86400"
            return response
        anonymous = _anonymous(request)
        if anonymous:
            refused = _throttled(request)
            if refused is not None:
                refused["Access-Control-Allow-Origin"] = "*"
                return refused
        response = self.get_response(request)
        if request.method in ("GET", "HEAD", "POST") and "/api/" in request.path:
            response.setdefault("Access-Control-Allow-Origin", "*")
            response.setdefault(
                "Access-Control-Expose-Headers", "ETag, Retry-After, X-RateLimit-Remaining"
            )
        remaining = getattr(request, "rate_remaining", None)
        if remaining is not None:
            response["X-RateLimit-Limit"] = str(settings.NAKHON_API_RATE_LIMIT)
            response["X-RateLimit-Remaining"] = str(remaining)
        if request.path.startswith("/api/v1/") and request.method in ("GET", "HEAD"):
            if anonymous and response.status_code == 200:
                response.setdefault("Cache-Control", "public, max-age=60")
            else:
                response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response
