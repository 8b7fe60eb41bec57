"""Contact e-mails are personal data: never on public pages, JSON twins or the API; staff with
the right role see them, and each such read is in the audit log."""

from __future__ import annotations

import pytest

from nakhon.core.models import AuditEvent
from nakhon.participation.models import Comment, DataRequest

pytestmark = pytest.mark.django_db

EMAIL_C = "somchai.private@example.com"
EMAIL_R = "mali.private@example.com"


@pytest.fixture
def posted(demo, client, post_comment, post_request, aged_token):
    post_comment(client, body="Comment with an e-mail.", email=EMAIL_C)
    post_request(client, email=EMAIL_R)
    client.post(
        "/api/v1/municipalities/khon-kaen/datasets/communities/comments",
        {"body": "Via the API", "email": EMAIL_C, "form_token": aged_token()},
        content_type="application/json",
    )
    return Comment.objects.first(), DataRequest.objects.get()


def test_emails_never_on_public_pages_json_or_api(demo, client, posted):
    _comment, req = posted
    urls = [
        "/khon-kaen/datasets/communities/",
        "/khon-kaen/datasets/communities/?format=json",
        "/khon-kaen/datasets/communities/comments/",
        "/khon-kaen/datasets/communities/comments/?format=json",
        "/khon-kaen/requests/",
        "/khon-kaen/requests/?format=json",
        f"/khon-kaen/requests/{req.pk}/",
        f"/khon-kaen/requests/{req.pk}/?format=json",
        "/api/v1/municipalities/khon-kaen/datasets/communities/comments",
        "/api/v1/municipalities/khon-kaen/requests",
        f"/api/v1/municipalities/khon-kaen/requests/{req.pk}",
        "/api/v1/openapi.json",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "private@example.com" not in text, url
    assert Comment.objects.filter(email=EMAIL_C).count() == 2  # it is kept, just not shown


def test_staff_without_the_role_do_not_see_emails(demo, client_as, posted):
    steward = client_as("kk-steward")  # moderates, but may not read personal data
    _comment, req = posted
    for url in ["/khon-kaen/moderation/", f"/khon-kaen/requests/{req.pk}/?format=json"]:
        assert "private@example.com" not in steward.get(url).content.decode(), url
    assert not AuditEvent.objects.filter(personal_data=True).exists()


def test_the_admin_sees_emails_and_each_read_is_audited(demo, client_as, posted):
    admin = client_as("kk-admin")
    comment, req = posted
    comment.visibility = "held"
    comment.save()
    queue = admin.get("/khon-kaen/moderation/").content.decode()
    assert EMAIL_C in queue and EMAIL_R not in queue  # the request is published, not queued
    page = admin.get(f"/khon-kaen/requests/{req.pk}/").content.decode()
    assert EMAIL_R in page
    reads = AuditEvent.objects.filter(personal_data=True, action="personal_data.read")
    assert reads.count() == 2
    assert {e.object_type for e in reads} == {"participation.comment", "participation.datarequest"}
    assert all(e.changes["fields"] == ["email"] and e.actor_label == "kk-admin" for e in reads)
    assert str(comment.pk) in reads.get(object_type="participation.comment").changes["ids"]


def test_emails_stay_out_of_the_audit_details_of_posts(demo, posted):
    for event in AuditEvent.objects.all():
        assert "private@example.com" not in str(event.changes) + event.object_repr
