"""Streaming Parquet data files for an Iceberg table: rolling ``ParquetWriter``s → ``DataFile``s.

Record batches are buffered only up to one row group (``row_group_rows`` rows or
``row_group_bytes`` of Arrow memory), written with zstd, and a new file is started once the
current one reaches ``target_file_size`` bytes on disk. The files carry Iceberg field ids, decimals
are stored as integers where the Iceberg spec says so, and each closed file becomes a ``DataFile``
with the column statistics Iceberg uses for pruning. Nothing is committed here: the caller adds
the ``DataFile``s to one transaction, or calls ``abort()`` to delete what was written.
"""

from __future__ import annotations

import logging
import uuid
from typing import IO, Any, cast

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
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

from nakhon.lake.schema import write_schema

logger = logging.getLogger(__name__)

MB = 1024 * 1024


class DataFileWriter:
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
        self.table = table
        self.schema = schema
        self.arrow_schema = write_schema(schema)
        self.target_file_size = target_file_size
        self.row_group_rows = row_group_rows
        self.row_group_bytes = row_group_bytes
        self.compression = compression
        self.io: FileIO = table.io
        self._location = table.location_provider()
        self._spec_id = table.metadata.default_spec_id
        self._stats_plan = compute_statistics_plan(schema, table.metadata.properties)
        self._id_mapping = parquet_path_to_id_mapping(schema)
        self._prefix = uuid.uuid4().hex
        self._counter = 0
        self._buffer: list[pa.RecordBatch] = []
        self._buffer_rows = 0
        self._buffer_bytes = 0
        self._sink: OutputStream | None = None
        self._writer: pq.ParquetWriter | None = None
        self._path: str | None = None
        self.paths: list[str] = []  # every file created, for abort()
        self.data_files: list[DataFile] = []
        self.rows = 0

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
        delete_files(self.io, self.paths)
        self.paths = []
        self.data_files = []

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
        name = f"{self._prefix}-{self._counter:05d}.parquet"
        self._counter += 1
        path = self._location.new_data_location(name)
        self.paths.append(path)
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
        statistics = data_file_statistics_from_parquet_metadata(
            parquet_metadata=self._writer.writer.metadata,
            stats_columns=self._stats_plan,
            parquet_column_mapping=self._id_mapping,
        )
        self.data_files.append(
            DataFile.from_args(
                content=DataFileContent.DATA,
                file_path=self._path,
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
        self._writer = None
        self._sink = None
        self._path = None


def delete_files(io: FileIO, paths: list[str]) -> None:
    for path in paths:
        try:
            io.delete(path)
        except FileNotFoundError:
            pass
        except Exception:  # best effort; vacuum_orphans() removes leftovers
            logger.warning("could not delete uncommitted data file %s", path, exc_info=True)
