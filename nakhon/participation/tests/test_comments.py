"""Comments on a public dataset: posted and seen in Thai and English, escaped, replied to."""

from __future__ import annotations

import pytest

from nakhon.catalog.models import Dataset
from nakhon.participation.models import Comment

pytestmark = pytest.mark.django_db


def test_a_citizen_posts_a_comment_and_sees_it_on_the_dataset_page_in_thai(
    demo, client, post_comment
):
    page = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert 'id="comments"' in page and "แสดงความคิดเห็น" in page  # the block, in Thai
    response = post_comment(client, body="ข้อมูลนี้มีประโยชน์มาก ขอบคุณครับ", name="สมชาย")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/khon-kaen/datasets/communities/#comment-{comment.pk}"
    page = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "ข้อมูลนี้มีประโยชน์มาก ขอบคุณครับ" in page and "สมชาย" in page
    assert "ความคิดเห็นของคุณเผยแพร่แล้ว" in page  # the thank-you message, in Thai


def test_english_page_shows_the_comment_and_english_labels(demo, client, post_comment):
    post_comment(client, body="Could you add the 2566 figures?")
    page = client.get(
        "/khon-kaen/datasets/communities/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Could you add the 2566 figures?" in page
    assert "Add a comment" in page and "Rate this dataset" in page
    assert "A citizen" in page  # no name given


def test_the_body_is_escaped_and_links_are_not_clickable(demo, client, post_comment):
    post_comment(client, body='<script>alert(1)</script> see https://example.org/x "quoted"')
    page = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://example.org/x"' not in page


def test_the_comment_page_has_a_json_twin(demo, client, post_comment):
    post_comment(client, body="Please publish monthly.", name="Nok")
    body = client.get("/khon-kaen/datasets/communities/comments/", {"format": "json"}).json()
    assert body["dataset"] == "communities"
    assert [c["body"] for c in body["comments"]] == ["Please publish monthly."]
    assert body["comments"][0]["name"] == "Nok"
    assert body["rating"] == {"average": None, "count": 0, "yours": None}


def test_a_bad_comment_is_refused_with_messages_linked_to_the_fields(demo, client, post_comment):
    response = post_comment(client, body="", email="not-an-address")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    assert 'id="id_body_error"' in html and 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html
    assert Comment.objects.count() == 0


def test_a_too_long_comment_is_refused(demo, client, post_comment):
    response = post_comment(client, body="ก" * 2001)
    assert response.status_code == 422
    assert Comment.objects.count() == 0


def test_a_non_public_dataset_cannot_be_commented_or_rated(demo, client, client_as, post_comment):
    Dataset.objects.filter(municipality=demo.kk, slug="markets").update(classification="personal")
    assert post_comment(client, ds="markets").status_code == 404
    assert client.get("/khon-kaen/datasets/markets/comments/").status_code == 404
    assert client.post("/khon-kaen/datasets/markets/rating/", {"stars": 5}).status_code == 404
    # not even the city's own staff, who can see the dataset: participation is public only
    steward = client_as("kk-steward")
    assert post_comment(steward, ds="markets").status_code == 404
    html = steward.get("/khon-kaen/datasets/markets/").content.decode()
    assert 'id="comments"' not in html
    assert Comment.objects.count() == 0


def test_staff_reply_as_the_municipality_and_the_reply_is_public(
    demo, client, client_as, post_comment
):
    post_comment(client, body="When is the next update?")
    comment = Comment.objects.get()
    steward = client_as("kk-steward")
    response = steward.post(
        f"/khon-kaen/comments/{comment.pk}/moderate/",
        {"action": "reply", "reply": "In October, with the new fiscal year."},
    )
    assert response.status_code == 302
    page = client.get("/khon-kaen/datasets/communities/").content.decode()
    assert "In October, with the new fiscal year." in page
    assert "เทศบาลนครขอนแก่น" in page  # answered in the name of the city
    data = client.get("/khon-kaen/datasets/communities/comments/", {"format": "json"}).json()
    assert data["comments"][0]["reply_by"] == demo.kk.name_th


def test_staff_post_without_spam_checks(demo, client_as):
    steward = client_as("kk-steward")
    response = steward.post(
        "/khon-kaen/datasets/communities/comments/", {"body": "Staff note: updated yearly."}
    )
    assert response.status_code == 302
    assert Comment.objects.get().visibility == "published"
