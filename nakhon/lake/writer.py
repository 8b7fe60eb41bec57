"""Streaming Parquet data files for an Iceberg table: rolling ``ParquetWriter``s → ``DataFile``s.

Record batches are buffered only up to one row group (``row_group_rows`` rows or
``row_group_bytes`` of Arrow memory), written with zstd, and a new file is started once the
current one reaches ``target_file_size`` bytes on disk. The files carry Iceberg field ids, decimals
are stored as integers where the Iceberg spec says so, and each closed file becomes a ``DataFile``
with the column statistics Iceberg uses for pruning. Nothing is committed here: the caller adds
the ``DataFile``s to one transaction, or calls ``abort()`` to delete what was written.
"""

# ruff: noqa: S608 - SQL below is built from quote()d identifiers and sql_string() literals
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]
from pyiceberg.io import FileIO, OutputStream
from pyiceberg.io.pyarrow import (
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
)
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.typedef import Record

from nakhon.lake.diff import quote
from nakhon.lake.model import LakeError
from nakhon.lake.schema import duckdb_type, write_schema

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class _TableFiles:
    """New data files of one table: their names, and ``DataFile``s with statistics."""

    def __init__(self, table: Table, schema: Schema) -> None:
        self.table = table
        self.schema = schema
        self.io: FileIO = table.io
        self._location = table.location_provider()
        self._spec_id = table.metadata.default_spec_id
        self._stats_plan = compute_statistics_plan(schema, table.metadata.properties)
        self._id_mapping = parquet_path_to_id_mapping(schema)
        self._prefix = uuid.uuid4().hex
        self._counter = 0
        self.paths: list[str] = []  # every file created, for abort()
        self.data_files: list[DataFile] = []
        self.rows = 0

    def _new_path(self) -> str:
        name = f"{self._prefix}-{self._counter:05d}.parquet"
        self._counter += 1
        path = self._location.new_data_location(name)
        self.paths.append(path)
        return path

    def abort(self) -> None:
        """Delete every file this writer created (best effort)."""
        delete_files(self.io, self.paths)
        self.paths = []
        self.data_files = []

    def _add(self, path: str, size: int, metadata: pq.FileMetaData) -> None:
        statistics = data_file_statistics_from_parquet_metadata(
            parquet_metadata=metadata,
            stats_columns=self._stats_plan,
            parquet_column_mapping=self._id_mapping,
        )
        self.data_files.append(
            DataFile.from_args(
                content=DataFileContent.DATA,
                file_path=path,
                file_format=FileFormat.PARQUET,
                partition=Record(),
                file_size_in_bytes=size,
                sort_order_id=None,
                spec_id=self._spec_id,
                equality_ids=None,
                key_metadata=None,
                **statistics.to_serialized_dict(),
            )
        )


class DataFileWriter(_TableFiles):
    """Write conformed record batches into new data files under the table's data location."""

    def __init__(
        self,
        table: Table,
        schema: Schema,
        *,
        target_file_size: int = 128 * MB,
        row_group_rows: int = 1024 * 1024,
        row_group_bytes: int = 96 * MB,
        compression: str = "zstd",
    ) -> None:
        super().__init__(table, schema)
        self.arrow_schema = write_schema(schema)
        self.target_file_size = target_file_size
        self.row_group_rows = row_group_rows
        self.row_group_bytes = row_group_bytes
        self.compression = compression
        self._buffer: list[pa.RecordBatch] = []
        self._buffer_rows = 0
        self._buffer_bytes = 0
        self._sink: OutputStream | None = None
        self._writer: pq.ParquetWriter | None = None
        self._path: str | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self._buffer.append(batch)
        self._buffer_rows += batch.num_rows
        self._buffer_bytes += batch.nbytes
        self.rows += batch.num_rows
        if self._buffer_rows >= self.row_group_rows or self._buffer_bytes >= self.row_group_bytes:
            self._flush()

    def finish(self) -> list[DataFile]:
        """Flush and close the last file; the ``DataFile``s of everything written."""
        self._flush()
        self._close_file()
        return self.data_files

    def abort(self) -> None:
        """Close and delete every file this writer created (best effort)."""
        try:
            if self._writer is not None:
                self._writer.close()
            if self._sink is not None:
                self._sink.close()
        except Exception:  # cleaning up after another error
            logger.debug("closing an aborted data file failed", exc_info=True)
        self._writer = self._sink = None
        super().abort()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = pa.Table.from_batches(self._buffer, schema=self.arrow_schema)
        self._buffer = []
        self._buffer_rows = self._buffer_bytes = 0
        if self._writer is None:
            self._open_file()
        assert self._writer is not None and self._sink is not None
        self._writer.write_table(table, row_group_size=table.num_rows)
        if self._sink.tell() >= self.target_file_size:
            self._close_file()

    def _open_file(self) -> None:
        path = self._new_path()
        self._path = path
        self._sink = self.io.new_output(path).create(overwrite=False)
        self._writer = pq.ParquetWriter(
            cast(IO[Any], self._sink),
            schema=self.arrow_schema,
            compression=self.compression,
            store_decimal_as_integer=True,
            write_statistics=True,
        )

    def _close_file(self) -> None:
        if self._writer is None or self._sink is None or self._path is None:
            return
        self._writer.close()
        size = self._sink.tell()
        self._sink.close()
        self._add(self._path, size, self._writer.writer.metadata)
        self._writer = None
        self._sink = None
        self._path = None


@dataclass(frozen=True)
class DuckRows:
    """Rows to publish given as a DuckDB query, which DuckDB writes to Parquet itself.

    The ingest pipeline's validated rows are already a DuckDB table: ``COPY … TO`` writes them
    with all threads, without a round trip through Arrow batches in Python. ``sql`` selects the
    columns of ``schema`` (their Arrow types, as a publish of batches would bring them) and,
    when ``order`` is given, that BIGINT column too: rows are written in its order (the source
    row number) and it is not published.
    """

    con: duckdb.DuckDBPyConnection
    sql: str
    schema: pa.Schema
    order: str | None = None
    rows: int | None = None  # how many rows ``sql`` gives, when the caller knows

    def batches(self, batch_rows: int = 128 * 1024) -> pa.RecordBatchReader:
        """The same rows as Arrow batches (for a lake whose files are not local)."""
        columns = ", ".join(quote(f.name) for f in self.schema)
        order = f" ORDER BY {quote(self.order)}" if self.order else ""
        cursor = self.con.cursor()
        reader = cursor.execute(f"SELECT {columns} FROM ({self.sql}){order}").to_arrow_reader(
            batch_rows
        )

        def cast() -> Iterator[pa.RecordBatch]:
            for batch in reader:
                yield pa.RecordBatch.from_arrays(
                    [c.cast(f.type) for c, f in zip(batch.columns, self.schema, strict=True)],
                    schema=self.schema,
                )

        return pa.RecordBatchReader.from_batches(self.schema, cast())


class DuckDBFileWriter(_TableFiles):
    """Write :class:`DuckRows` into new data files with DuckDB's ``COPY … TO`` (local tables).

    Each file holds a contiguous range of ``order`` values, so the table reads back in that
    order; the first file holds about ``probe_rows`` rows and its size on disk sets how many
    rows the next ones take to come near ``target_file_size``. Values are cast to the table's
    column types (a value that does not fit is ``LakeError("invalid-value")``); columns of the
    table the rows lack are written as NULL. ``abort()`` deletes what was written.
    """

    def __init__(
        self,
        table: Table,
        schema: Schema,
        rows: DuckRows,
        *,
        target_file_size: int = 128 * MB,
        probe_rows: int = 1_000_000,
        compression: str = "zstd",
    ) -> None:
        super().__init__(table, schema)
        self.source = rows
        self.target_file_size = target_file_size
        self.probe_rows = probe_rows
        self.compression = compression

    def write(self, progress: Callable[[int], None] | None = None) -> list[DataFile]:
        """Write every row; the ``DataFile``s of the files written."""
        con = self.source.con.cursor()
        try:
            select = self._select(con)
            source = f"({self.source.sql}) s"
            if self.source.order is None:
                self._copy(con, f"{select} FROM {source}")
                return self.data_files
            order = f"s.{quote(self.source.order)}"
            total = self.source.rows
            if total is None:
                found = con.execute(f"SELECT count(*) FROM {source}").fetchone()
                total = int(found[0]) if found else 0
            if total <= self.probe_rows:
                self._copy(con, f"{select} FROM {source} ORDER BY {order}")
                return self.data_files
            # one pass for the order values that cut the rows into chunks of `probe_rows`
            # (they have gaps: blank lines, cells over several lines); a file takes one chunk
            # first, then as many as come near the target size at the first file's bytes/row
            chunks = -(-total // self.probe_rows)
            fractions = ", ".join(str(k / chunks) for k in range(1, chunks))
            found = con.execute(
                f"SELECT quantile_disc({order}, [{fractions}]) FROM {source}"
            ).fetchone()
            cuts = sorted(set(found[0])) if found and found[0] else []
            per_file = 1
            start = 0  # index into cuts of the lower bound (exclusive), -1 for none
            lower: Any = None
            while True:
                end = start + per_file - 1
                upper = cuts[end] if end < len(cuts) else None
                where = " AND ".join(
                    [
                        *([f"{order} > {lower}"] if lower is not None else []),
                        *([f"{order} <= {upper}"] if upper is not None else []),
                    ]
                )
                size = self._copy(
                    con, f"{select} FROM {source} WHERE {where or 'true'} ORDER BY {order}"
                )
                if progress is not None:
                    progress(self.rows)
                if upper is None:
                    return self.data_files
                if len(self.data_files) == 1 and size:
                    per_row = size / max(self.data_files[0].record_count, 1)
                    per_file = max(1, round(self.target_file_size / per_row / self.probe_rows))
                lower, start = upper, end + 1
        except duckdb.ConversionException as exc:
            message = f"a value does not fit its lake column: {exc}"
            raise LakeError("invalid-value", message) from exc
        finally:
            con.close()

    def _select(self, con: duckdb.DuckDBPyConnection) -> str:
        incoming = {
            str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {self.source.sql}").fetchall()
        }
        names = set(self.source.schema.names)
        exprs = []
        for f in self.schema.fields:
            target = duckdb_type(f.field_type)
            if f.name not in names:
                exprs.append(f"CAST(NULL AS {target}) AS {quote(f.name)}")
                continue
            column = f"s.{quote(f.name)}"
            if target == "TIMESTAMPTZ" and incoming.get(f.name) == "TIMESTAMP":
                expr = f"timezone('UTC', {column})"  # naive UTC values, as Arrow's tz="UTC"
            elif incoming.get(f.name) == target:
                expr = column
            else:
                expr = f"CAST({column} AS {target})"
            exprs.append(f"{expr} AS {quote(f.name)}")
        return "SELECT " + ", ".join(exprs)

    def _copy(self, con: duckdb.DuckDBPyConnection, query: str) -> int:
        path = self._new_path()
        local = local_path(path)
        if local is None:  # pragma: no cover - the lake uses this writer for local tables only
            raise LakeError("invalid-argument", f"{path} is not on the local filesystem")
        Path(local).parent.mkdir(parents=True, exist_ok=True)
        ids = ", ".join(f"{sql_string(f.name)}: {f.field_id}" for f in self.schema.fields)
        con.execute(
            f"COPY ({query}) TO {sql_string(local)} (FORMAT parquet, "
            f"COMPRESSION {self.compression}, FIELD_IDS {{{ids}}})"
        )
        metadata = pq.read_metadata(local)
        if metadata.num_rows == 0:
            delete_files(self.io, [path])
            self.paths.pop()
            return 0
        size = os.path.getsize(local)
        self._add(path, size, metadata)
        self.rows += metadata.num_rows
        return size


def local_path(location: str) -> str | None:
    """A local filesystem path for a ``file://`` (or plain absolute) location, else None."""
    if location.startswith("file://"):
        return location[len("file://") :]
    if location.startswith("/"):
        return location
    return None


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def delete_files(io: FileIO, paths: list[str]) -> None:
    for path in paths:
        try:
            io.delete(path)
        except FileNotFoundError:
            pass
        except Exception:  # best effort; vacuum_orphans() removes leftovers
            logger.warning("could not delete uncommitted data file %s", path, exc_info=True)
