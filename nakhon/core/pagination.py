"""Limit/offset paging for API lists, with bounds the database can take.

Django Ninja's ``LimitOffsetPagination`` leaves ``offset`` unbounded: a value past 2**63 reaches
the database and fails there (a server error, found by schemathesis). Here it is refused as
bad input (422) like any other out-of-range parameter.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 10**12  # far beyond any list, far below SQLite's and PostgreSQL's 2**63
MAX_LIMIT = 1000


class BoundedLimitOffset(LimitOffsetPagination):
    """``limit`` (1 to 1,000) and ``offset`` (0 to a trillion)."""

    class Input(Schema):
        limit: int = Field(settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)
