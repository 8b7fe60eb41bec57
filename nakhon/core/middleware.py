"""Request-level context for the audit log: IP address, user agent, web vs API, request id."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from nakhon.core.audit import origin
from nakhon.core.models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, configure the proxy to set REMOTE_ADDR (e.g. uwsgi/gunicorn
    # --forwarded-allow-ips); X-Forwarded-For is trivially forged, so it is not trusted here.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith("/api/") or "/api/3/" in path:
            via = AuditEvent.Via.API
        elif path.startswith("/admin/"):
            via = AuditEvent.Via.ADMIN
        else:
            via = AuditEvent.Via.WEB
        request_id = request.headers.get("X-Request-ID", "")[:40] or uuid.uuid4().hex
        with origin(
            via=via,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            request_id=request_id,
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
