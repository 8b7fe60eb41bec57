"""Errors raised by services and selectors; views, the API and the CLI map them to responses."""

from __future__ import annotations


class NakhonError(Exception):
    """Base of Nakhon's domain errors. ``message`` is safe to show to the user."""

    status = 400
    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = str(self.args[0])
        if code:
            self.code = code


class NotFound(NakhonError):
    """Not found."""

    status = 404
    code = "not-found"


class NotAuthenticated(NakhonError):
    """Sign-in required."""

    status = 401
    code = "not-authenticated"


class PermissionDenied(NakhonError):
    """You are not allowed to do this."""

    status = 403
    code = "permission-denied"


class InvalidInput(NakhonError):
    """The input is not valid; ``errors`` maps field names to messages."""

    status = 422
    code = "invalid"

    def __init__(
        self, message: str = "", *, errors: dict[str, str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message or "The input is not valid.", code=code)
        self.errors = errors or {}
