"""Column types across Arrow, Iceberg and DuckDB, and the lake's schema-evolution rules.

Arrow → Iceberg (what a publish may bring):

=========================================  ==============================
string, large_string, string_view          string (GeoJSON geometry too)
int8, int16, int32, uint8, uint16          int
int64, uint32, uint64                      long
float16, float32 / float64                 float / double
decimal128(p, s), decimal256 (p ≤ 38)      decimal(p, s)  — baht amounts
bool                                       boolean
date32, date64                             date
timestamp[unit] / timestamp[unit, tz=*]    timestamp / timestamptz (µs; a tz is converted to UTC)
time32, time64                             time
binary, large_binary, fixed_size_binary    binary / fixed
null (a column with no value yet)          string
=========================================  ==============================

Every lake column is optional (nullable); lists, structs and maps are refused.

Evolution when the incoming schema differs from the table's (by column name):

* a new column is added (old rows read it as NULL);
* a wider type is adopted where Iceberg allows it: int → long, float → double,
  decimal(p, s) → decimal(p', s) with p' > p;
* narrower incoming values are cast into the existing column (int into long, float into double,
  int/long into double or decimal, decimal into a decimal that holds it) — a value that does not
  fit is an ``invalid-value`` error;
* a table column missing from the incoming data is kept (NULL in new rows) unless the caller
  asks to drop missing columns (never a key column);
* anything else (string → long, long → double, timestamptz → timestamp, …) is an
  ``incompatible-schema`` error naming the column, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
from pyiceberg.schema import Schema
from pyiceberg.table.update.schema import UpdateSchema
from pyiceberg.types import (
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FixedType,
    FloatType,
    IcebergType,
    IntegerType,
    LongType,
    NestedField,
    PrimitiveType,
    StringType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

from nakhon.lake.model import LakeError, SchemaChange

FIELD_ID = b"PARQUET:field_id"


def iceberg_type(dtype: pa.DataType, column: str) -> PrimitiveType:
    """The Iceberg type for an incoming Arrow column type (see the module table)."""
    t = pa.types
    if pa.types.is_dictionary(dtype):
        return iceberg_type(dtype.value_type, column)
    if (
        t.is_string(dtype)
        or t.is_large_string(dtype)
        or t.is_string_view(dtype)
        or t.is_null(dtype)
    ):
        return StringType()
    if t.is_boolean(dtype):
        return BooleanType()
    if t.is_int8(dtype) or t.is_int16(dtype) or t.is_int32(dtype):
        return IntegerType()
    if t.is_uint8(dtype) or t.is_uint16(dtype):
        return IntegerType()
    if t.is_int64(dtype) or t.is_uint32(dtype) or t.is_uint64(dtype):
        return LongType()
    if t.is_float16(dtype) or t.is_float32(dtype):
        return FloatType()
    if t.is_float64(dtype):
        return DoubleType()
    if t.is_decimal(dtype):
        if dtype.precision > 38:
            raise LakeError(
                "unsupported-type", f"column {column!r}: decimal precision {dtype.precision} > 38"
            )
        return DecimalType(dtype.precision, dtype.scale)
    if t.is_date(dtype):
        return DateType()
    if t.is_timestamp(dtype):
        return TimestamptzType() if dtype.tz is not None else TimestampType()
    if t.is_time(dtype):
        return TimeType()
    if t.is_binary(dtype) or t.is_large_binary(dtype) or t.is_binary_view(dtype):
        return BinaryType()
    if t.is_fixed_size_binary(dtype):
        return FixedType(dtype.byte_width)
    raise LakeError(
        "unsupported-type",
        f"column {column!r}: type {dtype} is not supported in the lake "
        "(use string, integers, floats, decimal, bool, date, timestamp; geometry as GeoJSON text)",
    )


def arrow_type(itype: IcebergType) -> pa.DataType:
    """The Arrow type the lake writes for an Iceberg column."""
    mapping: dict[type, pa.DataType] = {
        StringType: pa.string(),
        BooleanType: pa.bool_(),
        IntegerType: pa.int32(),
        LongType: pa.int64(),
        FloatType: pa.float32(),
        DoubleType: pa.float64(),
        DateType: pa.date32(),
        TimestampType: pa.timestamp("us"),
        TimestamptzType: pa.timestamp("us", tz="UTC"),
        TimeType: pa.time64("us"),
        BinaryType: pa.binary(),
    }
    if isinstance(itype, DecimalType):
        return pa.decimal128(itype.precision, itype.scale)
    if isinstance(itype, FixedType):
        return pa.binary(len(itype))
    if isinstance(itype, UUIDType):
        return pa.binary(16)
    try:
        return mapping[type(itype)]
    except KeyError:
        raise LakeError("unsupported-type", f"Iceberg type {itype} is not supported") from None


def duckdb_type(itype: IcebergType) -> str:
    """The DuckDB SQL type for an Iceberg column."""
    if isinstance(itype, DecimalType):
        return f"DECIMAL({itype.precision},{itype.scale})"
    mapping: dict[type, str] = {
        StringType: "VARCHAR",
        BooleanType: "BOOLEAN",
        IntegerType: "INTEGER",
        LongType: "BIGINT",
        FloatType: "FLOAT",
        DoubleType: "DOUBLE",
        DateType: "DATE",
        TimestampType: "TIMESTAMP",
        TimestamptzType: "TIMESTAMPTZ",
        TimeType: "TIME",
        BinaryType: "BLOB",
        FixedType: "BLOB",
        UUIDType: "UUID",
    }
    try:
        return mapping[type(itype)]
    except KeyError:
        raise LakeError("unsupported-type", f"Iceberg type {itype} is not supported") from None


def new_schema(arrow_schema: pa.Schema) -> Schema:
    """A fresh Iceberg schema (field ids 1…n, all optional) for an Arrow schema."""
    check_names([f.name for f in arrow_schema])
    return Schema(
        *[
            NestedField(i, f.name, iceberg_type(f.type, f.name), required=False)
            for i, f in enumerate(arrow_schema, start=1)
        ]
    )


def check_names(names: Sequence[str]) -> None:
    seen: dict[str, str] = {}
    for name in names:
        if not name or name != name.strip():
            raise LakeError(
                "invalid-name", f"column name {name!r} is empty or has spaces around it"
            )
        folded = name.casefold()
        if folded in seen:
            raise LakeError(
                "invalid-name",
                f"columns {seen[folded]!r} and {name!r} differ only by case "
                "(DuckDB and most SQL engines cannot tell them apart)",
            )
        seen[folded] = name


def write_schema(schema: Schema) -> pa.Schema:
    """The Arrow schema of the Parquet files the lake writes (with Iceberg field ids)."""
    return pa.schema(
        [
            pa.field(
                f.name,
                arrow_type(f.field_type),
                nullable=not f.required,
                metadata={FIELD_ID: str(f.field_id).encode()},
            )
            for f in schema.fields
        ]
    )


def type_name(itype: IcebergType) -> str:
    return str(itype)


# --- evolution ---------------------------------------------------------------------------------

_INTEGERS = (IntegerType, LongType)


def _fits(incoming: PrimitiveType, current: IcebergType) -> bool:
    """Values of ``incoming`` can be cast into ``current`` without changing the table schema."""
    if incoming == current:
        return True
    if isinstance(current, LongType) and isinstance(incoming, IntegerType):
        return True
    if isinstance(current, DoubleType) and isinstance(incoming, (FloatType, *_INTEGERS)):
        return True
    if isinstance(current, FloatType) and isinstance(incoming, IntegerType):
        return True
    if isinstance(current, DecimalType):
        if isinstance(incoming, _INTEGERS):
            return True  # range checked by the cast
        if isinstance(incoming, DecimalType):
            return (
                incoming.scale <= current.scale
                and incoming.precision - incoming.scale <= current.precision - current.scale
            )
    return isinstance(current, BinaryType) and isinstance(incoming, FixedType)


def _widening(incoming: PrimitiveType, current: IcebergType) -> bool:
    """``current`` may be promoted to ``incoming`` (Iceberg's allowed type promotions)."""
    if isinstance(current, IntegerType) and isinstance(incoming, LongType):
        return True
    if isinstance(current, FloatType) and isinstance(incoming, DoubleType):
        return True
    return (
        isinstance(current, DecimalType)
        and isinstance(incoming, DecimalType)
        and incoming.scale == current.scale
        and incoming.precision > current.precision
    )


@dataclass
class Evolution:
    """The schema changes needed before data of an incoming Arrow schema can be written."""

    adds: list[tuple[str, PrimitiveType]] = field(default_factory=list)
    widens: list[tuple[str, PrimitiveType]] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.adds or self.widens or self.drops)

    def apply(self, update: UpdateSchema) -> None:
        for name, itype in self.adds:
            update.add_column(name, itype, required=False)
        for name, itype in self.widens:
            update.update_column(name, field_type=itype)
        for name in self.drops:
            update.delete_column(name)


def plan_evolution(
    current: Schema,
    incoming: pa.Schema,
    *,
    key: Sequence[str] = (),
    drop_missing_columns: bool = False,
) -> Evolution:
    """What must change in ``current`` to take data of ``incoming`` (raises ``LakeError``)."""
    check_names([f.name for f in incoming])
    by_folded = {f.name.casefold(): f for f in current.fields}
    plan = Evolution()
    seen: set[str] = set()
    for arrow_field in incoming:
        name = arrow_field.name
        existing = by_folded.get(name.casefold())
        if existing is not None and existing.name != name:
            raise LakeError(
                "incompatible-schema",
                f"column {name!r} differs only by case from the table's column {existing.name!r}",
            )
        if existing is None:
            plan.adds.append((name, iceberg_type(arrow_field.type, name)))
            continue
        seen.add(existing.name)
        if pa.types.is_null(arrow_field.type):
            continue  # an all-null column fits any type
        itype = iceberg_type(arrow_field.type, name)
        if _fits(itype, existing.field_type):
            continue
        if _widening(itype, existing.field_type):
            plan.widens.append((name, itype))
            continue
        raise LakeError(
            "incompatible-schema",
            f"column {name!r}: cannot change type {existing.field_type} to {itype} "
            "(allowed: int → long, float → double, decimal precision increase; "
            "publish under a new column name or a new dataset instead)",
        )
    missing = [f.name for f in current.fields if f.name not in seen]
    for name in key:
        if name in missing:
            raise LakeError("missing-key", f"key column {name!r} is missing from the data")
    if drop_missing_columns:
        plan.drops.extend(missing)
    return plan


def schema_changes(old: Schema | None, new: Schema) -> tuple[SchemaChange, ...]:
    """Column differences between two schemas, matched by field id (``old=None``: all added)."""
    changes: list[SchemaChange] = []
    old_fields = {f.field_id: f for f in old.fields} if old is not None else {}
    new_ids = {f.field_id for f in new.fields}
    for f in new.fields:
        before = old_fields.get(f.field_id)
        if before is None:
            changes.append(SchemaChange("added", f.name, new_type=type_name(f.field_type)))
            continue
        if before.name != f.name:
            changes.append(SchemaChange("renamed", f.name, old_name=before.name))
        if before.field_type != f.field_type:
            changes.append(
                SchemaChange(
                    "type_changed",
                    f.name,
                    old_type=type_name(before.field_type),
                    new_type=type_name(f.field_type),
                )
            )
    for fid, before in old_fields.items():
        if fid not in new_ids:
            changes.append(
                SchemaChange("removed", before.name, old_type=type_name(before.field_type))
            )
    return tuple(changes)


# --- batches -------------------------------------------------------------------------------------


def conform(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    """``batch`` with the target's columns (by name, in order, cast; absent ones all NULL)."""
    if batch.schema.equals(target, check_metadata=False):
        return pa.RecordBatch.from_arrays(batch.columns, schema=target)
    names = batch.schema.names
    if len(set(names)) != len(names):
        raise LakeError("invalid-name", f"duplicate column names in the data: {names}")
    target_names = set(target.names)
    extra = [n for n in names if n not in target_names]
    if extra:
        raise LakeError(
            "incompatible-schema",
            f"columns {extra} are not in the table "
            "(every batch must have the columns of the first one)",
        )
    arrays = []
    for target_field in target:
        if target_field.name not in names:
            arrays.append(pa.nulls(batch.num_rows, target_field.type))
            continue
        column = batch.column(target_field.name)
        if column.type != target_field.type:
            column = _cast(column, target_field.type, target_field.name)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=target)


def _cast(column: pa.Array, to: pa.DataType, name: str) -> pa.Array:
    source = column.type
    if pa.types.is_dictionary(source):
        column = column.dictionary_decode()
        source = column.type
    if pa.types.is_timestamp(source) and pa.types.is_timestamp(to):
        if (source.tz is None) != (to.tz is None):
            raise LakeError(
                "incompatible-schema",
                f"column {name!r}: cannot mix timestamps with and without a time zone",
            )
        return column.cast(to, safe=False)  # ns → µs truncates; a tz change is metadata only
    try:
        return column.cast(to, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LakeError(
            "invalid-value", f"column {name!r}: values of type {source} do not fit {to}: {exc}"
        ) from exc
