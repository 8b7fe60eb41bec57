"""DCAT-AP 3 records of the public catalog: one city's, or every city's, a page at a time.

The graph is built from the catalog selectors for the public (``actor=None``), so a dataset
classified personal, security, official secret or internal never appears, and the table schema
is not described at all, so no column name (personal or not) reaches the record.

Vocabularies (DCAT-AP 3.0, https://semiceu.github.io/DCAT-AP/releases/3.0.0/): EU
Publications Office authority tables for themes, frequencies, languages, licences, access
rights, file types and dataset types; IANA media types; ADMS publisher types. Paging follows
the Hydra ``PartialCollectionView`` that DCAT-AP's guidance and CKAN's ckanext-dcat use.

Dates are stored in CE; the GD Catalog's years of data (``first_year_be``/``last_year_be``)
are Buddhist Era and become CE ``xsd:gYear`` values of ``dct:temporal``.

No blank nodes: every node has an IRI under the city's pages, so the same catalog always gives
the same triples (the ETag of the views is a hash of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDF, SKOS, XSD

from nakhon.accounts.models import Department, Municipality
from nakhon.accounts.selectors import municipality_list
from nakhon.catalog import selectors
from nakhon.catalog.models import Dataset, DatasetVersion
from nakhon.core import thai
from nakhon.core.errors import NakhonError
from nakhon.lake.service import export_formats

ADMS = Namespace("http://www.w3.org/ns/adms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
DATA_THEMES = URIRef(EU + "data-theme")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace is DCAT 2

PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "adms": str(ADMS),
    "hydra": str(HYDRA),
    "vcard": str(VCARD),
    "gsp": str(GSP),
}

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

# Download formats (``/<city>/datasets/<slug>/download.<ext>``; which of them a dataset has is
# the lake's ``export_formats``: GeoJSON needs a geometry or latitude/longitude columns):
# extension → (IANA media type, EU file type).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "json": ("application/json", "JSON"),
    "geojson": ("application/geo+json", "GEOJSON"),
    "parquet": ("application/vnd.apache.parquet", "PARQUET"),
}

LICENSES = {
    "cc-by-4.0": "CC_BY_4_0",
    "cc-by-sa-4.0": "CC_BYSA_4_0",
    "cc-by-nc-4.0": "CC_BYNC_4_0",
    "odc-by": "ODC_BY",
}
LANGUAGES = {"th": "THA", "en": "ENG"}
ACCESS_RIGHTS = {"public": "PUBLIC", "internal": "RESTRICTED"}  # the rest: NON_PUBLIC
DATASET_TYPES = {"statistical": "STATISTICAL", "geospatial": "GEOSPATIAL"}
# GD Catalog geographic coverage for which the city's own area is the dataset's dct:spatial.
CITY_COVERAGES = frozenset({"municipality", "district", "subdistrict", "village", "coordinates"})

# A GD Catalog update frequency (unit × interval) → EU frequency code. Calendar units are
# counted in months, clock units in minutes; an interval with no EU code is OTHER.
_MONTHS = {"year": 12, "half-year": 6, "quarter": 3, "month": 1}
_MINUTES = {"week": 7 * 1440, "day": 1440, "working-day": 1440, "hour": 60, "minute": 1}
_BY_MONTHS = {
    1: "MONTHLY",
    2: "BIMONTHLY",
    3: "QUARTERLY",
    4: "ANNUAL_3",
    6: "ANNUAL_2",
    12: "ANNUAL",
    24: "BIENNIAL",
    36: "TRIENNIAL",
    48: "QUADRENNIAL",
    60: "QUINQUENNIAL",
    120: "DECENNIAL",
}
_BY_MINUTES = {
    1: "1MIN",
    5: "5MIN",
    10: "10MIN",
    15: "15MIN",
    30: "30MIN",
    60: "HOURLY",
    120: "BIHOURLY",
    180: "TRIHOURLY",
    720: "12HRS",
    1440: "DAILY",
    7 * 1440: "WEEKLY",
    14 * 1440: "BIWEEKLY",
}
_FIXED_FREQUENCIES = {
    "real-time": "UPDATE_CONT",
    "never": "NEVER",
    "unknown": "UNKNOWN",
    "other": "OTHER",
}

# City themes (CKAN groups) → EU data themes, by words in the theme's slug or Thai name.
# A dataset with no theme that maps gets REGI ("Regions and cities"): all of it is city data.
THEME_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HEAL", ("health", "สาธารณสุข", "สุขภาพ", "โรค")),
    ("EDUC", ("educat", "school", "cultur", "sport", "การศึกษา", "โรงเรียน", "วัฒนธรรม", "กีฬา")),
    (
        "ECON",
        ("econom", "financ", "budget", "tax", "market", "การคลัง", "งบประมาณ", "ภาษี", "ตลาด"),
    ),
    ("ENVI", ("environment", "waste", "water", "สิ่งแวดล้อม", "ขยะ", "น้ำ")),
    ("TRAN", ("transport", "traffic", "road", "คมนาคม", "จราจร", "ถนน")),
    ("SOCI", ("social", "welfare", "population", "communit", "สวัสดิการ", "สังคม", "ประชากร", "ชุมชน")),
    ("AGRI", ("agricult", "fisher", "forest", "เกษตร", "ประมง", "ป่าไม้")),
    ("ENER", ("energy", "พลังงาน")),
    ("JUST", ("justice", "safety", "disaster", "crime", "ความปลอดภัย", "สาธารณภัย", "กฎหมาย")),
    ("TECH", ("technolog", "science", "digital", "เทคโนโลยี", "วิทยาศาสตร์", "ดิจิทัล")),
    ("GOVE", ("govern", "administ", "public-sector", "บริหาร", "ปกครอง", "ภาครัฐ")),
    ("REGI", ("urban", "planning", "land", "city", "ผังเมือง", "ที่ดิน", "เมือง")),
    ("INTR", ("international", "ต่างประเทศ", "ระหว่างประเทศ")),
)

# Texts of the records themselves, in both languages at once (so not gettext: a record carries
# every language, whatever the reader's).
CITY_TITLE = {"th": "บัญชีข้อมูล{name}", "en": "Data catalogue of {name}"}
CITY_DESCRIPTION = {
    "th": "ชุดข้อมูลสาธารณะที่{name}เผยแพร่ พร้อมรุ่นและไฟล์ดาวน์โหลด",
    "en": "Public datasets published by {name}, with their versions and downloads.",
}
ALL_TITLE = {"th": "บัญชีข้อมูลของเทศบาลบนนคร", "en": "Nakhon catalogue of municipal data"}
ALL_DESCRIPTION = {
    "th": "ชุดข้อมูลสาธารณะของทุกเทศบาลบนระบบนคร",
    "en": "Public datasets of every municipality on this Nakhon deployment.",
}
PLATFORM_NAME = {"th": "นคร", "en": "Nakhon"}
VERSION_NOTES = {
    "th": "รุ่นที่ {n} เผยแพร่ {on}: {rows} แถว",
    "en": "Version {n} published {on}: {rows} rows",
}


class BadPage(NakhonError):
    """The page or page size is not valid."""

    status = 400
    code = "bad-page"


@dataclass(frozen=True)
class Paging:
    """Which page of the catalog: ``page`` from 1, ``size`` datasets a page, and whether the
    client gave the size (then it is repeated in the page links)."""

    page: int = 1
    size: int = PAGE_SIZE
    size_given: bool = False

    def last(self, total: int) -> int:
        return max(1, math.ceil(total / self.size))


def paging_parse(params: Mapping[str, str]) -> Paging:
    """``?page=N&page_size=M`` → :class:`Paging`; a size above the cap is capped. Raises
    :class:`BadPage` (400) for anything that is not a positive whole number."""

    def number(name: str, default: int) -> int:
        raw = params.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise BadPage(f"{name} must be a whole number from 1, not {raw[:20]!r}.")
        return int(raw)

    page = number("page", 1)
    if page > 1_000_000:
        raise BadPage("page is too large.")
    size = number("page_size", PAGE_SIZE)
    return Paging(
        page=page, size=min(size, MAX_PAGE_SIZE), size_given=bool(params.get("page_size"))
    )


def frequency_code(unit: str, interval: int) -> str:
    """The EU frequency code for a GD Catalog update frequency, e.g. ("half-year", 1) → ANNUAL_2."""
    if unit in _FIXED_FREQUENCIES:
        return _FIXED_FREQUENCIES[unit]
    interval = max(1, interval)
    if unit in _MONTHS:
        return _BY_MONTHS.get(_MONTHS[unit] * interval, "OTHER")
    if unit in _MINUTES:
        return _BY_MINUTES.get(_MINUTES[unit] * interval, "OTHER")
    return "UNKNOWN"


def theme_codes(slug: str, name_th: str, name_en: str = "") -> list[str]:
    """EU data-theme codes a city theme maps to (by words in its slug and names)."""
    text = f"{slug} {name_en}".lower() + " " + name_th
    return [code for code, words in THEME_WORDS if any(w in text for w in words)]


@dataclass
class CatalogPage:
    graph: Graph
    catalog: URIRef
    total: int
    paging: Paging


class _Builder:
    """Adds the triples; ``absolute`` turns a site path into an absolute IRI."""

    def __init__(self, absolute: Callable[[str], str]) -> None:
        self.absolute = absolute
        self.g = Graph(bind_namespaces="none")
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self._themes: set[int] = set()

    def iri(self, path: str, fragment: str = "") -> URIRef:
        return URIRef(self.absolute(path) + (f"#{fragment}" if fragment else ""))

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.g.add((s, p, o))

    def eu(self, table: str, code: str, cls: URIRef) -> URIRef:
        """An EU authority-table concept, typed with the class DCAT-AP expects for it."""
        concept = _eu(table, code)
        self.add(concept, RDF.type, cls)
        return concept

    def texts(self, s: URIRef, p: URIRef, th: str, en: str = "") -> None:
        if th:
            self.add(s, p, Literal(th, lang="th"))
        if en:
            self.add(s, p, Literal(en, lang="en"))

    def city_texts(
        self, s: URIRef, p: URIRef, template: Mapping[str, str], m: Municipality
    ) -> None:
        """A Thai and an English text from ``template`` with the municipality's name."""
        th = template["th"].format(name=m.name_th)
        self.texts(s, p, th, template["en"].format(name=m.name_en or m.name_th))

    # --- agents and places ------------------------------------------------------------------

    def city_home(self, m: Municipality) -> str:
        return f"/{m.slug}/"

    def organisation(self, agent: URIRef, name_th: str, name_en: str) -> bool:
        """Describe a local-authority agent; False if it is described already."""
        if (agent, RDF.type, ORG.Organization) in self.g:
            return False
        for cls in (FOAF.Agent, FOAF.Organization, ORG.Organization):
            self.add(agent, RDF.type, cls)
        self.texts(agent, FOAF.name, name_th, name_en)
        self.add(agent, DCTERMS.type, LOCAL_AUTHORITY)
        return True

    def municipality(self, m: Municipality) -> URIRef:
        agent = self.iri(self.city_home(m), "organization")
        if not self.organisation(agent, m.name_th, m.name_en):
            return agent
        self.add(agent, DCTERMS.identifier, Literal(m.lao_code))
        self.add(agent, SKOS.notation, Literal(m.lao_code))
        self.add(agent, FOAF.homepage, self.iri(self.city_home(m)))
        if m.website:
            self.add(agent, FOAF.page, URIRef(m.website))
        self.add(agent, DCTERMS.spatial, self.area(m))
        return agent

    def area(self, m: Municipality) -> URIRef:
        area = self.iri(self.city_home(m), "area")
        if (area, RDF.type, DCTERMS.Location) in self.g:
            return area
        self.add(area, RDF.type, DCTERMS.Location)
        self.texts(area, SKOS.prefLabel, m.name_th, m.name_en)
        bbox = m.bbox
        if isinstance(bbox, list | tuple) and len(bbox) == 4:
            x1, y1, x2, y2 = (float(v) for v in bbox)
            wkt = f"POLYGON(({x1} {y1}, {x2} {y1}, {x2} {y2}, {x1} {y2}, {x1} {y1}))"
            self.add(area, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral))
            centre = f"POINT({(x1 + x2) / 2:.6f} {(y1 + y2) / 2:.6f})"
            self.add(area, DCAT.centroid, Literal(centre, datatype=GSP.wktLiteral))
        return area

    def province(self, m: Municipality) -> URIRef:
        place = self.iri(self.city_home(m), "province")
        if (place, RDF.type, DCTERMS.Location) not in self.g:
            self.add(place, RDF.type, DCTERMS.Location)
            self.texts(place, SKOS.prefLabel, m.province.name_th, m.province.name_en)
            self.add(place, SKOS.notation, Literal(m.province.code))
        return place

    def department(self, d: Department, m: Municipality) -> URIRef:
        agent = self.iri(self.city_home(m), f"department-{d.code}")
        if self.organisation(agent, d.name_th, d.name_en):
            self.add(agent, ORG.subOrganizationOf, self.municipality(m))
        return agent

    def platform(self) -> URIRef:
        agent = self.iri("/", "organization")
        for cls in (FOAF.Agent, FOAF.Organization):
            self.add(agent, RDF.type, cls)
        self.texts(agent, FOAF.name, PLATFORM_NAME["th"], PLATFORM_NAME["en"])
        self.add(agent, FOAF.homepage, self.iri("/"))
        return agent

    # --- catalogs ---------------------------------------------------------------------------

    def city_catalog(self, m: Municipality, modified: dt.datetime | None) -> URIRef:
        catalog = self.iri(f"/{m.slug}/catalog")
        self.add(catalog, RDF.type, DCAT.Catalog)
        self.city_texts(catalog, DCTERMS.title, CITY_TITLE, m)
        self.city_texts(catalog, DCTERMS.description, CITY_DESCRIPTION, m)
        self.add(catalog, DCTERMS.publisher, self.municipality(m))
        self.add(catalog, DCTERMS.spatial, self.area(m))
        self.add(catalog, FOAF.homepage, self.iri(self.city_home(m)))
        self.add(catalog, DCTERMS.identifier, Literal(m.lao_code))
        self.add(catalog, DCTERMS.issued, Literal(_local(m.created_at)))
        self._catalog_common(catalog, modified)
        return catalog

    def all_catalog(self, modified: dt.datetime | None) -> URIRef:
        catalog = self.iri("/catalog")
        self.add(catalog, RDF.type, DCAT.Catalog)
        self.texts(catalog, DCTERMS.title, ALL_TITLE["th"], ALL_TITLE["en"])
        self.texts(catalog, DCTERMS.description, ALL_DESCRIPTION["th"], ALL_DESCRIPTION["en"])
        self.add(catalog, DCTERMS.publisher, self.platform())
        self.add(catalog, FOAF.homepage, self.iri("/"))
        self._catalog_common(catalog, modified)
        return catalog

    def _catalog_common(self, catalog: URIRef, modified: dt.datetime | None) -> None:
        for code in LANGUAGES.values():
            self.add(catalog, DCTERMS.language, self.eu("language", code, DCTERMS.LinguisticSystem))
        self.add(catalog, DCAT.themeTaxonomy, DATA_THEMES)
        self.add(DATA_THEMES, RDF.type, SKOS.ConceptScheme)
        if modified:
            self.add(catalog, DCTERMS.modified, Literal(_local(modified)))

    # --- datasets ---------------------------------------------------------------------------

    def dataset(self, d: Dataset) -> URIRef:
        m = d.municipality
        landing_path = f"/{m.slug}/datasets/{d.slug}/"
        landing = self.iri(landing_path)
        ds = self.iri(landing_path, "dataset")
        add, texts = self.add, self.texts
        add(ds, RDF.type, DCAT.Dataset)
        add(ds, DCTERMS.identifier, Literal(f"{m.lao_code}/{d.slug}"))
        texts(ds, DCTERMS.title, d.title_th, d.title_en)
        # Description is mandatory in DCAT-AP: the title stands in when the steward left it out.
        texts(
            ds,
            DCTERMS.description,
            d.description_th or d.title_th,
            d.description_en or (d.title_en if not d.description_th else ""),
        )
        add(ds, DCAT.landingPage, landing)
        add(landing, RDF.type, FOAF.Document)
        publisher = self.department(d.department, m)
        add(ds, DCTERMS.publisher, publisher)
        add(ds, DCTERMS.creator, publisher)
        self._contact(ds, d, landing_path)
        for tag in d.tags.all():
            add(ds, DCAT.keyword, Literal(tag.name, lang="th" if _is_thai(tag.name) else "en"))
        self._themes_of(ds, d)
        if d.data_type in DATASET_TYPES:
            add(ds, DCTERMS.type, self.eu("dataset-type", DATASET_TYPES[d.data_type], SKOS.Concept))
        code = frequency_code(d.update_frequency_unit, d.update_frequency_interval)
        add(ds, DCTERMS.accrualPeriodicity, self.eu("frequency", code, DCTERMS.Frequency))
        for lang in d.data_language:
            if lang in LANGUAGES:
                add(
                    ds,
                    DCTERMS.language,
                    self.eu("language", LANGUAGES[lang], DCTERMS.LinguisticSystem),
                )
        rights = ACCESS_RIGHTS.get(d.classification, "NON_PUBLIC")
        add(ds, DCTERMS.accessRights, self.eu("access-right", rights, DCTERMS.RightsStatement))
        licence = self._licence(d)
        if licence is not None:
            add(ds, DCTERMS.license, licence)
        if d.geo_coverage in CITY_COVERAGES:
            add(ds, DCTERMS.spatial, self.area(m))
        elif d.geo_coverage == "province":
            add(ds, DCTERMS.spatial, self.province(m))
        self._temporal(ds, d, landing_path)
        versions: list[DatasetVersion] = list(getattr(d, "dcat_versions", None) or [])
        current = next(
            (v for v in versions if v.snapshot_id == d.current_snapshot_id),
            versions[0] if versions else None,
        )
        issued: dt.date | dt.datetime | None = d.created_date or (
            versions[-1].committed_at if versions else None
        )
        if issued is not None:
            add(ds, DCTERMS.issued, Literal(_local(issued)))
        modified = d.last_published_at or (current.committed_at if current else None)
        if modified is not None:
            add(ds, DCTERMS.modified, Literal(_local(modified)))
        if current is not None:
            self._version(ds, current)
            for fmt in export_formats(d):
                if fmt not in FORMATS:
                    continue
                self._distribution(ds, d, landing_path, fmt, current, licence)
        return ds

    def _contact(self, ds: URIRef, d: Dataset, landing_path: str) -> None:
        contact = self.iri(landing_path, "contact")
        self.add(ds, DCAT.contactPoint, contact)
        self.add(contact, RDF.type, VCARD.Organization)
        if d.maintainer:
            self.add(contact, VCARD.fn, Literal(d.maintainer))
        else:
            self.texts(contact, VCARD.fn, d.department.name_th, d.department.name_en)
        self.texts(contact, VCARD["organization-name"], d.department.name_th, d.department.name_en)
        email = d.maintainer_email or d.department.email
        if email:
            self.add(contact, VCARD.hasEmail, URIRef(f"mailto:{email}"))
        self.add(contact, VCARD.hasURL, self.iri(landing_path))

    def _themes_of(self, ds: URIRef, d: Dataset) -> None:
        codes: list[str] = []
        m = d.municipality
        for theme in d.themes.all():
            concept = self.iri(self.city_home(m), f"theme-{theme.slug}")
            scheme = self.iri(self.city_home(m), "themes")
            self.add(ds, DCAT.theme, concept)
            if theme.pk not in self._themes:
                self._themes.add(theme.pk)
                self.add(concept, RDF.type, SKOS.Concept)
                self.texts(concept, SKOS.prefLabel, theme.name_th, theme.name_en)
                self.add(concept, SKOS.inScheme, scheme)
                self.add(scheme, RDF.type, SKOS.ConceptScheme)
                self.city_texts(scheme, SKOS.prefLabel, CITY_TITLE, m)
            codes += theme_codes(theme.slug, theme.name_th, theme.name_en)
        for code in dict.fromkeys(codes or ["REGI"]):
            self.add(ds, DCAT.theme, self.eu("data-theme", code, SKOS.Concept))
            self.add(_eu("data-theme", code), SKOS.inScheme, DATA_THEMES)

    def _licence(self, d: Dataset) -> URIRef | None:
        code = LICENSES.get(d.license)
        return self.eu("licence", code, DCTERMS.LicenseDocument) if code else None

    def _temporal(self, ds: URIRef, d: Dataset, landing_path: str) -> None:
        if not (d.first_year_be or d.last_year_be):
            return
        period = self.iri(landing_path, "temporal")
        self.add(ds, DCTERMS.temporal, period)
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        for year_be, prop in ((d.first_year_be, DCAT.startDate), (d.last_year_be, DCAT.endDate)):
            if year_be:
                ce = thai.be_to_ce_year(year_be)
                self.add(period, prop, Literal(f"{ce:04d}", datatype=XSD.gYear))

    def _version(self, ds: URIRef, v: DatasetVersion) -> None:
        self.add(ds, DCAT_VERSION, Literal(str(v.number)))
        on = timezone.localtime(v.committed_at).date().isoformat()
        rows = "?" if v.rows_total is None else f"{v.rows_total:,}"
        for lang, text in VERSION_NOTES.items():
            note = text.format(n=v.number, on=on, rows=rows)
            self.add(ds, ADMS.versionNotes, Literal(note, lang=lang))

    def _distribution(
        self,
        ds: URIRef,
        d: Dataset,
        landing_path: str,
        fmt: str,
        current: DatasetVersion,
        licence: URIRef | None,
    ) -> None:
        media, file_type = FORMATS[fmt]
        dist = self.iri(landing_path, f"distribution-{fmt}")
        url = self.iri(f"{landing_path}download.{fmt}")
        add = self.add
        add(ds, DCAT.distribution, dist)
        add(dist, RDF.type, DCAT.Distribution)
        self.texts(
            dist,
            DCTERMS.title,
            f"{d.title_th} ({file_type})",
            f"{d.title_en} ({file_type})" if d.title_en else "",
        )
        add(dist, DCAT.accessURL, url)
        add(dist, DCAT.downloadURL, url)
        add(dist, DCAT.mediaType, _iana(media))
        add(_iana(media), RDF.type, DCTERMS.MediaType)
        add(dist, DCTERMS.format, self.eu("file-type", file_type, DCTERMS.MediaTypeOrExtent))
        add(dist, DCTERMS.modified, Literal(_local(current.committed_at)))
        if licence is not None:
            add(dist, DCTERMS.license, licence)
        rights = ACCESS_RIGHTS.get(d.classification, "NON_PUBLIC")
        add(dist, DCTERMS.rights, self.eu("access-right", rights, DCTERMS.RightsStatement))

    # --- paging -----------------------------------------------------------------------------

    def paging(self, catalog: URIRef, path: str, paging: Paging, total: int) -> None:
        def page_url(n: int) -> URIRef:
            query = {"page": n, **({"page_size": paging.size} if paging.size_given else {})}
            return URIRef(self.absolute(path) + "?" + urlencode(query))

        view = page_url(paging.page)
        last = paging.last(total)
        self.add(catalog, HYDRA.view, view)
        self.add(view, RDF.type, HYDRA.PartialCollectionView)
        self.add(view, HYDRA.totalItems, Literal(total, datatype=XSD.integer))
        self.add(view, HYDRA.itemsPerPage, Literal(paging.size, datatype=XSD.integer))
        self.add(view, HYDRA.first, page_url(1))
        self.add(view, HYDRA.last, page_url(last))
        if paging.page > 1:
            self.add(view, HYDRA.previous, page_url(min(paging.page - 1, last)))
        if paging.page < last:
            self.add(view, HYDRA.next, page_url(paging.page + 1))


def _eu(table: str, code: str) -> URIRef:
    return URIRef(f"{EU}{table}/{code}")


def _iana(media_type: str) -> URIRef:
    return URIRef(IANA + media_type)


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """Aware datetimes in the site's zone (Asia/Bangkok), whole seconds; dates unchanged."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0)
    return value


_THAI = re.compile(r"[\u0e00-\u0e7f]")


def _is_thai(text: str) -> bool:
    return bool(_THAI.search(text))


def _page_of(qs: QuerySet[Dataset], paging: Paging) -> tuple[list[Dataset], int]:
    total = qs.count()
    if paging.page > paging.last(total):
        raise BadPage(f"page {paging.page} is past the last page ({paging.last(total)}).")
    start = (paging.page - 1) * paging.size
    versions = Prefetch(
        "versions",
        queryset=DatasetVersion.objects.order_by("-number"),
        to_attr="dcat_versions",
    )
    page = qs.select_related("department", "municipality", "municipality__province")
    page = page.prefetch_related("tags", "themes", versions)[start : start + paging.size]
    rows = cast(list[Dataset], list(page))
    return rows, total


def catalog_page(
    *,
    municipality: Municipality | None,
    paging: Paging,
    absolute: Callable[[str], str],
    path: str,
) -> CatalogPage:
    """The DCAT-AP 3 graph of one page of the public catalog of ``municipality`` (None: of every
    active municipality). ``absolute`` makes a site path absolute (``request.build_absolute_uri``)
    and ``path`` is the path the page links (``hydra:next`` …) point to. Raises
    :class:`BadPage` for a page past the last."""
    b = _Builder(absolute)
    qs: QuerySet[Dataset]
    if municipality is not None:
        qs = selectors.dataset_list(actor=None, municipality=municipality)
        qs = qs.order_by("slug")
    else:
        qs = selectors.public_dataset_list().order_by("municipality__slug", "slug")
    rows, total = _page_of(qs, paging)
    modified = qs.aggregate(m=Max("last_published_at"))["m"]
    if municipality is not None:
        catalog = b.city_catalog(municipality, modified)
    else:
        catalog = b.all_catalog(modified)
        for m in municipality_list():
            b.add(catalog, DCAT.catalog, b.city_catalog(m, None))
    for d in rows:
        b.add(catalog, DCAT.dataset, b.dataset(d))
    b.paging(catalog, path, paging, total)
    return CatalogPage(graph=b.g, catalog=catalog, total=total, paging=paging)


def graph_digest(graph: Graph) -> str:
    """A hash of the triples, independent of serialisation order (the graph has no blank
    nodes), for the ETag."""
    lines = sorted(graph.serialize(format="nt").splitlines())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]


def graph_serialize(graph: Graph, rdf_format: str) -> bytes:
    """``rdf_format`` is an rdflib format name: ``json-ld``, ``turtle`` or ``xml``."""
    if rdf_format == "json-ld":
        context = dict(PREFIXES)
        text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    else:
        text = graph.serialize(format=rdf_format)
    return text.encode("utf-8")
