"""/api/v1 search, query (filter, sort, fields, group-by) and downloads."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
BASE = "/api/v1/municipalities/khon-kaen"


def test_search(demo, client):
    body = client.get(f"{BASE}/search", {"q": "ตลาดสด", "facet": ["organization"]}).json()
    assert [d["slug"] for d in body["datasets"]] == ["markets", "stall-holders"]
    assert body["facets"] == {"organization": {"health": 2}}
    body = client.get(f"{BASE}/search", {"filter": "organization:welfare"}).json()
    assert [d["slug"] for d in body["datasets"]] == ["communities"]
    bad = client.get(f"{BASE}/search", {"filter": "secret:1"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_query_filters_sorts_and_selects(demo, client):
    body = client.get(
        f"{BASE}/datasets/markets/query",
        {"fields": "name_th,stalls", "filter": ["stalls:gte:100"], "sort": "-stalls", "limit": 3},
    ).json()
    assert body["columns"] == ["name_th", "stalls"]
    stalls = [r["stalls"] for r in body["rows"]]
    assert stalls == sorted(stalls, reverse=True) and all(s >= 100 for s in stalls)
    assert body["types"]["stalls"] == "BIGINT" or body["types"]["stalls"].endswith("INT")
    assert body["total"] >= len(stalls)
    inside = client.get(
        f"{BASE}/datasets/markets/query", {"filter": ["opens:in:04:00|05:00"], "fields": "opens"}
    ).json()
    assert {r["opens"] for r in inside["rows"]} <= {"04:00", "05:00"}


def test_query_group_by(demo, client):
    body = client.get(
        f"{BASE}/datasets/budget/query",
        {"group_by": "หน่วยงาน", "aggregate": ["sum:งบประมาณที่ได้รับ", "count:*"], "sort": "-count"},
    ).json()
    assert body["columns"] == ["หน่วยงาน", "sum_งบประมาณที่ได้รับ", "count"]
    assert body["total"] == len({r["หน่วยงาน"] for r in body["rows"]})
    assert all(r["count"] == 6 for r in body["rows"])  # six fiscal years per department


@pytest.mark.parametrize(
    "params",
    [
        {"filter": ["stalls"]},
        {"filter": ["stalls:gte:many"]},
        {"fields": "nope"},
        {"sort": "nope"},
        {"aggregate": ["median:stalls"]},
        {"limit": 100_000},
    ],
)
def test_query_refusals_are_clear(demo, client, params):
    response = client.get(f"{BASE}/datasets/markets/query", params)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_download(demo, client):
    response = client.get(f"{BASE}/datasets/markets/download/parquet")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert client.get(f"{BASE}/datasets/markets/download/exe").status_code == 404


def test_a_multipart_body_without_boundary_is_a_clear_400(demo, client, token_for):
    """Found by schemathesis: it was a 500."""
    token = token_for("kk-admin", scopes=["read", "write"], municipality="khon-kaen")
    response = client.post(
        f"{BASE}/datasets/markets/runs",
        data=b"--x\r\n",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad-request"
