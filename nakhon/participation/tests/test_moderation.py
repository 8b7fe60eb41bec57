"""Moderation: hold per city setting, hide/show/delete, reports, and tenancy of the queue."""

from __future__ import annotations

import pytest

from nakhon.core.models import AuditEvent
from nakhon.participation.models import Comment, DataRequest, ParticipationSettings

pytestmark = pytest.mark.django_db


def _hold(demo):
    ParticipationSettings.objects.create(municipality=demo.kk, moderation="hold")


def test_by_default_comments_are_published_at_once(demo, client, post_comment):
    post_comment(client, body="Published at once.")
    assert Comment.objects.get().visibility == "published"


def test_held_comments_wait_for_review_then_appear(demo, client, client_as, post_comment):
    _hold(demo)
    response = post_comment(client, body="Held until reviewed.")
    assert response["Location"].endswith("#comments")
    page = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "Held until reviewed." not in page
    steward = client_as("kk-steward")
    queue = steward.get("/khon-kaen/moderation/").content.decode()
    assert "Held until reviewed." in queue
    comment = Comment.objects.get()
    steward.post(f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "publish"})
    assert "Held until reviewed." in client.get("/khon-kaen/datasets/communities/").content.decode()


def test_held_requests_are_not_public_until_published(demo, client, client_as, post_request):
    _hold(demo)
    post_request(client)
    req = DataRequest.objects.get()
    assert req.visibility == "held"
    assert client.get(f"/khon-kaen/requests/{req.pk}/").status_code == 404
    assert client.get("/khon-kaen/requests/", {"format": "json"}).json()["requests"] == []
    steward = client_as("kk-steward")
    assert steward.get(f"/khon-kaen/requests/{req.pk}/").status_code == 200
    steward.post(f"/khon-kaen/requests/{req.pk}/moderate/", {"action": "publish"})
    assert client.get(f"/khon-kaen/requests/{req.pk}/").status_code == 200


def test_the_admin_sets_the_moderation_setting_on_the_queue_page(demo, client_as):
    admin = client_as("kk-admin")
    assert admin.post("/khon-kaen/moderation/", {"moderation": "hold"}).status_code == 302
    assert ParticipationSettings.objects.get(municipality=demo.kk).moderation == "hold"
    assert AuditEvent.objects.filter(action="participation_settings.change").exists()


def test_staff_hide_show_and_delete(demo, client, client_as, post_comment):
    post_comment(client, body="Rude words here.")
    comment = Comment.objects.get()
    steward = client_as("kk-steward")
    steward.post(f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "hide"})
    assert "Rude words here." not in client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "Rude words here." in steward.get("/khon-kaen/moderation/").content.decode()
    steward.post(f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "publish"})
    assert "Rude words here." in client.get("/khon-kaen/datasets/communities/").content.decode()
    steward.post(f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "delete"})
    assert not Comment.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"comment.create", "comment.hide", "comment.publish", "comment.delete"} <= actions


def test_a_report_flags_a_comment_for_review_and_three_hold_it(
    demo, client, client_as, post_comment
):
    post_comment(client, body="Buy cheap watches.")
    comment = Comment.objects.get()
    response = client.post(f"/khon-kaen/comments/{comment.pk}/report/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.flagged and comment.reports == 1 and comment.visibility == "published"
    queue = client_as("kk-steward").get("/khon-kaen/moderation/", {"format": "json"}).json()
    assert [c["id"] for c in queue["comments"]] == [comment.pk]
    client.post(f"/khon-kaen/comments/{comment.pk}/report/")
    client.post(f"/khon-kaen/comments/{comment.pk}/report/")
    comment.refresh_from_db()
    assert comment.visibility == "held"
    client_as("kk-steward").post(
        f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "publish"}
    )
    comment.refresh_from_db()
    assert comment.visibility == "published" and not comment.flagged


def test_the_queue_is_for_moderators_only(demo, client, client_as):
    assert client.get("/khon-kaen/moderation/")["Location"].startswith("/accounts/login/")
    assert client_as("kk-viewer").get("/khon-kaen/moderation/").status_code == 403
    assert client_as("kk-steward").get("/khon-kaen/moderation/").status_code == 200
    nav = client_as("kk-steward").get("/khon-kaen/").content.decode()
    assert 'href="/khon-kaen/moderation/"' in nav


def test_another_citys_staff_cannot_moderate(demo, client, client_as, post_comment, post_request):
    post_comment(client, body="A comment in Khon Kaen.")
    post_request(client)
    comment, req = Comment.objects.get(), DataRequest.objects.get()
    sila = client_as("sila-admin")
    assert sila.get("/khon-kaen/moderation/").status_code == 404
    assert (
        sila.post(f"/khon-kaen/comments/{comment.pk}/moderate/", {"action": "hide"}).status_code
        == 404
    )
    assert (
        sila.post(f"/sila/comments/{comment.pk}/moderate/", {"action": "hide"}).status_code == 404
    )
    answer = {"status": "declined", "note": "no"}
    assert sila.post(f"/khon-kaen/requests/{req.pk}/answer/", answer).status_code == 404
    assert sila.post(f"/sila/requests/{req.pk}/answer/", answer).status_code == 404
    comment.refresh_from_db()
    assert comment.visibility == "published"
    assert DataRequest.objects.get().status == "received"
