"""The schema of an ingested table, as data: columns with a type, labels and constraints.

A :class:`TableSchema` is stored as JSON (``to_dict`` / ``from_dict``) and drives
normalisation (``normalize.py``: text cells → typed values) and validation (``checks.py``).
Pure Python: no Django imports.

Column types and what a normalised value is (``arrow_schema`` gives the pyarrow types):

=============== ========================================= ===============================
type            accepts (after trimming, Thai digits ok)  typed value
=============== ========================================= ===============================
string          any text                                  string (trimmed)
integer         ``1234``, ``1,234``, ``-5``               int64
number          ``1234.5``, ``1,234.5``, ``1e3``          float64
decimal         like number, rounded half-up to ``scale`` decimal128(18, scale)
baht            ``1,234.50``, ``฿1,234.50``, ``... บาท``  decimal128(18, 2)
boolean         true/false, yes/no, ใช่/ไม่ใช่, มี/ไม่มี, 1/0  bool
date            ``3 มี.ค. 2560``, ``03/03/2560``, ...       date32
datetime        a date and ``14:05`` / ``14.05 น.``        timestamp[us, UTC]
thai_id         13 digits, dashes/spaces allowed          string of 13 digits
juristic_id     13 digits starting with 0                 string of 13 digits
province        name (Thai/English) or DOPA code          string: 2-digit DOPA code
amphoe          name or code                              string: 4-digit DOPA code
tambon          name or code                              string: 6-digit DOPA code
latitude        decimal degrees                           float64
longitude       decimal degrees                           float64
geometry        GeoJSON geometry text (WGS 84)            string
email / url     text                                      string
phone           Thai phone number                         string: digits, ``+66`` → ``0``
=============== ========================================= ===============================
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "ADMIN_LEVELS",
    "COLUMN_TYPES",
    "NUMERIC_TYPES",
    "ORDERED_TYPES",
    "TEXT_TYPES",
    "ColumnSpec",
    "SchemaError",
    "TableSchema",
]

COLUMN_TYPES: Final = (
    "string",
    "integer",
    "number",
    "decimal",
    "baht",
    "boolean",
    "date",
    "datetime",
    "thai_id",
    "juristic_id",
    "province",
    "amphoe",
    "tambon",
    "latitude",
    "longitude",
    "geometry",
    "email",
    "phone",
    "url",
)
#: Types whose typed value is a number (``minimum``/``maximum`` are numbers).
NUMERIC_TYPES: Final = frozenset({"integer", "number", "decimal", "baht", "latitude", "longitude"})
#: Types with an order: ``minimum``/``maximum`` apply (dates as ISO text, CE).
ORDERED_TYPES: Final = NUMERIC_TYPES | {"date", "datetime"}
#: Types whose typed value is the cell's own text (formula and length checks apply).
TEXT_TYPES: Final = frozenset({"string", "email", "phone", "url"})
#: Administrative area types and the level name used in the admin-area lookup table.
ADMIN_LEVELS: Final = {"province": "province", "amphoe": "district", "tambon": "subdistrict"}
#: Code length of each administrative level.
ADMIN_CODE_LENGTH: Final = {"province": 2, "amphoe": 4, "tambon": 6}
DATE_ERAS: Final = ("be", "ce", "auto")
DECIMAL_PRECISION: Final = 18

DateEra = Literal["be", "ce", "auto"]


class SchemaError(ValueError):
    """A schema that cannot be used; ``problems`` lists every problem found (English)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid table schema: " + "; ".join(problems))
        self.problems = problems


@dataclass
class ColumnSpec:
    """One column: ``name`` as in the file header, its ``type`` and constraints.

    ``minimum``/``maximum`` are numbers for numeric types and ISO text for ``date``
    ("2017-03-03", CE) and ``datetime`` ("2017-03-03T14:05", Bangkok time unless an offset is
    given). ``enum`` lists the allowed values after normalisation (e.g. DOPA codes for a tambon
    column, ``true``/``false`` for booleans). ``pattern`` is a regular expression (RE2 syntax, as
    DuckDB runs it) that the whole normalised text must match. ``context`` (province, amphoe,
    tambon columns) is the DOPA code of the area the names are looked up in ("40" = Khon Kaen):
    tambon names repeat across Thailand, so without it many are ambiguous.
    """

    name: str
    type: str = "string"
    scale: int | None = None  # decimal places of ``decimal`` (default 2); ``baht`` is always 2
    label_th: str = ""
    label_en: str = ""
    unit: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    minimum: Any = None
    maximum: Any = None
    min_length: int | None = None
    max_length: int | None = None
    enum: list[Any] | None = None
    pattern: str | None = None
    personal: bool = False
    date_era: str = "be"
    context: str | None = None

    @property
    def decimal_scale(self) -> int:
        if self.type == "baht":
            return 2
        return 2 if self.scale is None else self.scale

    @property
    def label(self) -> str:
        return self.label_th or self.label_en or self.name

    def duckdb_type(self) -> str:
        """The DuckDB type of the normalised column (datetimes are naive UTC TIMESTAMPs)."""
        if self.type == "integer":
            return "BIGINT"
        if self.type in ("number", "latitude", "longitude"):
            return "DOUBLE"
        if self.type in ("decimal", "baht"):
            return f"DECIMAL({DECIMAL_PRECISION}, {self.decimal_scale})"
        if self.type == "boolean":
            return "BOOLEAN"
        if self.type == "date":
            return "DATE"
        if self.type == "datetime":
            return "TIMESTAMP"
        return "VARCHAR"

    def arrow_type(self) -> pa.DataType:
        if self.type == "integer":
            return pa.int64()
        if self.type in ("number", "latitude", "longitude"):
            return pa.float64()
        if self.type in ("decimal", "baht"):
            return pa.decimal128(DECIMAL_PRECISION, self.decimal_scale)
        if self.type == "boolean":
            return pa.bool_()
        if self.type == "date":
            return pa.date32()
        if self.type == "datetime":
            return pa.timestamp("us", tz="UTC")
        return pa.string()

    def to_dict(self) -> dict[str, Any]:
        """The non-default fields (``name`` and ``type`` always)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        for spec_field in dataclasses.fields(self):
            if spec_field.name in out:
                continue
            value = getattr(self, spec_field.name)
            if value != spec_field.default:
                out[spec_field.name] = list(value) if isinstance(value, list) else value
        return out

    def problems(self) -> list[str]:
        """Every reason this column spec is unusable (empty when it is fine)."""
        where = f"column {self.name!r}"
        found: list[str] = []
        if not isinstance(self.name, str) or not self.name.strip():
            found.append(f"{where}: the name must be non-blank text")
        if self.type not in COLUMN_TYPES:
            found.append(
                f"{where}: unknown type {self.type!r} (expected one of {', '.join(COLUMN_TYPES)})"
            )
            return found
        if self.scale is not None:
            if self.type not in ("decimal", "baht"):
                found.append(f"{where}: scale applies to decimal columns only")
            elif not isinstance(self.scale, int) or not 0 <= self.scale <= 12:
                found.append(f"{where}: scale must be an integer 0–12, not {self.scale!r}")
            elif self.type == "baht" and self.scale != 2:
                found.append(f"{where}: baht amounts always have scale 2")
        if self.date_era not in DATE_ERAS:
            found.append(f"{where}: date_era must be 'be', 'ce' or 'auto', not {self.date_era!r}")
        for name in ("required", "unique", "personal"):
            if not isinstance(getattr(self, name), bool):
                found.append(f"{where}: {name} must be true or false")
        for bound in ("minimum", "maximum"):
            value = getattr(self, bound)
            if value is None:
                continue
            if self.type not in ORDERED_TYPES:
                found.append(f"{where}: {bound} applies to numbers and dates, not {self.type}")
            else:
                try:
                    self.parse_value(value)
                except ValueError as exc:
                    found.append(f"{where}: {bound} {value!r}: {exc}")
        if (
            self.minimum is not None
            and self.maximum is not None
            and not found
            and self.parse_value(self.minimum) > self.parse_value(self.maximum)
        ):
            found.append(f"{where}: minimum {self.minimum!r} is above maximum {self.maximum!r}")
        for bound in ("min_length", "max_length"):
            value = getattr(self, bound)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                found.append(f"{where}: {bound} must be a whole number ≥ 0, not {value!r}")
        if (
            isinstance(self.min_length, int)
            and isinstance(self.max_length, int)
            and self.min_length > self.max_length
        ):
            found.append(f"{where}: min_length {self.min_length} is above max_length")
        if self.enum is not None:
            if not isinstance(self.enum, list) or not self.enum:
                found.append(f"{where}: enum must be a non-empty list")
            else:
                for value in self.enum:
                    try:
                        self.parse_value(value)
                    except ValueError as exc:
                        found.append(f"{where}: enum value {value!r}: {exc}")
        if self.pattern is not None:
            found.extend(f"{where}: {problem}" for problem in _pattern_problems(self.pattern))
        if self.context is not None:
            if self.type not in ADMIN_LEVELS:
                found.append(f"{where}: context applies to province/amphoe/tambon columns only")
            elif not (
                isinstance(self.context, str)
                and self.context.isascii()
                and self.context.isdigit()
                and len(self.context) in (2, 4)
            ):
                found.append(
                    f"{where}: context must be a 2-digit province or 4-digit amphoe DOPA code, "
                    f"not {self.context!r}"
                )
        return found

    def parse_value(self, value: Any) -> Any:
        """A bound or enum value in the column's typed form (raises ValueError)."""
        kind = self.type
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    return int(value)
                raise ValueError("expected a whole number")
            return value
        if kind in ("number", "latitude", "longitude", "decimal", "baht"):
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise ValueError("expected a number")
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValueError("expected a number") from None
            if not number.is_finite():
                raise ValueError("expected a finite number")
            return number
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if kind == "date":
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                raise ValueError("expected an ISO date such as '2017-03-03' (CE)") from None
        if kind == "datetime":
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError:
                raise ValueError("expected an ISO date-time such as '2017-03-03T14:05'") from None
            if moment.tzinfo is None:  # Thai local time
                moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
            return moment.astimezone(dt.UTC).replace(tzinfo=None)
        if kind in ADMIN_LEVELS:
            text = str(value)
            if not (text.isascii() and text.isdigit() and len(text) == ADMIN_CODE_LENGTH[kind]):
                raise ValueError(f"expected a {ADMIN_CODE_LENGTH[kind]}-digit DOPA code")
            return text
        if not isinstance(value, str):
            raise ValueError("expected text")
        return value


def _pattern_problems(pattern: Any) -> list[str]:
    if not isinstance(pattern, str) or not pattern:
        return ["pattern must be non-empty text"]
    try:
        re.compile(pattern)
    except re.error as exc:
        return [f"pattern {pattern!r} does not compile: {exc}"]
    try:  # DuckDB runs RE2, which lacks look-around and back-references
        with duckdb.connect() as con:
            con.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
    except duckdb.Error as exc:
        return [f"pattern {pattern!r} is not supported by RE2: {str(exc).splitlines()[0]}"]
    return []


@dataclass
class TableSchema:
    """The columns of a table, in file order, and the primary key (column names)."""

    columns: list[ColumnSpec]
    primary_key: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise SchemaError(problems)

    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.columns:
            found.append("a schema needs at least one column")
        names = [column.name for column in self.columns]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                found.append(f"column {name!r} appears more than once")
            seen.add(name)
            if name == "_row" or name.startswith("__nk_"):
                found.append(f"column name {name!r} is reserved")
        for column in self.columns:
            found.extend(column.problems())
        if len(set(self.primary_key)) != len(self.primary_key):
            found.append("primary_key names a column twice")
        for name in self.primary_key:
            if name not in seen:
                found.append(f"primary_key names {name!r}, which is not a column")
        return found

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def arrow_schema(self, *, row: bool = True) -> pa.Schema:
        """The typed columns (``_row`` int64 first unless ``row=False``)."""
        fields = [pa.field(column.name, column.arrow_type()) for column in self.columns]
        if row:
            fields.insert(0, pa.field("_row", pa.int64(), nullable=False))
        return pa.schema(fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [column.to_dict() for column in self.columns],
            "primary_key": list(self.primary_key),
        }

    @classmethod
    def from_dict(cls, data: Any) -> TableSchema:
        """Build and validate a schema from JSON data; :class:`SchemaError` lists all problems."""
        if not isinstance(data, dict):
            raise SchemaError(["a schema must be an object with 'columns'"])
        problems: list[str] = []
        unknown = set(data) - {"columns", "primary_key"}
        if unknown:
            problems.append(f"unknown schema keys: {', '.join(sorted(unknown))}")
        raw_columns = data.get("columns")
        if not isinstance(raw_columns, list):
            raise SchemaError([*problems, "'columns' must be a list"])
        allowed = {spec_field.name for spec_field in dataclasses.fields(ColumnSpec)}
        columns: list[ColumnSpec] = []
        for position, raw in enumerate(raw_columns, start=1):
            if not isinstance(raw, dict) or "name" not in raw:
                problems.append(f"column #{position} must be an object with a 'name'")
                continue
            extra = set(raw) - allowed
            if extra:
                problems.append(f"column {raw['name']!r}: unknown keys {', '.join(sorted(extra))}")
            columns.append(ColumnSpec(**{k: v for k, v in raw.items() if k in allowed}))
        primary_key = data.get("primary_key", [])
        if isinstance(primary_key, str):
            primary_key = [primary_key]
        if not isinstance(primary_key, list) or not all(isinstance(k, str) for k in primary_key):
            problems.append("primary_key must be a list of column names")
            primary_key = []
        try:
            schema = cls(columns=columns, primary_key=primary_key)
        except SchemaError as exc:
            problems.extend(exc.problems)
        if problems:
            raise SchemaError(problems)
        return schema
