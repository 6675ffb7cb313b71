"""A fake Semantic Scholar Graph API on 127.0.0.1: real HTTP, the API's paths and shapes, a request log, faults.

Paths (under ``/graph/v1``): ``POST /paper/batch``, ``GET /paper/{id}``, ``GET /paper/{id}/references``,
``GET /paper/{id}/citations`` (paged with offset/limit/next, limit <= 1000), ``GET /paper/search/match``.
Errors use the API's bodies: ``{"error": ...}`` for 400/404, ``{"message": ...}`` for 429/5xx.
Faults are queued with :meth:`FakeS2.fail` and consumed by the next matching requests.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

PREFIX = "/graph/v1"
PAPER_FIELDS = {"paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue", "publicationVenue", "year",
                "referenceCount", "citationCount", "influentialCitationCount", "isOpenAccess", "openAccessPdf",
                "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes", "publicationDate", "journal", "authors"}
EDGE_FIELDS = {"contexts", "intents", "isInfluential", "contextsWithIntent"}
MESSAGES = {429: "Too Many Requests. Please wait and try again or apply for a key for higher rate limits.",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Endpoint request timed out"}


@dataclass(frozen=True)
class Logged:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    """What to do instead of answering normally, for the next ``times`` requests whose path starts with ``path``."""

    kind: str  # "status", "hang", "truncate"
    path: str = ""
    status: int = 500
    retry_after: str | None = None
    times: int = 1


@dataclass
class FakeS2:
    """The server's data, faults and log; ``url`` is the base URL to give the client (``S2_API_URL``)."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    references: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    citations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._aliases: dict[str, str] = {}
        self._indexed = -1

    # -- data ----------------------------------------------------------------------------------------------------
    def add(self, paper: dict[str, Any], references: list[dict[str, Any]] | None = None,
            citations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Store a paper (and the edges it lists); returns the paper."""
        self.papers[paper["paperId"]] = paper
        self.references[paper["paperId"]] = references or []
        self.citations[paper["paperId"]] = citations or []
        return paper

    def fail(self, kind: str, path: str = "", status: int = 500, retry_after: str | None = None,
             times: int = 1) -> None:
        """Queue a fault for the next ``times`` requests under ``path`` (relative to /graph/v1)."""
        self.faults.append(Fault(kind, path, status, retry_after, times))

    def lookup(self, pid: str) -> dict[str, Any] | None:
        """The paper an id of any accepted form names (prefix case-insensitive)."""
        kind, _, value = pid.partition(":")
        if not value:
            return self.papers.get(pid)
        if self._indexed != len(self.papers):
            self._aliases = {}
            for key, paper in self.papers.items():
                ext = paper.get("externalIds") or {}
                for alias in (f"ARXIV:{ext.get('ArXiv')}", f"DOI:{str(ext.get('DOI')).lower()}",
                              f"CORPUSID:{paper.get('corpusId')}"):
                    self._aliases.setdefault(alias, key)
            self._indexed = len(self.papers)
        found = self._aliases.get(f"{kind.upper()}:{value.lower() if kind.upper() == 'DOI' else value}")
        return self.papers[found] if found else None

    def requests_to(self, suffix: str = "", method: str | None = None) -> list[Logged]:
        """Logged requests whose path ends with ``suffix`` (and of ``method``)."""
        return [r for r in self.log if r.path.endswith(suffix) and (method is None or r.method == method)]

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> FakeS2:
        """Listen on 127.0.0.1 on a free port, serving from a daemon thread."""
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Release hung requests and shut the server down."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    def _record(self, entry: Logged) -> None:
        with self._lock:
            self.log.append(entry)


def running() -> Iterator[FakeS2]:
    """Generator for a pytest fixture: a started server, stopped afterwards."""
    fake = FakeS2().start()
    try:
        yield fake
    finally:
        fake.stop()


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeS2
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body leave in one write (no Nagle/delayed-ACK stall per answer)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log is our own
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        fake = self.server_state
        parts = urlsplit(self.path)
        path = unquote(parts.path).removeprefix(PREFIX)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        fake._record(Logged(method, path, query, {k.lower(): v for k, v in self.headers.items()}, body))
        if fake.delay:
            time.sleep(fake.delay)
        fault = fake._take_fault(path)
        if fault is not None and fault.kind == "hang":
            fake._stop.wait(30)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(fault.status, {"message": MESSAGES.get(fault.status, "Error"), "code": str(fault.status)},
                       headers)
            return
        status, doc = route(fake, method, path, query, body)
        text = json.dumps(doc).encode()
        if fault is not None and fault.kind == "truncate":
            text = text[: len(text) // 2]
        self._send_bytes(status, text, {})

    def _send(self, status: int, doc: Any, headers: dict[str, str]) -> None:
        self._send_bytes(status, json.dumps(doc).encode(), headers)

    def _send_bytes(self, status: int, text: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(text)


def route(fake: FakeS2, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
    """The API's answer (status, JSON document) to one request."""
    fields = [f for f in query.get("fields", "").split(",") if f]
    if method == "POST" and path == "/paper/batch":
        bad = [f for f in fields if f not in PAPER_FIELDS]
        ids = body.get("ids") if isinstance(body, dict) else None
        if bad:
            return 400, {"error": f"Unrecognized or unsupported fields: {bad}"}
        if not isinstance(ids, list) or not 1 <= len(ids) <= 500:
            return 400, {"error": "Paper ids must be a list of 1 to 500 ids"}
        return 200, [_project(p, fields or ["title"]) if (p := fake.lookup(i)) else None for i in ids]
    if method != "GET":
        return 405, {"error": "Method not allowed"}
    if path == "/paper/search/match":
        best = _match(fake, query.get("query", ""))
        if best is None:
            return 404, {"error": "Title match not found"}
        return 200, {"data": [{**_project(best, fields or ["title"]), "matchScore": 123.4}]}
    m = re.fullmatch(r"/paper/(.+?)(?:/(references|citations))?", path)
    paper = fake.lookup(m.group(1)) if m else None
    if m is None or paper is None:
        return 404, {"error": f"Paper with id {m.group(1) if m else path} not found"}
    if m.group(2) is None:
        bad = [f for f in fields if f not in PAPER_FIELDS]
        return (400, {"error": f"Unrecognized or unsupported fields: {bad}"}) if bad else \
            (200, _project(paper, fields or ["title"]))
    offset, limit = int(query.get("offset", "0")), int(query.get("limit", "100"))
    if limit > 1000 or offset < 0 or limit < 1:
        return 400, {"error": "Unacceptable query params: limit must be <= 1000"}
    edges = (fake.references if m.group(2) == "references" else fake.citations)[paper["paperId"]]
    key = "citedPaper" if m.group(2) == "references" else "citingPaper"
    edge_fields = [f for f in fields if f in EDGE_FIELDS]
    nested = [f for f in fields if f not in EDGE_FIELDS] or ["title"]
    page: dict[str, Any] = {"offset": offset, "data": [
        {**{f: e.get(f) for f in edge_fields}, key: _project(e[key], nested)} for e in edges[offset:offset + limit]]}
    if offset + limit < len(edges):
        page["next"] = offset + limit
    return 200, page


def _project(paper: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {"paperId": paper.get("paperId"), **{f: paper.get(f) for f in fields if f != "paperId"}}


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z0-9]+", folded))


def _match(fake: FakeS2, query: str) -> dict[str, Any] | None:
    """The stored paper whose title shares the most words with the query (like the API, it may be a poor match)."""
    wanted = _words(query)
    scored = [(len(wanted & _words(p.get("title") or "")) / max(1, len(wanted | _words(p.get("title") or ""))), pid)
              for pid, p in fake.papers.items()]
    best = max(scored, default=(0.0, ""))
    return fake.papers[best[1]] if best[0] >= 0.5 else None


# -- synthetic data ----------------------------------------------------------------------------------------------
def paper_id(name: str) -> str:
    """A stable 40-hex S2 paper id for a name."""
    return hashlib.sha1(name.encode()).hexdigest()


def s2_paper(name: str, n: int, title: str | None = None, year: int | None = 2021, arxiv: str | None = None,
             doi: str | None = None) -> dict[str, Any]:
    """A paper object as the API returns it (every field this project asks for)."""
    ext: dict[str, Any] = {"CorpusId": 100000 + n}
    if arxiv:
        ext["ArXiv"] = arxiv
    if doi:
        ext["DOI"] = doi
    return {"paperId": paper_id(name), "corpusId": 100000 + n, "externalIds": ext,
            "title": title or f"Synthetic Paper {name}", "year": year, "venue": "", "publicationDate": None,
            "authors": [{"authorId": str(n), "name": f"Author {n}"}], "citationCount": 10 * n,
            "referenceCount": 3, "influentialCitationCount": n % 3, "isOpenAccess": False, "openAccessPdf": None,
            "url": f"https://www.semanticscholar.org/paper/{paper_id(name)}"}


def edge(key: str, paper: dict[str, Any], influential: bool = False) -> dict[str, Any]:
    """A references (key ``citedPaper``) or citations (``citingPaper``) item."""
    return {key: paper, "isInfluential": influential, "intents": ["background"] if influential else [],
            "contexts": ["... as shown by earlier work ..."]}
