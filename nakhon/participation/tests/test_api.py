"""The participation API: the same data as the pages, the same spam checks."""

from __future__ import annotations

import pytest
from django.test import Client

from nakhon.catalog.models import Dataset
from nakhon.participation import spam
from nakhon.participation.models import Comment, DataRequest

pytestmark = pytest.mark.django_db

BASE = "/api/v1/municipalities/khon-kaen"


def _post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def test_comment_list_and_post(demo, client, aged_token):
    created = _post(
        client,
        f"{BASE}/datasets/communities/comments",
        {"body": "From the API", "name": "Dev", "form_token": aged_token()},
    )
    assert created.status_code == 201, created.content
    assert created.json()["visibility"] == "published"
    listed = client.get(f"{BASE}/datasets/communities/comments").json()
    assert [(c["name"], c["body"]) for c in listed] == [("Dev", "From the API")]


def test_the_api_refuses_spam_with_codes(demo, client, aged_token, settings):
    url = f"{BASE}/datasets/communities/comments"
    token = client.get(f"{BASE}/participation/form-token").json()
    assert token["min_seconds"] == spam.min_fill_seconds()
    too_fast = _post(client, url, {"body": "Hello there", "form_token": token["form_token"]})
    assert too_fast.status_code == 422 and too_fast.json()["error"]["code"] == "spam-too-fast"
    honeypot = _post(client, url, {"body": "Hello", "website": "x", "form_token": aged_token()})
    assert honeypot.json()["error"]["code"] == "spam-honeypot"
    links = _post(
        client, url, {"body": "http://a.x http://b.x http://c.x", "form_token": aged_token()}
    )
    assert links.json()["error"]["code"] == "spam-links"
    assert _post(client, url, {"body": "Once", "form_token": aged_token()}).status_code == 201
    dup = _post(client, url, {"body": "once", "form_token": aged_token()})
    assert dup.json()["error"]["code"] == "spam-duplicate"
    settings.NAKHON_PARTICIPATION_POSTS_PER_WINDOW = 1
    limited = _post(client, url, {"body": "Twice", "form_token": aged_token()})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "spam-rate-limit"
    assert Comment.objects.count() == 1


def test_rating_via_the_api_one_per_visitor(demo):
    client = Client()
    url = f"{BASE}/datasets/communities/rating"
    assert client.put(url, {"stars": 5}, content_type="application/json").json() == {
        "average": 5.0,
        "count": 1,
        "yours": 5,
    }
    again = client.put(url, {"stars": 3}, content_type="application/json").json()
    assert again == {"average": 3.0, "count": 1, "yours": 3}
    assert Client().get(url).json() == {"average": 3.0, "count": 1, "yours": None}
    bad = client.put(url, {"stars": 9}, content_type="application/json")
    assert bad.status_code == 422


def test_requests_via_the_api_and_staff_answers(demo, client, aged_token, token_for):
    created = _post(
        client,
        f"{BASE}/requests",
        {
            "title": "Noise complaints",
            "description": "Noise complaints per month, by area.",
            "email": "x.private@example.com",
            "form_token": aged_token(),
        },
    )
    assert created.status_code == 201
    assert "private" not in created.content.decode()
    pk = created.json()["id"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for('kk-steward', scopes=['read', 'write'])}"}
    declined = _post(client, f"{BASE}/requests/{pk}/answer", {"status": "declined"}, **auth)
    assert declined.status_code == 422 and "note" in declined.json()["error"]["errors"]
    ok = _post(
        client,
        f"{BASE}/requests/{pk}/answer",
        {"status": "declined", "note": "Not collected by the city."},
        **auth,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["history"][-1]["note"] == "Not collected by the city."
    listed = client.get(f"{BASE}/requests", {"status": "declined"}).json()
    assert [r["id"] for r in listed] == [pk]
    # a read-only token cannot answer; another city's token does not even find it
    read = {"HTTP_AUTHORIZATION": f"Bearer {token_for('kk-steward', scopes=['read'])}"}
    assert (
        _post(
            client, f"{BASE}/requests/{pk}/answer", {"status": "received", "note": "x"}, **read
        ).status_code
        == 403
    )
    sila = {
        "HTTP_AUTHORIZATION": "Bearer "
        + token_for("sila-admin", scopes=["read", "write"], municipality="sila")
    }
    assert (
        _post(
            client, f"{BASE}/requests/{pk}/answer", {"status": "received", "note": "x"}, **sila
        ).status_code
        == 404
    )
    assert DataRequest.objects.get().status == "declined"


def test_the_queue_via_the_api_needs_the_personal_scope_for_emails(
    demo, client, aged_token, token_for
):
    _post(
        client,
        f"{BASE}/datasets/communities/comments",
        {"body": "Reported one", "email": "y.private@example.com", "form_token": aged_token()},
    )
    comment = Comment.objects.get()
    client.post(f"/khon-kaen/comments/{comment.pk}/report/")
    plain = {"HTTP_AUTHORIZATION": f"Bearer {token_for('kk-admin', scopes=['read'])}"}
    queue = client.get(f"{BASE}/moderation", **plain).json()
    assert queue["contacts"] is False and queue["comments"][0]["email"] is None
    personal = {
        "HTTP_AUTHORIZATION": f"Bearer {token_for('kk-admin', scopes=['read', 'personal'])}"
    }
    queue = client.get(f"{BASE}/moderation", **personal).json()
    assert queue["comments"][0]["email"] == "y.private@example.com"


def test_non_public_dataset_is_not_found_in_the_api(demo, client, aged_token):
    Dataset.objects.filter(municipality=demo.kk, slug="markets").update(classification="secret")
    assert client.get(f"{BASE}/datasets/markets/comments").status_code == 404
    assert client.get(f"{BASE}/datasets/markets/rating").status_code == 404
    posted = _post(
        client, f"{BASE}/datasets/markets/comments", {"body": "Hi", "form_token": aged_token()}
    )
    assert posted.status_code == 404
