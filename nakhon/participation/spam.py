"""Spam protection for posts of the public, with no third-party service (machines are offline).

Five checks, each refusing with a clear message tied to a form field:

- ``honeypot``: a field people never see (``website``); a bot that fills it is refused;
- ``too-fast``: the form carries a signed timestamp; a post sooner than
  ``NAKHON_PARTICIPATION_MIN_FILL_SECONDS`` after the form was served, or with a missing, forged
  or day-old timestamp, is refused;
- ``rate-limit``: at most ``NAKHON_PARTICIPATION_POSTS_PER_WINDOW`` posts per client address per
  10 minutes (Django's cache; one process's memory by default, so configure a shared cache when
  several server processes run);
- ``too-many-links``: more than ``NAKHON_PARTICIPATION_MAX_LINKS`` links in the text;
- ``duplicate``: the same text (ignoring case and spacing) posted in the city within a day.

The client address is ``REMOTE_ADDR`` as the project sets it (``nakhon.core.middleware
.client_ip``; behind a proxy, ``NAKHON_TRUSTED_PROXY`` makes the server put the client's address
there). Only a hash of the address is kept, in the cache, never in the database.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from nakhon.core.errors import InvalidInput

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 - a form field name, not a secret
WINDOW_SECONDS = 600
TOKEN_MAX_AGE = 24 * 3600
_SALT = "nakhon.participation.form"
_LINK = re.compile(
    r"(?:https?://|ftp://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|xyz|ru|top)\b", re.I
)


class Throttled(InvalidInput):
    """Too many posts from one address: 429 in the API, a message in the form."""

    status = 429


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def min_fill_seconds() -> int:
    return _setting("NAKHON_PARTICIPATION_MIN_FILL_SECONDS", 3)


def posts_per_window() -> int:
    return _setting("NAKHON_PARTICIPATION_POSTS_PER_WINDOW", 5)


def max_links() -> int:
    return _setting("NAKHON_PARTICIPATION_MAX_LINKS", 2)


@dataclass(frozen=True)
class Submission:
    """Where a post of the public comes from, as the view or the API operation saw it."""

    ip: str | None = None
    honeypot: str = ""
    form_token: str = ""


def form_token(*, municipality_id: int, issued_at: float | None = None) -> str:
    """A signed "form served at" timestamp for the minimum fill time check."""
    issued = time.time() if issued_at is None else issued_at
    return signing.dumps({"m": municipality_id, "t": round(issued, 3)}, salt=_SALT)


def fingerprint(text: str) -> str:
    """The text with case, accents of width and spacing ignored, hashed: for duplicates."""
    norm = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(norm.encode()).hexdigest()


def link_count(text: str) -> int:
    return len(_LINK.findall(text))


def _ip_key(kind: str, ip: str | None) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip or 'unknown'}".encode()).hexdigest()[:32]
    return f"nakhon:participation:{kind}:{digest}:{int(time.time() // WINDOW_SECONDS)}"


def check_honeypot(sub: Submission) -> None:
    if sub.honeypot.strip():
        raise InvalidInput(
            _("This looks like an automated post and was not accepted."),
            errors={"__all__": _("This looks like an automated post and was not accepted.")},
            code="spam-honeypot",
        )


def _issued_at(token: str, municipality_id: int) -> float | None:
    try:
        data: Any = signing.loads(token or "", salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # also expired
        return None
    if not isinstance(data, dict) or data.get("m") != municipality_id:
        return None
    issued = float(data.get("t", 0))
    return issued if time.time() - issued <= TOKEN_MAX_AGE else None


def token_valid(token: str, *, municipality_id: int) -> bool:
    """Signed by us, for this city, less than a day old (however recent)."""
    return _issued_at(token, municipality_id) is not None


def check_fill_time(sub: Submission, *, municipality_id: int) -> None:
    issued = _issued_at(sub.form_token, municipality_id)
    if issued is None or time.time() - issued < min_fill_seconds():
        message = _(
            "The form has expired or was sent too quickly. Please wait a moment and send it again."
        )
        raise InvalidInput(message, errors={"__all__": message}, code="spam-too-fast")


def check_rate(sub: Submission, *, kind: str = "post", limit: int | None = None) -> None:
    allowed = posts_per_window() if limit is None else limit
    if (cache.get(_ip_key(kind, sub.ip)) or 0) >= allowed:
        message = _("Too many posts from your connection. Please try again in about 10 minutes.")
        raise Throttled(message, errors={"__all__": message}, code="spam-rate-limit")


def count_post(sub: Submission, *, kind: str = "post") -> None:
    """Count one accepted post against the client's address."""
    key = _ip_key(kind, sub.ip)
    if not cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS + 5)


def check_links(text: str, *, field: str) -> None:
    if link_count(text) > max_links():
        message = _("Please include at most %(n)s links.") % {"n": max_links()}
        raise InvalidInput(message, errors={field: message}, code="spam-links")


def check_all(
    sub: Submission, *, municipality_id: int, texts: dict[str, str], duplicate: bool
) -> None:
    """Run every check on a post of the public; ``duplicate`` says the text was seen already."""
    check_honeypot(sub)
    check_fill_time(sub, municipality_id=municipality_id)
    check_rate(sub)
    for field, text in texts.items():
        check_links(text, field=field)
    if duplicate:
        field = next(iter(texts))
        message = _("The same text was posted already. Please do not post it twice.")
        raise InvalidInput(message, errors={field: message}, code="spam-duplicate")
