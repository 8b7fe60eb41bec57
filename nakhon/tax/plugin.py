"""The city's own tax rule directory, registered through the ``tax_rule_dirs`` hook like any
plugin's: ``NAKHON_DATA_DIR/tax-rules/<city-slug>/`` (docs/tax.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nakhon.plugins.toolkit import hookimpl


@hookimpl
def tax_rule_dirs(municipality: Any) -> list[Path]:
    from nakhon.tax.quotes import local_rule_dir

    return [local_rule_dir(municipality)]
