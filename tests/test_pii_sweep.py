"""PDPA sweep: every public page, JSON twin, API, CKAN action, DCAT record and download of the
demo city, read as an anonymous citizen, must hold none of the personal data in the demo's
registers — the names, Thai ID numbers and phone numbers of invented people (the stall holders
of a public dataset with personal columns, the recipients in a dataset classified personal).

The crawler starts from the public pages and every API entry point, follows every link on the
same site, and opens every download in every format (XLSX and Parquet are read, not grepped as
bytes). Any 13-digit number that passes the Thai ID check is a finding too, whoever it belongs
to."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from nakhon.core import thai
from nakhon.demo.datasets import demo_datasets

pytestmark = pytest.mark.django_db
CITY = "khon-kaen"
MAX_PAGES = 600
SKIP = ("/admin/", "/accounts/", "/i18n/", "/static/", "/api/v1/docs")
ID_LIKE = re.compile(r"(?<!\d)(\d[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}[\s-]?\d)(?!\d)")


def needles() -> set[str]:
    """Every personal value of the demo registers, as written and in the usual spellings."""
    found: set[str] = set()
    for dataset in demo_datasets():
        if dataset.slug not in ("stall-holders", "elderly-allowance"):
            continue
        for _name, content in dataset.files:
            text = (
                content.decode("cp874") if dataset.slug == "elderly-allowance" else content.decode()
            )
            for row in csv.DictReader(io.StringIO(text)):
                for column, value in row.items():
                    if "ชื่อ" in column or "ประชาชน" in column or "โทร" in column:
                        found.add(value)
                        digits = re.sub(r"\D", "", value)
                        if len(digits) == 13:
                            found.add(digits)
                            found.add(thai.format_thai_id(digits))
                        elif len(digits) == 10:
                            found.add(digits)
    from nakhon.tax.models import Taxpayer

    persons = Taxpayer.objects.filter(kind=Taxpayer.Kind.PERSON)
    assert persons.exists(), "the demo should have a tax register of people"
    for taxpayer in persons:  # the tax register's people: ID, name, address, contacts
        for field in ("national_id", "name", "address", "phone", "email"):
            value = str(getattr(taxpayer, field, "") or "")
            if len(value) >= 5:
                found.add(value)
    assert len(found) > 100, "the demo registers should hold personal data to look for"
    return found


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.links.append(value)


def as_text(response: Any) -> str:
    """The body as text; spreadsheets and Parquet files are read into text first."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "parquet" in kind:
        import pyarrow.parquet as pq

        return json.dumps(
            pq.read_table(io.BytesIO(body)).to_pylist(), ensure_ascii=False, default=str
        )
    return body.decode("utf-8", errors="replace")


def api_entry_points(client: Any) -> list[str]:
    """Every public API address of the city: /api/v1, CKAN actions, DCAT, downloads."""
    urls = [
        f"/api/v1/municipalities/{CITY}/datasets",
        f"/api/v1/municipalities/{CITY}/search?q=ตลาด&facet=organization",
        "/api/v1/openapi.json",
        f"/{CITY}/catalog.ttl",
        f"/{CITY}/catalog.jsonld",
        "/catalog.ttl",
        f"/{CITY}/api/3/action/status_show",
        f"/{CITY}/api/3/action/package_list",
        f"/{CITY}/api/3/action/package_search?rows=1000&q=",
        f"/{CITY}/api/3/action/package_search?q=ผู้ค้า",
        f"/{CITY}/api/3/action/organization_list?all_fields=true",
        f"/{CITY}/api/3/action/tag_list",
        "/api/3/action/package_search?rows=1000",
        # the tax office's API and pages (the demo's collection cycle): closed to the public
        f"/api/v1/municipalities/{CITY}/tax/assessments",
        f"/api/v1/municipalities/{CITY}/tax/arrears",
        f"/api/v1/municipalities/{CITY}/tax/report",
        f"/{CITY}/tax/arrears/?format=json",
        f"/{CITY}/tax/map/?format=json",
    ]
    datasets = client.get(f"/{CITY}/api/3/action/package_search", {"rows": 1000}).json()
    for pkg in datasets["result"]["results"]:
        name = pkg["name"]
        base = f"/api/v1/municipalities/{CITY}/datasets/{name}"
        urls += [
            f"/{CITY}/api/3/action/package_show?id={name}",
            f"/{CITY}/api/3/action/organization_show?id={pkg['organization']['name']}"
            "&include_datasets=true",
            base,
            f"{base}/versions",
            f"{base}/rows?limit=1000",
            f"{base}/query?limit=10000",
            f"{base}/query?q=0&limit=10000",
            f"/{CITY}/datasets/{name}/rows/?limit=1000",
            f"/{CITY}/datasets/{name}/rows/?format=json&limit=1000",
            f"/{CITY}/datasets/{name}/?format=json",
            f"/{CITY}/datasets/{name}/diff/?format=json",
        ]
        for resource in pkg["resources"]:
            urls.append(resource["url"])
            urls.append(
                f"/{CITY}/api/3/action/datastore_search?resource_id={resource['id']}&limit=32000"
            )
            urls.append(f"/{CITY}/api/3/action/datastore_search?resource_id={resource['id']}&q=0")
        for fmt in ("csv", "xlsx", "json", "geojson", "parquet"):
            urls.append(f"{base}/download/{fmt}")
    return urls


def sweep(client: Any, secrets: set[str]) -> tuple[int, list[str]]:
    """(addresses read, findings) of a crawl of every public address of the city."""
    seen: set[str] = set()
    queue: deque[str] = deque(["/", f"/{CITY}/", f"/{CITY}/datasets/", *api_entry_points(client)])
    findings: list[str] = []
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or url in seen:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP) or "logout" in path:
            continue
        seen.add(url)
        response = client.get(path)
        pages += 1
        if response.status_code >= 500:
            findings.append(f"{path}: server error {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        text = as_text(response)
        for secret in secrets:
            if secret in text:
                findings.append(f"{path}: {secret[:4]}…")
        for match in ID_LIKE.findall(text):
            if thai.is_valid_thai_id(re.sub(r"\D", "", match)):
                findings.append(f"{path}: a valid Thai ID number")
        if "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(text)
            queue.extend(urljoin(path, link) for link in parser.links)
    return pages, sorted(set(findings))


def test_no_personal_data_on_any_public_page_or_api(demo_collection: Any, client: Any) -> None:
    pages, findings = sweep(client, needles())
    assert pages > 100, f"the sweep reached only {pages} addresses"
    assert not findings, "\n".join(findings[:50])


def test_the_sweep_finds_a_leak(demo: Any, client: Any) -> None:
    """The sweep can fail: a steward forgets to flag the personal columns."""
    from nakhon.catalog.models import Dataset

    dataset = Dataset.objects.get(municipality__slug=CITY, slug="stall-holders")
    dataset.table_schema = {
        **dataset.table_schema,
        "columns": [{**c, "personal": False} for c in dataset.table_schema["columns"]],
    }
    dataset.save()
    _pages, findings = sweep(client, needles())
    assert any("download" in f for f in findings)
    assert any("datastore_search" in f for f in findings)
    assert any("valid Thai ID" in f for f in findings)


def test_the_personal_dataset_is_unreachable(demo: Any, client: Any) -> None:
    for path in (
        f"/{CITY}/datasets/elderly-allowance/",
        f"/{CITY}/datasets/elderly-allowance/rows/",
        f"/{CITY}/datasets/elderly-allowance/download.csv",
        f"/api/v1/municipalities/{CITY}/datasets/elderly-allowance",
        f"/api/v1/municipalities/{CITY}/datasets/elderly-allowance/query",
        f"/{CITY}/api/3/action/package_show?id=elderly-allowance",
    ):
        assert client.get(path).status_code == 404, path


def test_staff_do_see_personal_columns_and_the_reads_are_audited(demo: Any, client_as: Any) -> None:
    from nakhon.core.models import AuditEvent

    before = AuditEvent.objects.filter(action="personal_data.read").count()
    body = (
        client_as("kk-admin")
        .get(f"/{CITY}/datasets/stall-holders/rows/", {"format": "json"})
        .json()
    )
    assert "เลขประจำตัวประชาชน" in body["columns"]
    assert AuditEvent.objects.filter(action="personal_data.read").count() == before + 1
