"""CKAN Action API URLs: one municipality at ``/<slug>/api/3/action/<name>``, all of them at
``/api/3/action/<name>`` (and ``/api/action/`` too, the path ``ckanapi`` calls). No trailing
slash redirects: CKAN clients do not follow them."""

from django.urls import re_path

from nakhon.catalog import views_ckan

app_name = "ckan"
_NAME = r"(?P<name>[a-z_]{1,60})"
urlpatterns = [
    re_path(r"^api/3/?$", views_ckan.api_root, name="root"),
    re_path(rf"^api/(?:3/)?action/{_NAME}$", views_ckan.action, name="action"),
    re_path(r"^(?P<slug>[-a-z0-9]+)/api/3/?$", views_ckan.api_root, name="city-root"),
    re_path(
        rf"^(?P<slug>[-a-z0-9]+)/api/(?:3/)?action/{_NAME}$", views_ckan.action, name="city-action"
    ),
]
