"""The whole ingest: file → report → version, through the services the CLI, pages and API use.

Each test has its own lake (``fresh_lake``) because the lake is not rolled back with the
test database.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun
from nakhon.core.models import AuditEvent
from nakhon.demo.datasets import write_files
from nakhon.ingestion.errors import IngestError
from nakhon.ingestion.pipeline import IngestRejected, ingest
from nakhon.lake import service as lake_service

pytestmark = pytest.mark.django_db

HEADER = "รหัส,ชื่อ,วันที่สำรวจ,จำนวน\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "cp874") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def new(demo: Any, path: Path, slug: str = "survey", **kw: Any) -> Any:
    return ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug=slug,
        path=path,
        create={"title_th": "แบบสำรวจ", "department": "strategy"},
        **kw,
    )


def test_new_dataset_from_a_cp874_file_then_a_second_version(
    demo: Any, fresh_lake: Path, tmp_path: Path
) -> None:
    files = write_files(tmp_path / "files")
    first = new(demo, files["communities"][0], slug="communities-test")
    assert first.published and first.version.number == 1
    dataset = Dataset.objects.get(slug="communities-test", municipality=demo.kk)
    types = {c["name"]: c["type"] for c in dataset.table_schema["columns"]}
    assert types["วันที่สำรวจ"] == "date" and types["จำนวนครัวเรือน"] == "integer"
    assert first.run.source_info["encoding"] in {"cp874", "tis-620", "windows-874"}
    second = ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug="communities-test",
        path=files["communities"][1],
    )
    assert second.version.number == 2
    versions = list(DatasetVersion.objects.filter(dataset=dataset).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].actor_label == "kk-steward" and versions[1].rows_total == 30
    old = lake_service.rows(actor=None, dataset=dataset, version=1, limit=100)
    new_rows = lake_service.rows(actor=None, dataset=dataset, limit=100)
    assert old.total == new_rows.total == 30 and old.rows != new_rows.rows
    as_of = lake_service.rows(actor=None, dataset=dataset, as_of=versions[0].committed_at)
    assert as_of.version is not None and as_of.version.number == 1
    changes = lake_service.diff(actor=None, dataset=dataset, old=1, new=2)
    assert changes["changed"] + changes["added"] + changes["removed"] > 0
    assert (
        AuditEvent.objects.filter(action="dataset.publish", object_id=str(dataset.pk)).count() == 2
    )


def test_invalid_rows_publish_nothing_under_valid_only(
    demo: Any, fresh_lake: Path, tmp_path: Path
) -> None:
    good = write(tmp_path, "good.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,2 มี.ค. 2566,6\n")
    result = new(demo, good)
    dataset = result.dataset
    bad = write(tmp_path, "bad.csv", HEADER + "1,ก,31 ก.พ. 2566,5\n2,ข,2 มี.ค. 2566,หก\n")
    with pytest.raises(IngestRejected):
        ingest(actor=demo.user("kk-steward"), municipality=demo.kk, dataset_slug="survey", path=bad)
    run = IngestRun.objects.filter(dataset=dataset).order_by("-id").first()
    assert run is not None and run.state == "rejected" and run.rows_error == 2
    problems = run.summary["problems"]
    assert {p["row"] for p in problems} == {2, 3}
    assert any(p["column"] == "วันที่สำรวจ" and "31" in str(p["value"]) for p in problems)
    assert all(p["message_th"] and p["message_en"] for p in problems)
    assert Path(run.report_file).exists()
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
    page = lake_service.rows(actor=None, dataset=dataset)
    assert page.total == 2 and page.version is not None and page.version.number == 1


def test_quarantine_publishes_the_valid_rows(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n")
    new(demo, good)
    mixed = write(
        tmp_path, "mixed.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,31 ก.พ. 2566,6\n3,ค,3 มี.ค. 2566,7\n"
    )
    result = ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug="survey",
        path=mixed,
        policy="quarantine",
    )
    assert result.published and result.version.rows_total == 2
    assert result.report.error_rows == 1


def test_unreadable_file_changes_nothing(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n")
    new(demo, good)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(IngestError) as info:
        ingest(
            actor=demo.user("kk-steward"), municipality=demo.kk, dataset_slug="survey", path=binary
        )
    assert "PNG" in info.value.message_en or "binary" in info.value.message_en.lower()
    run = IngestRun.objects.order_by("-id").first()
    assert run is not None and run.state == "failed" and run.error_code == info.value.code
    assert DatasetVersion.objects.filter(dataset__slug="survey").count() == 1


def test_validate_only_publishes_nothing(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n")
    new(demo, good)
    result = ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug="survey",
        path=good,
        publish=False,
    )
    assert not result.published and result.run.state == "validated"
    assert DatasetVersion.objects.filter(dataset__slug="survey").count() == 1


def test_personal_columns_are_masked_for_the_public(
    demo: Any, fresh_lake: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "รหัส,ชื่อ-สกุล,เลขประจำตัวประชาชน,ชุมชน\n1,นายสมชาย ใจดี,1101700207510,โนนทัน\n",
        encoding="utf-8",
    )
    result = new(demo, path, slug="people")
    dataset = result.dataset
    personal = set(dataset.personal_columns())
    assert {"ชื่อ-สกุล", "เลขประจำตัวประชาชน"} <= personal
    public = lake_service.rows(actor=None, dataset=dataset)
    text = str(public.rows)
    assert "สมชาย" not in text and "1101700207510" not in text and "โนนทัน" in text
    before = AuditEvent.objects.filter(personal_data=True).count()
    officer = lake_service.rows(actor=demo.user("kk-tax"), dataset=dataset)
    assert "สมชาย" in str(officer.rows)
    assert AuditEvent.objects.filter(personal_data=True).count() == before + 1


def test_steward_web_flow_new_upload_report_publish(
    demo: Any, fresh_lake: Path, client_as: Any
) -> None:
    client = client_as("kk-steward")
    csv_bytes = (HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,2 มี.ค. 2566,6\n").encode("cp874")
    upload = io.BytesIO(csv_bytes)
    upload.name = "สำรวจ.csv"
    response = client.post(
        "/khon-kaen/datasets/new/",
        {
            "slug": "web-survey",
            "title_th": "แบบสำรวจจากเว็บ",
            "department": "strategy",
            "data_type": "record",
            "classification": "public",
            "update_frequency_unit": "month",
            "update_frequency_interval": 1,
            "mode": "replace",
            "policy": "valid-only",
            "file": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run_url = response["Location"]
    page = client.get(run_url).content.decode()
    assert "รหัส" in page  # the inferred columns are shown with the report
    run = IngestRun.objects.order_by("-id").first()
    assert run is not None and run.state == "validated", run.error_message
    publish = client.post(f"{run_url}publish/")
    assert publish.status_code == 302
    dataset = Dataset.objects.get(slug="web-survey")
    assert dataset.versions.count() == 1 and dataset.row_count == 2
    detail = client.get("/khon-kaen/datasets/web-survey/").content.decode()
    assert "เป็นปัจจุบัน" in detail  # fresh
    state = client.get(f"{run_url}?format=json").json()
    assert state["state"] == "validated"


def test_api_upload_and_rows(demo: Any, fresh_lake: Path, tmp_path: Path, token_for: Any) -> None:
    new(demo, write(tmp_path, "a.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n"))
    raw = token_for("kk-steward", scopes=["read", "write"])
    upload = io.BytesIO((HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,2 มี.ค. 2566,6\n").encode("cp874"))
    upload.name = "b.csv"
    response = Client().post(
        "/api/v1/municipalities/khon-kaen/datasets/survey/runs",
        {"file": upload, "publish": "true"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "published"
    rows = Client().get("/api/v1/municipalities/khon-kaen/datasets/survey/rows?version=1").json()
    assert rows["total"] == 1 and rows["version"] == 1
    latest = Client().get("/api/v1/municipalities/khon-kaen/datasets/survey/rows").json()
    assert latest["total"] == 2 and latest["version"] == 2
    versions = Client().get("/api/v1/municipalities/khon-kaen/datasets/survey/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    viewer = token_for("kk-viewer", scopes=["read", "write"])
    denied = Client().post(
        "/api/v1/municipalities/khon-kaen/datasets/survey/runs",
        {"file": io.BytesIO(b"x")},
        HTTP_AUTHORIZATION=f"Bearer {viewer}",
    )
    assert denied.status_code == 403


def test_upsert_by_primary_key(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    new(demo, write(tmp_path, "a.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,2 มี.ค. 2566,6\n"))
    dataset = Dataset.objects.get(slug="survey", municipality=demo.kk)
    assert dataset.table_schema["primary_key"] == ["รหัส"]
    change = write(tmp_path, "b.csv", HEADER + "2,ข,2 มี.ค. 2566,60\n3,ค,3 มี.ค. 2566,7\n")
    result = ingest(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset_slug="survey",
        path=change,
        mode="upsert",
    )
    assert result.version is not None and result.version.rows_total == 3
    page = lake_service.rows(actor=None, dataset=dataset, limit=10)
    by_key = {row[0]: row for row in page.rows}
    assert set(by_key) == {1, 2, 3} and by_key[2][3] == 60
    changes = lake_service.diff(actor=None, dataset=dataset, old=1, new=2)
    assert (changes["added"], changes["removed"], changes["changed"]) == (1, 0, 1)


def test_pull_from_a_url(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    """A dataset with a source URL is downloaded and published (the scheduler does the same)."""
    import http.server
    import threading

    from nakhon.ingestion.pull import due_for_pull, pull

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "survey.csv").write_bytes((HEADER + "1,ก,1 มี.ค. 2566,5\n").encode("cp874"))
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
        *a, directory=str(tmp_path / "www"), **k
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/survey.csv"
        new(demo, write(tmp_path, "seed.csv", HEADER + "9,ซ,9 มี.ค. 2566,9\n"))
        dataset = Dataset.objects.get(slug="survey", municipality=demo.kk)
        Dataset.objects.filter(pk=dataset.pk).update(source_url=url, pull_every_hours=24)
        dataset.refresh_from_db()
        assert dataset in due_for_pull()
        result = pull(dataset)
        assert result.version is not None and result.version.number == 2
        assert result.run.source_name == url
        assert dataset not in due_for_pull()  # pulled within the last 24 hours
        with pytest.raises(IngestError) as info:
            Dataset.objects.filter(pk=dataset.pk).update(source_url=url + ".missing")
            dataset.refresh_from_db()
            pull(dataset)
        assert info.value.code in {"url-unreachable", "url-status"}
    finally:
        httpd.shutdown()


def test_a_lake_refusal_is_a_clear_error_and_changes_nothing(
    demo: Any, fresh_lake: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    from nakhon.core.errors import InvalidInput
    from nakhon.lake.iceberg import Lake
    from nakhon.lake.model import LakeError

    new(demo, write(tmp_path, "a.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n"))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise LakeError("concurrent-publish", "another publish committed first")

    monkeypatch.setattr(Lake, "publish", refuse)
    with pytest.raises(InvalidInput) as info:
        ingest(
            actor=demo.user("kk-steward"),
            municipality=demo.kk,
            dataset_slug="survey",
            path=write(tmp_path, "b.csv", HEADER + "2,ข,2 มี.ค. 2566,6\n"),
        )
    assert info.value.code == "concurrent-publish"
    assert "another publish committed first" in info.value.message
    run = IngestRun.objects.order_by("-id").first()
    assert run is not None and run.state == "failed" and run.error_code == "concurrent-publish"
    assert DatasetVersion.objects.filter(dataset__slug="survey").count() == 1


def test_upload_of_an_unreadable_type_creates_nothing(
    demo: Any, fresh_lake: Path, client_as: Any
) -> None:
    upload = io.BytesIO(b"%PDF-1.7 not data")
    upload.name = "report.pdf"
    response = client_as("kk-steward").post(
        "/khon-kaen/datasets/new/",
        {
            "slug": "pdf-data",
            "title_th": "รายงาน",
            "department": "strategy",
            "data_type": "record",
            "classification": "public",
            "update_frequency_unit": "year",
            "update_frequency_interval": 1,
            "mode": "replace",
            "policy": "valid-only",
            "file": upload,
        },
    )
    assert response.status_code == 200  # the form again, with the reason on the file field
    assert "file" in response.context["form"].errors
    assert not Dataset.objects.filter(slug="pdf-data").exists()
    assert not IngestRun.objects.filter(source_name="report.pdf").exists()


def test_run_publish_service(demo: Any, fresh_lake: Path, tmp_path: Path) -> None:
    from nakhon.core.errors import InvalidInput, PermissionDenied
    from nakhon.ingestion.pipeline import ingest_in_background, run_publish, upload_store

    new(demo, write(tmp_path, "a.csv", HEADER + "1,ก,1 มี.ค. 2566,5\n"))
    dataset = Dataset.objects.get(slug="survey", municipality=demo.kk)
    content = (HEADER + "1,ก,1 มี.ค. 2566,5\n2,ข,2 มี.ค. 2566,6\n").encode("cp874")
    path = upload_store(municipality=demo.kk, name="../../b.csv", chunks=[content])
    assert path.name == "b.csv" and path.parent.parent.name == "khon-kaen"  # no path tricks
    checked = ingest_in_background(
        actor=demo.user("kk-steward"),
        municipality=demo.kk,
        dataset=dataset,
        path=path,
        source_name="b.csv",
        publish=False,
    )
    assert checked.state == "validated" and checked.stored_file == str(path)
    with pytest.raises(PermissionDenied):
        run_publish(actor=demo.user("kk-viewer"), municipality=demo.kk, run=checked)
    published = run_publish(actor=demo.user("kk-steward"), municipality=demo.kk, run=checked)
    assert published.state == "published"
    assert dataset.versions.count() == 2
    with pytest.raises(InvalidInput):  # a published run is not published twice
        run_publish(actor=demo.user("kk-steward"), municipality=demo.kk, run=published)
