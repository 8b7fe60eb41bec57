"""DCAT-AP catalog URLs (included before the portal, which owns the rest of ``/<city>/``)."""

from django.urls import path, re_path

from nakhon.catalog import views_dcat

app_name = "dcat"
urlpatterns = [
    path("catalog", views_dcat.catalog, name="catalog"),
    re_path(r"^catalog\.(?P<fmt>jsonld|ttl|rdf)$", views_dcat.catalog, name="catalog-format"),
    path("<slug:slug>/catalog", views_dcat.catalog, name="city-catalog"),
    re_path(
        r"^(?P<slug>[-a-zA-Z0-9_]+)/catalog\.(?P<fmt>jsonld|ttl|rdf)$",
        views_dcat.catalog,
        name="city-catalog-format",
    ),
]
