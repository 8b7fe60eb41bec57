"""Writing the audit log.

Services pass the actor and the municipality explicitly. *Where* a request came from (IP
address, user agent, web/API/CLI, request id) is ambient: the middleware and the CLI set it once
in a context variable, so a service deep in a call chain need not thread it through.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db import models

from nakhon.core.models import AuditEvent
from nakhon.core.permissions import TokenActor, user_of

if TYPE_CHECKING:
    from nakhon.accounts.models import Municipality


@dataclass(frozen=True)
class Origin:
    via: str = AuditEvent.Via.SYSTEM
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""


_origin: ContextVar[Origin] = ContextVar("nakhon_audit_origin", default=Origin())  # noqa: B039 - frozen


def current_origin() -> Origin:
    return _origin.get()


@contextlib.contextmanager
def origin(**kwargs: Any) -> Iterator[Origin]:
    """Set where the following work comes from (``via``, ``ip``, ``user_agent``...)."""
    value = replace(_origin.get(), **kwargs)
    if not value.request_id:
        value = replace(value, request_id=uuid.uuid4().hex)
    token = _origin.set(value)
    try:
        yield value
    finally:
        _origin.reset(token)


def describe_object(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:300]


def audit_record(
    *,
    actor: Any,
    action: str,
    municipality: Municipality | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    personal_data: bool = False,
) -> AuditEvent:
    """Append one event to the audit log and return it."""
    user = user_of(actor)
    o_type, o_id, o_repr = describe_object(obj)
    where = current_origin()
    if municipality is None and obj is not None:
        municipality = getattr(obj, "municipality", None)
    return AuditEvent.objects.create(
        municipality=municipality,
        actor=user,
        actor_label=user.get_username() if user else "",
        token_label=actor.token.prefix if isinstance(actor, TokenActor) else "",
        action=action,
        object_type=object_type or o_type,
        object_id=object_id or o_id,
        object_repr=object_repr or o_repr,
        changes=_jsonable(changes or {}),
        personal_data=personal_data,
        ip=where.ip,
        user_agent=where.user_agent[:300],
        via=where.via,
        request_id=where.request_id,
    )


def audit_personal_read(
    *,
    actor: Any,
    municipality: Municipality,
    obj: models.Model,
    fields: list[str],
    purpose: str = "",
) -> AuditEvent:
    """Record that ``actor`` read the personal-data ``fields`` of ``obj`` (PDPA)."""
    return audit_record(
        actor=actor,
        action="personal_data.read",
        municipality=municipality,
        obj=obj,
        changes={"fields": sorted(fields), "purpose": purpose},
        personal_data=True,
    )


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
