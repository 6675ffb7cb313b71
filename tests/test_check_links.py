"""Link checking against a real HTTP server on 127.0.0.1 that serves every case."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from site_builder.cli.commands import main
from site_builder.kb.project import Project
from site_builder.tools.links.collect import LinkRef
from site_builder.tools.links.pacing import Pacer
from site_builder.tools.links.probe import ProbeSettings
from site_builder.tools.links.report import render_links
from site_builder.tools.links.rules import GENERIC, Rule
from site_builder.tools.links.run import check_links, check_urls, new_session
from tests.conftest import KbFactory, dataset_yaml, paper_yaml
from tests.localhttp import Reply, Request, Server, self_signed, serve

FAST = ProbeSettings(timeout=0.5, retries=2, backoff=0.0, max_wait=5.0, sleep=lambda _s: None)
NO_PACING = {"127.0.0.1": Rule("test", 0.0, GENERIC.verdict)}


def sequence(*replies: Reply) -> Any:
    """A route answering with ``replies`` in turn (the last one repeats)."""
    queue = list(replies)

    def route(_req: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return route


def by_method(head: Reply, get: Reply) -> Any:
    return lambda req: head if req.method == "HEAD" else get


ROUTES = {
    "/ok": lambda _r: Reply(200, "fine"),
    "/hop1": lambda _r: Reply(301, headers={"Location": "/hop2"}),
    "/hop2": lambda _r: Reply(302, headers={"Location": "/hop3"}),
    "/hop3": lambda _r: Reply(307, headers={"Location": "/ok"}),
    "/gone": lambda _r: Reply(410, "gone"),
    "/missing": lambda _r: Reply(404, "missing"),
    "/busy": lambda _r: Reply(429, "slow down", {"Retry-After": "0"}),
    "/busy-then-ok": sequence(Reply(429, headers={"Retry-After": "0"}), Reply(200)),
    "/broken": lambda _r: Reply(500, "oops"),
    "/flaky": sequence(Reply(503), Reply(200)),
    "/hang": lambda _r: Reply(200, delay=3.0),
    "/no-head": by_method(Reply(405), Reply(200, "fine")),
    "/no-head-gone": by_method(Reply(405), Reply(404)),
    "/head-lies": by_method(Reply(404), Reply(200, "fine")),
    "/forbidden": lambda _r: Reply(403, "no robots"),
    "/loop": lambda _r: Reply(302, headers={"Location": "/loop"}),
    "/ratelimit-far": lambda _r: Reply(429, headers={"Retry-After": "3600"}),
}

EXPECTED = {
    "/ok": ("alive", "HTTP 200"),
    "/hop1": ("alive", "HTTP 200 (redirects to {base}/ok)"),
    "/gone": ("dead", "HTTP 410"),
    "/missing": ("dead", "HTTP 404"),
    "/busy": ("unknown", "HTTP 429: rate limited, try again later"),
    "/busy-then-ok": ("alive", "HTTP 200"),
    "/broken": ("unknown", "HTTP 500: server error, try again later"),
    "/flaky": ("alive", "HTTP 200"),
    "/hang": ("unknown", "timed out after 0.5 s"),
    "/no-head": ("alive", "HTTP 200"),
    "/no-head-gone": ("dead", "HTTP 404"),
    "/head-lies": ("alive", "HTTP 200"),
    "/forbidden": ("unknown", "HTTP 403: access refused to the checker; check by hand"),
    "/loop": ("unknown", "more than 10 redirects (a loop?)"),
    "/ratelimit-far": ("unknown", "HTTP 429: rate limited, try again later (Retry-After 3600 s)"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve(ROUTES) as srv:
        yield srv


def ref(n: int) -> list[LinkRef]:
    return [LinkRef("papers/x.yaml", n, 3, "links.paper")]


@pytest.mark.parametrize("path", list(EXPECTED), ids=[p.strip("/") for p in EXPECTED])
def test_classification(server: Server, path: str) -> None:
    [result] = check_urls({server.url + path: ref(1)}, settings=FAST, rules=NO_PACING)
    state, detail = EXPECTED[path]
    assert (result.state, result.detail) == (state, detail.format(base=server.url))


def test_retries_are_bounded_and_head_falls_back_to_get(server: Server) -> None:
    before = len(server.log)
    check_urls({server.url + "/busy": ref(1)}, settings=FAST, rules=NO_PACING)
    check_urls({server.url + "/no-head": ref(1)}, settings=FAST, rules=NO_PACING)
    seen = [(r.method, r.path) for r in server.log[before:]]
    assert seen == [("HEAD", "/busy")] * 3 + [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_all_cases_at_once_with_bounded_concurrency() -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def slow(_req: Request) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        threading.Event().wait(0.05)
        with lock:
            in_flight -= 1
        return Reply(200)

    with serve({}, fallback=slow) as srv:
        urls = {f"{srv.url}/p{i}": ref(i) for i in range(12)}
        results = check_urls(urls, concurrency=3, settings=FAST, rules=NO_PACING)
    assert [r.url for r in results] == list(urls)
    assert {r.state for r in results} == {"alive"}
    assert 1 <= peak <= 3


def test_pacer_spaces_requests_per_host() -> None:
    slept: list[float] = []
    pacer = Pacer(clock=lambda: 100.0, sleep=slept.append)
    for _ in range(3):
        pacer.wait("arxiv.org", 3.0)
    pacer.wait("github.com", 1.0)
    pacer.hold("github.com", 30.0)
    pacer.wait("github.com", 1.0)
    assert slept == [3.0, 6.0, 30.0]


class ToLocal(HTTPAdapter):
    """Send every request to the local server instead, keeping the original host as the first path segment.

    This lets records carry their real https URLs (github.com, arxiv.org, ...) so that host rules apply, while
    no byte leaves 127.0.0.1.
    """

    def __init__(self, base: str) -> None:
        super().__init__(max_retries=0)
        self.base = base

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        original = request.url or ""
        parts = urlsplit(original)
        request.url = f"{self.base}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        response = super().send(request, *args, **kwargs)
        response.url = original  # as the checker would have seen it
        return response


def local_sessions(base: str) -> Any:
    def factory() -> requests.Session:
        session = new_session()
        adapter = ToLocal(base)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    return factory


SITES = {
    "/github.com/alive/repo": lambda _r: Reply(200),
    "/github.com/old/name": lambda _r: Reply(301, headers={"Location": "https://github.com/new/name"}),
    "/github.com/new/name": lambda _r: Reply(200),
    "/github.com/gone/repo": lambda _r: Reply(404),
    "/github.com/limited/repo": lambda _r: Reply(403, "API rate limit exceeded", {"x-ratelimit-remaining": "0"}),
    "/arxiv.org/abs/2103.00020v2": lambda _r: Reply(200),
    "/arxiv.org/abs/2199.99999": lambda _r: Reply(404),
    "/arxiv.org/abs/2101.00001": lambda _r: Reply(403, "robots"),
    "/example.org/project": lambda _r: Reply(200),
    "/data.example.org/coco": lambda _r: Reply(410),
}


def records() -> dict[str, str]:
    code = ("\n  paper: https://arxiv.org/pdf/2103.00020v2\n  project: https://example.org/project\n  code:\n"
            "    - url: https://github.com/alive/repo\n      official: true\n"
            "    - url: https://github.com/old/name\n      official: false\n")
    return {
        "papers/a.yaml": paper_yaml("a", links=code),
        "papers/b.yaml": paper_yaml("b", ids='\n  arxiv: "2199.99999"',
                                    links="\n  paper: https://arxiv.org/abs/2199.99999\n  code:\n"
                                          "    - url: https://github.com/gone/repo\n      official: true"),
        "papers/c.yaml": paper_yaml("c", ids='\n  arxiv: "2101.00001"',
                                    links="\n  paper: https://arxiv.org/abs/2101.00001\n  code:\n"
                                          "    - url: https://github.com/limited/repo\n      official: true"),
        "datasets/coco.yaml": dataset_yaml("coco", links="\n  - label: Website\n    url: https://data.example.org/coco"),
    }


def test_knowledge_base_links_with_github_and_arxiv_rules(kb: KbFactory) -> None:
    root = kb(records())
    before = {p: p.read_bytes() for p in sorted(root.rglob("*.yaml"))}
    slept: list[float] = []
    settings = ProbeSettings(timeout=2.0, retries=1, backoff=0.0, sleep=slept.append)
    with serve(SITES) as srv:
        report = check_links(Project(root), settings=settings, session_factory=local_sessions(srv.url))
        probed = sorted({r.path for r in srv.log})
    assert {p: p.read_bytes() for p in sorted(root.rglob("*.yaml"))} == before  # reports, never edits
    assert "/arxiv.org/pdf/2103.00020v2" not in probed and "/arxiv.org/abs/2103.00020v2" in probed
    assert slept, "requests to one host must be paced"
    text = render_links(report, "text", dt.date(2026, 11, 30))
    assert text == (
        "datasets/coco.yaml:10:10: dead https://data.example.org/coco (links[0].url): HTTP 410\n"
        "papers/b.yaml:12:10: dead https://arxiv.org/abs/2199.99999 (links.paper): HTTP 404\n"
        "papers/b.yaml:14:12: dead https://github.com/gone/repo (links.code[0].url): HTTP 404\n"
        "papers/c.yaml:12:10: unknown https://arxiv.org/abs/2101.00001 (links.paper): HTTP 403: arXiv refused the "
        "checker (robot protection); check by hand\n"
        "papers/c.yaml:14:12: unknown https://github.com/limited/repo (links.code[0].url): HTTP 403: GitHub rate "
        "limit, try again later\n"
        "9 links: 4 alive, 3 dead, 2 unknown\n")
    moved = next(r for r in report.results if r.url == "https://github.com/old/name")
    assert (moved.state, moved.detail) == ("alive", "HTTP 200 (repository moved to https://github.com/new/name; "
                                                    "update the link)")


def test_markdown_report_is_an_issue_body(kb: KbFactory) -> None:
    root = kb(records())
    settings = ProbeSettings(timeout=2.0, retries=0, sleep=lambda _s: None)
    with serve(SITES) as srv:
        report = check_links(Project(root), settings=settings, session_factory=local_sessions(srv.url))
    md = render_links(report, "markdown", dt.date(2026, 11, 30))
    assert md.startswith("Link check of 2026-11-30: 9 links: 4 alive, 3 dead, 2 unknown.\n\n## Dead links\n")
    assert ("| `papers/b.yaml:14` | links.code\\[0\\].url | https://github.com/gone/repo | HTTP 404 |\n"
            in md)
    assert "<summary>2 links could not be checked" in md
    assert md.endswith("it reports and never edits records._\n")


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    return cert, key


def test_command_exit_status_is_one_only_for_dead_links(kb: KbFactory, tls: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/ok": lambda _r: Reply(200), "/gone": lambda _r: Reply(404),
                "/busy": lambda _r: Reply(503, headers={"Retry-After": "0"})}, tls=tls) as srv:
        alive = kb({"papers/a.yaml": paper_yaml("a", links=f"\n  paper: {srv.url}/ok\n  project: {srv.url}/busy")})
        code = main(["check-links", "--root", str(alive), "--timeout", "2", "--concurrency", "2"])
        out = capsys.readouterr().out
        assert (code, out.splitlines()[-1]) == (0, "2 links: 1 alive, 0 dead, 1 unknown")
        (alive / "papers" / "b.yaml").write_text(paper_yaml("b", ids="{}", links=f"\n  paper: {srv.url}/gone"))
        code = main(["check-links", "--root", str(alive), "--format", "json"])
        out = capsys.readouterr().out
    assert code == 1
    assert '"dead": 1' in out and f'"url": "{srv.url}/gone"' in out


def test_bad_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check-links", "--concurrency", "0"])
    assert exc.value.code == 2
    assert "argument --concurrency: expected more than 0 and at most 64 links, not '0'" in capsys.readouterr().err


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0), ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),
    ("soon", None), (None, None),
], ids=["seconds", "date", "past-date", "garbage", "absent"])
def test_retry_after_reads_seconds_and_dates(header: str | None, seconds: float | None) -> None:
    from site_builder.safe.http import retry_after

    now = dt.datetime(2026, 10, 21, 7, 28, tzinfo=dt.UTC)
    assert retry_after(header, now) == seconds


# -- hostile servers ---------------------------------------------------------------------------------------------
def test_hostile_answers_are_verdicts_and_the_report_is_whole() -> None:
    import socket as _socket
    import time

    from tests.rawhttp import drip, gzip_bomb, raw_server

    bomb = gzip_bomb(32 * 1024 * 1024)

    def endless_redirect(conn: _socket.socket, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {ok.url}/ok\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        while not stop.is_set():
            conn.sendall(b"10000\r\n" + b"r" * 0x10000 + b"\r\n")

    routes = {
        "/ok": lambda _r: Reply(200),
        "/js": lambda _r: Reply(301, headers={"Location": "javascript:alert(1)"}),
        "/bad-url": lambda _r: Reply(302, headers={"Location": "http://[::1"}),
        "/superscript": lambda _r: Reply(429, headers={"Retry-After": "\u00b2"}),
        "/forever": lambda _r: Reply(429, headers={"Retry-After": "9" * 5000}),
        "/bomb-hint": by_method(Reply(403), Reply(403, bomb, {"Content-Encoding": "gzip"})),
    }
    with serve(routes) as ok, \
            raw_server(lambda conn, stop: drip(conn, b"HTTP/1.1 200 OK" + b" " * 1000, 0.2, stop)) as drip_srv, \
            raw_server(lambda conn, _stop: conn.sendall(b"SPAM SPAM SPAM\r\n\r\n")) as garbage, \
            raw_server(endless_redirect) as redirecting:
        urls = {ok.url + p: ref(i) for i, p in enumerate(routes)}
        urls |= {drip_srv.url + "/drip": ref(10), garbage.url + "/": ref(11), redirecting.url + "/r": ref(12)}
        start = time.monotonic()
        results = {r.url: (r.state, r.detail) for r in check_urls(urls, settings=FAST, rules=NO_PACING)}
        elapsed = time.monotonic() - start
    assert results == {
        ok.url + "/ok": ("alive", "HTTP 200"),
        ok.url + "/js": ("unknown", "redirect target is not http(s) (javascript scheme): 'javascript:alert(1)'"),
        ok.url + "/bad-url": ("unknown", "redirect to a malformed URL: 'http://[::1'"),
        ok.url + "/superscript": ("unknown", "HTTP 429: rate limited, try again later"),
        ok.url + "/forever": ("unknown", "HTTP 429: rate limited, try again later (Retry-After 604800 s)"),
        ok.url + "/bomb-hint": ("unknown", "HTTP 403: access refused to the checker; check by hand"),
        drip_srv.url + "/drip": ("unknown", "no complete answer within the 1 s deadline"),
        garbage.url + "/": ("unknown", "malformed answer from the server (BadStatusLine)"),
        redirecting.url + "/r": ("alive", f"HTTP 200 (redirects to {ok.url}/ok)"),
    }
    # three tries of the dripping server at 1 s each, the rest quick; generous for a shared machine
    assert elapsed < 3 * FAST.limits.deadline + 5
    assert len(drip_srv.heads) == 3


def test_a_dripped_status_line_through_the_command(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                   tls: tuple[Path, Path]) -> None:
    import time

    from tests.rawhttp import drip, raw_server

    with raw_server(lambda conn, stop: drip(conn, b"HTTP/1.1 200 OK" + b" " * 1000, 0.3, stop), tls) as srv:
        root = kb({"papers/a.yaml": paper_yaml("a", links=f"\n  paper: {srv.url}/slow")})
        start = time.monotonic()
        code = main(["check-links", "--root", str(root), "--timeout", "0.5"])
        elapsed = time.monotonic() - start
    out = capsys.readouterr().out
    assert code == 0
    assert f"unknown {srv.url}/slow (links.paper): no complete answer within the 1 s deadline" in out
    assert out.endswith("1 link: 0 alive, 0 dead, 1 unknown\n")
    assert elapsed < 3 * 1 + 2 + 4 + 5  # three tries at the 1 s deadline, backoff waits of 2 and 4 s


def test_progress_counts_links_with_verbose_and_is_silent_otherwise(kb: KbFactory, tls: tuple[Path, Path],
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/ok": lambda _r: Reply(200)}, tls=tls) as srv:
        root = kb({"papers/a.yaml": paper_yaml("a", links=f"\n  paper: {srv.url}/ok\n  project: {srv.url}/ok?p")})
        assert main(["check-links", "-v", "--root", str(root), "--concurrency", "1"]) == 0
        err = capsys.readouterr().err
        assert err == f"check-links 1/2 ({srv.url}/ok)\ncheck-links 2/2 ({srv.url}/ok?p)\n"
        assert main(["check-links", "--root", str(root)]) == 0  # stderr is no terminal here: no counter
        assert capsys.readouterr().err == ""
