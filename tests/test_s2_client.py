"""The Semantic Scholar client against the fake API on 127.0.0.1: requests sent, results, retries, errors."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from site_builder.citations import (
    BadRequest,
    BadResponse,
    ClientConfig,
    NotFound,
    RateLimited,
    RetryPolicy,
    S2Client,
    S2Error,
    ServerError,
    Timeout,
    Unreachable,
)
from site_builder.citations.retry import retry_after_seconds
from site_builder.kb.problems import UsageError
from tests.s2fake import FakeS2, edge, paper_id, running, s2_paper

KEY = "sekret-KEY-4242"
FIELDS = ("title", "year", "externalIds")


@pytest.fixture
def fake() -> Iterator[FakeS2]:
    yield from running()


class Clock:
    """A fake monotonic clock whose sleep advances time and records each wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def client(fake: FakeS2, clock: Clock | None = None, key: str | None = KEY, interval: float | None = 0.0,
           tries: int = 4, timeout: float = 5.0, rand: float = 0.5) -> S2Client:
    clock = clock or Clock()
    config = ClientConfig(fake.url, key, interval, timeout, RetryPolicy(max_tries=tries, base_delay=2.0, max_delay=60))
    return S2Client(config, clock=clock, sleep=clock.sleep, rand=lambda: rand)


def seed(fake: FakeS2, n: int = 3) -> list[dict[str, Any]]:
    return [fake.add(s2_paper(f"p{i}", i, arxiv=f"2101.{i:05d}")) for i in range(n)]


# -- endpoints ---------------------------------------------------------------------------------------------------
def test_batch_keeps_input_order_with_none_for_unknown_ids(fake: FakeS2) -> None:
    p0, p1, _ = seed(fake)
    got = client(fake).papers_batch(["ARXIV:2101.00001", "ARXIV:2999.99999", p0["paperId"]], FIELDS)
    assert [g["paperId"] if g else None for g in got] == [p1["paperId"], None, p0["paperId"]]
    assert got[0] == {"paperId": p1["paperId"], "title": "Synthetic Paper p1", "year": 2021,
                      "externalIds": {"CorpusId": 100001, "ArXiv": "2101.00001"}}
    [sent] = fake.log
    assert (sent.method, sent.path, sent.query) == ("POST", "/paper/batch", {"fields": "title,year,externalIds"})
    assert sent.body == {"ids": ["ARXIV:2101.00001", "ARXIV:2999.99999", p0["paperId"]]}
    assert sent.headers["x-api-key"] == KEY


def test_batch_chunks_at_500_ids(fake: FakeS2) -> None:
    papers = seed(fake, 2)
    ids = [f"ARXIV:2101.{i % 3:05d}" for i in range(1201)]
    got = client(fake).papers_batch(ids, ["title"])
    assert [len(r.body["ids"]) for r in fake.log] == [500, 500, 201]
    assert [r.body["ids"] for r in fake.log] == [ids[:500], ids[500:1000], ids[1000:]]
    expected = [papers[i % 3]["paperId"] if i % 3 < 2 else None for i in range(1201)]
    assert [g["paperId"] if g else None for g in got] == expected


def test_empty_batch_sends_nothing(fake: FakeS2) -> None:
    assert client(fake).papers_batch([], ["title"]) == []
    assert fake.log == []


def test_references_follow_next_over_three_pages(fake: FakeS2) -> None:
    cited = [s2_paper(f"r{i}", i) for i in range(2500)]
    cited[1500] = {"paperId": None, "title": "An unresolved bibliography entry"}
    source = fake.add(s2_paper("src", 1), references=[edge("citedPaper", c) for c in cited])
    items = client(fake).references(source["paperId"], ["paperId", "title", "isInfluential"])
    assert [r.query["offset"] for r in fake.log] == ["0", "1000", "2000"]
    assert {r.query["limit"] for r in fake.log} == {"1000"}
    assert {r.path for r in fake.log} == {f"/paper/{source['paperId']}/references"}
    assert len(items) == 2500
    assert items[1500] == {"isInfluential": False, "citedPaper": {"paperId": None,
                                                                  "title": "An unresolved bibliography entry"}}
    assert items[2499]["citedPaper"]["paperId"] == paper_id("r2499")


def test_citations_are_paged_with_citing_paper(fake: FakeS2) -> None:
    citing = [s2_paper(f"c{i}", i) for i in range(5)]
    target = fake.add(s2_paper("survey", 9), citations=[edge("citingPaper", c) for c in citing])
    items = client(fake).citations(target["paperId"], ["title"], page_size=2)
    assert [(r.query["offset"], r.query["limit"]) for r in fake.log] == [("0", "2"), ("2", "2"), ("4", "2")]
    assert [i["citingPaper"]["title"] for i in items] == [f"Synthetic Paper c{i}" for i in range(5)]


def test_citations_stop_at_the_apis_9999_cap(fake: FakeS2) -> None:
    citing = {"paperId": paper_id("c"), "title": "Citing"}
    target = fake.add(s2_paper("famous", 1), citations=[edge("citingPaper", citing)] * 10500)
    items = client(fake).citations(target["paperId"], ["title"])
    assert len(items) == 9999
    assert [(r.query["offset"], r.query["limit"]) for r in fake.log][-2:] == [("8000", "1000"), ("9000", "999")]
    assert len(fake.log) == 10


def test_paper_by_doi_keeps_the_slash_in_the_path(fake: FakeS2) -> None:
    fake.add(s2_paper("d", 4, doi="10.1109/TPAMI.2024.3429301"))
    got = client(fake).paper("DOI:10.1109/TPAMI.2024.3429301", ["title"])
    assert got == {"paperId": paper_id("d"), "title": "Synthetic Paper d"}
    assert fake.log[0].path == "/paper/DOI:10.1109/TPAMI.2024.3429301"


def test_unknown_paper_is_not_found_without_retry(fake: FakeS2) -> None:
    with pytest.raises(NotFound, match=r"GET /paper/ARXIV:1234.56789: HTTP 404 'Paper with id ARXIV:1234.56789 not"):
        client(fake).paper("ARXIV:1234.56789", ["title"])
    assert len(fake.log) == 1


def test_bad_field_is_a_bad_request_without_retry(fake: FakeS2) -> None:
    seed(fake, 1)
    with pytest.raises(BadRequest, match=r"HTTP 400 \"Unrecognized or unsupported fields: \['colour'\]\""):
        client(fake).papers_batch(["ARXIV:2101.00000"], ["colour"])
    assert len(fake.log) == 1


def test_dot_segments_in_an_id_are_refused_before_sending(fake: FakeS2) -> None:
    with pytest.raises(BadRequest, match="not a usable paper id"):
        client(fake).paper("DOI:10.1/../../admin", ["title"])
    assert fake.log == []


@pytest.mark.parametrize(("title", "year", "accepted"), [
    ("Synthetic paper P1!", 2021, True),
    ("Synthetic Paper p1", 2020, False),
    ("Synthetic Paper p1 extended", 2021, False),
], ids=["same-title-other-case", "other-year", "longer-title"])
def test_title_match_needs_same_title_and_year(fake: FakeS2, title: str, year: int, accepted: bool) -> None:
    p1 = seed(fake)[1]
    got = client(fake).match_title(title, year, ["externalIds"])
    assert (got is not None) == accepted
    if got is not None:
        assert got == {"paperId": p1["paperId"], "externalIds": p1["externalIds"], "title": p1["title"], "year": 2021}
    [sent] = fake.log
    assert (sent.path, sent.query) == ("/paper/search/match", {"query": title, "fields": "externalIds,title,year"})


def test_title_match_not_found_is_none(fake: FakeS2) -> None:
    seed(fake)
    assert client(fake).match_title("Completely Unrelated Words Here", 2021) is None
    assert len(fake.log) == 1


# -- retries -----------------------------------------------------------------------------------------------------
def test_429_without_retry_after_backs_off_with_full_jitter(fake: FakeS2) -> None:
    seed(fake, 1)
    clock = Clock()
    fake.fail("status", "/paper/batch", 429, times=3)
    got = client(fake, clock, tries=4, rand=0.5).papers_batch(["ARXIV:2101.00000"], ["title"])
    assert got[0] is not None
    assert len(fake.log) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]  # 0.5 * 2 s * 2**k


def test_retry_after_seconds_is_honoured(fake: FakeS2) -> None:
    seed(fake, 1)
    clock = Clock()
    fake.fail("status", "/paper/", 429, retry_after="7")
    fake.fail("status", "/paper/", 503, retry_after="0")
    client(fake, clock).paper("ARXIV:2101.00000", ["title"])
    assert clock.sleeps == [7.0]  # the 0 s wait is not a sleep at all
    assert len(fake.log) == 3


def test_retry_after_http_date_is_read_against_the_answers_date(fake: FakeS2) -> None:
    seed(fake, 1)
    clock = Clock()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
    fake.fail("status", "/paper/", 429, retry_after=later.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    client(fake, clock).paper("ARXIV:2101.00000", ["title"])
    assert len(clock.sleeps) == 1 and 17 <= clock.sleeps[0] <= 20


def test_retry_after_beyond_the_cap_gives_up_at_once(fake: FakeS2) -> None:
    fake.fail("status", "/paper/", 429, retry_after="3600")
    clock = Clock()
    with pytest.raises(RateLimited, match="the server asks to wait 3600 s, more than the 60 s this client waits"):
        client(fake, clock).paper("ARXIV:2101.00000", ["title"])
    assert (len(fake.log), clock.sleeps) == (1, [])


def test_persistent_429_raises_rate_limited_after_max_tries(fake: FakeS2) -> None:
    fake.fail("status", "/paper/batch", 429, times=10)
    clock = Clock()
    with pytest.raises(RateLimited, match=r"HTTP 429 'Too Many Requests.*\(gave up after 3 tries\)"):
        client(fake, clock, tries=3, rand=1.0).papers_batch(["ARXIV:2101.00000"], ["title"])
    assert (len(fake.log), clock.sleeps) == (3, [2.0, 4.0])


@pytest.mark.parametrize(("status", "message"), [(500, "Internal Server Error"), (504, "Endpoint request timed out")])
def test_server_errors_are_retried_then_raised(fake: FakeS2, status: int, message: str) -> None:
    seed(fake, 1)
    fake.fail("status", "/paper/", status)
    assert client(fake).paper("ARXIV:2101.00000", ["title"])["title"] == "Synthetic Paper p0"
    fake.fail("status", "/paper/", status, times=5)
    with pytest.raises(ServerError, match=f"HTTP {status} '{message}' \\(gave up after 2 tries\\)"):
        client(fake, tries=2).paper("ARXIV:2101.00000", ["title"])
    assert len(fake.log) == 4


def test_backoff_never_exceeds_the_cap() -> None:
    policy = RetryPolicy(max_tries=10, base_delay=2.0, max_delay=60.0)
    assert [policy.backoff(k, 1.0) for k in range(1, 8)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert policy.backoff(3, 0.0) == 0.0


def test_hung_connection_times_out_and_is_retried(fake: FakeS2) -> None:
    seed(fake, 1)
    fake.fail("hang", "/paper/")
    got = client(fake, timeout=0.3).paper("ARXIV:2101.00000", ["title"])
    assert got["title"] == "Synthetic Paper p0"
    assert len(fake.log) == 2
    fake.fail("hang", "/paper/", times=2)
    with pytest.raises(Timeout, match=r"no answer within 0.3 s \(gave up after 2 tries\)"):
        client(fake, timeout=0.3, tries=2).paper("ARXIV:2101.00000", ["title"])


def test_truncated_json_is_retried_then_a_bad_response(fake: FakeS2) -> None:
    seed(fake, 1)
    fake.fail("truncate", "/paper/batch")
    assert client(fake).papers_batch(["ARXIV:2101.00000"], ["title"])[0] is not None
    assert len(fake.log) == 2
    fake.fail("truncate", "/paper/batch", times=3)
    with pytest.raises(BadResponse, match=r"not valid JSON \(truncated\?\) \(gave up after 3 tries\)"):
        client(fake, tries=3).papers_batch(["ARXIV:2101.00000"], ["title"])


def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = Clock()
    config = ClientConfig(f"http://127.0.0.1:{port}/graph/v1", None, 0.0, 2.0, RetryPolicy(max_tries=2))
    with pytest.raises(Unreachable, match=r"connection failed \(ConnectionError\) \(gave up after 2 tries\)"):
        S2Client(config, clock=clock, sleep=clock.sleep, rand=lambda: 0.25).paper("ARXIV:2101.00000", ["title"])
    assert clock.sleeps == [0.5]


# -- pacing, key, configuration ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "interval", "expected"), [(KEY, None, 1.05), (None, None, 3.0), (None, 0.25, 0.25)],
                         ids=["key-default", "anonymous-default", "explicit"])
def test_calls_are_spaced_by_the_minimum_interval(fake: FakeS2, key: str | None, interval: float | None,
                                                  expected: float) -> None:
    seed(fake, 1)
    clock = Clock()
    c = client(fake, clock, key=key, interval=interval)
    for _ in range(3):
        c.paper("ARXIV:2101.00000", ["title"])
    assert clock.sleeps == [expected, expected]
    assert c.requests_sent == 3


def test_key_is_sent_as_header_and_never_shown(fake: FakeS2, caplog: pytest.LogCaptureFixture,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    seed(fake, 1)
    caplog.set_level(logging.DEBUG)
    c = client(fake, tries=2)
    fake.fail("status", "/paper/", 429, times=3)
    fake.fail("status", "/paper/", 500)
    texts = [repr(c), str(c.config)]
    for call in (lambda: c.paper("ARXIV:2101.00000", ["title"]), lambda: c.paper("ARXIV:9", ["title"]),
                 lambda: c.papers_batch(["ARXIV:2101.00000"], ["nope"])):
        with pytest.raises(S2Error) as info:
            call()
        texts.append(str(info.value))
    c.paper("ARXIV:2101.00000", ["title"])
    out, err = capsys.readouterr()
    joined = "\n".join([*texts, caplog.text, out, err])
    assert KEY not in joined
    assert "api_key=set" in texts[0]
    assert "try 2 of 2 in" in caplog.text
    assert {r.headers.get("x-api-key") for r in fake.log} == {KEY}
    assert len(fake.log) == 6


def test_no_key_no_header(fake: FakeS2) -> None:
    seed(fake, 1)
    client(fake, key=None).paper("ARXIV:2101.00000", ["title"])
    assert "x-api-key" not in fake.log[0].headers
    assert fake.log[0].headers["user-agent"].startswith("ssml-site-builder/")


def test_config_from_environment() -> None:
    config = ClientConfig.from_env({"S2_API_URL": "http://127.0.0.1:9/graph/v1/", "S2_API_KEY": " k ",
                                    "S2_MIN_INTERVAL": "0", "S2_TIMEOUT": "2.5", "S2_MAX_TRIES": "3"})
    assert (config.base_url, config.api_key, config.interval, config.timeout, config.retry.max_tries) == \
        ("http://127.0.0.1:9/graph/v1", "k", 0.0, 2.5, 3)
    default = ClientConfig.from_env({})
    assert (default.base_url, default.interval) == ("https://api.semanticscholar.org/graph/v1", 3.0)
    assert ClientConfig.from_env({"S2_API_KEY": "k"}).interval == 1.05
    assert "k" not in repr(ClientConfig.from_env({"S2_API_KEY": "k"})).replace("key", "")


@pytest.mark.parametrize(("env", "message"), [
    ({"S2_MIN_INTERVAL": "-1"}, "S2_MIN_INTERVAL must be a finite number >= 0, not '-1'"),
    ({"S2_TIMEOUT": "soon"}, "S2_TIMEOUT must be a number, not 'soon'"),
    ({"S2_MAX_TRIES": "2.5"}, "S2_MAX_TRIES must be a whole number, not '2.5'"),
    ({"S2_API_URL": "ftp://x"}, "S2_API_URL must be an http(s) URL, not 'ftp://x'"),
])
def test_bad_configuration_is_a_usage_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        ClientConfig.from_env(env)
    assert str(info.value) == message


@pytest.mark.parametrize(("value", "expected"), [
    ("5", 5.0), ("0", 0.0), (" 1.5 ", 1.5), ("-3", None), ("soon", None), (None, None), ("", None),
    ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0), ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),
])
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    now = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.UTC)
    assert retry_after_seconds(value, now) == expected


# -- hostile servers (the safe HTTP layer under the client) ------------------------------------------------------
import json as _json  # noqa: E402
import time as _time  # noqa: E402

from tests.localhttp import Reply, Request, serve  # noqa: E402
from tests.rawhttp import drip, gzip_bomb, raw_server  # noqa: E402

SLACK = 5.0


def at(url: str, tries: int = 2, timeout: float = 2.0, deadline: float | None = None,
       key: str | None = KEY) -> S2Client:
    clock = Clock()
    config = ClientConfig(url, key, 0.0, timeout, RetryPolicy(max_tries=tries, base_delay=2.0, max_delay=60),
                          deadline)
    return S2Client(config, clock=clock, sleep=clock.sleep, rand=lambda: 0.5)


def answering(doc: object | str, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    text = doc if isinstance(doc, str) else _json.dumps(doc)
    return lambda _r: Reply(status, text, {"Content-Type": "application/json", **(headers or {})})


def test_a_307_to_another_port_does_not_carry_the_key(fake: FakeS2) -> None:
    p0 = seed(fake, 1)[0]
    elsewhere = fake.url.removesuffix("/graph/v1")

    def redirect(req: Request) -> Reply:
        return Reply(307, headers={"Location": f"{elsewhere}{req.path}?{req.query}"})

    with serve({}, fallback=redirect) as api:
        got = at(api.url + "/graph/v1").papers_batch(["ARXIV:2101.00000"], ["title"])
    assert got[0] is not None and got[0]["paperId"] == p0["paperId"]
    assert api.log[0].headers.get("x-api-key") == KEY
    assert [(r.method, r.body) for r in fake.log] == [("POST", {"ids": ["ARXIV:2101.00000"]})]  # 307 keeps the body
    assert "x-api-key" not in fake.log[0].headers


@pytest.mark.parametrize(("body", "message"), [
    ("[" * 100000 + "]" * 100000, "the JSON document is nested deeper than 64 levels"),
    ('{"paperId": "a", "year": ' + "7" * 5000 + "}", "a number in the JSON document has more than 40 digits"),
], ids=["100k-deep", "5000-digits"])
def test_hostile_json_is_a_bad_response_without_retry(body: str, message: str) -> None:
    with (
        serve({}, fallback=answering(body)) as api,
        pytest.raises(BadResponse, match=f"^GET /paper/ARXIV:2101.00000: {message}"),
    ):
        at(api.url).paper("ARXIV:2101.00000", ["title"])
    assert len(api.log) == 1


def test_a_gzip_bomb_from_the_api_is_refused_at_the_cap() -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    with serve({}, fallback=lambda _r: Reply(200, bomb, {"Content-Encoding": "gzip"})) as api:
        start = _time.monotonic()
        with pytest.raises(BadResponse, match=r"the decompressed body is larger than 16 MiB$"):
            at(api.url).paper("ARXIV:2101.00000", ["title"])
    assert len(api.log) == 1 and _time.monotonic() - start < SLACK


def test_a_body_dripped_past_the_deadline_is_a_timeout_then_retried() -> None:
    def answer(conn: Any, stop: Any) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n")
        drip(conn, b"{" * 500, 0.5, stop)

    with raw_server(answer) as api:
        start = _time.monotonic()
        with pytest.raises(Timeout, match=r"no complete answer within the 1.5 s deadline \(gave up after 2 tries\)"):
            at(api.url, tries=2, timeout=1.0, deadline=1.5).paper("ARXIV:2101.00000", ["title"])
    assert len(api.heads) == 2 and _time.monotonic() - start < 2 * 1.5 + SLACK


def test_a_redirect_to_javascript_is_a_bad_response() -> None:
    with (
        serve({}, fallback=lambda _r: Reply(302, headers={"Location": "javascript:alert(document.cookie)"})) as api,
        pytest.raises(BadResponse, match=r"GET /paper/ARXIV:1: redirect target is not http\(s\) \(javascript"),
    ):
        at(api.url).paper("ARXIV:1", ["title"])
    assert len(api.log) == 1


def test_a_lone_surrogate_in_a_title_is_replaced() -> None:
    body = '{"paperId": "abc", "title": "Deep \\ud800 Learning"}'
    with serve({}, fallback=answering(body)) as api:
        got = at(api.url).paper("ARXIV:2101.00000", ["title"])
    assert got == {"paperId": "abc", "title": "Deep \ufffd Learning"}
    got["title"].encode("utf-8")


def test_wrong_typed_batch_entries_fail_alone() -> None:
    entries = [{"paperId": "ok", "title": "Fine", "authors": [{"authorId": "1", "name": "A"}]},
               {"paperId": "v", "publicationVenue": "NeurIPS"},
               {"paperId": "e", "externalIds": ["ArXiv", "2101.00001"]},
               {"paperId": "a", "authors": 3},
               {"paperId": "n", "authors": [{"authorId": 7, "name": "B"}]},
               {"paperId": "y", "year": "2021"},
               {"paperId": "x", "externalIds": {"DOI": {"nested": True}}},
               {"paperId": 12},
               "not an object",
               None]
    ids = [f"ARXIV:2101.{i:05d}" for i in range(len(entries))]
    with serve({}, fallback=answering(entries)) as api:
        got = at(api.url).papers_batch(ids, ["title"])
    assert got[0] == entries[0] and got[-1] is None
    assert [str(g) for g in got[1:-1]] == [
        "POST /paper/batch: ARXIV:2101.00001: the entry: publicationVenue is a string, expected an object",
        "POST /paper/batch: ARXIV:2101.00002: the entry: externalIds is a list, expected an object",
        "POST /paper/batch: ARXIV:2101.00003: the entry: authors is a whole number, expected a list",
        "POST /paper/batch: ARXIV:2101.00004: the entry: authors[0].authorId is a whole number, expected a string",
        "POST /paper/batch: ARXIV:2101.00005: the entry: year is a string, expected a whole number",
        "POST /paper/batch: ARXIV:2101.00006: the entry: externalIds.DOI is an object, expected a string or a whole "
        "number",
        "POST /paper/batch: ARXIV:2101.00007: the entry has no paperId",
        "POST /paper/batch: ARXIV:2101.00008: the entry is a string, not a paper object"]
    assert all(isinstance(g, BadResponse) for g in got[1:-1])


def test_a_wrong_typed_reference_item_names_the_item() -> None:
    page = {"offset": 0, "data": [{"citedPaper": {"paperId": "r1", "title": "T"}, "isInfluential": False},
                                  {"citedPaper": {"paperId": "r2", "title": ["T"]}, "isInfluential": False}]}
    expected = r"^GET /paper/abc/references: item 1: citedPaper.title is a list, expected a string$"
    with serve({}, fallback=answering(page)) as api, pytest.raises(BadResponse, match=expected):
        at(api.url).references("abc", ["title"])


def test_one_try_is_said_in_the_singular(fake: FakeS2) -> None:
    fake.fail("status", "/paper/", 500, times=3)
    with pytest.raises(ServerError, match=r"\(gave up after 1 try\)$"):
        client(fake, tries=1).paper("ARXIV:2101.00000", ["title"])


@pytest.mark.parametrize(("value", "outcome"), [
    ("9" * 5000, "the server asks to wait 604800 s, more than the 60 s this client waits"),
    ("Fri, 31 Dec 9999 23:59:59 GMT", "the server asks to wait 604800 s, more than the 60 s this client waits"),
    ("1e400", [1.0]), ("-30", [1.0]), ("nan", [1.0]), ("soon", [1.0]), ("\u00b2", [1.0]),
    ("Sat, 01 Jan 0001 00:00:00 -2359", []),
], ids=["5000-digits", "year-9999", "1e400", "negative", "nan", "garbage", "superscript", "year-1"])
def test_absurd_retry_after_values(fake: FakeS2, value: str, outcome: str | list[float]) -> None:
    seed(fake, 1)
    clock = Clock()
    fake.fail("status", "/paper/", 429, retry_after=value)
    c = client(fake, clock, rand=0.5)
    if isinstance(outcome, str):
        with pytest.raises(RateLimited, match=outcome):
            c.paper("ARXIV:2101.00000", ["title"])
        assert clock.sleeps == []
    else:
        assert c.paper("ARXIV:2101.00000", ["title"])["title"] == "Synthetic Paper p0"
        assert clock.sleeps == outcome  # backoff (unreadable), or none at all for a date in the past
