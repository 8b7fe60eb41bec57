"""Filtered, sorted, paged and grouped reads (nakhon.lake.query) on an in-memory table — by
both engines: DuckDB, and the indexed SQLite serving copy for what it answers — and the service
over the demo city's published datasets (query, downloads) with PDPA rules."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from nakhon.catalog.models import Dataset
from nakhon.core.errors import InvalidInput, NotFound
from nakhon.lake import query as q
from nakhon.lake import service, serving_index


@pytest.fixture
def table() -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES "
        "(1, 'ตลาดบางลำภู', 'ในเมือง', 120, DATE '2024-01-05', 13.5::DECIMAL(10,2)), "
        "(2, 'ตลาดโต้รุ่ง', 'ในเมือง', 80, DATE '2024-02-01', NULL), "
        "(3, 'ตลาด 100%_ปี', 'ศิลา', 300, DATE '2023-12-31', 2.25), "
        "(4, 'Market O''Neil', 'ศิลา', NULL, NULL, 7.00)"
        ") v(id, name, tambon, stalls, opened, fee)"
    )
    return con, con.table("t")


class Engine:
    """Answers specs over the ``table`` fixture as the service routes them: ``duckdb`` always
    by DuckDB; ``sqlite`` by the table's indexed SQLite copy whenever ``sqlite_answers`` says
    so (``force``: whatever it is asked, but group-by), else by DuckDB."""

    def __init__(self, name: str, table: tuple, folder: Path) -> None:
        self.name = name
        self.con, self.relation = table
        self.copy = None
        self.db = None
        if name == "sqlite":
            types = q.column_types(self.relation)
            path = folder / "copy.sqlite"
            self.copy = serving_index.build(path, types, lambda _cursor: self.relation)
            assert self.copy is not None
            self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        self.used: list[str] = []

    def run(self, spec: q.Spec, *, force: bool = False) -> q.Result:
        if self.copy is not None and self.db is not None:
            plain = not (spec.group_by or spec.aggregates)
            if q.sqlite_answers(spec, self.copy.indexed) or (force and plain):
                self.used.append("sqlite")
                return q.run_sqlite(
                    self.db,
                    serving_index.TABLE,
                    spec,
                    types=self.copy.types,
                    con=self.con,
                    rows=self.copy.rows,
                )
        self.used.append("duckdb")
        return q.run(self.con, self.relation, spec)


@pytest.fixture(params=["duckdb", "sqlite"])
def engine(request, table, tmp_path) -> Engine:
    return Engine(request.param, table, tmp_path)


def ids(result: q.Result) -> list[int]:
    return [r["id"] for r in result.rows]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (q.Spec(), [1, 2, 3, 4]),
        (q.Spec(conditions=[q.Condition("tambon", "eq", "ศิลา")]), [3, 4]),
        (q.Spec(conditions=[q.Condition("stalls", "gte", "120")]), [1, 3]),
        (q.Spec(conditions=[q.Condition("stalls", "lt", 120)]), [2]),
        (q.Spec(conditions=[q.Condition("stalls", "null")]), [4]),
        (q.Spec(conditions=[q.Condition("fee", "notnull")], sort=[("fee", True)]), [1, 4, 3]),
        (q.Spec(conditions=[q.Condition("id", "in", ["2", "4", "9"])]), [2, 4]),
        (q.Spec(conditions=[q.Condition("id", "in", [])]), []),
        (q.Spec(conditions=[q.Condition("opened", "gt", "2024-01-01")]), [1, 2]),
        (q.Spec(conditions=[q.Condition("name", "contains", "โต้")]), [2]),
        (q.Spec(conditions=[q.Condition("name", "ne", "ตลาดโต้รุ่ง")]), [1, 3, 4]),
        (q.Spec(q="100%_"), [3]),  # LIKE wildcards in q are literal
        (q.Spec(q="%"), [3]),
        (q.Spec(q="o'neil"), [4]),  # case-insensitive, quote is data
        (q.Spec(q="ศิลา"), [3, 4]),  # any text column
        (q.Spec(sort=[("stalls", True)]), [3, 1, 2, 4]),  # NULLs last either way
        (q.Spec(sort=[("stalls", False)]), [2, 1, 3, 4]),
        (q.Spec(sort=[("tambon", False), ("id", True)], limit=3), [4, 3, 2]),
        (q.Spec(sort=[("id", False)], limit=2, offset=2), [3, 4]),
        (q.Spec(limit=0), []),
    ],
)
def test_rows(engine, spec, expected):
    result = engine.run(spec)
    assert ids(result) == expected
    text_search = spec.q or any(c.op == "contains" for c in spec.conditions)
    if engine.name == "sqlite":  # the copy answers all but text search
        assert engine.used == ["duckdb" if text_search else "sqlite"]


def test_both_engines_give_the_same_values(table, tmp_path):
    duck, lite = Engine("duckdb", table, tmp_path), Engine("sqlite", table, tmp_path)
    for spec in (
        q.Spec(),
        q.Spec(sort=[("fee", False)]),
        q.Spec(conditions=[q.Condition("fee", "gte", "7")], sort=[("opened", True)]),
        q.Spec(conditions=[q.Condition("fee", "eq", "13.50")]),
        q.Spec(conditions=[q.Condition("opened", "lte", "2024-01-05")], offset=1),
    ):
        expected, got = duck.run(spec), lite.run(spec)
        assert got.rows == expected.rows  # Decimal('13.50'), dates, NULLs alike
        assert [type(v) for r in got.rows for v in r.values()] == [
            type(v) for r in expected.rows for v in r.values()
        ]
        assert (got.columns, got.types, got.total) == (
            expected.columns,
            expected.types,
            expected.total,
        )
    assert lite.used == ["sqlite"] * 5


def test_total_counts_every_matching_row_not_the_page(engine):
    result = engine.run(q.Spec(conditions=[q.Condition("tambon", "eq", "ศิลา")], limit=1))
    assert result.total == 2
    assert len(result.rows) == 1
    assert engine.run(q.Spec(include_total=False)).total is None
    assert engine.run(q.Spec(limit=1)).total == 4


def test_fields_and_types(engine):
    result = engine.run(q.Spec(columns=["name", "fee"], limit=1))
    assert result.columns == ["name", "fee"]
    assert list(result.rows[0]) == ["name", "fee"]
    assert result.types == {"name": "VARCHAR", "fee": "DECIMAL(10,2)"}


def test_group_by_with_aggregates(table):
    con, relation = table
    spec = q.Spec(
        group_by=["tambon"],
        aggregates=[("count", "*"), ("sum", "stalls"), ("max", "opened")],
        sort=[("sum_stalls", True)],
    )
    result = q.run(con, relation, spec)
    assert result.columns == ["tambon", "count", "sum_stalls", "max_opened"]
    assert [(r["tambon"], r["count"], r["sum_stalls"]) for r in result.rows] == [
        ("ศิลา", 2, 300),
        ("ในเมือง", 2, 200),
    ]
    assert result.total == 2
    assert result.types["count"] == "BIGINT"


@pytest.mark.parametrize(
    ("spec", "param", "words"),
    [
        (q.Spec(columns=["nope"]), "fields", "Unknown column 'nope'"),
        (q.Spec(conditions=[q.Condition("nope", "eq", 1)]), "filters.nope", "Unknown column"),
        (q.Spec(conditions=[q.Condition("stalls", "eq", "many")]), "filters.stalls", "'many'"),
        (q.Spec(conditions=[q.Condition("opened", "eq", "31 ก.พ.")]), "filters.opened", "date"),
        (q.Spec(conditions=[q.Condition("id", "like", "1")]), "filters.id", "Unknown operator"),
        (q.Spec(conditions=[q.Condition("id", "eq", None)]), "filters.id", "A value is needed"),
        (q.Spec(conditions=[q.Condition("id", "eq", {"a": 1})]), "filters.id", "single value"),
        (q.Spec(conditions=[q.Condition("id", "in", list(range(2000)))]), "filters.id", "1000"),
        (q.Spec(sort=[("nope", False)]), "sort", "Unknown column"),
        (q.Spec(limit=10_001), "limit", "between 0 and"),
        (q.Spec(offset=-1), "offset", "0 or more"),
        (q.Spec(q="x" * 201), "q", "too long"),
        (q.Spec(aggregates=[("median", "fee")]), "aggregate", "Unknown aggregate"),
        (q.Spec(aggregates=[("sum", "name")]), "aggregate", "numeric"),
        (q.Spec(aggregates=[("sum", "*")]), "aggregate", "needs a column"),
        (q.Spec(group_by=["tambon"], sort=[("id", False)]), "sort", "grouped"),
    ],
)
def test_bad_specs_are_clear_errors(engine, spec, param, words):
    with pytest.raises(q.QueryError) as caught:
        engine.run(spec, force=True)  # the copy's own checks, not only DuckDB's
    assert caught.value.param == param
    assert words in caught.value.message


def test_hostile_column_names_and_values_are_data(engine):
    evil = 'name" FROM t; DROP TABLE t; --'
    with pytest.raises(q.QueryError):
        engine.run(q.Spec(columns=[evil]), force=True)
    result = engine.run(q.Spec(conditions=[q.Condition("name", "eq", "'; DROP TABLE t; --")]))
    assert result.rows == []
    assert engine.con.execute("SELECT count(*) FROM t").fetchone() == (4,)
    assert engine.run(q.Spec()).total == 4


# -- the service over the demo city ---------------------------------------------------------


def markets(demo) -> Dataset:
    return Dataset.objects.get(municipality=demo.kk, slug="markets")


def mark_personal(dataset: Dataset, column: str) -> None:
    schema = dict(dataset.table_schema)
    schema["columns"] = [
        {**c, "personal": True} if c["name"] == column else c for c in schema["columns"]
    ]
    dataset.table_schema = schema
    dataset.save()


@pytest.mark.django_db
def test_query_over_a_published_dataset(demo):
    spec = q.Spec(conditions=[q.Condition("stalls", "gte", 100)], sort=[("stalls", True)], limit=3)
    page = service.query(actor=None, dataset=markets(demo), spec=spec)
    stalls = [r["stalls"] for r in page.result.rows]
    assert stalls == sorted(stalls, reverse=True)
    assert all(s >= 100 for s in stalls)
    assert page.version is not None and page.version.number == 1
    with pytest.raises(InvalidInput) as caught:
        service.query(actor=None, dataset=markets(demo), spec=q.Spec(columns=["nope"]))
    assert caught.value.errors == {"fields": "Unknown column 'nope'."}


@pytest.mark.django_db
def test_personal_columns_are_left_out_for_the_public_and_read_with_audit_by_staff(demo):
    from nakhon.core.models import AuditEvent

    dataset = markets(demo)
    mark_personal(dataset, "name_th")
    public = service.query(actor=None, dataset=dataset, spec=q.Spec())
    assert "name_th" not in public.result.columns
    assert public.hidden == ["name_th"]
    for spec in (
        q.Spec(columns=["name_th"]),
        q.Spec(conditions=[q.Condition("name_th", "contains", "ตลาด")]),
        q.Spec(sort=[("name_th", False)]),
        q.Spec(group_by=["name_th"]),
    ):
        with pytest.raises(InvalidInput):
            service.query(actor=None, dataset=dataset, spec=spec)
    # free text does not look into a hidden column
    name = service.query(actor=demo.user("kk-admin"), dataset=dataset, spec=q.Spec(limit=1))
    first = name.result.rows[0]["name_th"]
    assert service.query(actor=None, dataset=dataset, spec=q.Spec(q=first)).result.total == 0
    before = AuditEvent.objects.filter(action="personal_data.read").count()
    service.query(actor=demo.user("kk-admin"), dataset=dataset, spec=q.Spec(limit=2))
    assert AuditEvent.objects.filter(action="personal_data.read").count() == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "geojson", "parquet"])
def test_downloads_hold_every_row_of_the_version(demo, fmt):
    dataset = markets(demo)
    out = service.export(actor=None, dataset=dataset, fmt=fmt)
    assert out.filename == f"khon-kaen-markets-v1.{fmt}"
    data = out.path.read_bytes()
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        names = [r["name_th"] for r in rows]
    elif fmt == "json":
        names = [r["name_th"] for r in json.loads(data)]
    elif fmt == "geojson":
        doc = json.loads(data)
        assert doc["type"] == "FeatureCollection"
        point = doc["features"][0]["geometry"]
        assert point["type"] == "Point"
        lon, lat = point["coordinates"]
        assert 102 < lon < 103.5 and 15.5 < lat < 17
        names = [f["properties"]["name_th"] for f in doc["features"]]
    elif fmt == "parquet":
        names = pq.read_table(out.path).column("name_th").to_pylist()
    else:
        from openpyxl import load_workbook  # type: ignore[import-untyped]

        sheet = load_workbook(out.path, read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][1] == "name_th"
        names = [r[1] for r in values[1:]]
    assert len(names) == dataset.row_count
    assert all(isinstance(n, str) and n for n in names)
    again = service.export(actor=None, dataset=dataset, fmt=fmt)
    assert again.path == out.path  # versions never change: written once


@pytest.mark.django_db
def test_download_refusals(demo):
    communities = Dataset.objects.get(municipality=demo.kk, slug="communities")
    with pytest.raises(NotFound):
        service.export(actor=None, dataset=communities, fmt="geojson")  # no geometry
    with pytest.raises(NotFound):
        service.export(actor=None, dataset=communities, fmt="exe")
    with pytest.raises(NotFound):
        service.export(actor=None, dataset=communities, fmt="csv", version=99)
    first = service.export(actor=None, dataset=communities, fmt="csv", version=1)
    assert first.filename.endswith("-v1.csv")
    assert service.export(actor=None, dataset=communities, fmt="csv").filename.endswith("-v2.csv")


@pytest.mark.django_db
def test_a_download_with_personal_columns_is_temporary_and_audited(demo):
    from nakhon.core.models import AuditEvent

    dataset = markets(demo)
    dataset.table_schema = {
        **dataset.table_schema,
        "columns": [
            {**c, "personal": c["name"] == "name_th"} for c in dataset.table_schema["columns"]
        ],
    }
    dataset.save()
    public = service.export(actor=None, dataset=dataset, fmt="csv")
    assert "name_th" not in public.path.read_text(encoding="utf-8-sig").splitlines()[0]
    staff = service.export(actor=demo.user("kk-admin"), dataset=dataset, fmt="csv")
    assert staff.temporary
    assert "name_th" in staff.path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert AuditEvent.objects.filter(action="personal_data.read", personal_data=True).exists()
    staff.path.unlink()
