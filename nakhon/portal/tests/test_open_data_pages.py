"""The public side of the catalog: search with facets, a dataset's page with downloads, API
examples and citation, rows with filter and sort, downloads — as a citizen without an account."""

from __future__ import annotations

import csv
import io

import pytest

from nakhon.catalog.models import Dataset

pytestmark = pytest.mark.django_db


def test_search_finds_thai_words_inside_thai_titles(demo, client):
    body = client.get("/khon-kaen/datasets/", {"q": "ชุมชน", "format": "json"}).json()
    assert [d["slug"] for d in body["datasets"]] == ["communities"]
    assert body["facets"]["organization"] == {"welfare": 1}
    page = client.get("/khon-kaen/datasets/", {"q": "งบประมาณ"}).content.decode()
    assert "งบประมาณรายจ่ายประจำปีจำแนกตามหน่วยงาน" in page
    assert "ข้อมูลชุมชน" not in page


def test_facets_filter_and_can_be_removed(demo, client):
    page = client.get("/khon-kaen/datasets/", {"organization": "health"})
    html = page.content.decode()
    assert "ตลาดสด" in html and "ข้อมูลชุมชน" not in html
    assert 'aria-current="true"' in html  # the chosen facet is marked, its link removes it
    every = client.get("/khon-kaen/datasets/", {"format": "json"}).json()
    assert every["count"] == 4
    freshness = client.get("/khon-kaen/datasets/", {"freshness": "fresh", "format": "json"})
    assert freshness.json()["count"] == sum(
        every["facets"]["freshness"].get(k, 0) for k in ["fresh"]
    )


def test_sorts_and_a_bad_sort_falls_back(demo, client):
    titles = [
        d["title_th"]
        for d in client.get("/khon-kaen/datasets/", {"sort": "title", "format": "json"}).json()[
            "datasets"
        ]
    ]
    assert titles == sorted(titles)
    assert client.get("/khon-kaen/datasets/", {"sort": "'; drop"}).status_code == 200


def test_dataset_page_has_downloads_examples_and_a_version_stable_citation(demo, client):
    html = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "/khon-kaen/datasets/communities/download.csv?version=2" in html
    assert "/khon-kaen/datasets/communities/download.parquet?version=2" in html
    assert "download.geojson" not in html  # no geometry in this dataset
    assert "ckanapi.RemoteCKAN" in html and "curl" in html
    assert "communities/?version=2" in html  # the citation points at this version
    older = client.get("/khon-kaen/datasets/communities/", {"version": 1}).content.decode()
    assert "download.csv?version=1" in older
    data = client.get("/khon-kaen/datasets/communities/", {"format": "json"}).json()
    assert data["downloads"]["csv"].startswith("http://testserver/khon-kaen/")


def test_rows_filter_sort_and_json(demo, client):
    body = client.get(
        "/khon-kaen/datasets/markets/rows/",
        {
            "sort": "stalls",
            "desc": "1",
            "col": "stalls",
            "op": "gte",
            "val": "100",
            "format": "json",
        },
    ).json()
    stalls = [row[body["columns"].index("stalls")] for row in body["rows"]]
    assert stalls == sorted(stalls, reverse=True) and all(s >= 100 for s in stalls)
    html = client.get("/khon-kaen/datasets/markets/rows/", {"q": "ตลาด"}).content.decode()
    assert "<table" in html
    bad = client.get("/khon-kaen/datasets/markets/rows/", {"col": "stalls", "val": "many"})
    assert bad.status_code == 422
    assert "many" in bad.content.decode() and "Traceback" not in bad.content.decode()


def test_download_counts_and_caching_headers(demo, client):
    response = client.get("/khon-kaen/datasets/markets/download.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "khon-kaen-markets-v1.csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == Dataset.objects.get(municipality=demo.kk, slug="markets").row_count
    pinned = client.get("/khon-kaen/datasets/markets/download.csv", {"version": 1})
    assert "immutable" in pinned["Cache-Control"]
    assert Dataset.objects.get(municipality=demo.kk, slug="markets").download_count == 2
    assert client.get("/khon-kaen/datasets/markets/download.exe").status_code == 404
    assert client.get("/sila/datasets/markets/download.csv").status_code == 404


def test_non_public_dataset_pages_and_downloads_are_hidden(demo, client):
    Dataset.objects.filter(municipality=demo.kk, slug="markets").update(classification="personal")
    assert client.get("/khon-kaen/datasets/markets/").status_code == 404
    assert client.get("/khon-kaen/datasets/markets/download.csv").status_code == 404
    assert client.get("/khon-kaen/datasets/markets/rows/").status_code == 404
    listing = client.get("/khon-kaen/datasets/", {"q": "ตลาด", "format": "json"}).json()
    assert "markets" not in [d["slug"] for d in listing["datasets"]]
