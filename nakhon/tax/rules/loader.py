"""Load and validate the versioned rule files (law as data, per tax year in the Buddhist Era).

A rule file is ``data/<kind>/<BE year>.toml``. Every value lives in a *sourced table*: a TOML
table with ``source`` (Act, section, instrument, B.E. year, reference) and ``status``
(``confirmed`` | ``derived`` | ``unconfirmed``). ``extends = 2564`` inherits the sourced tables
of another year; a sourced table in the child replaces the parent's whole, so a value never
travels without its source. A city's local rules (a Municipal Ordinance) are files of the same
format in ``<local dir>/<kind>/<BE year>.toml``, laid over the national file the same way.
The format is described in docs/tax-rules.md.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from nakhon.tax.rules.errors import RuleError, RuleNotFound
from nakhon.tax.rules.units import SATANG, percent_to_ppm
from nakhon.tax.rules.units import be_date as parse_be_date

DATA_DIR = Path(__file__).resolve().parent / "data"
KINDS = ("signboard", "land_building")
STATUSES = ("confirmed", "derived", "unconfirmed")
META_KEYS = {"source", "status", "note", "_file"}
TOP_KEYS = {"kind", "tax_year", "extends", "title"}

Kind = Literal["signboard", "land_building"]


@dataclass(frozen=True)
class Citation:
    """Where a value comes from, and whether that is confirmed from the legal text."""

    source: str
    status: str
    file: str

    @property
    def unconfirmed(self) -> bool:
        return self.status == "unconfirmed"

    def text(self) -> str:
        return f"{self.source} [UNCONFIRMED]" if self.unconfirmed else self.source


# --- reading and merging ------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(path, "(syntax)", str(exc)) from None


def _tag(table: dict[str, Any], path: Path, key: str) -> None:
    """Mark every sourced table with its file; refuse values outside a sourced table."""
    if "source" in table:
        table["_file"] = str(path)
        return
    for name, value in table.items():
        full = f"{key}.{name}" if key else name
        if isinstance(value, dict):
            _tag(value, path, full)
        elif not (key == "" and name in TOP_KEYS):
            raise RuleError(path, full, "a value outside a table that has a `source`")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for name, value in over.items():
        old = merged.get(name)
        if (
            isinstance(value, dict)
            and isinstance(old, dict)
            and "source" not in value
            and "source" not in old
        ):
            merged[name] = _merge(old, value)
        else:
            merged[name] = value
    return merged


def _check_header(doc: dict[str, Any], path: Path, kind: str, tax_year: int) -> None:
    if doc.get("kind") != kind:
        raise RuleError(path, "kind", f"expected {kind!r}, found {doc.get('kind')!r}")
    if doc.get("tax_year") != tax_year:
        raise RuleError(path, "tax_year", f"expected {tax_year}, found {doc.get('tax_year')!r}")


def _national(kind: str, tax_year: int, data_dir: Path, chain: tuple[int, ...]) -> dict[str, Any]:
    path = data_dir / kind / f"{tax_year}.toml"
    if not path.is_file():
        raise RuleNotFound(kind, tax_year, [str(path)])
    doc = _read(path)
    _check_header(doc, path, kind, tax_year)
    parent_year = doc.pop("extends", None)
    _tag(doc, path, "")
    if parent_year is None:
        return doc
    if not isinstance(parent_year, int) or isinstance(parent_year, bool):
        raise RuleError(path, "extends", f"must be a B.E. year number, got {parent_year!r}")
    if parent_year in (*chain, tax_year):
        raise RuleError(path, "extends", f"circular inheritance through {parent_year}")
    try:
        parent = _national(kind, parent_year, data_dir, (*chain, tax_year))
    except RuleNotFound:
        raise RuleError(path, "extends", f"no rule file for {parent_year}") from None
    return _merge(parent, doc)


def load_raw(
    kind: str, tax_year: int, local_dirs: Iterable[Path | str] = (), data_dir: Path = DATA_DIR
) -> dict[str, Any]:
    """The merged document of one kind and year: national file(s), then each local dir."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of tax {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(tax_year, int) or isinstance(tax_year, bool):
        raise ValueError(f"tax year must be a B.E. year number, got {tax_year!r}")
    doc = _national(kind, tax_year, data_dir, ())
    for local in local_dirs:
        path = Path(local) / kind / f"{tax_year}.toml"
        if not path.is_file():
            continue
        over = _read(path)
        _check_header(over, path, kind, tax_year)
        if "extends" in over:
            raise RuleError(path, "extends", "local rules overlay the national year; no extends")
        _tag(over, path, "")
        doc = _merge(doc, over)
    doc["tax_year"] = tax_year
    return doc


# --- typed access with precise errors ------------------------------------------------------


class Reader:
    """Reads a merged document; every error names the file, the key and the reason."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.cites: dict[str, Citation] = {}
        self._used: dict[str, set[str]] = {}
        self._leaves: dict[str, dict[str, Any]] = {}

    def has(self, path: str) -> bool:
        node: Any = self.doc
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def children(self, path: str) -> list[str]:
        node = self._node(path)
        if "source" in node:
            raise RuleError(node["_file"], path, "expected a group of sourced tables")
        return [name for name, value in node.items() if isinstance(value, dict)]

    def _node(self, path: str) -> dict[str, Any]:
        node: Any = self.doc
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise RuleError(self._file_near(path), path, "missing")
            node = node[part]
        if not isinstance(node, dict):
            raise RuleError(self._file_near(path), path, "expected a table")
        return node

    def _file_near(self, path: str) -> str:
        node: Any = self.doc
        found = "(rule files)"
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
            if isinstance(node, dict) and "_file" in node:
                found = node["_file"]
        return found

    def leaf(self, path: str) -> dict[str, Any]:
        if path in self._leaves:
            return self._leaves[path]
        node = self._node(path)
        file = node.get("_file", self._file_near(path))
        source = node.get("source")
        if not isinstance(source, str) or not source.strip():
            raise RuleError(file, f"{path}.source", "every value needs a non-empty source")
        status = node.get("status")
        if status not in STATUSES:
            raise RuleError(file, f"{path}.status", f"must be one of {', '.join(STATUSES)}")
        self.cites[path] = Citation(source.strip(), status, file)
        self._leaves[path] = node
        self._used[path] = set(META_KEYS)
        return node

    def fail(self, path: str, key: str, reason: str) -> RuleError:
        return RuleError(self.leaf(path)["_file"], f"{path}.{key}", reason)

    def value(self, path: str, key: str) -> Any:
        node = self.leaf(path)
        if key not in node:
            raise self.fail(path, key, "missing")
        self._used[path].add(key)
        return node[key]

    def optional(self, path: str, key: str) -> Any:
        node = self.leaf(path)
        self._used[path].add(key)
        return node.get(key)

    def integer(self, path: str, key: str, low: int = 0, high: int | None = None) -> int:
        value = self.value(path, key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, key, f"must be a whole number, got {value!r}")
        if value < low or (high is not None and value > high):
            raise self.fail(path, key, f"must be between {low} and {high}, got {value}")
        return value

    def decimal(
        self, path: str, key: str, low: Decimal = Decimal(0), high: Decimal = Decimal(100)
    ) -> Decimal:
        return self._decimal(path, key, self.value(path, key), low, high)

    def _decimal(self, path: str, key: str, value: Any, low: Decimal, high: Decimal) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(path, key, f"must be a number, got {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(path, key, f"must be a number, got {value!r}") from None
        if not low <= number <= high:
            raise self.fail(path, key, f"must be between {low} and {high}, got {number}")
        return number

    def percent_ppm(
        self, path: str, key: str, value: Any = None, high: Decimal = Decimal(100)
    ) -> int:
        number = self._decimal(
            path, key, self.value(path, key) if value is None else value, Decimal(0), high
        )
        try:
            return percent_to_ppm(number)
        except ValueError as exc:
            raise self.fail(path, key, str(exc)) from None

    def boolean(self, path: str, key: str) -> bool:
        value = self.value(path, key)
        if not isinstance(value, bool):
            raise self.fail(path, key, f"must be true or false, got {value!r}")
        return value

    def text(self, path: str, key: str, choices: Sequence[str] = ()) -> str:
        value = self.value(path, key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, key, f"must be a non-empty string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(path, key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def be_date(self, path: str, key: str, value: Any = None) -> dt.date:
        raw = self.value(path, key) if value is None else value
        if isinstance(raw, str):
            try:
                return parse_be_date(raw)
            except ValueError:
                pass
        raise self.fail(path, key, f'must be a B.E. date string like "2568-04-30", got {raw!r}')

    def baht_satang(self, path: str, key: str, value: Any = None) -> int:
        raw = self.value(path, key) if value is None else value
        number = self._decimal(path, key, raw, Decimal(0), Decimal(10) ** 13)
        satang = number * SATANG
        if satang != satang.to_integral_value():
            raise self.fail(path, key, f"{number} has a fraction of a satang")
        return int(satang)

    def finish(self) -> None:
        """Refuse keys that no rule read (a typo would otherwise be silently ignored)."""
        for path, node in self._leaves.items():
            unknown = sorted(set(node) - self._used[path])
            if unknown:
                raise RuleError(node["_file"], f"{path}.{unknown[0]}", "unknown key")


# --- public entry point -------------------------------------------------------------------

if TYPE_CHECKING:  # the rule modules import this one
    from nakhon.tax.rules.land_building import LandBuildingRules
    from nakhon.tax.rules.signboard import SignboardRules


@overload
def load_rules(
    kind: Literal["signboard"], tax_year: int, local_dirs: Iterable[Path | str] = ...
) -> SignboardRules: ...
@overload
def load_rules(
    kind: Literal["land_building"], tax_year: int, local_dirs: Iterable[Path | str] = ...
) -> LandBuildingRules: ...
def load_rules(
    kind: str, tax_year: int, local_dirs: Iterable[Path | str] = ()
) -> SignboardRules | LandBuildingRules:
    """The validated rules of ``kind`` (``signboard`` | ``land_building``) for a B.E. tax year.

    Raises ``RuleNotFound`` for a year with no rule file and ``RuleError`` (file, key,
    reason) for an invalid one. ``local_dirs`` are a municipality's rule directories, laid
    over the national rules in order.
    """
    from nakhon.tax.rules import land_building, signboard

    kind = kind.replace("-", "_")
    doc = load_raw(kind, tax_year, local_dirs)
    reader = Reader(doc)
    parsed: SignboardRules | LandBuildingRules
    if kind == "signboard":
        parsed = signboard.parse_rules(reader, tax_year)
    else:
        parsed = land_building.parse_rules(reader, tax_year)
    reader.finish()
    return parsed


def available_years(kind: str, data_dir: Path = DATA_DIR) -> list[int]:
    """The B.E. tax years that have a national rule file for ``kind``."""
    return sorted(int(p.stem) for p in (data_dir / kind).glob("*.toml") if p.stem.isdigit())
