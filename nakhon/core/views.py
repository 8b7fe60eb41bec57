"""Operational endpoints (health, version) and the error pages (never a traceback)."""

from __future__ import annotations

import platform
from typing import Any

import django
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

import nakhon


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the process and its database answer; 503 otherwise."""
    checks: dict[str, str] = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        status = 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "checks": checks}, status=status
    )


def version(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "nakhon",
            "version": nakhon.__version__,
            "django": django.get_version(),
            "python": platform.python_version(),
            "database": connection.vendor,
        }
    )


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/") or request.GET.get("format") == "json":
        codes = {
            400: "bad-request",
            403: "permission-denied",
            404: "not-found",
            500: "server-error",
        }
        messages = {
            400: "Bad request.",
            403: "You are not allowed to do this.",
            404: "Not found.",
            500: "Something went wrong on the server; it has been logged.",
        }
        return JsonResponse(
            {"error": {"code": codes[status], "message": messages[status]}}, status=status
        )
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, "500.html", 500)
