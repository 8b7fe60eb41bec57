"""View helpers: resolve the municipality from the URL and turn domain errors into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from nakhon.accounts.selectors import municipality_get
from nakhon.core.errors import NakhonError, NotAuthenticated

View = Callable[..., HttpResponseBase]


def error_page(request: HttpRequest, exc: NakhonError) -> HttpResponse:
    if isinstance(exc, NotAuthenticated):
        return redirect_to_login(request.get_full_path())
    template = {404: "404.html", 403: "403.html"}.get(exc.status, "400.html")
    if wants_json(request):
        from django.http import JsonResponse

        return JsonResponse(
            {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
        )
    return render(request, template, {"message": exc.message}, status=exc.status)


def wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json"


def municipality_view(view: View) -> View:
    """Load ``request.municipality`` from the ``slug`` URL argument; map domain errors."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            request.municipality = municipality_get(slug=slug)  # type: ignore[attr-defined]
            return view(request, request.municipality, *args, **kwargs)  # type: ignore[attr-defined]
        except NakhonError as exc:
            return error_page(request, exc)

    return wrapper
