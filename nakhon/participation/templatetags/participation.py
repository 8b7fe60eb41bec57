"""Template helpers of participation: the dataset page's block, accessible form fields."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from nakhon.core.errors import NakhonError

register = template.Library()


@register.inclusion_tag("participation/_dataset_participation.html", takes_context=True)
def dataset_participation(context: template.Context) -> dict[str, Any]:
    """Rating, comments and the comment form for the dataset on the page (``dataset`` and
    ``municipality`` in the context). Nothing for a dataset the public cannot see."""
    from nakhon.participation import selectors
    from nakhon.participation.forms import CommentForm
    from nakhon.participation.views import dataset_participation as block_data

    request = context.get("request")
    dataset = context.get("dataset")
    municipality = context.get("municipality")
    if request is None or dataset is None or municipality is None:
        return {"show": False}
    try:
        data = block_data(request, municipality, dataset)
    except NakhonError:
        return {"show": False}
    return {
        "show": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "municipality": municipality,
        "dataset": dataset,
        **data,
        "form": CommentForm(municipality_id=municipality.pk),
        "can_moderate": selectors.can_moderate(request.user, municipality),
    }


@register.filter
def accessible(field: BoundField) -> SafeString:
    """The field's widget with ``aria-describedby`` naming its help text and its errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs: dict[str, str | bool] = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)
