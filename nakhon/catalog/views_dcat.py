"""DCAT-AP 3 catalog endpoints: ``/<city>/catalog.{jsonld,ttl,rdf}``, ``/catalog.{jsonld,ttl,rdf}``
and ``/<city>/catalog`` / ``/catalog`` by content negotiation (Accept).

The record is the same for everyone (the public catalog, ``dcat.catalog_page``), so it is
cacheable by any cache and readable from any origin: ETag (a hash of the triples),
``Cache-Control: public``, 304 on ``If-None-Match``, ``Access-Control-Allow-Origin: *``.
The views never look at the session or the user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from nakhon.accounts.selectors import municipality_get
from nakhon.catalog import dcat
from nakhon.core.errors import NakhonError

MAX_AGE = 300


@dataclass(frozen=True)
class RdfFormat:
    rdflib_name: str
    content_type: str


FORMATS = {
    "jsonld": RdfFormat("json-ld", "application/ld+json"),
    "ttl": RdfFormat("turtle", "text/turtle; charset=utf-8"),
    "rdf": RdfFormat("xml", "application/rdf+xml; charset=utf-8"),
}
# Accept media types → format, in the server's order of preference.
MEDIA_TYPES = {
    "application/ld+json": "jsonld",
    "text/turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/json": "jsonld",
}


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return _cors(HttpResponse(body, status=status, content_type="application/json"))


def _negotiate(request: HttpRequest) -> str | None:
    if not request.headers.get("Accept"):
        return "jsonld"
    media_type = request.get_preferred_type(list(MEDIA_TYPES))
    return MEDIA_TYPES[media_type] if media_type else None


def catalog(request: HttpRequest, slug: str | None = None, fmt: str | None = None) -> HttpResponse:
    """The DCAT-AP 3 catalog of a city (``slug``) or of every city, one page (``?page=N``,
    ``?page_size=M``, at most ``dcat.MAX_PAGE_SIZE``) in JSON-LD, Turtle or RDF/XML."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response)
    if request.method not in ("GET", "HEAD"):
        response = _error(405, "method-not-allowed", "Use GET.")
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
    negotiated = fmt is None
    if negotiated:
        fmt = _negotiate(request)
        if fmt is None:
            response = _error(
                406,
                "not-acceptable",
                "Available: application/ld+json, text/turtle, application/rdf+xml.",
            )
            patch_vary_headers(response, ["Accept"])
            return response
    assert fmt is not None
    rdf_format = FORMATS[fmt]
    try:
        municipality = municipality_get(slug=slug) if slug else None
        paging = dcat.paging_parse(request.GET)
        page = dcat.catalog_page(
            municipality=municipality,
            paging=paging,
            absolute=request.build_absolute_uri,
            path=request.path,
        )
    except NakhonError as exc:
        return _error(exc.status, exc.code, exc.message)

    etag = f'W/"{dcat.graph_digest(page.graph)}-{fmt}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        response = not_modified
    else:
        body = dcat.graph_serialize(page.graph, rdf_format.rdflib_name)
        response = HttpResponse(body, content_type=rdf_format.content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    if negotiated:
        patch_vary_headers(response, ["Accept"])
    return _cors(response)
