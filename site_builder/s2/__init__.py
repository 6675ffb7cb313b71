"""Semantic Scholar: the HTTP client, its settings and its typed errors."""

from __future__ import annotations

from site_builder.s2.client import MAX_BATCH, S2Client
from site_builder.s2.config import ClientConfig
from site_builder.s2.errors import (
    BadRequest,
    BadResponse,
    Forbidden,
    NotFound,
    RateLimited,
    S2Error,
    ServerError,
    Timeout,
    Unreachable,
)
from site_builder.s2.retry import RetryPolicy

__all__ = ["MAX_BATCH", "BadRequest", "BadResponse", "ClientConfig", "Forbidden", "NotFound", "RateLimited",
           "RetryPolicy", "S2Client", "S2Error", "ServerError", "Timeout", "Unreachable"]
