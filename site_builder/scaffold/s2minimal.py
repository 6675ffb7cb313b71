"""A minimal Semantic Scholar client for ``add``: one endpoint, bounded retries, typed errors.

Stand-in until ``site_builder.s2.client.S2Client`` is available; it follows the same conventions: base URL from
``S2_API_URL``, key from ``S2_API_KEY`` sent as ``x-api-key`` and never shown, ``Retry-After`` honoured.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from site_builder.problems import SiteBuilderError
from site_builder.retryafter import retry_after

DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class S2LookupError(SiteBuilderError):
    """The lookup failed (after retries where retrying makes sense)."""


class NotFound(S2LookupError):
    """The API answered 404 for this id."""


class MinimalS2Client:
    """``paper(id, fields)`` over one ``requests.Session``."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *,
                 session: requests.Session | None = None, timeout: float = 20.0, tries: int = 4,
                 max_delay: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = (base_url or os.environ.get("S2_API_URL") or DEFAULT_URL).rstrip("/")
        self.session = session or requests.Session()
        key = api_key if api_key is not None else os.environ.get("S2_API_KEY")
        if key:
            self.session.headers["x-api-key"] = key
        self.timeout, self.tries, self.max_delay, self.sleep = timeout, tries, max_delay, sleep

    def __repr__(self) -> str:
        return f"MinimalS2Client(base_url={self.base_url!r})"

    def paper(self, paper_id: str, fields: Sequence[str]) -> Mapping[str, Any] | None:
        """``GET /paper/{paper_id}?fields=...``: the paper object; :class:`NotFound` on 404."""
        url = f"{self.base_url}/paper/{quote(paper_id, safe=':/')}"
        last = "no answer"
        for attempt in range(self.tries):
            try:
                resp = self.session.get(url, params={"fields": ",".join(fields)}, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last, wait = f"network error ({type(exc).__name__})", None
            else:
                if resp.status_code == 200:
                    try:
                        data = resp.json()
                    except ValueError:
                        raise S2LookupError(f"{paper_id}: the answer is not valid JSON") from None
                    if not isinstance(data, dict):
                        raise S2LookupError(f"{paper_id}: the answer is not a paper object")
                    return data
                if resp.status_code == 404:
                    raise NotFound(f"{paper_id} is not known to Semantic Scholar")
                if resp.status_code not in RETRY_STATUS:
                    raise S2LookupError(f"{paper_id}: HTTP {resp.status_code} {_message(resp)}".rstrip())
                last = f"HTTP {resp.status_code} {_message(resp)}".rstrip()
                wait = retry_after(resp.headers.get("Retry-After"), time.time())
            if attempt + 1 < self.tries:
                self.sleep(min(self.max_delay, wait if wait is not None else 2.0 * 2 ** attempt))
        raise S2LookupError(f"{paper_id}: gave up after {self.tries} tries ({last})")


def _message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        text = body.get("error") or body.get("message")
        return f"({text})" if isinstance(text, str) else ""
    return ""
