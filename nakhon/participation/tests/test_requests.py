"""Data requests: filed by citizens, answered publicly by staff through a status history."""

from __future__ import annotations

import pytest

from nakhon.core.models import AuditEvent
from nakhon.participation.models import DataRequest

pytestmark = pytest.mark.django_db


def _answer(client, pk, **data):
    return client.post(f"/khon-kaen/requests/{pk}/answer/", data)


def test_the_lifecycle_received_in_progress_published(demo, client, client_as, post_request):
    response = post_request(client, name="Mali")
    req = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/khon-kaen/requests/{req.pk}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Flood points in the city" in page and "Received" in page and "Mali" in page

    steward = client_as("kk-steward")
    assert (
        _answer(steward, req.pk, status="in_progress", note="We are collecting it.").status_code
        == 302
    )
    assert (
        _answer(
            steward, req.pk, status="published", note="Here it is.", dataset="communities"
        ).status_code
        == 302
    )

    body = client.get(f"/khon-kaen/requests/{req.pk}/", {"format": "json"}).json()
    assert body["status"] == "published" and body["dataset"] == "communities"
    assert [(e["status"], e["note"]) for e in body["history"]] == [
        ("received", ""),
        ("in_progress", "We are collecting it."),
        ("published", "Here it is."),
    ]
    page = client.get(f"/khon-kaen/requests/{req.pk}/").content.decode()
    assert 'href="/khon-kaen/datasets/communities/"' in page and "We are collecting it." in page
    changes = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(action="data_request.status").order_by("id")
    ]
    assert changes == [["received", "in_progress"], ["in_progress", "published"]]


def test_declining_needs_a_reason(demo, client, client_as, post_request):
    post_request(client)
    req = DataRequest.objects.get()
    steward = client_as("kk-steward")
    refused = _answer(steward, req.pk, status="declined", note="  ")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="id_note_error"' in html
    req.refresh_from_db()
    assert req.status == "received"
    assert (
        _answer(
            steward, req.pk, status="declined", note="The data holds personal data."
        ).status_code
        == 302
    )
    req.refresh_from_db()
    assert req.status == "declined"
    page = client.get(f"/khon-kaen/requests/{req.pk}/").content.decode()
    assert "The data holds personal data." in page


def test_publishing_needs_a_public_dataset(demo, client, client_as, post_request):
    post_request(client)
    req = DataRequest.objects.get()
    steward = client_as("kk-steward")
    assert _answer(steward, req.pk, status="published").status_code == 422
    assert _answer(steward, req.pk, status="published", dataset="nope").status_code == 422
    req.refresh_from_db()
    assert req.status == "received"


def test_a_public_answer_without_changing_the_status(demo, client, client_as, post_request):
    post_request(client)
    req = DataRequest.objects.get()
    steward = client_as("kk-steward")
    assert _answer(steward, req.pk, status="received").status_code == 422  # nothing to say
    assert _answer(steward, req.pk, status="received", note="Thank you, noted.").status_code == 302
    assert DataRequest.objects.get().events.count() == 2


def test_the_list_filters_by_status_and_has_a_json_twin(demo, client, client_as, post_request):
    post_request(client, title="Street lights", description="Locations of all street lights.")
    post_request(client, title="Bus stops", description="Bus stops with their routes please.")
    lights = DataRequest.objects.get(title="Street lights")
    _answer(client_as("kk-steward"), lights.pk, status="in_progress", note="Working on it.")
    body = client.get("/khon-kaen/requests/", {"format": "json"}).json()
    assert {r["title"] for r in body["requests"]} == {"Street lights", "Bus stops"}
    assert body["counts"]["in_progress"] == 1 and body["counts"]["received"] == 1
    only = client.get("/khon-kaen/requests/", {"status": "in_progress", "format": "json"}).json()
    assert [r["title"] for r in only["requests"]] == ["Street lights"]
    html = client.get("/khon-kaen/requests/", {"status": "in_progress"}).content.decode()
    assert "Street lights" in html and "Bus stops" not in html
    assert 'aria-current="true"' in html
    # an unknown status shows everything rather than failing
    assert client.get("/khon-kaen/requests/", {"status": "x"}).status_code == 200


def test_the_request_form_is_labelled_and_in_both_languages(demo, client):
    th = client.get("/khon-kaen/requests/").content.decode()
    assert "คำขอข้อมูล" in th
    en = client.get("/khon-kaen/requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for field in ("title", "description", "name", "email"):
        assert f'<label for="id_{field}">' in en
    assert "Ask for data" in en


def test_citizens_cannot_answer(demo, client, client_as, post_request):
    post_request(client)
    req = DataRequest.objects.get()
    anonymous = _answer(client, req.pk, status="declined", note="no")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _answer(client_as("kk-viewer"), req.pk, status="declined", note="no").status_code == 403
    assert DataRequest.objects.get().status == "received"
