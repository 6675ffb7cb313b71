"""The minimal Semantic Scholar client ``add`` falls back on, against a local server speaking the API's shapes."""

from __future__ import annotations

import json

import pytest

from site_builder.scaffold.s2minimal import MinimalS2Client, NotFound, S2LookupError
from tests.localhttp import Reply, Request, serve


def client(url: str, waits: list[float]) -> MinimalS2Client:
    return MinimalS2Client(url, api_key="k-123", timeout=2.0, tries=3, sleep=waits.append)


def test_paper_honours_retry_after_then_returns_the_object() -> None:
    answers = [Reply(429, json.dumps({"message": "Too Many Requests"}), {"Retry-After": "7"}),
               Reply(504, json.dumps({"message": "Endpoint request timed out"})),
               Reply(200, json.dumps({"paperId": "abc", "title": "T"}))]
    waits: list[float] = []
    with serve({"/paper/ARXIV:2101.00001": lambda _r: answers.pop(0)}) as srv:
        paper = client(srv.url, waits).paper("ARXIV:2101.00001", ["title"])
    assert paper == {"paperId": "abc", "title": "T"}
    assert waits == [7.0, 4.0]  # Retry-After, then the second step of the exponential backoff
    assert [r.headers["x-api-key"] for r in srv.log] == ["k-123"] * 3


def test_not_found_and_give_up_are_typed_errors_without_the_key() -> None:
    routes = {"/paper/DOI:10.1234/x": lambda _r: Reply(404, json.dumps({"error": "Paper not found"})),
              "/paper/ARXIV:2101.00002": lambda _r: Reply(500, json.dumps({"message": "Internal Server Error"})),
              "/paper/ARXIV:2101.00003": lambda _r: Reply(200, '{"paperId": "abc", "tit')}
    waits: list[float] = []
    with serve(routes) as srv:
        c = client(srv.url, waits)
        with pytest.raises(NotFound, match=r"DOI:10\.1234/x is not known to Semantic Scholar"):
            c.paper("DOI:10.1234/x", ["title"])
        with pytest.raises(S2LookupError) as exc:
            c.paper("ARXIV:2101.00002", ["title"])
        with pytest.raises(S2LookupError, match="not valid JSON"):
            c.paper("ARXIV:2101.00003", ["title"])
    assert str(exc.value) == ("ARXIV:2101.00002: gave up after 3 tries (HTTP 500 (Internal Server Error))")
    assert "k-123" not in str(exc.value) + repr(c)
    assert len([r for r in srv.log if r.path == "/paper/ARXIV:2101.00002"]) == 3


def test_paths_keep_the_doi_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Request] = []

    def record(req: Request) -> Reply:
        seen.append(req)
        return Reply(200, json.dumps({"paperId": "p"}))

    with serve({"/paper/DOI:10.1109/CVPR.2016.90": record}) as srv:
        monkeypatch.setenv("S2_API_URL", srv.url)
        assert MinimalS2Client().paper("DOI:10.1109/CVPR.2016.90", ["title", "year"]) == {"paperId": "p"}
    assert seen[0].query == "fields=title%2Cyear"
