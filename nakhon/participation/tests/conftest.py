"""Fixtures for participation tests: a clean rate-limit cache and aged form tokens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from nakhon.participation import spam


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def aged_token(demo: Any) -> Callable[..., str]:
    """``aged_token()``: a form token for Khon Kaen served a minute ago (passes the fill time)."""

    def make(municipality: Any = None, seconds: float = 60) -> str:
        m = municipality or demo.kk
        return spam.form_token(municipality_id=m.pk, issued_at=time.time() - seconds)

    return make


@pytest.fixture
def post_comment(aged_token: Callable[..., str]) -> Callable[..., Any]:
    """``post_comment(client, body=..., ds="communities", **fields)`` → the response."""

    def post(client: Any, ds: str = "communities", city: str = "khon-kaen", **fields: Any) -> Any:
        extra = _headers(fields)
        data = {"body": "A useful dataset, thank you.", "form_token": aged_token(), **fields}
        return client.post(f"/{city}/datasets/{ds}/comments/", data, **extra)

    return post


@pytest.fixture
def post_request(aged_token: Callable[..., str]) -> Callable[..., Any]:
    """``post_request(client, title=..., description=..., **fields)`` → the response."""

    def post(client: Any, city: str = "khon-kaen", **fields: Any) -> Any:
        extra = _headers(fields)
        data = {
            "title": "Flood points in the city",
            "description": "Where water stands after heavy rain, by community, since 2565.",
            "form_token": aged_token(),
            **fields,
        }
        return client.post(f"/{city}/requests/", data, **extra)

    return post


def _headers(fields: dict[str, Any]) -> dict[str, Any]:
    """Request headers (``REMOTE_ADDR``, ``HTTP_…``) out of the form fields."""
    return {
        key: fields.pop(key)
        for key in list(fields)
        if key == "REMOTE_ADDR" or key.startswith("HTTP_")
    }
