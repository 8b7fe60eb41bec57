"""The versioned data lake: Apache Iceberg tables (pyiceberg ``SqlCatalog``), read with DuckDB.

ARCHITECTURE.md, 4: every publish is one atomic Iceberg snapshot, so versions, time travel,
schema evolution and diffs come from the table format. Pure Python, no Django::

    lake = Lake(Path("var/lake"), "sqlite:///var/lake/catalog.sqlite3")
    ref = lake.ensure_table(table_ref("khon-kaen", "budget-2567"), arrow_schema, key=["id"])
    version = lake.publish(ref, record_batches, mode="replace", properties={"nakhon.run": "7"})
    lake.scan(ref, as_of=some_aware_datetime).aggregate("count(*)")
    with lake.diff(ref, old_id, new_id) as d: d.added, d.changed, d.changes(limit=20)

Atomicity of ``publish``
    Incoming batches are streamed into *new* Parquet files under the table's ``data/`` folder;
    nothing refers to them until the single catalog commit at the end (one SQL ``UPDATE`` of the
    table's metadata pointer, conditional on the pointer read at the start). Readers therefore
    see the old snapshot or the new one, never a mix. A failure before the commit deletes the
    files it wrote and leaves the table as it was; a killed process leaves unreferenced
    ("orphan") files, harmless to readers, which ``vacuum_orphans()`` removes. Each commit also
    leaves the previous metadata JSON; pyiceberg keeps the newest 100 of them.

Concurrent publishes
    The catalog commit fails if another commit landed since the publish began (pyiceberg's own
    retries are turned off on lake tables, ``commit.retry.num-retries=0``). An ``append`` is then
    retried once against the new current snapshot with the files already written; ``replace`` and
    ``upsert`` (whose result depends on the rows they started from) raise
    ``LakeError("concurrent-publish")`` and delete their files.

Keys
    ``key`` columns (table property ``nakhon.key``) identify a row: ``upsert`` replaces rows
    whose key exists and adds the others, ``replace``/``append`` refuse duplicate keys, and
    ``diff`` matches rows by key. Nothing else enforces uniqueness (Iceberg has no constraints).

Reading
    ``scan`` returns a DuckDB relation over the snapshot's Parquet files (``read_parquet`` with
    the Iceberg field-id → column mapping of that snapshot's schema), so nothing is materialised
    in Python and columns added later read as NULL in older files. Snapshots with delete files
    (written by other engines) or non-local files fall back to pyiceberg's Arrow batch reader.
"""

# ruff: noqa: S608 - SQL below is built from quote()d identifiers and _sql_string() literals
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any, Literal, TypeAlias, overload

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NoSuchNamespaceError,
    NoSuchTableError,
    TableAlreadyExistsError,
    ValidationException,
)
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.manifest import DataFile
from pyiceberg.schema import Schema
from pyiceberg.table import Table, Transaction
from pyiceberg.table.snapshots import (
    ADDED_RECORDS,
    DELETED_RECORDS,
    OPERATION,
    TOTAL_DATA_FILES,
    TOTAL_RECORDS,
    Snapshot,
)
from sqlalchemy.engine import make_url

from nakhon.lake import duck
from nakhon.lake.diff import Diff, quote
from nakhon.lake.model import LakeError, SchemaChange, TableRef, Version, check_name, table_ref
from nakhon.lake.schema import (
    conform,
    duckdb_type,
    new_schema,
    plan_evolution,
    schema_changes,
)
from nakhon.lake.writer import MB, DataFileWriter, DuckDBFileWriter, DuckRows
from nakhon.lake.writer import local_path as _local_path
from nakhon.lake.writer import sql_string as _sql_string

__all__ = [
    "Diff",
    "DuckRows",
    "Lake",
    "LakeError",
    "SchemaChange",
    "TableRef",
    "Version",
    "table_ref",
]

logger = logging.getLogger(__name__)

Mode = Literal["append", "replace", "upsert"]
MODES = ("append", "replace", "upsert")
KEY_PROPERTY = "nakhon.key"
MODE_SUMMARY = "nakhon.lake.mode"
UPDATED_SUMMARY = "nakhon.lake.rows-updated"
INSERTED_SUMMARY = "nakhon.lake.rows-inserted"
_RESERVED_PREFIX = "nakhon.lake."
# Iceberg's own snapshot-summary keys (pyiceberg.table.snapshots), never user properties.
_ICEBERG_SUMMARY_KEYS = {
    OPERATION,
    "added-data-files",
    "added-delete-files",
    "added-equality-deletes",
    "added-files-size",
    "added-position-deletes",
    "added-position-delete-files",
    "added-records",
    "deleted-data-files",
    "deleted-records",
    "added-equality-delete-files",
    "removed-delete-files",
    "removed-equality-deletes",
    "removed-equality-delete-files",
    "removed-files-size",
    "removed-position-deletes",
    "removed-position-delete-files",
    "total-equality-deletes",
    "total-position-deletes",
    "total-data-files",
    "total-delete-files",
    "total-records",
    "total-files-size",
    "changed-partition-count",
    "partition-summaries-included",
    "engine-name",
    "engine-version",
    "iceberg-version",
}
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.parquet.compression-codec": "zstd",
    "commit.retry.num-retries": "0",  # the lake decides: retry an append once, else refuse
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "100",
}

Batches: TypeAlias = (
    pa.Table | pa.RecordBatchReader | pa.RecordBatch | Iterable[pa.RecordBatch | pa.Table]
)


_CATALOGS: dict[tuple[int, str, str, str], SqlCatalog] = {}
_CATALOGS_LOCK = threading.Lock()


def _catalog(name: str, uri: str, warehouse: str) -> SqlCatalog:
    """One ``SqlCatalog`` (and connection pool) per process and catalog, so that making a
    ``Lake`` per request is cheap and leaks no connections."""
    key = (os.getpid(), name, uri, warehouse)
    with _CATALOGS_LOCK:
        catalog = _CATALOGS.get(key)
        if catalog is None:
            catalog = SqlCatalog(
                name,
                uri=uri,
                warehouse=warehouse,
                **{"py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO", "pool_pre_ping": "true"},
            )
            _CATALOGS[key] = catalog
        return catalog


def catalog_url(uri: str) -> str:
    """A SQLAlchemy URL for the catalog: ``postgres://`` and ``postgresql://`` use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _schema_of(table: Table, snapshot: Snapshot | None) -> Schema:
    if snapshot is not None and snapshot.schema_id is not None:
        schema = table.metadata.schema_by_id(snapshot.schema_id)
        if schema is not None:
            return schema
    return table.schema()


def _key_of(table: Table) -> list[str]:
    raw = table.metadata.properties.get(KEY_PROPERTY, "")
    return [part for part in raw.split(",") if part]


class Lake:
    """Iceberg tables under ``warehouse`` with their catalog in the SQL database ``catalog_uri``.

    ``warehouse``: the folder for data and metadata files (each table in
    ``<warehouse>/<namespace>/<name>-<8 hex>/``, unique per table so a dropped and re-created
    table never shares files). ``catalog_uri``: a SQLAlchemy URL for pyiceberg's ``SqlCatalog``,
    e.g. ``sqlite:///var/lake/catalog.sqlite3`` or ``postgresql+psycopg://…/nakhon``
    (``postgres://`` URLs are accepted). Tuning: ``target_file_size`` (bytes on disk per data
    file), ``row_group_rows``, ``memory_limit`` of the DuckDB connections the lake opens.
    """

    def __init__(
        self,
        warehouse: Path | str,
        catalog_uri: str,
        *,
        catalog_name: str = "nakhon",
        target_file_size: int = 128 * MB,
        row_group_rows: int = 1024 * 1024,
        memory_limit: str = "1GB",
    ) -> None:
        self.warehouse = Path(warehouse).expanduser().resolve()
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self.catalog_uri = catalog_url(catalog_uri)
        url = make_url(self.catalog_uri)
        if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
            Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.catalog = _catalog(catalog_name, self.catalog_uri, f"file://{self.warehouse}")
        self.target_file_size = target_file_size
        self.row_group_rows = row_group_rows
        self.memory_limit = memory_limit

    def close(self) -> None:
        """Release the catalog's pooled database connections (the catalog stays usable)."""
        self.catalog.engine.dispose()

    def __enter__(self) -> Lake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- tables ------------------------------------------------------------------------------

    def _load(self, ref: TableRef) -> Table:
        try:
            return self.catalog.load_table(ref.identifier)
        except (NoSuchTableError, NoSuchNamespaceError):
            raise LakeError("unknown-table", f"no lake table {ref}") from None

    def exists(self, ref: TableRef) -> bool:
        return bool(self.catalog.table_exists(ref.identifier))

    def tables(self, namespace: str) -> list[TableRef]:
        """The tables of one namespace (municipality), sorted."""
        check_name("namespace", namespace)
        try:
            identifiers = self.catalog.list_tables(namespace)
        except NoSuchNamespaceError:
            return []
        return sorted(TableRef(".".join(ident[:-1]), ident[-1]) for ident in identifiers)

    def schema(self, ref: TableRef) -> Schema:
        """The table's current Iceberg schema."""
        return self._load(ref).schema()

    def key(self, ref: TableRef) -> list[str]:
        """The table's key columns (empty: no key)."""
        return _key_of(self._load(ref))

    def location(self, ref: TableRef) -> Path:
        """The local folder holding the table's data and metadata files."""
        path = _local_path(self._load(ref).location())
        if path is None:
            raise LakeError("invalid-argument", f"table {ref} is not on the local filesystem")
        return Path(path)

    @overload
    def ensure_table(
        self,
        ref: TableRef,
        schema: pa.Schema,
        /,
        *,
        key: Sequence[str] | None = None,
        drop_missing_columns: bool = False,
    ) -> TableRef: ...

    @overload
    def ensure_table(
        self,
        namespace: str,
        name: str,
        schema: pa.Schema,
        /,
        *,
        key: Sequence[str] | None = None,
        drop_missing_columns: bool = False,
    ) -> TableRef: ...

    def ensure_table(
        self,
        *args: Any,
        key: Sequence[str] | None = None,
        drop_missing_columns: bool = False,
    ) -> TableRef:
        """Create the table if absent, else evolve its schema to take ``schema`` (see schema.py).

        Call as ``ensure_table(ref, schema)`` or ``ensure_table(namespace, name, schema)``.
        Schema changes are a metadata-only commit: no version is added, and readers of the
        current version keep its schema until the next publish. ``key`` (when given) becomes the
        table's key. Incompatible changes raise ``LakeError("incompatible-schema")`` naming the
        column, and change nothing.
        """
        if len(args) == 2 and isinstance(args[0], TableRef):
            ref, schema = args
        elif len(args) == 3:
            ref, schema = TableRef(args[0], args[1]), args[2]
        else:
            raise TypeError("ensure_table(ref, schema) or ensure_table(namespace, name, schema)")
        if not isinstance(schema, pa.Schema):
            raise TypeError(f"schema must be a pyarrow.Schema, not {type(schema).__name__}")
        key_list = list(key) if key else []
        try:
            table = self.catalog.load_table(ref.identifier)
        except (NoSuchTableError, NoSuchNamespaceError):
            if self._create(ref, schema, key_list) is not None:
                return ref
            table = self._load(ref)  # created meanwhile by another process
        for attempt in range(2):
            try:
                self._evolve(table, schema, key_list, drop_missing_columns)
                return ref
            except CommitFailedException:
                if attempt:
                    raise LakeError(
                        "concurrent-publish", f"{ref} changed during the schema update; try again"
                    ) from None
                table = self._load(ref)
        return ref

    def _create(self, ref: TableRef, schema: pa.Schema, key: list[str]) -> Table | None:
        iceberg_schema = new_schema(schema)
        for name in key:
            if name not in iceberg_schema.column_names:
                raise LakeError("missing-key", f"key column {name!r} is not in the schema")
        with contextlib.suppress(NamespaceAlreadyExistsError):
            self.catalog.create_namespace_if_not_exists(ref.namespace)
        properties = dict(TABLE_PROPERTIES)
        if key:
            properties[KEY_PROPERTY] = ",".join(key)
        location = f"file://{self.warehouse}/{ref.namespace}/{ref.name}-{uuid.uuid4().hex[:8]}"
        try:
            return self.catalog.create_table(
                ref.identifier, schema=iceberg_schema, location=location, properties=properties
            )
        except TableAlreadyExistsError:
            return None

    def _evolve(
        self, table: Table, schema: pa.Schema, key: list[str], drop_missing_columns: bool
    ) -> None:
        txn = table.transaction()
        before = table.schema()
        after = self._stage_schema(txn, schema, key or _key_of(table), drop_missing_columns)
        changed = after != before
        properties = {
            name: value for name, value in TABLE_PROPERTIES.items() if name.startswith("commit.")
        }
        if key and key != _key_of(table):
            properties[KEY_PROPERTY] = ",".join(key)
        properties = {k: v for k, v in properties.items() if table.properties.get(k) != v}
        if properties:  # a table made elsewhere gets the lake's commit policy too
            txn.set_properties(properties)
            changed = True
        if changed:
            txn.commit_transaction()

    @staticmethod
    def _stage_schema(
        txn: Transaction, arrow_schema: pa.Schema, key: Sequence[str], drop_missing_columns: bool
    ) -> Schema:
        current = txn.table_metadata.schema()
        plan = plan_evolution(
            current, arrow_schema, key=key, drop_missing_columns=drop_missing_columns
        )
        if plan:
            with txn.update_schema() as update:
                plan.apply(update)
        schema = txn.table_metadata.schema()
        for name in key:
            if name not in schema.column_names:
                raise LakeError("missing-key", f"key column {name!r} is not in the table")
        return schema

    def drop_table(self, ref: TableRef, *, purge: bool = True) -> None:
        """Remove the table from the catalog and (``purge``) delete all its files."""
        table = self._load(ref)
        self.catalog.drop_table(ref.identifier)
        if purge:
            fs, path = pafs.FileSystem.from_uri(table.location())
            with contextlib.suppress(FileNotFoundError):
                fs.delete_dir(path)

    # --- publishing --------------------------------------------------------------------------

    def publish(
        self,
        ref: TableRef,
        batches: Batches | DuckRows,
        *,
        mode: Mode | str,
        key: Sequence[str] | None = None,
        properties: Mapping[str, str] | None = None,
        drop_missing_columns: bool = False,
        progress: Callable[[int], None] | None = None,
        key_checked: bool = False,
    ) -> Version:
        """Publish ``batches`` as one new version (one Iceberg snapshot), atomically.

        ``mode``: ``replace`` (the rows become exactly these), ``append`` (add these rows) or
        ``upsert`` (rows whose ``key`` exists are replaced, new keys added; needs a key).
        ``key`` defaults to the table's key; a different key is a ``key-mismatch`` error, a key
        on a table without one becomes its key. ``properties`` (run id, actor, source…) go into
        the snapshot summary. The batches are streamed to Parquet files, never held in memory;
        their schema may evolve the table (same rules as ``ensure_table``), in the same commit.
        ``progress(rows_written)`` is called after each batch. An exception raised by the batch
        iterator propagates unchanged, after the files written so far are deleted.

        ``batches`` may also be :class:`DuckRows`, a DuckDB query: DuckDB then writes the files
        itself (``COPY … TO``, all threads) when the table is on the local filesystem.
        ``key_checked``: the caller has proved that the incoming keys are present and unique
        (the ingest pipeline's ``required`` and ``primary-key`` checks), so the lake does not
        read the new files again to check them; keys that clash with the table's rows on
        ``append`` are still refused.
        """
        mode_name = str(getattr(mode, "value", mode))
        if mode_name not in MODES:
            raise LakeError("invalid-argument", f"mode must be one of {MODES}, not {mode_name!r}")
        summary = self._summary_properties(properties)
        summary[MODE_SUMMARY] = mode_name
        table = self._load(ref)
        direct = isinstance(batches, DuckRows) and _local_path(table.location()) is not None
        stream: Iterator[pa.RecordBatch]
        arrow_schema: pa.Schema | None
        if isinstance(batches, DuckRows):
            arrow_schema, stream = batches.schema, iter(())
            if not direct:
                arrow_schema, stream = _batch_stream(batches.batches())
        else:
            arrow_schema, stream = _batch_stream(batches)
        table_key = _key_of(table)
        key_list = list(key) if key else table_key
        if key and table_key and key_list != table_key:
            raise LakeError(
                "key-mismatch", f"{ref} is keyed by {table_key}, the publish by {key_list}"
            )
        if mode_name == "upsert" and not key_list:
            raise LakeError("missing-key", f"upsert into {ref} needs a key")

        txn = table.transaction()
        if arrow_schema is not None:
            schema = self._stage_schema(txn, arrow_schema, key_list, drop_missing_columns)
        else:
            schema = txn.table_metadata.schema()
        if key_list and key_list != table_key:
            txn.set_properties({KEY_PROPERTY: ",".join(key_list)})

        writers: list[DataFileWriter | DuckDBFileWriter] = []
        committing = False
        try:
            if isinstance(batches, DuckRows) and direct:
                copier = DuckDBFileWriter(
                    table,
                    schema,
                    batches,
                    target_file_size=self.target_file_size,
                    probe_rows=self.row_group_rows,
                )
                writers.append(copier)
                new_files = copier.write(progress)
            else:
                writer = self._writer(table, schema)
                writers.append(writer)
                for batch in stream:
                    writer.write(conform(batch, writer.arrow_schema))
                    if progress is not None:
                        progress(writer.rows)
                new_files = writer.finish()
            with self._connect() as con:
                self._stage_snapshot(
                    con,
                    txn,
                    table,
                    schema,
                    mode_name,
                    key_list,
                    new_files,
                    summary,
                    writers,
                    key_checked=key_checked,
                )
            committing = True
            try:
                committed = txn.commit_transaction()
            except CommitFailedException:
                if mode_name != "append":
                    raise
                logger.info("concurrent commit on %s; retrying the append once", ref)
                try:
                    committed = self._retry_append(
                        ref,
                        arrow_schema,
                        schema,
                        key_list,
                        drop_missing_columns,
                        new_files,
                        summary,
                    )
                except LakeError:  # refused before committing: the files are ours to delete
                    for w in writers:
                        w.abort()
                    raise
        except (CommitFailedException, ValidationException) as exc:
            for w in writers:
                w.abort()
            raise LakeError(
                "concurrent-publish",
                f"another publish to {ref} committed first; nothing was published ({exc})",
            ) from exc
        except BaseException:
            if not committing:  # after the commit started, the files may be referenced
                for w in writers:
                    w.abort()
            raise
        snapshot = committed.current_snapshot()
        assert snapshot is not None
        return self._version(committed, snapshot, self._parent_schema(committed, snapshot))

    def _writer(self, table: Table, schema: Schema) -> DataFileWriter:
        return DataFileWriter(
            table,
            schema,
            target_file_size=self.target_file_size,
            row_group_rows=self.row_group_rows,
        )

    @staticmethod
    def _summary_properties(properties: Mapping[str, str] | None) -> dict[str, str]:
        summary: dict[str, str] = {}
        for name, value in (properties or {}).items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise LakeError("invalid-property", f"property {name!r}: names and values are text")
            if name in _ICEBERG_SUMMARY_KEYS or name.startswith((_RESERVED_PREFIX, "partitions.")):
                raise LakeError("invalid-property", f"property name {name!r} is reserved")
            summary[name] = value
        return summary

    def _stage_snapshot(
        self,
        con: duckdb.DuckDBPyConnection,
        txn: Transaction,
        table: Table,
        schema: Schema,
        mode: str,
        key: list[str],
        new_files: list[DataFile],
        summary: dict[str, str],
        writers: list[DataFileWriter | DuckDBFileWriter],
        *,
        key_checked: bool = False,
    ) -> None:
        """Check keys with DuckDB and stage the snapshot (one producer) in ``txn``."""
        current = table.current_snapshot()
        existing = _data_files(table, current)
        if key and not key_checked:
            _check_incoming_keys(con, new_files, schema, key)
        if mode == "append":
            if key and existing:
                clash = _key_matches(con, new_files, existing, schema, key)
                if clash:
                    raise LakeError(
                        "duplicate-key",
                        f"{clash} new rows have a key that already exists in {table.name()[-1]}; "
                        "publish with mode='upsert' to replace them",
                    )
            with txn.update_snapshot(snapshot_properties=summary).fast_append() as append:
                for data_file in new_files:
                    append.append_data_file(data_file)
            return
        if mode == "replace":
            removed = existing
            added = new_files
        else:  # upsert
            removed, survivors, updated = self._upsert_rewrite(
                con, table, schema, key, new_files, existing, writers
            )
            added = new_files + survivors
            summary[UPDATED_SUMMARY] = str(updated)
            summary[INSERTED_SUMMARY] = str(sum(f.record_count for f in new_files) - updated)
        with txn.update_snapshot(snapshot_properties=summary).overwrite() as overwrite:
            if removed:
                overwrite.delete_by_predicate(AlwaysTrue())  # prune nothing; files named below
            for data_file in removed:
                overwrite.delete_data_file(data_file)
            for data_file in added:
                overwrite.append_data_file(data_file)

    def _upsert_rewrite(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        schema: Schema,
        key: list[str],
        new_files: list[DataFile],
        existing: list[DataFile],
        writers: list[DataFileWriter | DuckDBFileWriter],
    ) -> tuple[list[DataFile], list[DataFile], int]:
        """Copy-on-write upsert: the existing files holding an incoming key are rewritten
        without those rows; returns (files to remove, rewritten files, updated keys)."""
        if not existing or not new_files:
            return [], [], 0
        by_path = {_local_path(f.file_path) or f.file_path: f for f in existing}
        keys_sql = ", ".join(quote(k) for k in key)
        key_fields = [schema.find_field(k) for k in key]
        con.execute(
            f"CREATE TEMP TABLE incoming_keys AS SELECT DISTINCT {keys_sql} "
            f"FROM {_parquet_sql(new_files, key_fields)}"
        )
        on = " AND ".join(f"e.{quote(k)} = i.{quote(k)}" for k in key)
        existing_keys = _parquet_sql(existing, key_fields, filename=True)
        # one pass over the existing keys: which files hold an incoming key, and which keys
        matched_keys = ", ".join(f"i.{quote(k)}" for k in key)
        con.execute(
            f"CREATE TEMP TABLE matched AS SELECT e.filename, {matched_keys} "
            f"FROM {existing_keys} e JOIN incoming_keys i ON {on}"
        )
        affected = [
            str(r[0]) for r in con.execute("SELECT DISTINCT filename FROM matched").fetchall()
        ]
        if not affected:
            return [], [], 0
        row = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys_sql} FROM matched)"
        ).fetchone()
        updated = int(row[0]) if row else 0
        removed = [by_path[path] for path in affected]
        writer = self._writer(table, schema)
        writers.append(writer)
        columns = ", ".join(f"e.{quote(f.name)}" for f in schema.fields)
        reader = con.execute(
            f"SELECT {columns} FROM {_parquet_sql(removed, list(schema.fields))} e "
            f"ANTI JOIN incoming_keys i ON {on}"
        ).to_arrow_reader(256 * 1024)
        for batch in reader:
            writer.write(conform(batch, writer.arrow_schema))
        return removed, writer.finish(), updated

    def _retry_append(
        self,
        ref: TableRef,
        arrow_schema: pa.Schema | None,
        written: Schema,
        key: list[str],
        drop_missing_columns: bool,
        new_files: list[DataFile],
        summary: dict[str, str],
    ) -> Table:
        """Commit already-written append files once more, against the new current snapshot."""
        table = self._load(ref)
        txn = table.transaction()
        if arrow_schema is not None:
            schema = self._stage_schema(txn, arrow_schema, key, drop_missing_columns)
        else:
            schema = txn.table_metadata.schema()
        for column in written.fields:
            try:
                now = schema.find_field(column.field_id)
            except ValueError:
                now = None
            if now is None or now.name != column.name or now.field_type != column.field_type:
                raise LakeError(
                    "concurrent-publish",
                    f"the schema of {ref} changed during the publish (column {column.name!r})",
                )
        if key and key != _key_of(table):
            txn.set_properties({KEY_PROPERTY: ",".join(key)})
        if key:
            existing = _data_files(table, table.current_snapshot())
            if existing:
                with self._connect() as con:
                    if _key_matches(con, new_files, existing, written, key):
                        raise LakeError(
                            "duplicate-key",
                            f"a concurrent publish to {ref} added rows with the same keys",
                        )
        with txn.update_snapshot(snapshot_properties=summary).fast_append() as append:
            for data_file in new_files:
                append.append_data_file(data_file)
        return txn.commit_transaction()

    # --- versions ----------------------------------------------------------------------------

    def _version(self, table: Table, snapshot: Snapshot, previous: Schema | None) -> Version:
        summary: dict[str, str] = {}
        if snapshot.summary is not None:
            summary = {OPERATION: str(snapshot.summary.operation.value)}
            summary.update({k: str(v) for k, v in snapshot.summary.additional_properties.items()})
        schema = _schema_of(table, snapshot)

        def number(name: str) -> int:
            try:
                return int(summary.get(name, "0"))
            except ValueError:
                return 0

        def optional(name: str) -> int | None:
            return int(summary[name]) if summary.get(name, "").isdigit() else None

        properties = {
            k: v
            for k, v in summary.items()
            if k not in _ICEBERG_SUMMARY_KEYS
            and not k.startswith((_RESERVED_PREFIX, "partitions."))
        }
        return Version(
            snapshot_id=snapshot.snapshot_id,
            parent_id=snapshot.parent_snapshot_id,
            sequence_number=snapshot.sequence_number or 0,
            committed_at=_utc(snapshot.timestamp_ms),
            operation=summary.get(OPERATION, ""),
            mode=summary.get(MODE_SUMMARY),
            added_rows=number(ADDED_RECORDS),
            deleted_rows=number(DELETED_RECORDS),
            total_rows=number(TOTAL_RECORDS),
            data_files=number(TOTAL_DATA_FILES),
            schema_id=schema.schema_id,
            schema_changes=schema_changes(previous, schema),
            properties=properties,
            summary=summary,
            rows_updated=optional(UPDATED_SUMMARY),
            rows_inserted=optional(INSERTED_SUMMARY),
        )

    @staticmethod
    def _parent_schema(table: Table, snapshot: Snapshot) -> Schema | None:
        history = [e.snapshot_id for e in table.metadata.snapshot_log]
        previous_id: int | None = snapshot.parent_snapshot_id
        if snapshot.snapshot_id in history:
            index = len(history) - 1 - history[::-1].index(snapshot.snapshot_id)
            previous_id = history[index - 1] if index > 0 else None
        if previous_id is None:
            return None
        previous = table.metadata.snapshot_by_id(previous_id)
        return _schema_of(table, previous) if previous is not None else None

    def versions(self, ref: TableRef) -> list[Version]:
        """Every version in the order they became current, newest first."""
        table = self._load(ref)
        versions: list[Version] = []
        previous: Schema | None = None
        for entry in table.metadata.snapshot_log:
            snapshot = table.metadata.snapshot_by_id(entry.snapshot_id)
            if snapshot is None:  # expired
                continue
            versions.append(self._version(table, snapshot, previous))
            previous = _schema_of(table, snapshot)
        versions.reverse()
        return versions

    def current(self, ref: TableRef) -> Version | None:
        """The current version, or None before the first publish."""
        table = self._load(ref)
        snapshot = table.current_snapshot()
        if snapshot is None:
            return None
        return self._version(table, snapshot, self._parent_schema(table, snapshot))

    def version(
        self, ref: TableRef, snapshot_id: int | None = None, *, as_of: datetime | None = None
    ) -> Version:
        """One version, by snapshot id or as current at ``as_of``."""
        table = self._load(ref)
        snapshot = self._resolve(table, ref, snapshot_id, as_of)
        if snapshot is None:
            raise LakeError("unknown-version", f"{ref} has no published version yet")
        return self._version(table, snapshot, self._parent_schema(table, snapshot))

    @staticmethod
    def _resolve(
        table: Table, ref: TableRef, snapshot_id: int | None, as_of: datetime | None
    ) -> Snapshot | None:
        if snapshot_id is not None and as_of is not None:
            raise LakeError("invalid-argument", "give snapshot_id or as_of, not both")
        if snapshot_id is not None:
            snapshot = table.snapshot_by_id(int(snapshot_id))
            if snapshot is None:
                raise LakeError("unknown-version", f"{ref} has no version {snapshot_id}")
            return snapshot
        if as_of is not None:
            if as_of.tzinfo is None or as_of.utcoffset() is None:
                raise LakeError("invalid-argument", "as_of must be a timezone-aware datetime")
            timestamp_ms = (as_of - _EPOCH) // timedelta(milliseconds=1)  # exact, no float
            snapshot = table.snapshot_as_of_timestamp(timestamp_ms)
            if snapshot is None:
                first = (
                    table.metadata.snapshot_log[0].timestamp_ms
                    if table.metadata.snapshot_log
                    else None
                )
                since = f" (first version: {_utc(first).isoformat()})" if first else ""
                raise LakeError(
                    "before-first-version",
                    f"{ref} had no version at {as_of.isoformat()}{since}",
                )
            return snapshot
        return table.current_snapshot()

    # --- reading -----------------------------------------------------------------------------

    def scan(
        self,
        ref: TableRef,
        *,
        snapshot_id: int | None = None,
        as_of: datetime | None = None,
        columns: Sequence[str] | None = None,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> duckdb.DuckDBPyRelation:
        """The table's rows (current, at ``snapshot_id``, or as of an aware ``as_of``) as a lazy
        DuckDB relation with that version's schema. ``con``: the DuckDB connection to build it
        on (default: a new offline connection from ``nakhon.lake.duck``)."""
        table = self._load(ref)
        snapshot = self._resolve(table, ref, snapshot_id, as_of)
        relation, _ = self._relation(con or self._connect(), table, snapshot, columns)
        return relation

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """An offline DuckDB connection; beyond ``memory_limit`` it spills to the warehouse."""
        return duck.connect(
            memory_limit=self.memory_limit, temp_directory=self.warehouse / ".duckdb-tmp"
        )

    def _relation(
        self,
        con: duckdb.DuckDBPyConnection,
        table: Table,
        snapshot: Snapshot | None,
        columns: Sequence[str] | None,
    ) -> tuple[duckdb.DuckDBPyRelation, bool]:
        """(relation, replayable): replayable is False for the Arrow-reader fallback."""
        schema = _schema_of(table, snapshot)
        names = list(columns) if columns else list(schema.column_names)
        for name in names:
            if name not in schema.column_names:
                raise LakeError(
                    "unknown-column", f"{table.name()[-1]} has no column {name!r} in that version"
                )
        fields = [schema.find_field(n) for n in names]
        select = ", ".join(quote(n) for n in names)
        if snapshot is None:
            empty = ", ".join(
                f"CAST(NULL AS {duckdb_type(f.field_type)}) AS {quote(f.name)}" for f in fields
            )
            return con.sql(f"SELECT {empty} LIMIT 0"), True
        tasks = list(table.scan(snapshot_id=snapshot.snapshot_id).plan_files())
        files = [task.file for task in tasks]
        if not files:
            empty = ", ".join(
                f"CAST(NULL AS {duckdb_type(f.field_type)}) AS {quote(f.name)}" for f in fields
            )
            return con.sql(f"SELECT {empty} LIMIT 0"), True
        local = all(_local_path(f.file_path) for f in files)
        if local and not any(task.delete_files for task in tasks):
            return con.sql(f"SELECT {select} FROM {_parquet_sql(files, list(schema.fields))}"), True
        scan = table.scan(snapshot_id=snapshot.snapshot_id, selected_fields=tuple(names))
        return con.from_arrow(scan.to_arrow_batch_reader()), False

    def diff(
        self,
        ref: TableRef,
        old: int,
        new: int,
        *,
        key: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> Diff:
        """Rows added, removed and changed from snapshot ``old`` to snapshot ``new``.

        ``key`` defaults to the table's key; pass ``key=[]`` to compare whole rows. ``columns``
        limits the compared columns (default: all columns present in both versions). Close the
        returned ``Diff`` (or use it as a context manager): it holds a DuckDB connection.
        """
        table = self._load(ref)
        old_snapshot = self._resolve(table, ref, old, None)
        new_snapshot = self._resolve(table, ref, new, None)
        assert old_snapshot is not None and new_snapshot is not None
        old_schema = _schema_of(table, old_snapshot)
        new_schema_ = _schema_of(table, new_snapshot)
        common = [
            f.name
            for f in new_schema_.fields
            if any(o.field_id == f.field_id and o.name == f.name for o in old_schema.fields)
        ]
        compared = list(columns) if columns else common
        for name in compared:
            if name not in common:
                raise LakeError("unknown-column", f"column {name!r} is not in both versions")
        key_list = list(key) if key is not None else _key_of(table)
        for name in key_list:
            if name not in common:
                raise LakeError("missing-key", f"key column {name!r} is not in both versions")
        if key_list:
            compared = key_list + [c for c in compared if c not in key_list]
        con = self._connect()
        try:
            old_rel, old_replayable = self._relation(con, table, old_snapshot, compared)
            new_rel, new_replayable = self._relation(con, table, new_snapshot, compared)
            if not old_replayable:
                old_rel = _materialise(con, old_rel, "lake_diff_old_rows")
            if not new_replayable:
                new_rel = _materialise(con, new_rel, "lake_diff_new_rows")
            if key_list:
                for label, relation in (("old", old_rel), ("new", new_rel)):
                    duplicates = _duplicate_keys(relation, key_list)
                    if duplicates:
                        raise LakeError(
                            "duplicate-key",
                            f"the {label} version has duplicate keys {duplicates[:3]}; "
                            "diff with key=[] to compare whole rows",
                        )
            return Diff.compute(
                con,
                old_rel=old_rel,
                new_rel=new_rel,
                old=self._version(table, old_snapshot, self._parent_schema(table, old_snapshot)),
                new=self._version(table, new_snapshot, self._parent_schema(table, new_snapshot)),
                key=tuple(key_list) or None,
                columns=tuple(compared),
                schema_changes=schema_changes(old_schema, new_schema_),
            )
        except BaseException:
            con.close()
            raise

    # --- housekeeping ------------------------------------------------------------------------

    def vacuum_orphans(
        self, ref: TableRef, *, older_than: timedelta = timedelta(days=1), dry_run: bool = False
    ) -> list[str]:
        """Delete files under the table's location that no version or metadata refers to
        (left by killed publishes). Only files older than ``older_than`` are touched: keep it
        longer than any publish takes, or the files of a publish still running would go.
        Returns the paths deleted (or, ``dry_run``, that would be)."""
        table = self._load(ref)
        io = table.io
        metadata = table.metadata
        referenced: set[str] = {table.metadata_location}
        referenced.update(entry.metadata_file for entry in metadata.metadata_log)
        referenced.update(s.statistics_path for s in metadata.statistics)
        for snapshot in metadata.snapshots:
            referenced.add(snapshot.manifest_list)
            for manifest in snapshot.manifests(io):
                referenced.add(manifest.manifest_path)
                for entry in manifest.fetch_manifest_entry(io, discard_deleted=False):
                    referenced.add(entry.data_file.file_path)
        normalised = {_local_path(p) or p for p in referenced}
        fs, root = pafs.FileSystem.from_uri(table.location())
        cutoff = time.time() - older_than.total_seconds()
        orphans: list[str] = []
        try:
            infos = fs.get_file_info(pafs.FileSelector(root, recursive=True))
        except FileNotFoundError:
            return []
        for info in infos:
            if info.type != pafs.FileType.File or info.path in normalised:
                continue
            if info.mtime is not None and info.mtime.timestamp() > cutoff:
                continue
            orphans.append(info.path)
        if not dry_run:
            for path in orphans:
                with contextlib.suppress(FileNotFoundError):
                    fs.delete_file(path)
        return orphans


# --- helpers ---------------------------------------------------------------------------------


def _batch_stream(batches: Batches) -> tuple[pa.Schema | None, Iterator[pa.RecordBatch]]:
    """(schema of the data, or None for an empty iterable; the record batches)."""
    if isinstance(batches, pa.Table):
        return batches.schema, iter(batches.to_batches(max_chunksize=128 * 1024))
    if isinstance(batches, pa.RecordBatchReader):
        return batches.schema, iter(batches)
    if isinstance(batches, pa.RecordBatch):
        return batches.schema, iter([batches])

    def flat(items: Iterable[pa.RecordBatch | pa.Table]) -> Iterator[pa.RecordBatch]:
        for item in items:
            if isinstance(item, pa.Table):
                yield from item.to_batches(max_chunksize=128 * 1024)
            elif isinstance(item, pa.RecordBatch):
                yield item
            else:
                raise TypeError(f"expected pyarrow RecordBatch or Table, got {type(item).__name__}")

    stream = flat(batches)
    first = next(stream, None)
    if first is None:
        return None, iter(())
    return first.schema, chain([first], stream)


def _data_files(table: Table, snapshot: Snapshot | None) -> list[DataFile]:
    if snapshot is None:
        return []
    return [task.file for task in table.scan(snapshot_id=snapshot.snapshot_id).plan_files()]


def _parquet_sql(
    files: Sequence[DataFile], fields: Sequence[Any], *, filename: bool = False
) -> str:
    """``read_parquet([...], schema=MAP{field id: {name, type, default}})``: columns are matched
    by Iceberg field id, so renamed, added and widened columns read correctly."""
    paths = ", ".join(_sql_string(_local_path(f.file_path) or f.file_path) for f in files)
    mapping = ", ".join(
        f"{f.field_id}: {{name: {_sql_string(f.name)}, "
        f"type: {_sql_string(duckdb_type(f.field_type))}, default_value: NULL}}"
        for f in fields
    )
    extra = ", filename=true" if filename else ""
    return f"read_parquet([{paths}], schema=MAP {{{mapping}}}{extra})"


def _check_incoming_keys(
    con: duckdb.DuckDBPyConnection, files: list[DataFile], schema: Schema, key: list[str]
) -> None:
    if not files:
        return
    source = _parquet_sql(files, [schema.find_field(k) for k in key])
    keys = ", ".join(quote(k) for k in key)
    nulls = " OR ".join(f"{quote(k)} IS NULL" for k in key)
    row = con.execute(f"SELECT count(*) FROM {source} WHERE {nulls}").fetchone()
    if row and row[0]:
        raise LakeError("null-key", f"{row[0]} rows have an empty key ({', '.join(key)})")
    duplicates = con.execute(
        f"SELECT {keys}, count(*) AS n FROM {source} GROUP BY ALL HAVING n > 1 "
        f"ORDER BY n DESC LIMIT 3"
    ).fetchall()
    if duplicates:
        shown = "; ".join(", ".join(str(v) for v in d[:-1]) + f" (×{d[-1]})" for d in duplicates)
        raise LakeError("duplicate-key", f"the data has duplicate keys ({', '.join(key)}): {shown}")


def _key_matches(
    con: duckdb.DuckDBPyConnection,
    new_files: list[DataFile],
    existing: list[DataFile],
    schema: Schema,
    key: list[str],
) -> int:
    if not new_files or not existing:
        return 0
    fields = [schema.find_field(k) for k in key]
    on = " AND ".join(f"n.{quote(k)} = e.{quote(k)}" for k in key)
    row = con.execute(
        f"SELECT count(*) FROM {_parquet_sql(new_files, fields)} n "
        f"SEMI JOIN {_parquet_sql(existing, fields)} e ON {on}"
    ).fetchone()
    return int(row[0]) if row else 0


def _duplicate_keys(relation: duckdb.DuckDBPyRelation, key: list[str]) -> list[tuple[Any, ...]]:
    keys = ", ".join(quote(k) for k in key)
    return relation.query(
        "lake_keys", f"SELECT {keys} FROM lake_keys GROUP BY ALL HAVING count(*) > 1 LIMIT 3"
    ).fetchall()


def _materialise(
    con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, name: str
) -> duckdb.DuckDBPyRelation:
    relation.create(name)
    return con.table(name)
