"""Citations: the Semantic Scholar client (its settings, typed errors and retry rules), ``enrich``, the snapshot,
the citation graph and the citation facts the pages show, with their cache."""

from __future__ import annotations

from site_builder.citations.client import MAX_BATCH, S2Client
from site_builder.citations.config import ClientConfig
from site_builder.citations.errors import (
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
from site_builder.citations.retry import RetryPolicy

__all__ = ["MAX_BATCH", "BadRequest", "BadResponse", "ClientConfig", "Forbidden", "NotFound", "RateLimited",
           "RetryPolicy", "S2Client", "S2Error", "ServerError", "Timeout", "Unreachable"]
