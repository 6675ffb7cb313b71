"""When to retry a Semantic Scholar call and how long to wait: exponential backoff with full jitter.

Pure functions over numbers and header values, so the policy is tested without any waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from site_builder.safe.http import http_date, retry_after

__all__ = ["RETRY_STATUSES", "RetryPolicy", "http_date", "retry_after_seconds"]

#: Statuses worth another try: rate limiting and the gateway's overload answers.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry loop: at most ``max_tries`` attempts, no single wait above ``max_delay`` seconds."""

    max_tries: int = 6
    base_delay: float = 2.0
    max_delay: float = 60.0

    def backoff(self, failures: int, rand: float) -> float:
        """Wait after the ``failures``-th failed try: uniform in [0, min(max_delay, base * 2**(failures-1))].

        ``rand`` is a number in [0, 1) from the caller's random source (injected so tests are exact).
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))
        return rand * ceiling


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for: a number of seconds or an HTTP date; None when absent or unreadable.

    ``now`` is the reference time for a date (the response's ``Date`` header when it has one, so clocks that
    disagree do not matter). Dates in the past mean "now" (0 seconds). Read by
    :func:`site_builder.safe.http.retry_after`: negative, non-finite and garbage values are None, absurdly large
    ones are capped at a week (more than any client here waits, so the call gives up at once).
    """
    return retry_after(value, now)
