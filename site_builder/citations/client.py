"""A small Semantic Scholar Graph API client: one session, paced calls, bounded retries, typed errors.

See docs ``semantic-scholar-api.md`` for the limits and shapes this follows. The API key travels only in the
``x-api-key`` header of each request; it is never part of a message, a log line or a repr.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from site_builder import __version__
from site_builder.checks.collection import normalise_title
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
from site_builder.citations.retry import RETRY_STATUSES, http_date, retry_after_seconds

Json = dict[str, Any]
log = logging.getLogger("site_builder.citations")

MAX_BATCH = 500
MAX_PAGE = 1000
#: offset + limit must stay below 10,000 on the citations/references endpoints.
MAX_LISTED = 9999


class S2Client:
    """Semantic Scholar Graph API v1 over one ``requests.Session``.

    ``clock`` (monotonic seconds), ``sleep``, ``rand`` (uniform [0, 1)) and ``now`` (aware UTC datetime, used
    for ``Retry-After`` dates when the answer has no ``Date`` header) are injectable so tests never wait.
    ``requests_sent`` counts every HTTP request, retries included.
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.config = config or ClientConfig()
        self._session = session or requests.Session()
        self._clock, self._sleep, self._rand, self._now = clock, sleep, rand, now
        self._headers = {"User-Agent": f"ssml-site-builder/{__version__}", "Accept": "application/json"}
        if self.config.api_key:
            self._headers["x-api-key"] = self.config.api_key
        self._last_start: float | None = None
        self.requests_sent = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str], **kwargs: Any) -> S2Client:
        """A client configured from ``S2_*`` environment variables (see :meth:`ClientConfig.from_env`)."""
        return cls(ClientConfig.from_env(env), **kwargs)

    def __repr__(self) -> str:
        key = "set" if self.config.api_key else "none"
        return f"S2Client(base_url={self.config.base_url!r}, api_key={key}, min_interval={self.config.interval:g})"

    # -- endpoints ---------------------------------------------------------------------------------------------

    def paper(self, paper_id: str, fields: Sequence[str]) -> Json:
        """``GET /paper/{paper_id}``: one paper. Raises :class:`NotFound` for an unknown id."""
        data = self._call("GET", f"/paper/{_path_id(paper_id)}", {"fields": ",".join(fields)})
        if not isinstance(data, dict) or not isinstance(data.get("paperId"), str):
            raise BadResponse(f"GET /paper/{paper_id}: the answer is not a paper object")
        return data

    def papers_batch(self, ids: Sequence[str], fields: Sequence[str], batch_size: int = MAX_BATCH) -> list[Json | None]:
        """``POST /paper/batch``: many papers, <= 500 ids a call; results in input order, None when not found."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be within 1..{MAX_BATCH}")
        out: list[Json | None] = []
        for start in range(0, len(ids), batch_size):
            chunk = list(ids[start:start + batch_size])
            data = self._call("POST", "/paper/batch", {"fields": ",".join(fields)}, {"ids": chunk})
            if not isinstance(data, list) or len(data) != len(chunk):
                raise BadResponse(f"POST /paper/batch: expected a list of {len(chunk)} entries")
            for item in data:
                if item is not None and not (isinstance(item, dict) and isinstance(item.get("paperId"), str)):
                    raise BadResponse("POST /paper/batch: an entry is neither null nor a paper object")
                out.append(item)
        return out

    def references(self, paper_id: str, fields: Sequence[str], page_size: int = MAX_PAGE) -> list[Json]:
        """``GET /paper/{paper_id}/references``: every page (following ``next``); items hold ``citedPaper``."""
        return self._pages(f"/paper/{_path_id(paper_id)}/references", fields, "citedPaper", page_size)

    def citations(self, paper_id: str, fields: Sequence[str], page_size: int = MAX_PAGE) -> list[Json]:
        """``GET /paper/{paper_id}/citations``: every page up to the API's 9,999 cap; items hold ``citingPaper``."""
        return self._pages(f"/paper/{_path_id(paper_id)}/citations", fields, "citingPaper", page_size)

    def match_title(self, title: str, year: int | None, fields: Sequence[str] = ("title", "year")) -> Json | None:
        """``GET /paper/search/match``: the best title match, kept only when normalised title and year agree.

        None when the API finds nothing (its 404 "Title match not found") or its best match disagrees.
        """
        wanted = list(dict.fromkeys([*fields, "title", "year"]))
        try:
            data = self._call("GET", "/paper/search/match", {"query": title, "fields": ",".join(wanted)})
        except NotFound:
            return None
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise BadResponse("GET /paper/search/match: the answer has no 'data' list")
        if not items:
            return None
        best = items[0]
        if not isinstance(best, dict) or not isinstance(best.get("paperId"), str):
            raise BadResponse("GET /paper/search/match: the match is not a paper object")
        if normalise_title(str(best.get("title") or "")) != normalise_title(title) or best.get("year") != year:
            return None
        return {k: v for k, v in best.items() if k != "matchScore"}

    # -- machinery ---------------------------------------------------------------------------------------------

    def _pages(self, path: str, fields: Sequence[str], item_key: str, page_size: int) -> list[Json]:
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be within 1..{MAX_PAGE}")
        out: list[Json] = []
        offset = 0
        while offset < MAX_LISTED:
            limit = min(page_size, MAX_LISTED - offset)
            data = self._call("GET", path, {"fields": ",".join(fields), "offset": str(offset), "limit": str(limit)})
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise BadResponse(f"GET {path}: the answer has no 'data' list of objects")
            for item in items:
                if not isinstance(item.get(item_key), dict):
                    raise BadResponse(f"GET {path}: an item has no {item_key!r} object")
            out.extend(items)
            following = data.get("next")
            if following is None:
                break
            if not isinstance(following, int) or following <= offset:
                raise BadResponse(f"GET {path}: 'next' ({following!r}) does not move past offset {offset}")
            offset = following
        return out

    def _throttle(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self.config.interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_start = self._clock()

    def _call(self, method: str, path: str, params: Mapping[str, str], body: Json | None = None) -> Any:
        policy = self.config.retry
        attempt = 0
        while True:
            attempt += 1
            self._throttle()
            self.requests_sent += 1
            data, failure, wait = self._attempt(method, path, params, body)
            if failure is None:
                return data
            if wait is None:
                wait = policy.backoff(attempt, self._rand())
            elif wait > policy.max_delay:
                raise type(failure)(f"{failure}; the server asks to wait {wait:.0f} s, more than the "
                                    f"{policy.max_delay:.0f} s this client waits", failure.status)
            if attempt >= policy.max_tries:
                raise type(failure)(f"{failure} (gave up after {attempt} tries)", failure.status)
            log.info("%s %s: %s; try %d of %d in %.1f s", method, path, failure, attempt + 1, policy.max_tries, wait)
            if wait > 0:
                self._sleep(wait)

    def _attempt(self, method: str, path: str, params: Mapping[str, str],
                 body: Json | None) -> tuple[Any, S2Error | None, float | None]:
        """One request: (decoded JSON, None, None), or (None, a retryable error, Retry-After seconds or None).

        Errors that no retry can fix are raised at once.
        """
        where = f"{method} {path}"
        try:
            resp = self._session.request(method, self.config.base_url + path, params=params, json=body,
                                         headers=self._headers, timeout=self.config.timeout)
        except requests.Timeout:
            return None, Timeout(f"{where}: no answer within {self.config.timeout:g} s"), None
        except requests.RequestException as exc:
            return None, Unreachable(f"{where}: connection failed ({type(exc).__name__})"), None
        status = resp.status_code
        if status == 200:
            try:
                return resp.json(), None, None
            except ValueError:
                return None, BadResponse(f"{where}: the answer is not valid JSON (truncated?)", status), None
        message = self._scrub(_server_message(resp))
        text = f"{where}: HTTP {status}" + (f" {message}" if message else "")
        if status in RETRY_STATUSES:
            reference = http_date(resp.headers.get("Date")) or self._now()
            wait = retry_after_seconds(resp.headers.get("Retry-After"), reference)
            return None, (RateLimited(text, status) if status == 429 else ServerError(text, status)), wait
        if status == 404:
            raise NotFound(text, status)
        if status in (401, 403):
            raise Forbidden(f"{text} (check S2_API_KEY)", status)
        if 400 <= status < 500:
            raise BadRequest(text, status)
        raise ServerError(text, status)

    def _scrub(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "***") if key else text


def _server_message(resp: requests.Response) -> str:
    """The ``error`` (4xx) or ``message`` (gateway 429/5xx) text of an error answer, shortened."""
    try:
        data = resp.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        text = data.get("error") or data.get("message")
        if isinstance(text, str):
            return repr(text[:200])
    return ""


def _path_id(paper_id: str) -> str:
    """A paper id for the URL path: ``DOI:10.1/x`` keeps its slashes (as the API expects), the rest is escaped."""
    segments = paper_id.split("/")
    if not paper_id or any(s in ("", ".", "..") for s in segments[1:]) or segments[0] in ("", ".", ".."):
        raise BadRequest(f"{paper_id!r} is not a usable paper id")
    return quote(paper_id, safe=":/")
