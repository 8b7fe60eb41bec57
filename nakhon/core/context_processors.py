"""Template context for every page: version, the current municipality, navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import nakhon


def nakhon_context(request: HttpRequest) -> dict[str, Any]:
    from nakhon.accounts.selectors import municipality_list_for
    from nakhon.portal.navigation import nav_items

    municipality = getattr(request, "municipality", None)
    user = getattr(request, "user", None)
    return {
        "nakhon_version": nakhon.__version__,
        "municipality": municipality,
        "my_municipalities": municipality_list_for(actor=user) if user else [],
        "nav_items": nav_items(actor=user, municipality=municipality) if municipality else [],
    }
