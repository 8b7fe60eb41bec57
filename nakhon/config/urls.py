"""Top-level URLs. Municipality pages live under /<municipality-slug>/ (portal.urls, last)."""

from django.contrib import admin
from django.urls import include, path

from nakhon.config.api import api
from nakhon.core import views as core_views

handler400 = "nakhon.core.views.bad_request"
handler403 = "nakhon.core.views.permission_denied"
handler404 = "nakhon.core.views.page_not_found"
handler500 = "nakhon.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("version", core_views.version, name="version"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("nakhon.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("nakhon.catalog.urls_ckan")),
    path("", include("nakhon.catalog.urls_dcat")),
    path("<slug:slug>/tax/", include("nakhon.tax.urls")),
    path("", include("nakhon.participation.urls")),
    path("", include("nakhon.portal.urls")),
]
