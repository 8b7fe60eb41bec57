"""The reports page's *Publish open figures* button (``nakhon.tax.publish``): a POST that
publishes the aggregated tax figures to the city's public catalog and returns to the page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nakhon.accounts.models import Municipality
from nakhon.core.errors import NakhonError, NotAuthenticated, NotFound, PermissionDenied
from nakhon.ingestion.errors import IngestError
from nakhon.portal.decorators import municipality_view
from nakhon.tax import publish


@require_POST
@municipality_view
def figures_publish(request: HttpRequest, municipality: Municipality) -> HttpResponseBase:
    """Publish the open figures (needs ``tax.view`` and ``dataset.ingest``)."""
    try:
        done = publish.tax_figures_publish(actor=request.user, municipality=municipality)
    except (NotAuthenticated, PermissionDenied, NotFound):
        raise
    except (NakhonError, IngestError) as exc:  # a table the pipeline refused: say why
        if isinstance(exc, IngestError):
            thai = (get_language() or "th").startswith("th")
            reason = exc.message_th if thai else exc.message_en
        else:
            reason = exc.message
        messages.error(
            request, _("The open figures could not be published: %(reason)s") % {"reason": reason}
        )
    else:
        messages.success(request, _("Open figures published.") + " " + publish.describe(done))
    return redirect("tax:reports", municipality.slug)
