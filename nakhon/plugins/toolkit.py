"""The one import surface for plugins: the ``hookimpl`` marker and the types the hooks use.

    from nakhon.plugins.toolkit import hookimpl, ReaderFormat, IngestError

Everything a plugin needs is importable from here; the modules behind these names may move,
this surface stays. The heavy ones (the check and reader types, which import DuckDB and
pyarrow) are imported only when a plugin asks for them, so that loading plugins stays cheap.

Readers: ``ReaderFormat``, ``OpenRequest``, ``Source`` (the protocol a reader fulfils),
``SourceInfo``, ``ReadLimits``, ``ROW``, ``GEOMETRY``, ``check_header`` (clean and check header
names), ``RowBatcher`` (rows of text cells → record batches), ``IngestError``. Checks:
``Check``, ``ColumnCheck``, ``CheckContext``, ``Rule``, ``TableSchema``, ``ColumnSpec``,
``q_ident``, ``q_str``. Dataset metadata: ``MetadataField``. Dashboards: ``Panel``. Errors:
``ConfigError``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pluggy

from nakhon.config.env import ConfigError
from nakhon.ingestion.errors import IngestError

hookimpl = pluggy.HookimplMarker("nakhon")

_LAZY = {
    "ReaderFormat": "nakhon.ingestion.readers.formats",
    "OpenRequest": "nakhon.ingestion.readers.formats",
    "Source": "nakhon.ingestion.readers.base",
    "SourceInfo": "nakhon.ingestion.readers.base",
    "ReadLimits": "nakhon.ingestion.readers.base",
    "ROW": "nakhon.ingestion.readers.base",
    "GEOMETRY": "nakhon.ingestion.readers.base",
    "RowBatcher": "nakhon.ingestion.readers._common",
    "check_header": "nakhon.ingestion.readers._common",
    "Check": "nakhon.ingestion.checks",
    "ColumnCheck": "nakhon.ingestion.checks",
    "CheckContext": "nakhon.ingestion.checks",
    "Rule": "nakhon.ingestion.checks",
    "TableSchema": "nakhon.ingestion.schema",
    "ColumnSpec": "nakhon.ingestion.schema",
    "q_ident": "nakhon.ingestion.normalize",
    "q_str": "nakhon.ingestion.normalize",
    "MetadataField": "nakhon.catalog.extras",
    "Panel": "nakhon.portal.panels",
}

__all__ = [
    "GEOMETRY",
    "ROW",
    "Check",
    "CheckContext",
    "ColumnCheck",
    "ColumnSpec",
    "ConfigError",
    "IngestError",
    "MetadataField",
    "OpenRequest",
    "Panel",
    "ReadLimits",
    "ReaderFormat",
    "RowBatcher",
    "Rule",
    "Source",
    "SourceInfo",
    "TableSchema",
    "check_header",
    "hookimpl",
    "q_ident",
    "q_str",
]

if TYPE_CHECKING:
    from nakhon.catalog.extras import MetadataField
    from nakhon.ingestion.checks import Check, CheckContext, ColumnCheck, Rule
    from nakhon.ingestion.normalize import q_ident, q_str
    from nakhon.ingestion.readers._common import RowBatcher, check_header
    from nakhon.ingestion.readers.base import GEOMETRY, ROW, ReadLimits, Source, SourceInfo
    from nakhon.ingestion.readers.formats import OpenRequest, ReaderFormat
    from nakhon.ingestion.schema import ColumnSpec, TableSchema
    from nakhon.portal.panels import Panel


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
