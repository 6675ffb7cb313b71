"""Client settings from the environment: base URL, API key, pacing, timeout and retry bounds."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from site_builder.citations.retry import RetryPolicy
from site_builder.kb.problems import UsageError

DEFAULT_API_URL = "https://api.semanticscholar.org/graph/v1"
#: Published limit with a key: 1 request a second on every endpoint; a little margin on top.
INTERVAL_WITH_KEY = 1.05
#: Without a key the anonymous pool is shared and often exhausted: go slowly.
INTERVAL_WITHOUT_KEY = 3.0
DEFAULT_TIMEOUT = 30.0
#: Without an explicit ``S2_DEADLINE``, a whole request (all hops, the whole body) may take this many timeouts.
DEADLINE_TIMEOUTS = 4


@dataclass(frozen=True)
class ClientConfig:
    """Everything an :class:`~site_builder.citations.client.S2Client` needs besides its session, clock and sleep."""

    base_url: str = DEFAULT_API_URL
    api_key: str | None = field(default=None, repr=False)
    min_interval: float | None = None
    timeout: float = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    deadline: float | None = None

    @property
    def total_timeout(self) -> float:
        """Seconds one request may take as a whole (connect, redirects, status line, headers and body)."""
        return self.deadline if self.deadline is not None else DEADLINE_TIMEOUTS * self.timeout

    @property
    def interval(self) -> float:
        """Seconds between the starts of two calls: the explicit setting, else the default for keyed/anonymous use."""
        if self.min_interval is not None:
            return self.min_interval
        return INTERVAL_WITH_KEY if self.api_key else INTERVAL_WITHOUT_KEY

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClientConfig:
        """Read ``S2_API_URL``, ``S2_API_KEY``, ``S2_MIN_INTERVAL``, ``S2_TIMEOUT``, ``S2_DEADLINE`` and
        ``S2_MAX_TRIES``."""
        url = env.get("S2_API_URL", "").strip() or DEFAULT_API_URL
        if not url.startswith(("https://", "http://")):
            raise UsageError(f"S2_API_URL must be an http(s) URL, not {url!r}")
        key = env.get("S2_API_KEY", "").strip() or None
        interval = _number(env, "S2_MIN_INTERVAL", minimum=0.0)
        timeout = _number(env, "S2_TIMEOUT", minimum=0.001)
        deadline = _number(env, "S2_DEADLINE", minimum=0.001)
        tries = _number(env, "S2_MAX_TRIES", minimum=1.0)
        if tries is not None and not tries.is_integer():
            raise UsageError(f"S2_MAX_TRIES must be a whole number, not {env['S2_MAX_TRIES']!r}")
        retry = RetryPolicy(max_tries=int(tries)) if tries is not None else RetryPolicy()
        return cls(url.rstrip("/"), key, interval, timeout if timeout is not None else DEFAULT_TIMEOUT, retry,
                   deadline)


def _number(env: Mapping[str, str], name: str, minimum: float) -> float | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{name} must be a number, not {text!r}") from None
    if not math.isfinite(value) or value < minimum:
        raise UsageError(f"{name} must be a finite number >= {minimum:g}, not {text!r}")
    return value
