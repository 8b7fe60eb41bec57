"""Rate limit, CORS and caching headers of the public read APIs."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from nakhon.core.public_api import is_public_api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "public"),
    [
        ("/api/v1/municipalities/khon-kaen/datasets", True),
        ("/api/3/action/package_list", True),
        ("/api/action/package_list", True),
        ("/khon-kaen/api/3/action/package_show", True),
        ("/catalog.ttl", True),
        ("/khon-kaen/catalog.jsonld", True),
        ("/khon-kaen/datasets/markets/download.csv", True),
        ("/khon-kaen/datasets/", False),
        ("/khon-kaen/", False),
        ("/accounts/login/", False),
        ("/admin/", False),
    ],
)
def test_which_paths_are_public_apis(path, public):
    assert is_public_api(path) is public


@override_settings(NAKHON_API_RATE_LIMIT=3)
def test_anonymous_clients_are_limited_per_minute(demo, client, client_as, token_for):
    cache.clear()
    path = "/api/v1/municipalities/khon-kaen/datasets"
    answers = [client.get(path, REMOTE_ADDR="203.0.113.9") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Remaining"] == "2"
    refused = answers[3]
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert client.get(path, REMOTE_ADDR="203.0.113.10").status_code == 200  # another address
    assert client.get("/khon-kaen/datasets/", REMOTE_ADDR="203.0.113.9").status_code == 200
    token = token_for("kk-admin", scopes=["read"], municipality="khon-kaen")
    signed = client.get(path, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert signed.status_code == 200
    staff = client_as("kk-admin").get(path, REMOTE_ADDR="203.0.113.9")
    assert staff.status_code == 200


def test_cors_and_preflight(demo, client):
    response = client.get("/api/v1/municipalities/khon-kaen/datasets")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/khon-kaen/api/3/action/package_search",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/khon-kaen/datasets/")


def test_etag_and_caching(demo, client, client_as):
    path = "/api/v1/municipalities/khon-kaen/datasets"
    first = client.get(path)
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    staff = client_as("kk-admin").get(path)
    assert staff["Cache-Control"] == "private, no-store"
    assert "Cookie" in first["Vary"]
