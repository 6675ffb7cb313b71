"""Reading a ``Retry-After`` header, which servers send as seconds or as an HTTP date."""

from __future__ import annotations

import email.utils
import time


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait (never negative), or ``None`` when the header is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
