"""The plugin hooks: Nakhon's defaults come through them, and a plugin registered at test time
adds a reader, a check, a rule directory, a metadata field and a panel that the services use."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import format_html
from django.utils.translation import override

from nakhon.catalog import services as catalog_services
from nakhon.catalog.extras import MetadataField, extras_rows, metadata_fields
from nakhon.catalog.models import Dataset, IngestRun
from nakhon.config.env import ConfigError
from nakhon.core.errors import InvalidInput
from nakhon.core.thai import format_thai_date
from nakhon.ingestion import checks
from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.pipeline import IngestRejected, ingest, upload_store
from nakhon.ingestion.readers import open_source, upload_suffixes
from nakhon.ingestion.readers.formats import registered
from nakhon.plugins import hookspecs, manager
from nakhon.plugins.manager import DEFAULT_PLUGINS, build, get_plugin_manager, registered_plugin
from nakhon.plugins.tests import example_plugin
from nakhon.plugins.toolkit import Panel, hookimpl
from nakhon.tax.quotes import quote_signboard

HEADER = "รหัส|ชื่อ|วันที่สำรวจ|จำนวน\n"


def psv(tmp_path: Path, body: str, name: str = "survey.psv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# --- the defaults ---------------------------------------------------------------------------


def test_the_defaults_are_registered_first() -> None:
    names = [name for name, _plugin in get_plugin_manager().list_name_plugin()]
    assert set(DEFAULT_PLUGINS) <= set(names)
    hooks = {spec for spec in dir(hookspecs) if not spec.startswith("_") and spec != "hookspec"}
    hooks.discard("annotations")
    assert {"register_readers", "register_checks", "tax_rule_dirs"} <= hooks


def test_the_default_readers_give_todays_formats() -> None:
    formats = registered()
    assert list(formats.by_name) == [
        "csv",
        "xlsx",
        "xlsb",
        "xls",
        "ods",
        "json",
        "jsonl",
        "geojson",
        "shapefile",
        "parquet",
    ]
    assert formats.extensions[".tsv"] == "csv" and formats.extensions[".zip"] == "shapefile"
    assert formats.aliases["excel"] == "xlsx" and formats.content["zip"] == "shapefile"
    assert ", ".join(formats.titles_en) == (
        "CSV/TSV, XLSX, XLS, ODS, JSON, JSON Lines, GeoJSON, zipped Shapefile, Parquet"
    )


def test_the_default_checks_are_todays_checks() -> None:
    assert checks.registered_checks() == checks.CHECKS


def test_loading_the_plugins_imports_no_reader_nor_duckdb() -> None:
    code = (
        "import sys; from nakhon.plugins.manager import build; build([], entry_points=True); "
        "print(sorted(m for m in ('pyarrow', 'duckdb', 'polars', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


# --- configuration errors -------------------------------------------------------------------


def test_a_missing_plugin_module_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigError) as caught:
        build(["khonkaen_rules.plugin"], entry_points=False)
    message = str(caught.value)
    assert "khonkaen_rules.plugin" in message and "NAKHON_PLUGINS" in message
    assert "no module named 'khonkaen_rules'" in message


def test_a_plugin_with_a_misnamed_hook_is_refused() -> None:
    class Typo:
        @hookimpl
        def register_reader(self) -> list[Any]:  # the hook is register_readers
            return []

    sys.modules["nakhon_test_typo"] = Typo()  # type: ignore[assignment]
    try:
        with pytest.raises(ConfigError, match="nakhon_test_typo"):
            build(["nakhon_test_typo"], entry_points=False)
    finally:
        del sys.modules["nakhon_test_typo"]


def test_nakhon_plugins_with_a_missing_module_stops_the_cli(tmp_path: Path) -> None:
    nakhon = Path(sys.executable).parent / "nakhon"
    out = subprocess.run(
        [str(nakhon), "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "NAKHON_DATA_DIR": str(tmp_path),
            "NAKHON_PLUGINS": "khonkaen_rules.plugin",
        },
    )
    assert out.returncode == 2
    assert "configuration error: the plugin khonkaen_rules.plugin (NAKHON_PLUGINS)" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_plugin_returning_the_wrong_type_is_named() -> None:
    class Wrong:
        @hookimpl
        def register_readers(self) -> list[Any]:
            return ["psv"]

    with registered_plugin(Wrong(), "wrong-readers"), pytest.raises(ConfigError) as caught:
        registered()
    assert "wrong-readers" in str(caught.value) and "ReaderFormat" in str(caught.value)


# --- a reader and a check from a plugin --------------------------------------------------------


def test_a_plugin_reader_opens_its_format(tmp_path: Path) -> None:
    path = psv(tmp_path, "1|ก|1 มี.ค. 2566|5\n2||2 มี.ค. 2566|6\n")
    with open_source(path) as source:  # no plugin: an unknown extension, text → the CSV reader
        assert source.info.format == "csv"
    with registered_plugin(example_plugin):
        assert ".psv" in upload_suffixes()
        with open_source(path) as source:
            assert source.columns == ["รหัส", "ชื่อ", "วันที่สำรวจ", "จำนวน"]
            assert source.info.format == "psv"
            rows = [r for batch in source.batches() for r in batch.to_pylist()]
        assert [r["_row"] for r in rows] == [2, 3] and rows[1]["ชื่อ"] is None
        with pytest.raises(IngestError) as caught:
            open_source(path, format="nope")
        listed = (
            "CSV/TSV, XLSX, XLS, ODS, JSON, JSON Lines, GeoJSON, zipped Shapefile, Parquet, PSV"
        )
        assert listed in caught.value.message_en
        ragged = psv(tmp_path, "1|ก|1 มี.ค. 2566\n", name="ragged.psv")
        with pytest.raises(IngestError) as caught, open_source(ragged) as source:
            list(source.batches())
        assert caught.value.code == "psv-ragged-row" and caught.value.row == 2
    assert ".psv" not in upload_suffixes()


@pytest.mark.django_db
def test_an_ingest_uses_the_plugin_reader_and_check(
    demo: Any, fresh_lake: Path, tmp_path: Path
) -> None:
    later = dt.date.today() + dt.timedelta(days=400)
    future = format_thai_date(later)  # "2 ม.ค. 2570", as the good rows are written
    with registered_plugin(example_plugin):
        assert [type(c).__name__ for c in checks.registered_checks()][-1] == "NoFutureDate"
        good = psv(tmp_path, "1|ก|1 มี.ค. 2566|5\n2|ข|2 มี.ค. 2566|6\n")
        result = ingest(
            actor=demo.user("kk-steward"),
            municipality=demo.kk,
            dataset_slug="survey-psv",
            path=good,
            create={"title_th": "แบบสำรวจ", "department": "strategy"},
        )
        assert result.published and result.run.source_info["format"] == "psv"
        # the steward's upload takes the plugin's extension too
        kept = upload_store(municipality=demo.kk, name="survey.psv", chunks=[good.read_bytes()])
        assert kept.suffix == ".psv" and kept.read_bytes() == good.read_bytes()
        dataset = Dataset.objects.get(municipality=demo.kk, slug="survey-psv")
        types = {c["name"]: c["type"] for c in dataset.table_schema["columns"]}
        assert types["วันที่สำรวจ"] == "date"
        bad = psv(tmp_path, f"1|ก|1 มี.ค. 2566|5\n2|ข|{future}|6\n", name="bad.psv")
        with pytest.raises(IngestRejected):
            ingest(
                actor=demo.user("kk-steward"),
                municipality=demo.kk,
                dataset_slug="survey-psv",
                path=bad,
            )
    run = IngestRun.objects.filter(dataset=dataset).order_by("-id").first()
    assert run is not None and run.state == "rejected" and run.rows_error == 1
    (problem,) = run.summary["problems"]
    assert problem["rule"] == "no-future-date" and problem["severity"] == "error"
    assert problem["row"] == 3 and problem["column"] == "วันที่สำรวจ"
    assert "a date in the future" in problem["message_en"]
    assert "วันที่ในอนาคต" in problem["message_th"]


def test_a_check_with_an_undeclared_code_is_refused() -> None:
    class Undeclared(checks.ColumnCheck):
        codes = ("no-such-rule",)

    class Plugin:
        @hookimpl
        def register_checks(self) -> list[Any]:
            return [Undeclared]

    with registered_plugin(Plugin()), pytest.raises(ConfigError, match="no-such-rule"):
        checks.registered_checks()


# --- tax rule directories --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plugin_rule_directory_changes_a_quote(demo: Any, tmp_path: Path) -> None:
    def quote() -> Decimal:
        return quote_signboard(
            tax_year=2568,
            sign_type=1,
            moving=False,
            width_cm=50,
            height_cm=100,
            installed_on=dt.date(2025, 11, 1),
            municipality=demo.kk,
        ).tax_baht

    national = quote()
    local = tmp_path / "relief" / "signboard"
    local.mkdir(parents=True)
    (local / "2568.toml").write_text(
        'kind = "signboard"\ntax_year = 2568\n[minimum_after_proration]\n'
        'source = "เทศบัญญัติ (test)"\nstatus = "unconfirmed"\nvalue = false\n',
        encoding="utf-8",
    )

    class Relief:
        @hookimpl
        def tax_rule_dirs(self, municipality: Any) -> list[Path]:
            return [tmp_path / "relief"] if municipality.slug == "khon-kaen" else []

    with registered_plugin(Relief()):
        assert quote() == Decimal("50.00") != national  # max(50, 200) × 25 % instead
    assert quote() == national


# --- dataset metadata fields -----------------------------------------------------------------


class BudgetCode:
    @hookimpl
    def dataset_metadata_fields(self) -> list[MetadataField]:
        return [
            MetadataField(
                name="budget_code",
                label_th="รหัสงบประมาณ",
                label_en="Budget code",
                help_th="รหัสตามแผนงบประมาณ",
                help_en="The code in the budget plan",
            ),
            MetadataField(
                name="reviewed_on", label_th="วันที่ทบทวน", label_en="Reviewed on", type="date"
            ),
        ]


@pytest.mark.django_db
def test_a_metadata_field_from_a_plugin_is_stored_and_shown(demo: Any, client_as: Any) -> None:
    dataset = Dataset.objects.filter(municipality=demo.kk, classification="public").first()
    assert dataset is not None
    with registered_plugin(BudgetCode()):
        assert [f.name for f in metadata_fields()] == ["budget_code", "reviewed_on"]
        catalog_services.dataset_update(
            actor=demo.user("kk-admin"),
            municipality=demo.kk,
            dataset=dataset,
            data={"extras": {"budget_code": "KK-2568-04", "reviewed_on": "2025-03-02"}},
        )
        dataset.refresh_from_db()
        assert dataset.extras == {"budget_code": "KK-2568-04", "reviewed_on": "2025-03-02"}
        client = client_as(None)
        url = f"/khon-kaen/datasets/{dataset.slug}/"
        page = client.get(url).content.decode()
        assert "รหัสงบประมาณ" in page and "KK-2568-04" in page and "2 มี.ค. 2568" in page
        with override("en"):
            assert [label for label, _v in extras_rows(dataset.extras)] == [
                "Budget code",
                "Reviewed on",
            ]
        twin = client.get(url, {"format": "json"}).json()
        assert twin["extras"] == {"budget_code": "KK-2568-04", "reviewed_on": "2025-03-02"}
        package = client.get("/khon-kaen/api/3/action/package_show", {"id": dataset.slug}).json()
        extras = {e["key"]: e["value"] for e in package["result"]["extras"]}
        assert extras == {"budget_code": "KK-2568-04", "reviewed_on": "2025-03-02"}
        form = client_as("kk-admin").get("/khon-kaen/datasets/new/").content.decode()
        assert 'name="extra_budget_code"' in form and "รหัสตามแผนงบประมาณ" in form
        with pytest.raises(InvalidInput) as caught:
            catalog_services.dataset_update(
                actor=demo.user("kk-admin"),
                municipality=demo.kk,
                dataset=dataset,
                data={"extras": {"reviewed_on": "not a date", "colour": "red"}},
            )
        assert set(caught.value.errors) == {"extra_reviewed_on", "extra_colour"}
    page = client_as(None).get(f"/khon-kaen/datasets/{dataset.slug}/").content.decode()
    assert "รหัสงบประมาณ" not in page  # the plugin is gone: its field is not shown


@pytest.mark.django_db
def test_the_back_office_edits_the_plugin_fields(demo: Any, client_as: Any) -> None:
    import json

    dataset = Dataset.objects.filter(municipality=demo.kk, classification="public").first()
    assert dataset is not None
    dataset.extras = {"budget_code": "KK-1", "from_a_removed_plugin": 1}
    dataset.save()
    client = client_as("kk-admin")
    url = f"/admin/catalog/dataset/{dataset.pk}/change/"
    with registered_plugin(BudgetCode()):
        form = client.get(url).context["adminform"].form
        assert "extras" not in form.fields and form.initial["extra_budget_code"] == "KK-1"
        data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
        data.update(
            {
                "municipality": demo.kk.pk,
                "department": dataset.department_id,
                "objective": json.dumps(dataset.objective),
                "data_format": json.dumps(dataset.data_format),
                "data_language": json.dumps(dataset.data_language),
                "disaggregate": json.dumps(dataset.disaggregate),
                "table_schema": json.dumps(dataset.table_schema),
                "extra_budget_code": "KK-2",
                "extra_reviewed_on": "2025-03-02",
                "resources-TOTAL_FORMS": 0,
                "resources-INITIAL_FORMS": 0,
            }
        )
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
    dataset.refresh_from_db()
    assert dataset.extras == {
        "budget_code": "KK-2",
        "reviewed_on": "2025-03-02",
        "from_a_removed_plugin": 1,  # kept: a value is never lost with its plugin
    }


# --- dashboard panels -------------------------------------------------------------------------


class Panels:
    @hookimpl
    def dashboard_panels(self, municipality: Any, request: Any) -> list[Panel]:
        return [
            Panel(title="ค่าฝุ่น PM2.5", html=format_html("<p>{} µg/m³</p>", 42), audience="public"),
            Panel(title="งานค้าง", html="<b>7</b>", order=1),  # not marked safe: escaped
        ]


@pytest.mark.django_db
def test_panels_from_a_plugin_show_on_the_city_home(demo: Any, client_as: Any) -> None:
    with registered_plugin(Panels()):
        public = client_as(None).get("/khon-kaen/").content.decode()
        staff = client_as("kk-admin").get("/khon-kaen/").content.decode()
    assert "ค่าฝุ่น PM2.5" in public and "<p>42 µg/m³</p>" in public
    assert "งานค้าง" not in public  # a staff panel
    assert "งานค้าง" in staff and "&lt;b&gt;7&lt;/b&gt;" in staff
    assert staff.index("งานค้าง") < staff.index("ค่าฝุ่น PM2.5")  # by order
    assert "ค่าฝุ่น" not in client_as(None).get("/khon-kaen/").content.decode()


def test_the_manager_forgets_a_test_plugin() -> None:
    before = manager.get_plugin_manager().generation
    with registered_plugin(Panels()):
        pass
    assert manager.get_plugin_manager().generation == before + 2
