"""A URL configuration for tests: the real one plus a view that fails (for the 500 page)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from nakhon.config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from nakhon.config.urls import urlpatterns as real


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals: DATABASE_PASSWORD=hunter2")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *real]
