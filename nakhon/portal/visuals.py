"""What the dataset page's chart builder and map may offer, worked out from the table schema.

The browser does the drawing (``nakhon/static/nakhon/dataset.js`` with the vendored ECharts and
Leaflet); this module only decides, on the server, which columns a chart may use, which chart
is drawn first, and where the map's data comes from. Both are progressive enhancement: the
page is complete without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from nakhon.accounts.models import Municipality
from nakhon.catalog.models import Dataset
from nakhon.ingestion.schema import NUMERIC_TYPES
from nakhon.lake import service as lake_service

#: Numbers worth adding up or averaging (coordinates are numbers but not measures).
VALUE_TYPES = NUMERIC_TYPES - {"latitude", "longitude"}
#: Columns a chart cannot group by.
NOT_CATEGORIES = {"geometry"}
DATE_TYPES = {"date", "datetime"}
CHART_KINDS = ("bar", "line", "pie")
AGGREGATES = ("sum", "avg", "count", "min", "max")
#: A number column named like this is a year (ปีงบประมาณ, fiscal_year, พ.ศ.): an axis, not a measure.
_YEAR_NAME = re.compile(r"(^|[^a-z])(year|yr)([^a-z]|$)|^ปี|ปีงบ|พ\.ศ\.", re.IGNORECASE)
#: Above this many features the map is not drawn (the browser would struggle); the GeoJSON
#: download is still offered.
MAP_MAX_FEATURES = 20_000


@dataclass(frozen=True)
class ChartColumn:
    name: str
    label: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "label": self.label, "type": self.type}


@dataclass(frozen=True)
class ChartConfig:
    """The builder's choices and its first chart (``default``: kind, x, y, agg)."""

    categories: list[ChartColumn]
    values: list[ChartColumn]
    default: dict[str, str]
    statistical: bool
    kinds: list[tuple[str, str]] = field(default_factory=list)
    aggregates: list[tuple[str, str]] = field(default_factory=list)


def _label(column: dict[str, Any], language: str) -> str:
    if language == "en" and column.get("label_en"):
        return str(column["label_en"])
    return str(column.get("label_th") or column.get("label_en") or column["name"])


def is_year_column(column: dict[str, Any]) -> bool:
    """A numeric column that names a year, such as ``ปีงบประมาณ`` or ``fiscal_year``."""
    return column.get("type") in VALUE_TYPES and bool(_YEAR_NAME.search(str(column["name"])))


def chart_config(dataset: Dataset, *, language: str) -> ChartConfig | None:
    """The chart builder for ``dataset``, or None when it has no numeric column to chart.

    Categories (the x axis or the pie's slices) are the text, area, date and boolean columns,
    and numeric columns named as years; values are the other numeric columns. Personal-data
    columns are never offered (the public query API leaves them out anyway), nor are key
    columns as values (adding up identifiers means nothing).

    The first chart: over time (a line) when there is a date or year column — which is what a
    statistical dataset usually has — otherwise a bar chart over the first text column; the
    sum of the first value column.
    """
    schema = dataset.table_schema or {}
    columns = [c for c in schema.get("columns", []) if not c.get("personal")]
    keys = set(schema.get("primary_key") or [])
    categories: list[ChartColumn] = []
    values: list[ChartColumn] = []
    for c in columns:
        kind = str(c.get("type", "string"))
        column = ChartColumn(str(c["name"]), _label(c, language), kind)
        if kind in VALUE_TYPES and not is_year_column(c):
            if c["name"] not in keys and not c.get("unique"):
                values.append(column)
        elif kind not in NOT_CATEGORIES and kind not in {"latitude", "longitude"}:
            categories.append(column)
    if not values or not categories:
        return None
    by_name = {c["name"]: c for c in columns}
    over_time = next((c for c in categories if c.type in DATE_TYPES), None) or next(
        (c for c in categories if is_year_column(by_name[c.name])), None
    )
    # a text column whose every value differs (a name or code) makes a poor first bar chart
    text = [c for c in categories if c.type not in DATE_TYPES and c.type not in VALUE_TYPES]
    grouping = next(
        (c for c in text if not by_name[c.name].get("unique") and c.name not in keys),
        text[0] if text else categories[0],
    )
    x = over_time or grouping
    default = {
        "kind": "line" if over_time else "bar",
        "x": x.name,
        "y": values[0].name,
        "agg": "sum",
    }
    return ChartConfig(
        categories=categories,
        values=values,
        default=default,
        statistical=dataset.data_type == "statistical",
        kinds=[("bar", _("Bar")), ("line", _("Line")), ("pie", _("Pie"))],
        aggregates=[
            ("sum", _("Sum")),
            ("avg", _("Average")),
            ("count", _("Count of rows")),
            ("min", _("Minimum")),
            ("max", _("Maximum")),
        ],
    )


def chart_script_data(
    municipality: Municipality,
    dataset: Dataset,
    config: ChartConfig,
    version: int | None,
    *,
    language: str,
) -> dict[str, Any]:
    """What ``dataset.js`` needs, for ``json_script``: the query URL and the strings it shows
    (the caption names the dataset and version, so a downloaded PNG says where it came from)."""
    title = dataset.title_en if language == "en" and dataset.title_en else dataset.title_th
    city = (
        municipality.name_en if language == "en" and municipality.name_en else municipality.name_th
    )
    return {
        "query_url": f"/api/v1/municipalities/{municipality.slug}/datasets/{dataset.slug}/query",
        "version": version,
        "filename": f"{municipality.slug}-{dataset.slug}-v{version}-chart",
        "caption": f"{title} · v{version} · {city}",
        "categories": [c.as_dict() for c in config.categories],
        "values": [c.as_dict() for c in config.values],
        "text": {
            "loading": _("Drawing the chart…"),
            "failed": _("The chart could not be drawn."),
            "empty": _("No rows to chart."),
            "count": _("Count of rows"),
            "top": _("Showing the %(shown)s largest of %(total)s groups."),
            "sum": _("Sum"),
            "avg": _("Average"),
            "min": _("Minimum"),
            "max": _("Maximum"),
            "by": _("by"),
            "none": _("(empty)"),
        },
    }


def map_script_data(
    municipality: Municipality,
    dataset: Dataset,
    downloads: list[tuple[str, str]],
    rows_total: int | None,
) -> dict[str, Any] | None:
    """What the map needs (the GeoJSON download of the version shown, the city boundary, an
    optional tile layer), or None when the dataset has no geometry or is too big to draw."""
    geojson = dict(downloads).get("geojson")
    geometry, point = lake_service.geometry_columns(dataset)
    if not geojson or not (geometry or point):
        return None
    if rows_total is not None and rows_total > MAP_MAX_FEATURES:
        return None
    return {
        "geojson_url": geojson,
        "boundary": municipality.boundary or None,
        "icon_path": static("vendor/leaflet/images/"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "text": {
            "loading": _("Loading the map…"),
            "failed": _("The map could not be loaded."),
            "empty": _("No rows with a location."),
            "feature": _("Row"),
            "shown": _("%(count)s places on the map."),
        },
    }


def page_context(
    municipality: Municipality,
    dataset: Dataset,
    downloads: list[tuple[str, str]],
    version: Any,
    *,
    language: str,
) -> dict[str, Any]:
    """The dataset page's ``chart``, ``chart_data`` and ``map_data`` (each None when not shown);
    ``version`` is the version on the page (None before the first publish: nothing to draw)."""
    if version is None:
        return {"chart": None, "chart_data": None, "map_data": None}
    chart = chart_config(dataset, language=language)
    return {
        "chart": chart,
        "chart_data": chart_script_data(
            municipality, dataset, chart, version.number, language=language
        )
        if chart
        else None,
        "map_data": map_script_data(municipality, dataset, downloads, version.rows_total),
    }
