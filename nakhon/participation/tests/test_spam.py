"""Each spam check refuses with a clear message in the form (never a traceback)."""

from __future__ import annotations

import time

import pytest

from nakhon.participation import spam
from nakhon.participation.models import Comment, DataRequest

pytestmark = pytest.mark.django_db


def _refused(response, text):
    html = response.content.decode()
    assert response.status_code in {422, 429}, response.status_code
    assert text in html, html[:2000]
    assert "Traceback" not in html
    assert 'role="alert"' in html or "errorlist" in html
    return html


def test_honeypot(demo, client, post_comment):
    response = post_comment(client, website="http://spam.example", HTTP_ACCEPT_LANGUAGE="en")
    _refused(response, "automated post")
    assert Comment.objects.count() == 0


def test_minimum_fill_time(demo, client, post_comment, aged_token):
    fresh = spam.form_token(municipality_id=demo.kk.pk)  # served just now
    response = post_comment(client, form_token=fresh, HTTP_ACCEPT_LANGUAGE="en")
    html = _refused(response, "sent too quickly")
    assert f'value="{fresh}"' in html  # the same token again: waiting a moment is enough
    assert _refused(post_comment(client, form_token=""), "")  # missing
    assert _refused(post_comment(client, form_token=fresh + "x"), "")  # forged
    other_city = aged_token(demo.sila)
    assert _refused(post_comment(client, form_token=other_city), "")
    day_old = spam.form_token(municipality_id=demo.kk.pk, issued_at=time.time() - 90000)
    html = _refused(post_comment(client, form_token=day_old), "")
    assert f'value="{day_old}"' not in html  # an expired token is replaced
    assert Comment.objects.count() == 0


def test_rate_limit_per_address(demo, client, post_comment, settings):
    settings.NAKHON_PARTICIPATION_POSTS_PER_WINDOW = 2
    for n in range(2):
        assert (
            post_comment(client, body=f"Comment number {n}", REMOTE_ADDR="10.0.0.7").status_code
            == 302
        )
    refused = post_comment(
        client, body="Comment number 3", REMOTE_ADDR="10.0.0.7", HTTP_ACCEPT_LANGUAGE="en"
    )
    _refused(refused, "Too many posts")
    # another address is not affected
    assert post_comment(client, body="From elsewhere", REMOTE_ADDR="10.0.0.8").status_code == 302
    assert Comment.objects.count() == 3


def test_rate_limit_counts_requests_and_comments_together(
    demo, client, post_comment, post_request, settings
):
    settings.NAKHON_PARTICIPATION_POSTS_PER_WINDOW = 1
    assert post_request(client, REMOTE_ADDR="10.0.0.9").status_code == 302
    _refused(post_comment(client, REMOTE_ADDR="10.0.0.9"), "")


def test_link_count_limit(demo, client, post_comment):
    body = "See https://a.example/1 and http://b.example/2 and www.c.example"
    html = _refused(post_comment(client, body=body, HTTP_ACCEPT_LANGUAGE="en"), "at most 2 links")
    assert 'id="id_body_error"' in html
    assert post_comment(client, body="One link only: https://data.go.th/").status_code == 302


def test_duplicate_body(demo, client, post_comment, post_request):
    assert post_comment(client, body="Please add   2567 data").status_code == 302
    html = _refused(
        post_comment(client, body="please add 2567 DATA", HTTP_ACCEPT_LANGUAGE="en"),
        "posted already",
    )
    assert 'id="id_body_error"' in html
    assert post_request(client).status_code == 302
    _refused(post_request(client), "")
    assert DataRequest.objects.count() == 1


def test_requests_pass_the_same_checks(demo, client, post_request):
    _refused(post_request(client, website="x"), "")
    _refused(post_request(client, form_token=""), "")
    _refused(
        post_request(client, description="http://a.example http://b.example http://c.example"),
        "",
    )
    assert DataRequest.objects.count() == 0


def test_link_counting():
    assert spam.link_count("no links here, ข้อความไทย") == 0
    assert spam.link_count("https://x.org/a www.y.org spam.xyz") == 3
