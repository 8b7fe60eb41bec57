"""Template filters of the thai library."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("169774.510000000"), "169,774.51"),
        (Decimal("0"), "0.00"),
        (1234, "1,234"),
        ("41100003", "41100003"),
        (None, ""),
    ],
)
def test_figure_formats_amounts_and_counts_and_leaves_text(value: object, shown: str) -> None:
    from nakhon.core.templatetags.thai import figure

    assert figure(value) == shown
