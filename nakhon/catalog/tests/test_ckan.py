"""The CKAN Action API through Django's test client: envelope, shapes, errors, scope."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def call(client, path: str, **params):
    response = client.get(path, params)
    return response.status_code, response.json()


def post(client, path: str, body):
    response = client.post(path, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_status_and_site_read(demo, client):
    status, body = call(client, "/khon-kaen/api/3/action/status_show")
    assert status == 200 and body["success"] is True
    assert body["result"]["ckan_version"].startswith("2.")
    assert body["help"].endswith("/khon-kaen/api/3/action/help_show?name=status_show")
    assert call(client, "/api/3/action/site_read")[1]["result"] is True
    assert client.get("/api/3").json() == {"version": 3}


def test_package_list_is_the_public_datasets_of_the_city(demo, client):
    status, body = call(client, "/khon-kaen/api/3/action/package_list")
    assert status == 200
    assert body["result"] == ["budget", "communities", "markets", "stall-holders"]
    everywhere = call(client, "/api/3/action/package_list")[1]["result"]
    assert "khon-kaen--markets" in everywhere
    assert call(client, "/sila/api/3/action/package_list")[1]["result"] == []


def test_package_show_has_ckan_and_gd_catalog_fields(demo, client):
    status, body = post(client, "/khon-kaen/api/action/package_show", {"id": "communities"})
    assert status == 200
    pkg = body["result"]
    assert pkg["name"] == "communities"
    assert pkg["title_translated"]["en"] == "Communities of Khon Kaen City Municipality"
    assert pkg["data_type"] == "ข้อมูลระเบียน"
    assert pkg["data_category"] == "ข้อมูลสาธารณะ"
    assert pkg["update_frequency_unit"] == "ปี"
    assert pkg["organization"]["name"] == "welfare"
    assert {t["name"] for t in pkg["tags"]} == {"ชุมชน", "ประชากร"}
    formats = [r["format"] for r in pkg["resources"]]
    assert formats[:1] == ["CSV"] and "Parquet" in formats and "GeoJSON" not in formats
    assert pkg["resources"][0]["url"].endswith("/khon-kaen/datasets/communities/download.csv")
    assert pkg["version"] == "2"
    by_id = post(client, "/api/3/action/package_show", {"id": pkg["id"]})[1]["result"]
    assert by_id["name"] == "khon-kaen--communities"


@pytest.mark.parametrize(
    ("path", "body", "status", "kind"),
    [
        ("/khon-kaen/api/3/action/package_show", {"id": "nope"}, 404, "Not Found Error"),
        ("/khon-kaen/api/3/action/package_show", {}, 409, "Validation Error"),
        ("/khon-kaen/api/3/action/package_show", {"id": ["x"]}, 409, "Validation Error"),
        ("/sila/api/3/action/package_show", {"id": "communities"}, 404, "Not Found Error"),
        ("/khon-kaen/api/3/action/package_search", {"fq": "nope:1"}, 409, "Search Query Error"),
        (
            "/khon-kaen/api/3/action/package_search",
            {"sort": "drop table"},
            409,
            "Search Query Error",
        ),
        ("/khon-kaen/api/3/action/package_search", {"rows": 100000}, 409, "Validation Error"),
        ("/khon-kaen/api/3/action/package_search", {"rows": "ten"}, 409, "Validation Error"),
        ("/khon-kaen/api/3/action/organization_show", {"id": "nope"}, 404, "Not Found Error"),
        ("/khon-kaen/api/3/action/resource_show", {"id": "nope"}, 404, "Not Found Error"),
        ("/khon-kaen/api/3/action/datastore_search", {"resource_id": "x"}, 404, "Not Found Error"),
        ("/khon-kaen/api/3/action/datastore_sql", {"sql": "SELECT 1"}, 400, None),
        ("/khon-kaen/api/3/action/package_create", {"name": "x"}, 400, None),
        ("/nowhere/api/3/action/package_list", {}, 404, "Not Found Error"),
    ],
)
def test_errors_have_ckan_shapes(demo, client, path, body, status, kind):
    got, payload = post(client, path, body)
    assert got == status
    assert payload["success"] is False
    assert "message" in payload["error"]
    if kind:
        assert payload["error"]["__type"] == kind


def test_bad_bodies(demo, client):
    response = client.post(
        "/khon-kaen/api/3/action/package_list", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["success"] is False
    response = client.post(
        "/khon-kaen/api/3/action/package_list", b"[1]", content_type="application/json"
    )
    assert response.status_code == 400


def test_package_search_thai_words_facets_and_paging(demo, client):
    status, body = call(
        client,
        "/khon-kaen/api/3/action/package_search",
        q="ชุมชน",
        **{"facet.field": '["organization", "tags", "res_format", "freshness"]'},
    )
    assert status == 200
    result = body["result"]
    assert result["count"] >= 1
    assert result["results"][0]["name"] == "communities"
    assert result["facets"]["organization"] == {"welfare": 1}
    items = result["search_facets"]["organization"]["items"]
    from nakhon.accounts.models import Department

    welfare = Department.objects.get(municipality=demo.kk, code="welfare")
    assert items == [{"name": "welfare", "display_name": welfare.name_th, "count": 1}]
    all_three = post(client, "/khon-kaen/api/3/action/package_search", {"rows": 2})[1]["result"]
    assert all_three["count"] == 4 and len(all_three["results"]) == 2
    second = post(client, "/khon-kaen/api/3/action/package_search", {"rows": 2, "start": 2})[1][
        "result"
    ]
    names = [p["name"] for p in all_three["results"] + second["results"]]
    assert sorted(names) == ["budget", "communities", "markets", "stall-holders"]
    only = post(client, "/khon-kaen/api/3/action/package_search", {"fq": "organization:health"})[1][
        "result"
    ]
    assert [p["name"] for p in only["results"]] == ["markets", "stall-holders"]
    none = post(client, "/khon-kaen/api/3/action/package_search", {"fq": "-organization:health"})[
        1
    ]["result"]
    assert "markets" not in [p["name"] for p in none["results"]]
    typo = post(client, "/khon-kaen/api/3/action/package_search", {"q": "budgt"})[1]["result"]
    assert [p["name"] for p in typo["results"]] == ["budget"]
    by_title = post(
        client, "/khon-kaen/api/3/action/package_search", {"sort": "title_string desc"}
    )[1]["result"]
    titles = [p["title"] for p in by_title["results"]]
    assert titles == sorted(titles, reverse=True)


def test_organizations_groups_tags(demo, client):
    orgs = call(client, "/khon-kaen/api/3/action/organization_list")[1]["result"]
    assert "welfare" in orgs
    full = post(client, "/khon-kaen/api/3/action/organization_list", {"all_fields": True})[1][
        "result"
    ]
    welfare = next(o for o in full if o["name"] == "welfare")
    assert welfare["package_count"] == 1
    shown = post(
        client,
        "/khon-kaen/api/3/action/organization_show",
        {"id": "welfare", "include_datasets": True},
    )[1]["result"]
    assert [p["name"] for p in shown["packages"]] == ["communities"]
    assert isinstance(call(client, "/khon-kaen/api/3/action/group_list")[1]["result"], list)
    tags = call(client, "/khon-kaen/api/3/action/tag_list")[1]["result"]
    assert "ชุมชน" in tags
    assert post(client, "/khon-kaen/api/3/action/tag_list", {"query": "ตลาด"})[1]["result"] == [
        "ตลาด"
    ]


def test_datastore_search(demo, client):
    pkg = post(client, "/khon-kaen/api/3/action/package_show", {"id": "markets"})[1]["result"]
    rid = next(r["id"] for r in pkg["resources"] if r["datastore_active"])
    shown = post(client, "/khon-kaen/api/3/action/resource_show", {"id": rid})[1]["result"]
    assert shown["format"] == "CSV"
    body = post(
        client,
        "/khon-kaen/api/3/action/datastore_search",
        {
            "resource_id": rid,
            "filters": {"opens": ["04:00", "05:00"]},
            "fields": ["market_id", "name_th", "stalls", "opens"],
            "sort": "stalls desc",
            "limit": 2,
        },
    )[1]["result"]
    assert [f["id"] for f in body["fields"]] == ["market_id", "name_th", "stalls", "opens"]
    assert body["fields"][2]["type"] == "int"
    assert len(body["records"]) <= 2
    assert all(r["opens"] in ("04:00", "05:00") for r in body["records"])
    stalls = [r["stalls"] for r in body["records"]]
    assert stalls == sorted(stalls, reverse=True)
    assert body["total"] >= len(body["records"])
    got = call(
        client,
        "/khon-kaen/api/3/action/datastore_search",
        resource_id=rid,
        q="ตลาด",
        filters='{"stalls": "not a number"}',
    )
    assert got[0] == 409 and got[1]["error"]["__type"] == "Validation Error"
    assert "stalls" in json.dumps(got[1]["error"], ensure_ascii=False)


def test_non_public_datasets_are_absent_for_the_public_and_present_for_staff(
    demo, client, client_as
):
    from nakhon.catalog.models import Dataset

    Dataset.objects.filter(municipality=demo.kk, slug="markets").update(classification="personal")
    public = call(client, "/khon-kaen/api/3/action/package_list")[1]["result"]
    assert "markets" not in public
    assert "khon-kaen--markets" not in call(client, "/api/3/action/package_list")[1]["result"]
    assert post(client, "/khon-kaen/api/3/action/package_show", {"id": "markets"})[0] == 404
    search = post(client, "/api/3/action/package_search", {"q": "ตลาด"})[1]["result"]
    assert "khon-kaen--markets" not in [p["name"] for p in search["results"]]
    staff = call(client_as("kk-admin"), "/khon-kaen/api/3/action/package_list")[1]["result"]
    assert "markets" in staff


def test_api_key_header(demo, client, token_for):
    from nakhon.catalog.models import Dataset

    Dataset.objects.filter(municipality=demo.kk, slug="markets").update(classification="internal")
    raw = token_for("kk-admin", scopes=["read"], municipality="khon-kaen")
    response = client.get("/khon-kaen/api/3/action/package_list", HTTP_AUTHORIZATION=raw)
    assert "markets" in response.json()["result"]
    response = client.get("/khon-kaen/api/3/action/package_list", HTTP_X_CKAN_API_KEY="nkh_bad")
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"
