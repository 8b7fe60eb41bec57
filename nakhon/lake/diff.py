"""Row and schema differences between two versions of a lake table, computed by DuckDB.

With a key, rows are matched by key: *added* (key only in the new version), *removed* (key only
in the old one) and *changed* (same key, a compared column differs, NULLs compared as values).
Without a key, whole rows are compared as multisets (``EXCEPT ALL``): added and removed only.
Only columns present in both versions are compared; columns added or removed are reported as
schema changes (a widened type is compared after DuckDB's implicit cast).

The three kinds are materialised once as DuckDB temporary tables (they spill to disk beyond the
connection's memory limit), then counted (``added``, ``removed``, ``changed``) and paged in key
order: ``page(kind, offset=, limit=)`` as a DuckDB relation, ``rows(kind, …)`` as dicts,
``changes(…)`` as ``RowChange``s. A changed row has the key columns, ``old.<column>`` and
``new.<column>`` for each compared column, and ``changed_columns``. Close the ``Diff`` when done
(it holds a DuckDB connection; garbage collection closes it too).
"""

# ruff: noqa: S608 - SQL below is built from quote()d identifiers and _literal() strings
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb

from nakhon.lake.model import SchemaChange, Version

Kind = Literal["added", "removed", "changed"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class RowChange:
    """One changed row: its key, the old and new values of the compared columns, and which
    columns changed."""

    key: dict[str, Any]
    old: dict[str, Any]
    new: dict[str, Any]
    columns: tuple[str, ...]


@dataclass
class Diff:
    """What changed from version ``old`` to version ``new`` (see the module docstring)."""

    old: Version
    new: Version
    key: tuple[str, ...] | None
    columns: tuple[str, ...]  # the compared columns (in both versions)
    schema_changes: tuple[SchemaChange, ...]
    added: int = 0  # row counts
    removed: int = 0
    changed: int = 0
    con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @classmethod
    def compute(
        cls,
        con: duckdb.DuckDBPyConnection,
        *,
        old_rel: duckdb.DuckDBPyRelation,
        new_rel: duckdb.DuckDBPyRelation,
        old: Version,
        new: Version,
        key: tuple[str, ...] | None,
        columns: tuple[str, ...],
        schema_changes: tuple[SchemaChange, ...],
    ) -> Diff:
        diff = cls(
            old=old, new=new, key=key, columns=columns, schema_changes=schema_changes, con=con
        )
        old_rel.create_view("lake_diff_old_src", replace=True)
        new_rel.create_view("lake_diff_new_src", replace=True)
        diff._materialise("lake_diff_old_src", "lake_diff_new_src")
        return diff

    # --- computing --------------------------------------------------------------------------

    @staticmethod
    def _table(kind: Kind) -> str:
        return f"lake_diff_{kind}"

    def _materialise(self, old_src: str, new_src: str) -> None:
        con = self._con()
        cols = ", ".join(quote(c) for c in self.columns)
        if not self.key:
            sides: tuple[tuple[Kind, str, str], ...] = (
                ("added", new_src, old_src),
                ("removed", old_src, new_src),
            )
            for kind, a, b in sides:
                con.execute(
                    f"CREATE TEMP TABLE {self._table(kind)} AS "
                    f"SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}"
                )
            con.execute(f"CREATE TEMP TABLE {self._table('changed')} AS SELECT 1 AS x WHERE false")
        else:
            on = " AND ".join(f"o.{quote(k)} = n.{quote(k)}" for k in self.key)
            con.execute(
                f"CREATE TEMP TABLE {self._table('added')} AS "
                f"SELECT {', '.join('n.' + quote(c) for c in self.columns)} "
                f"FROM {new_src} n ANTI JOIN {old_src} o ON {on}"
            )
            con.execute(
                f"CREATE TEMP TABLE {self._table('removed')} AS "
                f"SELECT {', '.join('o.' + quote(c) for c in self.columns)} "
                f"FROM {old_src} o ANTI JOIN {new_src} n ON {on}"
            )
            keys = ", ".join(f"o.{quote(k)} AS {quote(k)}" for k in self.key)
            values = [c for c in self.columns if c not in self.key]
            pairs = "".join(
                f", o.{quote(c)} AS {quote('old.' + c)}, n.{quote(c)} AS {quote('new.' + c)}"
                for c in values
            )
            differs = " OR ".join(f"o.{quote(c)} IS DISTINCT FROM n.{quote(c)}" for c in values)
            which = ", ".join(
                f"CASE WHEN o.{quote(c)} IS DISTINCT FROM n.{quote(c)} THEN {_literal(c)} END"
                for c in values
            )
            con.execute(
                f"CREATE TEMP TABLE {self._table('changed')} AS SELECT {keys}{pairs}, "
                f"list_filter([{which}]::VARCHAR[], x -> x IS NOT NULL) AS changed_columns "
                f"FROM {old_src} o JOIN {new_src} n ON {on} WHERE {differs or 'false'}"
            )
        self.added, self.removed, self.changed = (self._count(kind) for kind in KINDS)

    def _con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise RuntimeError("this Diff is closed")
        return self.con

    def _count(self, kind: Kind) -> int:
        row = self._con().execute(f"SELECT count(*) FROM {self._table(kind)}").fetchone()
        return int(row[0]) if row else 0

    def _order(self, kind: Kind) -> str:
        if self.key:
            return ", ".join(quote(k) for k in self.key)
        return ", ".join(quote(c) for c in self.columns) if kind != "changed" else "1"

    # --- reading ----------------------------------------------------------------------------

    def relation(self, kind: Kind) -> duckdb.DuckDBPyRelation:
        """All rows of one kind as a DuckDB relation, in key order (for export or more SQL)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be added, removed or changed, not {kind!r}")
        return self._con().sql(f"SELECT * FROM {self._table(kind)} ORDER BY {self._order(kind)}")

    def page(self, kind: Kind, *, offset: int = 0, limit: int = 100) -> duckdb.DuckDBPyRelation:
        """One page of one kind as a DuckDB relation (``.columns``, ``.fetchall()``…)."""
        return self.relation(kind).limit(int(limit), int(offset))

    def rows(self, kind: Kind, *, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """One page of one kind as dicts (through Arrow: DuckDB's own ``fetchall()`` needs the
        pytz package for TIMESTAMPTZ values)."""
        table = self.page(kind, offset=offset, limit=limit).to_arrow_table()
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows

    def changes(self, *, offset: int = 0, limit: int = 100) -> list[RowChange]:
        """One page of the changed rows: key, old and new values, the columns that differ."""
        if not self.key:
            return []
        values = [c for c in self.columns if c not in self.key]
        return [
            RowChange(
                key={k: data[k] for k in self.key},
                old={c: data[f"old.{c}"] for c in values},
                new={c: data[f"new.{c}"] for c in values},
                columns=tuple(data["changed_columns"]),
            )
            for data in self.rows("changed", offset=offset, limit=limit)
        ]

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> Diff:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
