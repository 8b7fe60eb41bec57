"""The CKAN Action API with the real ``ckanapi`` client (Python and CLI) against the real
``nakhon`` serving the demo city, as a developer or a data.go.th harvester would use it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Server, start

ckanapi = pytest.importorskip("ckanapi")
CKANAPI = str(Path(sys.executable).with_name("ckanapi"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(tmp_path_factory.mktemp("ckan"))
    yield running
    running.stop()


def test_python_client_reads_a_city(server: Server) -> None:
    city = ckanapi.RemoteCKAN(f"{server.base_url}/khon-kaen", user_agent="nakhon-tests")
    assert city.action.site_read() is True
    assert city.action.status_show()["ckan_version"].startswith("2.")
    names = city.action.package_list()
    tax_figures = ["tax-arrears-by-tambon", "tax-assessed-by-category", "tax-collection-monthly"]
    assert names == ["budget", "communities", "markets", "stall-holders", *tax_figures]
    pkg = city.action.package_show(id="communities")
    assert pkg["title_translated"]["th"] == "ข้อมูลชุมชนในเขตเทศบาลนครขอนแก่น"
    assert pkg["data_type"] == "ข้อมูลระเบียน"
    found = city.action.package_search(
        q="ภาษาไทย ชุมชน", rows=5, **{"facet.field": ["organization"]}
    )
    assert found["count"] == 0  # "ภาษาไทย" is in no dataset: every word must match
    found = city.action.package_search(q="ชุมชน", **{"facet.field": ["organization", "tags"]})
    assert [p["name"] for p in found["results"]] == ["communities"]
    assert found["facets"]["organization"] == {"welfare": 1}
    assert "welfare" in city.action.organization_list()
    assert city.action.organization_show(id="welfare")["package_count"] == 1
    assert "ชุมชน" in city.action.tag_list()
    assert isinstance(city.action.group_list(), list)
    with pytest.raises(ckanapi.NotFound):
        city.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        city.action.package_show()
    with pytest.raises(ckanapi.SearchQueryError):
        city.action.package_search(fq="secret_field:1")


def test_datastore_search_reads_rows_and_downloads_match(server: Server) -> None:
    city = ckanapi.RemoteCKAN(f"{server.base_url}/khon-kaen", user_agent="nakhon-tests")
    pkg = city.action.package_show(id="markets")
    table = next(r for r in pkg["resources"] if r["datastore_active"])
    assert city.action.resource_show(id=table["id"])["url"] == table["url"]
    page = city.action.datastore_search(
        resource_id=table["id"], sort="stalls desc", limit=3, fields=["name_th", "stalls"]
    )
    assert [f["id"] for f in page["fields"]] == ["name_th", "stalls"]
    stalls = [r["stalls"] for r in page["records"]]
    assert stalls == sorted(stalls, reverse=True) and len(stalls) == 3
    assert page["total"] == pkg["num_rows"]
    with urllib.request.urlopen(table["url"]) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert len(rows) == page["total"]
    assert max(int(r["stalls"]) for r in rows) == stalls[0]
    with pytest.raises(ckanapi.ValidationError):
        city.action.datastore_search(resource_id=table["id"], filters={"stalls": "many"})


def test_get_only_client_and_all_cities(server: Server) -> None:
    everywhere = ckanapi.RemoteCKAN(server.base_url, get_only=True, user_agent="nakhon-tests")
    names = everywhere.action.package_list()
    assert "khon-kaen--markets" in names
    pkg = everywhere.action.package_show(id="khon-kaen--markets")
    assert pkg["municipality"] == "khon-kaen"
    assert everywhere.action.package_search(q="ตลาด")["count"] >= 1


def test_cli(server: Server) -> None:
    done = subprocess.run(
        [CKANAPI, "action", "package_search", "q=งบประมาณ", "-r", f"{server.base_url}/khon-kaen"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [p["name"] for p in result["results"]] == ["budget"]
    done = subprocess.run(
        [CKANAPI, "action", "package_show", "id=nope", "-r", f"{server.base_url}/khon-kaen"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "NotFound: Dataset not found" in done.stderr
