"""Per-host pacing: requests to one host start at least ``interval`` seconds apart, across all threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Hands out start times per host; the clock and sleep are injectable so tests need not wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> None:
        """Block until this host may be contacted again, and book the following slot."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        if start > now:
            self._sleep(start - now)

    def hold(self, host: str, seconds: float) -> None:
        """Push the host's next slot back (a ``Retry-After`` from that host applies to every thread)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)
