"""The ``nakhon`` command as a person runs it: a real process, a fresh data directory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import requests

from nakhon.config.env import REGISTRY
from tests.helpers import run, start


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the demo city built by `nakhon demo`."""
    data = tmp_path_factory.mktemp("demo")
    result = run(data, "demo")
    assert result.returncode == 0, result.stderr
    assert "khon-kaen" in result.stdout and "Traceback" not in result.stderr
    return data


def test_demo_builds_and_is_idempotent(built: Path) -> None:
    db = sqlite3.connect(built / "nakhon.sqlite3")
    slugs = {row[0] for row in db.execute("select slug from accounts_municipality")}
    events = db.execute("select count(*) from core_auditevent").fetchone()[0]
    assert slugs == {"khon-kaen", "sila"}
    again = run(built, "demo")
    assert again.returncode == 0 and "already present" in again.stdout
    assert db.execute("select count(*) from accounts_municipality").fetchone()[0] == 2
    assert db.execute("select count(*) from core_auditevent").fetchone()[0] == events


def test_demo_reset(tmp_path: Path) -> None:
    assert run(tmp_path, "demo").returncode == 0
    refused = run(tmp_path, "demo", "--reset", input="n\n")
    assert refused.returncode != 0  # asked, answered no: nothing deleted
    assert (tmp_path / "nakhon.sqlite3").exists()
    reset = run(tmp_path, "demo", "--reset", "--yes")
    assert reset.returncode == 0 and "Demo city built" in reset.stdout, reset.stderr


def test_check_passes_on_the_demo(built: Path) -> None:
    result = run(built, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_reports_an_unreachable_database(tmp_path: Path) -> None:
    result = run(tmp_path, "check", DATABASE_URL="postgres://nobody@127.0.0.1:9/nakhon")
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_config_lists_every_setting_with_help(tmp_path: Path) -> None:
    rows = json.loads(run(tmp_path, "config", "--json", SECRET_KEY="s3cret-value").stdout)
    assert [r["name"] for r in rows] == [s.name for s in REGISTRY]
    assert all(r["help"] for r in rows)
    by_name = {r["name"]: r for r in rows}
    assert by_name["SECRET_KEY"]["value"] == "********"
    text = run(tmp_path, "config", DATABASE_URL="postgres://u:pw@db:5432/n").stdout
    assert "pw@" not in text and "postgres://********@db:5432/n" in text


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"NAKHON_ENV": "production"}, "SECRET_KEY"),
        ({"NAKHON_ENV": "production", "SECRET_KEY": "short"}, "32 characters"),
        ({"NAKHON_ENV": "production", "SECRET_KEY": "x" * 50}, "NAKHON_ALLOWED_HOSTS"),
        (
            {
                "NAKHON_ENV": "production",
                "SECRET_KEY": "x" * 50,
                "NAKHON_ALLOWED_HOSTS": "a.example",
                "NAKHON_DEBUG": "true",
            },
            "NAKHON_DEBUG",
        ),
        ({"NAKHON_ENV": "staging"}, "NAKHON_ENV"),
        ({"NAKHON_PORT": "eighty"}, "NAKHON_PORT"),
        ({"NAKHON_DEBUG": "maybe"}, "NAKHON_DEBUG"),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"NAKHON_LANGUAGE": "fr"}, "NAKHON_LANGUAGE"),
        ({"NAKHON_TIME_ZONE": "Mars/Olympus"}, "NAKHON_TIME_ZONE"),
        ({"NAKHON_LOG_LEVEL": "LOUD"}, "NAKHON_LOG_LEVEL"),
    ],
)
def test_bad_configuration_is_one_clear_line(
    tmp_path: Path, env: dict[str, str], words: str
) -> None:
    for command in (["serve"], ["check"]):
        result = run(tmp_path, *command, env=env)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr


def test_production_refuses_the_demo(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "demo",
        NAKHON_ENV="production",
        SECRET_KEY="x" * 50,
        NAKHON_ALLOWED_HOSTS="data.example.go.th",
    )
    assert result.returncode == 2 and "production" in result.stderr


def test_city_add(built: Path, tmp_path: Path) -> None:
    boundary = {
        "type": "Polygon",
        "coordinates": [[[102.80, 16.40], [102.85, 16.40], [102.85, 16.45], [102.80, 16.40]]],
    }
    (tmp_path / "b.geojson").write_text(json.dumps(boundary), encoding="utf-8")
    good = (
        'slug = "tha-phra"\nlao_code = "5400198"\nkind = "subdistrict"\n'
        'name_th = "เทศบาลตำบลท่าพระ"\nname_en = "Tha Phra Subdistrict Municipality"\n'
        'province_code = "40"\ntambon_codes = ["400103"]\nboundary = "b.geojson"\n'
    )
    (tmp_path / "good.toml").write_text(good, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(
        good.replace('"5400198"', '"12"').replace('"40"', '"99"'), encoding="utf-8"
    )
    bad = run(built, "city", "add", str(tmp_path / "bad.toml"))
    assert bad.returncode == 2
    assert "lao_code" in bad.stderr and "province_code" in bad.stderr
    assert "Traceback" not in bad.stderr
    ok = run(built, "city", "add", str(tmp_path / "good.toml"))
    assert ok.returncode == 0, ok.stderr
    assert "/tha-phra/" in ok.stdout
    listed = json.loads(run(built, "city", "list", "--json").stdout)
    assert "tha-phra" in {row["slug"] for row in listed}
    missing = run(built, "city", "add", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_database_not_ready_is_a_clear_message(tmp_path: Path) -> None:
    result = run(tmp_path, "city", "list")
    assert result.returncode == 2 and "nakhon migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_login_link(built: Path) -> None:
    ok = run(built, "login-link", "kk-viewer", "--next", "/khon-kaen/")
    assert ok.returncode == 0 and "/accounts/link/" in ok.stdout
    nobody = run(built, "login-link", "nobody")
    assert nobody.returncode == 2 and "nobody" in nobody.stderr


def test_first_run_serves_the_demo_with_a_working_sign_in_link(tmp_path: Path) -> None:
    """Command 1 of the README: `nakhon` with no arguments on an empty data directory."""
    server = start(tmp_path)
    try:
        text = server.output
        assert "เทศบาลนครขอนแก่น" in text and "kk-admin" in text
        session = requests.Session()
        response = session.get(server.sign_in_link(), timeout=10)
        assert response.status_code == 200 and response.url == f"{server.base_url}/khon-kaen/"
        assert session.get(f"{server.base_url}/khon-kaen/staff/", timeout=10).status_code == 200
        assert session.get(f"{server.base_url}/sila/staff/", timeout=10).status_code == 404
        # the link was for one use only
        assert requests.get(server.sign_in_link(), timeout=10).status_code == 404
        font = requests.get(
            f"{server.base_url}/static/vendor/sarabun/files/sarabun-thai-400-normal.woff2",
            timeout=10,
        )
        assert font.status_code == 200
    finally:
        server.stop()


def test_serve_port_option(built: Path) -> None:
    server = start(built, "serve")
    try:
        assert requests.get(f"{server.base_url}/version", timeout=10).json()["name"] == "nakhon"
    finally:
        server.stop()


def test_help_lists_commands(tmp_path: Path) -> None:
    out = run(tmp_path, "--help").stdout
    for command in ("demo", "serve", "check", "config", "city", "login-link", "migrate", "manage"):
        assert command in out
