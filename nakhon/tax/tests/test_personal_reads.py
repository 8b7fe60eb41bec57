"""Taxpayers' names, ID numbers and addresses on the tax office's pages and exports (issue #6,
PDPA): one rule (``selectors.taxpayer_names``) — shown only with ``personal_data.view``, each
request's read written to the audit log (what, how many, who); without the permission the
register number stands for the taxpayer. A tax officer who may read the assessments
(``tax_assessment.view``) but not personal data crawls every tax page and export of the demo
city and finds none of the register's personal data; the tax officer who may finds the names
where they belong, one audit event per request."""

from __future__ import annotations

import io
import json
import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from nakhon.accounts.models import Role
from nakhon.core import permissions, thai
from nakhon.core.models import AuditEvent
from nakhon.tax.models import Taxpayer

CITY = "/khon-kaen/tax"
API = "/api/v1/municipalities/khon-kaen/tax"
GAP_YEAR = 2569  # the year the demo datasets plant revenue-gap findings in
MAX_PAGES = 400

# the lists and exports that name taxpayers for those who may read them
NAMED = [
    f"{CITY}/arrears/",
    f"{CITY}/arrears/?format=json",
    f"{CITY}/arrears/?format=csv",
    f"{CITY}/arrears/?format=xlsx",
    f"{CITY}/arrears/?format=json&kind=land_building",
    f"{CITY}/gap/?year={GAP_YEAR}",
    f"{CITY}/gap/?year={GAP_YEAR}&format=json",
    f"{CITY}/gap/?year={GAP_YEAR}&format=csv&list=uses",
    f"{CITY}/gap/?year={GAP_YEAR}&format=xlsx&list=uses",
    f"{CITY}/taxpayers/",
    f"{API}/arrears",
    f"{API}/assessments",
]
# pages and exports that never name a taxpayer (register numbers only), whoever reads them
UNNAMED = [
    f"{CITY}/reports/",
    f"{CITY}/reports/?format=json",
    f"{CITY}/reports/?format=csv",
    f"{CITY}/reports/?format=xlsx",
    f"{CITY}/reports/?report=categories",
    f"{CITY}/reports/?report=categories&format=csv&tax=signboard",
    f"{CITY}/map/?format=json",
    f"{CITY}/objections/",
    f"{CITY}/runs/",
    f"{API}/report",
]


@pytest.fixture
def no_personal(monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo tax officer ``kk-tax`` without ``personal_data.view`` (still with
    ``tax_assessment.view``, ``tax.collect`` and the rest of the tax office's actions)."""
    actions = permissions.ROLE_ACTIONS[Role.TAX_OFFICER] - {"personal_data.view"}
    assert "tax_assessment.view" in actions
    monkeypatch.setitem(permissions.ROLE_ACTIONS, Role.TAX_OFFICER, actions)
    return "kk-tax"


def needles(municipality: Any) -> dict[str, str]:
    """Every taxpayer's name, ID number (as stored and formatted) and address → its owner."""
    found: dict[str, str] = {}
    for t in Taxpayer.objects.filter(municipality=municipality):
        found[t.name] = t.code
        found[t.national_id] = t.code
        if t.kind == Taxpayer.Kind.PERSON:
            found[thai.format_thai_id(t.national_id)] = t.code
        if len(t.address) >= 8:
            found[t.address] = t.code
    assert len(found) > 60
    return found


def body(response: Any) -> str:
    data = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if "spreadsheetml" in response.get("Content-Type", ""):
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "json" in response.get("Content-Type", ""):  # the API escapes Thai: read it back
        return json.dumps(json.loads(data), ensure_ascii=False)
    return data.decode("utf-8-sig", errors="replace")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "action") and v]


def crawl(client: Any, start: list[str]) -> tuple[int, dict[str, str]]:
    """(pages read, {address: body}) of every tax page reachable from ``start``."""
    seen: set[str] = set()
    queue = deque(start)
    read: dict[str, str] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc not in ("", "testserver") or path in seen:
            continue
        if not path.startswith((CITY, API)) or "sort=" in path or "page=" in path:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code != 200:
            continue
        text = body(response)
        read[path] = text
        if "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(text)
            queue.extend(urljoin(path, link) for link in parser.links)
    return len(seen), read


def personal_reads(object_type: str = "") -> int:
    """Audited personal-data reads so far (of ``object_type`` only, when given: the gap page
    also reads the business-licence dataset, a catalog read audited on its own)."""
    found = AuditEvent.objects.filter(action="personal_data.read", personal_data=True)
    return (found.filter(object_type=object_type) if object_type else found).count()


def test_without_personal_data_view_no_page_or_export_names_a_taxpayer(
    demo_collection: Any, client_as: Any, no_personal: str
) -> None:
    secrets = needles(demo_collection.kk)
    client = client_as(no_personal)
    before = personal_reads()
    pages, read = crawl(client, [f"{CITY}/", *NAMED, *UNNAMED])
    assert pages > 150, pages
    for url in NAMED + UNNAMED:  # every list and export was read, not refused
        assert url in read, url
    leaks = [
        f"{url}: {owner}" for url, text in read.items() for s, owner in secrets.items() if s in text
    ]
    assert not leaks, leaks[:20]
    # the tax office's rows are there, by register number
    arrears = client.get(f"{CITY}/arrears/?format=json").json()
    assert arrears["rows"] and all("name" not in r for r in arrears["rows"])
    assert all("name" not in p for p in arrears["by_taxpayer"])
    assert all(re.fullmatch(r"TP-\d{4}", r["taxpayer"]) for r in arrears["rows"])
    csv_header = body(client.get(f"{CITY}/arrears/?format=csv")).splitlines()[0].split(",")
    assert csv_header[0] == "taxpayer" and "name" not in csv_header
    assert 'data-testid="arrears-taxpayers"' in read[f"{CITY}/arrears/"]
    assert personal_reads() == before  # nothing personal was read


@pytest.mark.parametrize("url", NAMED)
def test_with_personal_data_view_names_shown_and_each_request_audited(
    demo_collection: Any, client_as: Any, url: str
) -> None:
    names = {t.name for t in Taxpayer.objects.filter(municipality=demo_collection.kk)}
    client = client_as("kk-tax")
    for attempt in (1, 2):  # one event per request, not per session
        before = personal_reads("tax.taxpayer")
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = body(response)
        assert any(n in text for n in names), url
        assert personal_reads("tax.taxpayer") == before + 1, (url, attempt)
        event = AuditEvent.objects.filter(
            action="personal_data.read", object_type="tax.taxpayer"
        ).latest("id")
        assert event.actor.username == "kk-tax"
        assert event.object_type == "tax.taxpayer"
        assert event.object_id in ("arrears", "gap", "list", "api")
        assert event.changes["taxpayers"] > 0 and event.changes["records"] > 0
        assert "name" in event.changes["fields"]


def test_arrears_names_and_counts_in_the_audit(demo_collection: Any, client_as: Any) -> None:
    client = client_as("kk-tax")
    data = client.get(f"{CITY}/arrears/?format=json").json()
    event = AuditEvent.objects.filter(action="personal_data.read").latest("id")
    assert event.object_id == "arrears" and event.municipality == demo_collection.kk
    assert event.changes["records"] == len(data["rows"]) == data["count"]
    assert event.changes["taxpayers"] == len(data["by_taxpayer"])
    codes = dict(
        Taxpayer.objects.filter(municipality=demo_collection.kk).values_list("code", "name")
    )
    for row in data["rows"]:
        assert row["name"].endswith(codes[row["taxpayer"]])


@pytest.mark.parametrize("url", UNNAMED)
def test_pages_without_names_read_no_personal_data(
    demo_collection: Any, client_as: Any, url: str
) -> None:
    client = client_as("kk-tax")
    secrets = needles(demo_collection.kk)
    before = personal_reads("tax.taxpayer")
    response = client.get(url)
    assert response.status_code == 200, url
    text = body(response)
    assert not [owner for s, owner in secrets.items() if s in text], url
    assert personal_reads("tax.taxpayer") == before, url
