"""DuckDB connections for Nakhon: offline, sandboxed, with extensions from pip packages.

The machines are offline, so extensions are never ``INSTALL``ed from the network: they come
from the ``duckdb-extension-<name>`` wheels pinned in pyproject.toml (ARCHITECTURE.md, 4).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

EXTENSIONS = ("spatial",)


def extension_path(name: str) -> Path:
    """The ``.duckdb_extension`` file shipped in the ``duckdb_extension_<name>`` wheel."""
    module = importlib.import_module(f"duckdb_extension_{name}")
    base = Path(module.__file__ or "").parent / "extensions" / f"v{duckdb.__version__}"
    path = base / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"DuckDB extension {name} for DuckDB {duckdb.__version__} is not installed "
            f"(expected {path}); pin duckdb-extension-{name}=={duckdb.__version__}"
        )
    return path


def connect(
    database: str = ":memory:",
    *,
    extensions: tuple[str, ...] = (),
    memory_limit: str = "1GB",
    threads: int | None = None,
    temp_directory: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``extensions`` loaded from their wheels, autoinstall off."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
    }
    if threads:
        config["threads"] = threads
    if temp_directory is not None:
        temp_directory.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(database, config=config)
    for name in extensions:
        con.execute(f"LOAD '{extension_path(name)}'")
    return con
