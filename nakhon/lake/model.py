"""The lake's small value types: table addresses, versions, schema changes and its one error.

Naming (ARCHITECTURE.md, 4): one Iceberg namespace per municipality, one table per dataset.

* namespace = ``"m_"`` + the municipality slug with ``-`` → ``_`` (``khon-kaen`` → ``m_khon_kaen``)
* table     = the dataset slug with ``-`` → ``_`` (``budget-2567`` → ``budget_2567``)

Both must then match ``[a-z][a-z0-9_]*`` (at most 120 characters) so that every engine that reads
the catalog (DuckDB, Trino, Spark) can name them without quoting. ``table_ref`` builds a
``TableRef`` from the two slugs; ``TableRef.parse("m_khon_kaen.budget_2567")`` from its string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "LakeError",
    "SchemaChange",
    "TableRef",
    "Version",
    "table_ref",
]

ErrorCode = Literal[
    "invalid-name",
    "invalid-argument",
    "invalid-property",
    "invalid-value",
    "unknown-table",
    "unknown-version",
    "unknown-column",
    "before-first-version",
    "incompatible-schema",
    "unsupported-type",
    "missing-key",
    "key-mismatch",
    "duplicate-key",
    "null-key",
    "concurrent-publish",
]


class LakeError(Exception):
    """A problem a user can act on: ``code`` is stable (for the API), ``message`` is for people.

    Codes: invalid-name, invalid-argument, invalid-property, invalid-value, unknown-table,
    unknown-version, unknown-column, before-first-version, incompatible-schema, unsupported-type,
    missing-key, key-mismatch, duplicate-key, null-key, concurrent-publish.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: ErrorCode = code
        self.message = message


_NAME = re.compile(r"[a-z][a-z0-9_]{0,119}")


def check_name(kind: str, value: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise LakeError(
            "invalid-name",
            f"{kind} {value!r} must be lowercase letters, digits and '_', starting with a letter "
            "(at most 120 characters)",
        )
    return value


@dataclass(frozen=True, order=True)
class TableRef:
    """The address of one lake table: ``namespace.name``."""

    namespace: str
    name: str

    def __post_init__(self) -> None:
        check_name("namespace", self.namespace)
        check_name("table name", self.name)

    @property
    def identifier(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def __str__(self) -> str:
        return f"{self.namespace}.{self.name}"

    @classmethod
    def parse(cls, text: str) -> TableRef:
        namespace, _, name = text.partition(".")
        return cls(namespace, name)


def namespace_for(municipality_slug: str) -> str:
    return check_name("namespace", "m_" + municipality_slug.replace("-", "_"))


def table_ref(municipality_slug: str, dataset_slug: str) -> TableRef:
    """The table of a dataset.

    ``table_ref("khon-kaen", "budget-2567")`` → ``m_khon_kaen.budget_2567``.
    """
    return TableRef(namespace_for(municipality_slug), dataset_slug.replace("-", "_"))


@dataclass(frozen=True)
class SchemaChange:
    """One column difference between two schemas (matched by Iceberg field id).

    ``kind``: ``added``, ``removed``, ``type_changed`` or ``renamed`` (``renamed`` only appears
    when another engine renamed a column; ``name`` is then the new name, ``old_name`` the old one).
    """

    kind: Literal["added", "removed", "type_changed", "renamed"]
    name: str
    old_type: str | None = None
    new_type: str | None = None
    old_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.old_type is not None:
            data["old_type"] = self.old_type
        if self.new_type is not None:
            data["new_type"] = self.new_type
        if self.old_name is not None:
            data["old_name"] = self.old_name
        return data

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.name} {self.new_type}"
        if self.kind == "removed":
            return f"- {self.name} {self.old_type}"
        if self.kind == "renamed":
            return f"~ {self.old_name} → {self.name}"
        return f"~ {self.name} {self.old_type} → {self.new_type}"


@dataclass(frozen=True)
class Version:
    """One published version of a table = one Iceberg snapshot.

    ``operation`` is Iceberg's (``append``, ``overwrite``, ``delete``…); ``mode`` is the Nakhon
    publish mode that made it (``replace``, ``append``, ``upsert``; None when another engine wrote
    the snapshot). ``schema_changes`` compare this version's schema with the previous version's
    (for the first version: every column, as ``added``). ``properties`` are the caller's
    snapshot-summary properties (run id, actor, source…); ``summary`` is the whole summary.
    """

    snapshot_id: int
    parent_id: int | None
    sequence_number: int
    committed_at: datetime
    operation: str
    mode: str | None
    added_rows: int
    deleted_rows: int
    total_rows: int
    data_files: int
    schema_id: int
    schema_changes: tuple[SchemaChange, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)
    rows_updated: int | None = None  # upsert only: existing keys whose rows were replaced
    rows_inserted: int | None = None  # upsert only: new keys

    def as_dict(self) -> dict[str, Any]:
        return {
            "snapshot_id": self.snapshot_id,
            "parent_id": self.parent_id,
            "sequence_number": self.sequence_number,
            "committed_at": self.committed_at.isoformat(),
            "operation": self.operation,
            "mode": self.mode,
            "added_rows": self.added_rows,
            "deleted_rows": self.deleted_rows,
            "total_rows": self.total_rows,
            "data_files": self.data_files,
            "schema_id": self.schema_id,
            "schema_changes": [change.as_dict() for change in self.schema_changes],
            "properties": dict(self.properties),
            "rows_updated": self.rows_updated,
            "rows_inserted": self.rows_inserted,
        }
