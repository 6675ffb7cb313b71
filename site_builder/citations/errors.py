"""Typed errors of the Semantic Scholar client: one class per way a call can fail.

Every message names the endpoint and the HTTP status, never the API key or request headers.
"""

from __future__ import annotations

from site_builder.kb.problems import SiteBuilderError


class S2Error(SiteBuilderError):
    """Base of every Semantic Scholar failure; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFound(S2Error):
    """404: the paper id (or title) is unknown to Semantic Scholar."""


class BadRequest(S2Error):
    """400 and other 4xx that retrying cannot fix (bad field, bad parameter, response too large)."""


class Forbidden(S2Error):
    """403: the API key was refused."""


class RateLimited(S2Error):
    """429 after every allowed retry, or a ``Retry-After`` longer than the client is willing to wait."""


class ServerError(S2Error):
    """500/502/503/504 after every allowed retry."""


class Timeout(S2Error):
    """No answer within the client's timeout, after every allowed retry."""


class Unreachable(S2Error):
    """The connection failed (refused, reset, DNS), after every allowed retry."""


class BadResponse(S2Error):
    """The answer was not the JSON shape the endpoint documents (e.g. truncated), after every allowed retry."""
