"""``{% load tax_publish %}{% tax_publish_button %}``: the reports page's button that publishes
the open figures (``nakhon.tax.publish``), shown only to who may use it, with links to the
datasets already published."""

from __future__ import annotations

from typing import Any

from django import template

from nakhon.tax import publish

register = template.Library()


@register.inclusion_tag("tax/_publish_figures.html", takes_context=True)
def tax_publish_button(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    municipality = getattr(request, "municipality", None)
    if request is None or municipality is None:
        return {"show": False}
    show = publish.can_publish(request.user, municipality)
    return {
        "show": show,
        "csrf_token": context.get("csrf_token"),
        "municipality": municipality,
        "datasets": publish.published_datasets(municipality=municipality) if show else [],
        "min_count": publish.min_count(),
    }
