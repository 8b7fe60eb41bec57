"""Ratings: 1–5 stars, one per visitor, rating again replaces it; average and count shown."""

from __future__ import annotations

import pytest
from django.test import Client

from nakhon.participation.models import Rating

pytestmark = pytest.mark.django_db


def _summary(client):
    return client.get("/khon-kaen/datasets/communities/comments/", {"format": "json"}).json()[
        "rating"
    ]


def test_one_rating_per_visitor_and_the_average(demo):
    first, second = Client(), Client()
    assert first.post("/khon-kaen/datasets/communities/rating/", {"stars": 5}).status_code == 302
    assert "nakhon_visitor" in first.cookies
    first.post("/khon-kaen/datasets/communities/rating/", {"stars": 4})  # replaces the 5
    second.post("/khon-kaen/datasets/communities/rating/", {"stars": 1})
    assert Rating.objects.count() == 2
    assert _summary(first) == {"average": 2.5, "count": 2, "yours": 4}
    assert _summary(second)["yours"] == 1
    page = first.get("/khon-kaen/datasets/communities/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "<strong>2.5</strong> / 5" in html and "2 ratings" in html
    assert "Your rating: 4 of 5" in html


def test_a_signed_in_user_rates_once_across_browsers(demo, client_as):
    client_as("kk-viewer").post("/khon-kaen/datasets/communities/rating/", {"stars": 3})
    client_as("kk-viewer").post("/khon-kaen/datasets/communities/rating/", {"stars": 2})
    assert list(Rating.objects.values_list("stars", flat=True)) == [2]


def test_a_forged_cookie_is_a_new_visitor_not_someone_else(demo):
    first = Client()
    first.post("/khon-kaen/datasets/communities/rating/", {"stars": 5})
    forger = Client()
    forger.cookies["nakhon_visitor"] = "someone-else"
    forger.post("/khon-kaen/datasets/communities/rating/", {"stars": 1})
    assert sorted(Rating.objects.values_list("stars", flat=True)) == [1, 5]


@pytest.mark.parametrize("stars", ["0", "6", "many", ""])
def test_stars_out_of_range_are_refused(demo, client, stars):
    response = client.post(
        "/khon-kaen/datasets/communities/rating/", {"stars": stars}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert Rating.objects.count() == 0
    page = client.get("/khon-kaen/datasets/communities/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose from 1 to 5 stars." in page.content.decode()
