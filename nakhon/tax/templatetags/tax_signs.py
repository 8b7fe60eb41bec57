"""``{% signboard_panel obj %}``: the returns (ภ.ป.1) and photos of a sign on its page, for tax
staff (the context comes from ``nakhon.tax.views_filings.panel_context``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("tax/_signboard_panel.html", takes_context=True)
def signboard_panel(context: dict[str, Any], sign: Any) -> dict[str, Any]:
    from nakhon.tax.views_filings import panel_context

    return panel_context(context["request"], context["municipality"], sign) | {
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
