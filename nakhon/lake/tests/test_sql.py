"""Staff-only analytical SQL: who may, what runs, what is refused, what is logged."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from nakhon.core.errors import InvalidInput, NotFound, PermissionDenied
from nakhon.core.models import AuditEvent
from nakhon.lake import sql as lake_sql

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def run(demo, user: str, text: str):
    return lake_sql.run(actor=demo.user(user), municipality=demo.kk, sql=text)


def test_a_steward_queries_the_city_tables(demo):
    result = run(
        demo,
        "kk-steward",
        "SELECT count(*) AS n, sum(stalls) AS stalls FROM markets WHERE stalls > 0",
    )
    assert result.columns == ["n", "stalls"]
    assert result.rows[0][0] == 8
    assert "stall_holders" in result.tables and "elderly_allowance" in result.tables
    joined = run(
        demo,
        "kk-executive",
        "WITH m AS (SELECT name_th FROM markets) "
        "SELECT s.ตลาด, count(*) FROM stall_holders s JOIN m ON m.name_th = s.ตลาด GROUP BY 1",
    )
    assert sum(r[1] for r in joined.rows) == 40


def test_personal_columns_only_for_roles_that_may_see_them(demo):
    with pytest.raises(InvalidInput) as caught:
        run(demo, "kk-steward", "SELECT เลขประจำตัวประชาชน FROM stall_holders")
    assert "เลขประจำตัวประชาชน" in caught.value.message
    star = run(demo, "kk-executive", "SELECT * FROM stall_holders LIMIT 1")
    assert "โทรศัพท์" not in star.columns
    admin = run(demo, "kk-admin", "SELECT เลขประจำตัวประชาชน FROM stall_holders LIMIT 1")
    assert len(admin.rows[0][0]) == 13
    event = AuditEvent.objects.filter(action="lake.sql").order_by("-id").first()
    assert event.personal_data is True
    assert "stall_holders.เลขประจำตัวประชาชน" in event.changes["personal_columns"]


@pytest.mark.parametrize("user", ["kk-viewer", "kk-engineer", "kk-tax"])
def test_other_roles_may_not(demo, user):
    with pytest.raises(PermissionDenied):
        run(demo, user, "SELECT 1")


def test_another_citys_staff_do_not_even_see_it(demo):
    with pytest.raises(NotFound):
        run(demo, "sila-admin", "SELECT 1")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "SELECT"),
        ("DROP TABLE markets", "Only SELECT"),
        ("CREATE TABLE x AS SELECT 1", "Only SELECT"),
        ("SELECT 1; SELECT 2", "one query"),
        ("INSTALL httpfs", "Only SELECT"),
        ("ATTACH '/tmp/x.db'", "Only SELECT"),
        ("COPY markets TO '/tmp/x.csv'", "Only SELECT"),
        ("SELECT * FROM read_csv('/etc/passwd')", "failed"),
        ("SELECT * FROM '/etc/passwd'", "failed"),
        ("SELECT * FROM read_parquet('/tmp/*.parquet')", "failed"),
        ("SELECT * FROM read_text('https://example.org/')", "failed"),
        ("SELECT set_config('x')", "failed"),
        ("SELECT current_setting('enable_external_access') = false AND nope", "failed"),
        ("SELEC 1", "cannot be read"),
        ("SELECT * FROM elderly", "failed"),
    ],
)
def test_refusals_are_clear_and_audited(demo, text, words):
    with pytest.raises(InvalidInput) as caught:
        run(demo, "kk-admin", text)
    assert words in caught.value.message
    event = AuditEvent.objects.filter(action="lake.sql").order_by("-id").first()
    assert event.changes["refused"] == caught.value.message


@override_settings(NAKHON_SQL_TIMEOUT=1)
def test_a_long_query_is_stopped(demo):
    with pytest.raises(InvalidInput) as caught:
        run(demo, "kk-admin", "SELECT count(*) FROM range(100000000000) a")
    assert "stopped" in caught.value.message


@override_settings(NAKHON_SQL_ROW_CAP=5)
def test_rows_are_capped(demo):
    result = run(demo, "kk-admin", "SELECT * FROM range(100)")
    assert len(result.rows) == 5 and result.truncated


def test_page_and_api(demo, client_as, token_for, client):
    page = client_as("kk-steward").post("/khon-kaen/sql/", {"sql": "SELECT count(*) FROM budget"})
    assert page.status_code == 200 and "42" in page.content.decode()
    bad = client_as("kk-steward").post("/khon-kaen/sql/", {"sql": "DELETE FROM budget"})
    assert bad.status_code == 422
    assert client_as("kk-viewer").get("/khon-kaen/sql/").status_code == 403
    assert client.get("/khon-kaen/sql/").status_code in (302, 403)
    token = token_for("kk-steward", scopes=["read"], municipality="khon-kaen")
    response = client.post(
        "/api/v1/municipalities/khon-kaen/sql",
        json.dumps({"sql": "SELECT max(stalls) AS most FROM markets"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["columns"] == ["most"]
    anonymous = client.post(
        "/api/v1/municipalities/khon-kaen/sql",
        json.dumps({"sql": "SELECT 1"}),
        content_type="application/json",
    )
    assert anonymous.status_code in (401, 403)
