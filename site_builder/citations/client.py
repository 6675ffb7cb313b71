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
from site_builder.safe import http as safehttp

Json = dict[str, Any]
log = logging.getLogger("site_builder.citations")

MAX_BATCH = 500
MAX_PAGE = 1000
#: offset + limit must stay below 10,000 on the citations/references endpoints.
MAX_LISTED = 9999
#: The API answers up to 10 MB (semantic-scholar-api.md section 4); a little margin on top.
MAX_ANSWER = 16 * safehttp.MIB
#: Of an error answer only the start is read (for its "error"/"message" text).
MAX_ERROR_BODY = 64 * 1024
MAX_REDIRECTS = 5


class S2Client:
    """Semantic Scholar Graph API v1 over one ``requests.Session``, every call through :mod:`site_builder.safe.http`.

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
        self._session = session or safehttp.new_session(f"ssml-site-builder/{__version__}")
        self._clock, self._sleep, self._rand, self._now = clock, sleep, rand, now
        self._headers = {"User-Agent": f"ssml-site-builder/{__version__}", "Accept": "application/json"}
        # The key goes only to the configured API origin (scheme, host, port), never to a redirect elsewhere.
        self._credentials = safehttp.Credentials.for_url(
            self.config.base_url, {"x-api-key": self.config.api_key} if self.config.api_key else {})
        self._limits = safehttp.Limits(read_timeout=self.config.timeout, deadline=self.config.total_timeout,
                                       max_redirects=MAX_REDIRECTS, max_body=MAX_ANSWER, max_decoded=MAX_ANSWER)
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
        problem = paper_problem(data, "the answer")
        if problem or not isinstance(data, dict):
            raise BadResponse(f"GET /paper/{paper_id}: {problem}")
        return data

    def papers_batch(self, ids: Sequence[str], fields: Sequence[str],
                     batch_size: int = MAX_BATCH) -> list[Json | BadResponse | None]:
        """``POST /paper/batch``: many papers, <= 500 ids a call; results in input order, None when not found.

        An entry whose fields do not have the documented shape is a :class:`BadResponse` in its place (a
        problem of that id alone: the other entries are used).
        """
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be within 1..{MAX_BATCH}")
        out: list[Json | BadResponse | None] = []
        for start in range(0, len(ids), batch_size):
            chunk = list(ids[start:start + batch_size])
            data = self._call("POST", "/paper/batch", {"fields": ",".join(fields)}, {"ids": chunk})
            if not isinstance(data, list) or len(data) != len(chunk):
                raise BadResponse(f"POST /paper/batch: expected a list of {_count(len(chunk), 'entry', 'entries')}")
            for asked, item in zip(chunk, data, strict=True):
                problem = None if item is None else paper_problem(item, "the entry")
                out.append(BadResponse(f"POST /paper/batch: {asked}: {problem}") if problem else item)
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
        problem = paper_problem(best, "the match")
        if problem:
            raise BadResponse(f"GET /paper/search/match: {problem}")
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
            if not isinstance(items, list):
                raise BadResponse(f"GET {path}: the answer has no 'data' list")
            for number, item in enumerate(items, start=offset):
                problem = edge_problem(item, item_key, f"item {number}")
                if problem:
                    raise BadResponse(f"GET {path}: {problem}")
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
                raise type(failure)(f"{failure} (gave up after {_tries(attempt)})", failure.status)
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
            reply = safehttp.open_url(self._session, method, self.config.base_url + path, self._limits,
                                      params=params, json_body=body, headers=self._headers,
                                      credentials=self._credentials)
            with reply:
                status = reply.status
                if status == 200:
                    return reply.json(), None, None
                message = self._scrub(_server_message(reply))
        except safehttp.HttpError as exc:
            return None, *self._failure(where, exc)
        text = f"{where}: HTTP {status}" + (f" {message}" if message else "")
        if status in RETRY_STATUSES:
            reference = http_date(reply.headers.get("date")) or self._now()
            wait = retry_after_seconds(reply.headers.get("retry-after"), reference)
            return None, (RateLimited(text, status) if status == 429 else ServerError(text, status)), wait
        if status == 404:
            raise NotFound(text, status)
        if status in (401, 403):
            raise Forbidden(f"{text} (check S2_API_KEY)", status)
        if 300 <= status < 400:
            raise BadResponse(f"{text}: a redirect without a Location header", status)
        if 400 <= status < 500:
            raise BadRequest(text, status)
        raise ServerError(text, status)

    def _failure(self, where: str, exc: safehttp.HttpError) -> tuple[S2Error, None]:
        """The retryable S2 error for a failure of the HTTP layer; raises the ones no retry can fix."""
        detail = self._scrub(str(exc))
        if isinstance(exc, safehttp.RequestTimeout):
            return Timeout(f"{where}: {detail}"), None
        if isinstance(exc, safehttp.ConnectFailed):
            return Unreachable(f"{where}: connection failed ({exc.kind})"), None
        if isinstance(exc, safehttp.BadJson) and exc.retryable:
            return BadResponse(f"{where}: the answer is not valid JSON (truncated?)"), None
        if isinstance(exc, safehttp.ProtocolError):
            return BadResponse(f"{where}: {detail}"), None
        raise BadResponse(f"{where}: {detail}") from None

    def _scrub(self, text: str) -> str:
        key = self.config.api_key
        return text.replace(key, "***") if key else text


def _count(n: int, one: str, many: str) -> str:
    """``1 try``, ``2 tries``."""
    return f"{n} {one if n == 1 else many}"


def _tries(n: int) -> str:
    return _count(n, "try", "tries")


def _server_message(reply: safehttp.Reply) -> str:
    """The ``error`` (4xx) or ``message`` (gateway 429/5xx) text of an error answer, shortened."""
    try:
        data = safehttp.parse_json(reply.read(MAX_ERROR_BODY, partial=True))
    except safehttp.HttpError:
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


# -- answer shapes -----------------------------------------------------------------------------------------------
# Every field the API documents (semantic-scholar-api.md sections 6, 7, 11), with its type. Every field may be
# null; fields not listed are not checked (the API may add some). A shape is a type, a list ``[shape]``, an
# object ``{field: shape}``, or ``("map", types)`` for an object of any keys whose values have one of ``types``.
Shape = Any
_AUTHOR = {"authorId": str, "name": str, "url": str}
PAPER_SHAPE: dict[str, Shape] = {
    "paperId": str, "corpusId": int, "externalIds": ("map", (str, int)), "url": str, "title": str,
    "abstract": str, "venue": str,
    "publicationVenue": {"id": str, "name": str, "type": str, "alternate_names": [str], "url": str, "issn": str,
                         "alternate_urls": [str], "alternate_issns": [str]},
    "year": int, "referenceCount": int, "citationCount": int, "influentialCitationCount": int,
    "isOpenAccess": bool, "openAccessPdf": {"url": str, "status": str, "license": str, "disclaimer": str},
    "fieldsOfStudy": [str], "s2FieldsOfStudy": [{"category": str, "source": str}], "publicationTypes": [str],
    "publicationDate": str, "journal": {"name": str, "volume": str, "pages": str},
    "citationStyles": {"bibtex": str}, "authors": [_AUTHOR], "tldr": {"model": str, "text": str},
    "textAvailability": str, "matchScore": float,
}
_EDGE_FIELDS: dict[str, Shape] = {"isInfluential": bool, "intents": [str], "contexts": [str],
                                  "contextsWithIntent": [{"context": str, "intents": [str]}]}
#: Items of /references and /citations (the nested paper's ``paperId`` may be null: an unresolved entry).
EDGE_SHAPES: dict[str, dict[str, Shape]] = {key: {key: PAPER_SHAPE, **_EDGE_FIELDS}
                                            for key in ("citedPaper", "citingPaper")}
_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "an object", type(None): "null"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _fits(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def shape_problem(value: Any, shape: Shape, where: str) -> str | None:
    """The first place where ``value`` does not have ``shape``, as a sentence; None when it fits."""
    if value is None:
        return None
    if isinstance(shape, type):
        return None if _fits(value, shape) else f"{where} is {_kind(value)}, expected {_TYPE_NAMES[shape]}"
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where} is {_kind(value)}, expected a list"
        for i, item in enumerate(value):
            problem = shape_problem(item, shape[0], f"{where}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(shape, tuple):
        if not isinstance(value, dict):
            return f"{where} is {_kind(value)}, expected an object"
        for key, item in value.items():
            if not any(_fits(item, kind) for kind in shape[1]):
                return f"{where}.{key} is {_kind(item)}, expected a string or a whole number"
        return None
    if not isinstance(value, dict):
        return f"{where} is {_kind(value)}, expected an object"
    for key, sub in shape.items():
        problem = shape_problem(value.get(key), sub, f"{where}.{key}" if where else key)
        if problem:
            return problem
    return None


def paper_problem(value: Any, what: str) -> str | None:
    """Why ``value`` is not a usable paper object (a string ``paperId`` and every field of its documented type)."""
    if not isinstance(value, dict):
        return f"{what} is {_kind(value)}, not a paper object"
    if not isinstance(value.get("paperId"), str):
        return f"{what} has no paperId"
    problem = shape_problem(value, PAPER_SHAPE, "")
    return f"{what}: {problem}" if problem else None


def edge_problem(value: Any, key: str, what: str) -> str | None:
    """Why ``value`` is not a usable /references or /citations item (holding a ``key`` paper object)."""
    if not isinstance(value, dict) or not isinstance(value.get(key), dict):
        return f"{what} has no {key!r} object"
    problem = shape_problem(value, EDGE_SHAPES[key], "")
    return f"{what}: {problem}" if problem else None
