"""DCAT-AP 3 catalog: both serialisations parse to the same graph, the mandatory properties are
there (SPARQL checks of the DCAT-AP 3.0 cardinalities), Thai and English literals, Buddhist Era
years as CE, Hydra paging, nothing non-public or personal, tenancy, and the HTTP contract."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, XSD

from nakhon.accounts.models import Department
from nakhon.catalog import dcat, services
from nakhon.catalog.models import Dataset

pytestmark = pytest.mark.django_db

PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX hydra: <http://www.w3.org/ns/hydra/core#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
HOST = "http://testserver"
KK = f"{HOST}/khon-kaen"

HIDDEN_TITLE = "ทะเบียนผู้รับเบี้ยยังชีพ"
META: dict[str, Any] = {
    "title_th": HIDDEN_TITLE,
    "title_en": "Register of allowance recipients",
    "department": "welfare",
    "data_type": "record",
    "update_frequency_unit": "month",
    "data_language": ["th"],
}


def fetch(client: Any, url: str, **headers: Any) -> Graph:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    rdf_format = "json-ld" if "ld+json" in response["Content-Type"] else "turtle"
    return Graph().parse(data=response.content, format=rdf_format)


def violations(graph: Graph, where: str) -> list[Any]:
    return list(graph.query(PREFIXES + "SELECT DISTINCT ?x WHERE { " + where + " }"))


def titles(graph: Graph) -> set[str]:
    return {str(o) for _, _, o in graph.triples((None, DCTERMS.title, None))}


def without_paging(graph: Graph) -> Graph:
    hydra = "http://www.w3.org/ns/hydra/core#"
    views = set(graph.subjects(None, URIRef(hydra + "PartialCollectionView")))
    result = Graph()
    for s, p, o in graph:
        if s not in views and not str(p).startswith(hydra):
            result.add((s, p, o))
    return result


def make(demo: Any, slug: str, **extra: Any) -> Dataset:
    return services.dataset_create(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        slug=slug,
        data={**META, "title_th": f"{META['title_th']} {slug}", **extra},
    )


# --- both serialisations, DCAT-AP 3 mandatory properties --------------------------------------


def test_jsonld_and_turtle_are_the_same_graph(demo: Any, client_as: Any) -> None:
    client = client_as(None)
    ttl = client.get("/khon-kaen/catalog.ttl")
    jsonld = client.get("/khon-kaen/catalog.jsonld")
    rdfxml = client.get("/khon-kaen/catalog.rdf")
    assert ttl["Content-Type"] == "text/turtle; charset=utf-8"
    assert jsonld["Content-Type"] == "application/ld+json"
    assert rdfxml["Content-Type"].startswith("application/rdf+xml")
    g_ttl = Graph().parse(data=ttl.content, format="turtle")
    g_jsonld = Graph().parse(data=jsonld.content, format="json-ld")
    g_xml = Graph().parse(data=rdfxml.content, format="xml")
    assert len(g_ttl) > 100
    # the same graph, but for the page links, which point at each format's own address
    assert isomorphic(without_paging(g_ttl), without_paging(g_jsonld))
    assert isomorphic(without_paging(g_ttl), without_paging(g_xml))


def test_dcat_ap_mandatory_properties(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")
    catalogs = list(g.subjects(None, DCAT.Catalog))
    assert catalogs == [URIRef(f"{KK}/catalog")]
    # Catalog: title, description, publisher (an agent with a name), datasets.
    for prop in ("dct:title", "dct:description", "dct:publisher", "dcat:dataset"):
        assert not violations(g, f"?x a dcat:Catalog FILTER NOT EXISTS {{ ?x {prop} ?v }}"), prop
    # Dataset: title and description; and the recommended ones we promise.
    for prop in (
        "dct:title",
        "dct:description",
        "dct:identifier",
        "dct:publisher",
        "dcat:contactPoint",
        "dcat:landingPage",
        "dct:accrualPeriodicity",
        "dct:accessRights",
        "dcat:theme",
        "dcat:distribution",
        "dct:issued",
        "dct:modified",
        "<http://www.w3.org/ns/dcat#version>",
    ):
        assert not violations(g, f"?x a dcat:Dataset FILTER NOT EXISTS {{ ?x {prop} ?v }}"), prop
    # Distribution: access URL (mandatory), and download URL, media type, format, licence.
    for prop in ("dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format"):
        assert not violations(g, f"?x a dcat:Distribution FILTER NOT EXISTS {{ ?x {prop} ?v }}")
    assert not violations(g, "?x a dcat:Distribution FILTER NOT EXISTS { ?x dct:license ?v }")
    # Agents have a name; contact points a name and an e-mail or URL.
    assert not violations(g, "?c dct:publisher ?x FILTER NOT EXISTS { ?x foaf:name ?n }")
    assert not violations(g, "?d dcat:contactPoint ?x FILTER NOT EXISTS { ?x vcard:fn ?n }")
    # Ranges: IRIs where DCAT-AP wants resources, dates typed as xsd:date / xsd:dateTime.
    for prop in ("dcat:accessURL", "dcat:landingPage", "dct:publisher", "dcat:theme"):
        assert not violations(g, f"?s {prop} ?x FILTER(!isIRI(?x))"), prop
    assert not violations(
        g,
        "?s dct:issued|dct:modified ?x "
        "FILTER(datatype(?x) != xsd:date && datatype(?x) != xsd:dateTime)",
    )
    assert not list(
        g.query("SELECT ?b WHERE { { ?b ?p ?o } UNION { ?s ?p ?b } FILTER isBlank(?b) }")
    )


def test_publisher_is_the_department_of_the_municipality_with_its_lao_code(
    demo: Any, client_as: Any
) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")
    rows: list[Any] = list(
        g.query(
            PREFIXES
            + """
            PREFIX org: <http://www.w3.org/ns/org#>
            SELECT ?lao ?dept WHERE {
              <http://testserver/khon-kaen/datasets/communities/#dataset> dct:publisher ?d .
              ?d foaf:name ?dept ; org:subOrganizationOf ?m .
              ?m dct:identifier ?lao .
              <http://testserver/khon-kaen/catalog> dct:publisher ?m .
              FILTER(lang(?dept) = "en")
            }"""
        )
    )
    assert [(str(r[0]), str(r[1])) for r in rows] == [(demo.kk.lao_code, "Social Welfare Office")]


# --- languages, Buddhist Era, vocabularies ----------------------------------------------------


def test_titles_and_descriptions_in_thai_and_english(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.jsonld")
    communities = URIRef(f"{KK}/datasets/communities/#dataset")
    found = {(o.language, str(o)) for o in g.objects(communities, DCTERMS.title)}
    assert found == {
        ("th", "ข้อมูลชุมชนในเขตเทศบาลนครขอนแก่น"),
        ("en", "Communities of Khon Kaen City Municipality"),
    }
    langs = {o.language for o in g.objects(communities, DCTERMS.description)}
    assert langs == {"th", "en"}
    # every text of a title, description or name carries a language tag
    assert not violations(g, "?x dct:title|dct:description|foaf:name ?v FILTER(lang(?v) = '')")
    catalog = URIRef(f"{KK}/catalog")
    assert {o.language for o in g.objects(catalog, DCTERMS.title)} == {"th", "en"}
    keywords = set(g.objects(communities, DCAT.keyword))
    assert Literal("ชุมชน", lang="th") in keywords


def test_buddhist_era_years_become_ce_years(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")
    budget = URIRef(f"{KK}/datasets/budget/#dataset")
    (period,) = g.objects(budget, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal("2020", datatype=XSD.gYear)  # 2563 BE
    assert g.value(period, DCAT.endDate) == Literal("2025", datatype=XSD.gYear)  # 2568 BE
    modified = g.value(budget, DCTERMS.modified)
    assert modified.datatype == XSD.dateTime
    assert modified.toPython().year < 2500  # CE, not BE


def test_vocabularies(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")
    eu = "http://publications.europa.eu/resource/authority/"
    budget = URIRef(f"{KK}/datasets/budget/#dataset")
    assert g.value(budget, DCTERMS.accrualPeriodicity) == URIRef(f"{eu}frequency/ANNUAL")
    assert g.value(budget, DCTERMS.accessRights) == URIRef(f"{eu}access-right/PUBLIC")
    assert g.value(budget, DCTERMS.license) == URIRef(f"{eu}licence/CC_BY_4_0")
    assert g.value(budget, DCTERMS.type) == URIRef(f"{eu}dataset-type/STATISTICAL")
    assert URIRef(f"{eu}language/THA") in set(g.objects(budget, DCTERMS.language))


@pytest.mark.parametrize(
    ("unit", "interval", "code"),
    [
        ("year", 1, "ANNUAL"),
        ("year", 2, "BIENNIAL"),
        ("half-year", 1, "ANNUAL_2"),
        ("half-year", 2, "ANNUAL"),
        ("quarter", 1, "QUARTERLY"),
        ("month", 1, "MONTHLY"),
        ("month", 6, "ANNUAL_2"),
        ("week", 2, "BIWEEKLY"),
        ("day", 1, "DAILY"),
        ("day", 7, "WEEKLY"),
        ("hour", 1, "HOURLY"),
        ("minute", 15, "15MIN"),
        ("real-time", 1, "UPDATE_CONT"),
        ("never", 1, "NEVER"),
        ("unknown", 1, "UNKNOWN"),
        ("month", 5, "OTHER"),
    ],
)
def test_frequency_codes(unit: str, interval: int, code: str) -> None:
    assert dcat.frequency_code(unit, interval) == code


def test_theme_codes() -> None:
    assert dcat.theme_codes("health", "สาธารณสุข") == ["HEAL"]
    assert dcat.theme_codes("finance", "การคลังและงบประมาณ") == ["ECON"]
    assert dcat.theme_codes("x", "สวัสดิการสังคม") == ["SOCI"]


def test_city_themes_are_concepts_mapped_to_eu_themes(demo: Any, client_as: Any) -> None:
    from nakhon.catalog.models import Theme

    theme = Theme.objects.create(
        municipality=demo.kk, slug="health", name_th="สาธารณสุข", name_en="Public health"
    )
    Dataset.objects.get(municipality=demo.kk, slug="markets").themes.add(theme)
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")
    markets = URIRef(f"{KK}/datasets/markets/#dataset")
    assert set(g.objects(markets, DCAT.theme)) == {
        URIRef(f"{KK}/#theme-health"),
        URIRef("http://publications.europa.eu/resource/authority/data-theme/HEAL"),
    }


# --- distributions -------------------------------------------------------------------------


def test_distributions_per_download_format(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl")

    def downloads(slug: str) -> set[str]:
        ds = URIRef(f"{KK}/datasets/{slug}/#dataset")
        return {str(g.value(d, DCAT.downloadURL)) for d in g.objects(ds, DCAT.distribution)}

    base = f"{KK}/datasets/markets/download."
    assert downloads("markets") == {base + f for f in ("csv", "xlsx", "json", "geojson", "parquet")}
    assert f"{KK}/datasets/budget/download.geojson" not in downloads("budget")  # no geometry
    csv = URIRef(f"{KK}/datasets/markets/#distribution-csv")
    assert g.value(csv, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv"
    )
    communities = URIRef(f"{KK}/datasets/communities/#dataset")
    assert str(g.value(communities, URIRef(str(DCAT) + "version"))) == "2"


def test_every_download_url_answers_with_its_media_type(demo: Any, client_as: Any) -> None:
    client = client_as(None)
    g = fetch(client, "/khon-kaen/catalog.ttl")
    checked = 0
    for dist in g.subjects(None, DCAT.Distribution):
        url = str(g.value(dist, DCAT.downloadURL)).removeprefix(HOST)
        media = str(g.value(dist, DCAT.mediaType)).removeprefix(dcat.IANA)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].split(";")[0] == media, url
        checked += 1
    assert checked == 17  # 4 public datasets × 4 formats, + GeoJSON of the markets


# --- paging ----------------------------------------------------------------------------------


def test_paging_with_hydra_links(demo: Any, client_as: Any) -> None:
    client = client_as(None)
    g = fetch(client, "/khon-kaen/catalog.ttl?page_size=3")
    catalog = URIRef(f"{KK}/catalog")
    page1 = URIRef(f"{KK}/catalog.ttl?page=1&page_size=3")
    page2 = URIRef(f"{KK}/catalog.ttl?page=2&page_size=3")
    hydra = "http://www.w3.org/ns/hydra/core#"
    assert g.value(catalog, URIRef(hydra + "view")) == page1
    assert g.value(page1, URIRef(hydra + "totalItems")).toPython() == 4
    assert g.value(page1, URIRef(hydra + "first")) == page1
    assert g.value(page1, URIRef(hydra + "next")) == page2
    assert g.value(page1, URIRef(hydra + "last")) == page2
    assert g.value(page1, URIRef(hydra + "previous")) is None
    assert len(list(g.objects(catalog, DCAT.dataset))) == 3

    g2 = fetch(client, str(page2).removeprefix(HOST))
    assert g2.value(page2, URIRef(hydra + "previous")) == page1
    assert g2.value(page2, URIRef(hydra + "next")) is None
    assert len(list(g2.objects(catalog, DCAT.dataset))) == 1
    first = {str(o) for o in g.objects(catalog, DCAT.dataset)}
    assert first.isdisjoint(str(o) for o in g2.objects(catalog, DCAT.dataset))


def test_page_size_is_capped(demo: Any, client_as: Any) -> None:
    g = fetch(client_as(None), "/khon-kaen/catalog.ttl?page_size=100000")
    (items,) = g.objects(None, URIRef("http://www.w3.org/ns/hydra/core#itemsPerPage"))
    assert items.toPython() == dcat.MAX_PAGE_SIZE


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=-1", "page=9", "page_size=0"])
def test_bad_page_is_a_clear_400(demo: Any, client_as: Any, query: str) -> None:
    response = client_as(None).get(f"/khon-kaen/catalog.ttl?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad-page"
    assert "page" in error["message"]
    assert "Traceback" not in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == "*"


# --- what must never appear -----------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "kk-admin"])
def test_non_public_datasets_never_appear(demo: Any, client_as: Any, who: str | None) -> None:
    for classification in ("personal", "security", "secret", "internal"):
        make(demo, f"hidden-{classification}", classification=classification)
    client = client_as(who)  # staff get the public catalog too: it is one cacheable record
    for url in ("/khon-kaen/catalog.ttl", "/khon-kaen/catalog.jsonld", "/catalog.ttl"):
        response = client.get(url)
        assert b"hidden-" not in response.content
        assert HIDDEN_TITLE.encode() not in response.content
        g = fetch(client, url)
        assert not any(t.startswith(HIDDEN_TITLE) for t in titles(g))


def test_personal_column_names_never_appear(demo: Any, client_as: Any) -> None:
    dataset = make(demo, "allowance", classification="public")
    dataset.table_schema = {
        "columns": [
            {"name": "recipient_citizen_id", "type": "thai_id", "personal": True},
            {"name": "recipient_full_name", "type": "string", "personal": True},
            {"name": "allowance_baht", "type": "decimal"},
        ]
    }
    dataset.save()
    assert dataset.personal_columns() == ["recipient_citizen_id", "recipient_full_name"]
    client = client_as(None)
    for url in ("/khon-kaen/catalog.ttl", "/khon-kaen/catalog.jsonld", "/catalog.rdf"):
        body = client.get(url).content
        assert b"/khon-kaen/datasets/allowance/" in body  # the dataset is there ...
        assert b"recipient_citizen_id" not in body  # ... its personal columns are not
        assert b"recipient_full_name" not in body


def test_another_citys_datasets_stay_in_their_catalog(demo: Any, client_as: Any) -> None:
    department = Department.objects.filter(municipality=demo.sila).first()
    assert department is not None
    Dataset.objects.create(
        municipality=demo.sila,
        department=department,
        slug="sila-roads",
        title_th="ถนนในเขตเทศบาลเมืองศิลา",
        title_en="Roads of Sila",
    )
    client = client_as(None)
    kk = client.get("/khon-kaen/catalog.ttl").content
    assert b"sila-roads" not in kk
    assert b"/sila/" not in kk
    sila = fetch(client, "/sila/catalog.ttl")
    datasets = {str(o) for o in sila.objects(URIRef(f"{HOST}/sila/catalog"), DCAT.dataset)}
    assert datasets == {f"{HOST}/sila/datasets/sila-roads/#dataset"}
    everything = fetch(client, "/catalog.jsonld")
    found = {str(o) for o in everything.objects(URIRef(f"{HOST}/catalog"), DCAT.dataset)}
    assert f"{HOST}/sila/datasets/sila-roads/#dataset" in found
    assert f"{KK}/datasets/budget/#dataset" in found
    subcatalogs = set(everything.objects(URIRef(f"{HOST}/catalog"), DCAT.catalog))
    assert {URIRef(f"{KK}/catalog"), URIRef(f"{HOST}/sila/catalog")} <= subcatalogs


# --- HTTP -----------------------------------------------------------------------------------


def test_etag_304_cache_and_cors(demo: Any, client_as: Any) -> None:
    client = client_as(None)
    first = client.get("/khon-kaen/catalog.ttl")
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "public" in first["Cache-Control"]
    assert "max-age=" in first["Cache-Control"]
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert client.get("/khon-kaen/catalog.ttl")["ETag"] == etag  # stable
    assert client.get("/khon-kaen/catalog.jsonld")["ETag"] != etag  # per representation
    again = client.get("/khon-kaen/catalog.ttl", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    make(demo, "new-public", classification="public")
    changed = client.get("/khon-kaen/catalog.ttl", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_cors_preflight(demo: Any, client_as: Any) -> None:
    response = client_as(None).options("/khon-kaen/catalog.jsonld")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml; charset=utf-8"),
        ("*/*", "application/ld+json"),
    ],
)
def test_content_negotiation(demo: Any, client_as: Any, accept: str, content_type: str) -> None:
    response = client_as(None).get("/khon-kaen/catalog", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert "Accept" in response["Vary"]


def test_not_acceptable_and_unknown_city(demo: Any, client_as: Any) -> None:
    client = client_as(None)
    assert client.get("/khon-kaen/catalog", HTTP_ACCEPT="image/png").status_code == 406
    missing = client.get("/no-such-city/catalog.ttl")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not-found"
    assert client.post("/khon-kaen/catalog.ttl").status_code in (403, 405)


def test_paging_parse() -> None:
    assert dcat.paging_parse({}) == dcat.Paging(1, dcat.PAGE_SIZE, False)
    assert dcat.paging_parse({"page": "3", "page_size": "20"}) == dcat.Paging(3, 20, True)
    with pytest.raises(dcat.BadPage):
        dcat.paging_parse({"page": "๓"})  # Thai digits: not an ASCII number
