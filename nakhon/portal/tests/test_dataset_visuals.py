"""The dataset page's chart builder and map: which columns a chart may use, the first chart,
where the map's data comes from, and that the page stays whole without JavaScript."""

from __future__ import annotations

import json
import re

import pytest

from nakhon.catalog.models import Dataset
from nakhon.portal import visuals

pytestmark = pytest.mark.django_db


def _script(html: str, element_id: str) -> dict | None:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    return json.loads(match.group(1)) if match else None


def test_budget_charts_over_the_fiscal_year_by_default(demo, client):
    html = client.get("/khon-kaen/datasets/budget/").content.decode()
    data = _script(html, "chart-data")
    assert data is not None
    names = [c["name"] for c in data["categories"]]
    assert names == ["ปีงบประมาณ", "หน่วยงาน"]  # the year is an axis, not an amount
    assert [c["name"] for c in data["values"]] == ["งบประมาณที่ได้รับ", "เบิกจ่ายจริง"]
    assert data["query_url"] == "/api/v1/municipalities/khon-kaen/datasets/budget/query"
    assert data["version"] == 1 and "· v1 ·" in data["caption"]
    assert data["text"]["loading"]  # translated strings come from the page, not the script
    # the form is rendered by the server with the default chart chosen
    assert re.search(r'<option value="line" selected>', html)
    assert 'id="chart"' in html and "vendor/echarts/echarts.common.min.js" in html
    assert "nakhon/dataset.js" in html
    assert "<noscript>" in html
    assert _script(html, "map-data") is None  # no location in the budget
    assert "leaflet" not in html


def test_the_default_chart_query_answers(demo, client):
    data = _script(client.get("/khon-kaen/datasets/budget/").content.decode(), "chart-data")
    assert data is not None
    body = client.get(
        data["query_url"],
        {
            "group_by": "ปีงบประมาณ",
            "aggregate": "sum:งบประมาณที่ได้รับ",
            "sort": "ปีงบประมาณ",
            "limit": 1000,
            "version": data["version"],
        },
    ).json()
    assert len(body["rows"]) == 6  # fiscal years 2563-2568
    assert all(row["sum_งบประมาณที่ได้รับ"] for row in body["rows"])


def test_markets_have_a_bar_chart_and_a_map(demo, client):
    html = client.get("/khon-kaen/datasets/markets/").content.decode()
    chart = _script(html, "chart-data")
    assert chart is not None
    assert [c["name"] for c in chart["values"]] == ["stalls"]  # not the id, not coordinates
    assert re.search(r'<option value="bar" selected>', html)
    assert re.search(r'<option value="name_th" selected>', html)
    map_data = _script(html, "map-data")
    assert map_data is not None
    assert map_data["geojson_url"] == "/khon-kaen/datasets/markets/download.geojson?version=1"
    assert map_data["boundary"]["type"] == "Polygon"
    assert map_data["tile_url"] == ""  # offline by default
    assert map_data["icon_path"].endswith("vendor/leaflet/images/")
    assert "vendor/leaflet/leaflet.js" in html and "vendor/leaflet/leaflet.css" in html
    geojson = client.get(map_data["geojson_url"])
    assert geojson.status_code == 200


def test_a_tile_layer_only_when_configured(demo, client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.go.th/{z}/{x}/{y}.png"
    html = client.get("/khon-kaen/datasets/markets/").content.decode()
    data = _script(html, "map-data")
    assert data is not None and data["tile_url"] == settings.MAP_TILE_URL


def test_personal_and_key_columns_are_never_offered(demo):
    dataset = Dataset.objects.get(municipality__slug="khon-kaen", slug="stall-holders")
    config = visuals.chart_config(dataset, language="th")
    assert config is not None
    offered = {c.name for c in config.categories + config.values}
    assert not offered & set(dataset.personal_columns())
    assert config.default["x"] == "ตลาด"  # a column with repeated values, not the stall number


def test_no_builder_without_a_number_to_chart(demo):
    dataset = Dataset.objects.get(municipality__slug="khon-kaen", slug="markets")
    dataset.table_schema = {
        "columns": [{"name": "name_th", "type": "string"}, {"name": "lat", "type": "latitude"}]
    }
    assert visuals.chart_config(dataset, language="en") is None


def test_english_labels_and_year_detection():
    assert visuals.is_year_column({"name": "fiscal_year", "type": "integer"})
    assert visuals.is_year_column({"name": "ปีงบประมาณ", "type": "baht"})
    assert visuals.is_year_column({"name": "ปี พ.ศ.", "type": "integer"})
    assert not visuals.is_year_column({"name": "yearly_budget_baht", "type": "baht"})
    assert not visuals.is_year_column({"name": "ปีงบประมาณ", "type": "string"})
    assert not visuals.is_year_column({"name": "stalls", "type": "integer"})
