"""Panels that plugins add to a city's home page (the ``dashboard_panels`` hook).

Nakhon has no executive dashboard yet; the home page shows the plugins' panels as cards after
its own. A panel is HTML the plugin made safe (``format_html``) or a template with a context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Audience = Literal["staff", "public"]


@dataclass(frozen=True)
class Panel:
    """One card. ``title``: its heading (already in the viewer's language). ``html``: its body,
    a string marked safe (``django.utils.html.format_html``; plain text is escaped); or
    ``template`` (a template name) rendered with ``context``. ``order``: smaller first.
    ``audience``: ``staff`` (people with a role in the city; the default) or ``public``."""

    title: str
    html: str = ""
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    audience: Audience = "staff"


@dataclass(frozen=True)
class ShownPanel:
    title: str
    body: str  # safe HTML


def panels_for(*, municipality: Any, request: Any, staff: bool) -> list[ShownPanel]:
    """The panels of every plugin for this page, the viewer's audience only, in order."""
    from django.template.loader import render_to_string
    from django.utils.html import conditional_escape

    from nakhon.plugins.manager import collect

    found = collect("dashboard_panels", Panel, municipality=municipality, request=request)
    shown = []
    for panel in sorted(found, key=lambda p: p.order):
        if panel.audience != "public" and not staff:
            continue
        if panel.template:
            context = {**panel.context, "municipality": municipality}
            body = render_to_string(panel.template, context, request=request)
        else:
            body = conditional_escape(panel.html)
        shown.append(ShownPanel(panel.title, body))
    return shown
