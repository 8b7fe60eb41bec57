"""The reports page's *Publish open figures* button (``nakhon.tax.publish``): a POST that
publishes the aggregated tax figures to the city's public catalog and returns to the page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nakhon.accounts.models import Municipality
from nakhon.portal.decorators import municipality_view
from nakhon.tax import publish


@require_POST
@municipality_view
def figures_publish(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Publish the open figures (needs ``tax.view`` and ``dataset.ingest``)."""
    done = publish.tax_figures_publish(actor=request.user, municipality=municipality)
    messages.success(request, _("Open figures published.") + " " + publish.describe(done))
    return redirect("tax:reports", municipality.slug)
