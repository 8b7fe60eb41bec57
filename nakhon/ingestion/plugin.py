"""The built-in validation checks, registered through the ``register_checks`` hook like any
plugin's. ``nakhon.ingestion.checks`` (DuckDB) is imported when a table is validated, not when
the plugins are loaded."""

from __future__ import annotations

from typing import Any

from nakhon.plugins.toolkit import hookimpl


@hookimpl
def register_checks() -> list[Any]:
    from nakhon.ingestion.checks import CHECKS

    return list(CHECKS)
