"""The safe HTTP layer against hostile servers on 127.0.0.1 (real sockets): redirects, credentials, deadlines,
bodies, bombs, JSON and Retry-After. Every case asserts its message and that it ended in bounded time."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from site_builder.safe import http as safehttp
from site_builder.safe.http import (
    BadJson,
    ConnectFailed,
    Credentials,
    Limits,
    ProtocolError,
    RedirectError,
    RequestTimeout,
    TooLarge,
    TooManyRedirects,
    open_url,
    parse_json,
    retry_after,
)
from tests.localhttp import Reply, Request, serve
from tests.rawhttp import drip, gzip_bomb, raw_server, send

KEY = "sekret-KEY-4242"
SMALL = Limits(read_timeout=1.0, deadline=2.0, max_redirects=3, max_body=1024 * 1024, max_decoded=1024 * 1024)
#: Generous: a case bounded by a deadline must end within it plus this (a shared, slow machine).
SLACK = 5.0


@pytest.fixture
def session() -> Iterator[requests.Session]:
    s = safehttp.new_session("safehttp-test/1")
    yield s
    s.close()


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s, more than {seconds:.1f} s"


def fetch(session: requests.Session, url: str, limits: Limits = SMALL, **kwargs: object) -> tuple[int, bytes]:
    with open_url(session, "GET", url, limits, **kwargs) as reply:  # type: ignore[arg-type]
        return reply.status, reply.read()


def head(status: str = "200 OK", **headers: str) -> str:
    lines = [f"HTTP/1.1 {status}", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return "\r\n".join(lines) + "\r\n\r\n"


# -- redirects and credentials -----------------------------------------------------------------------------------
def test_key_is_not_sent_after_a_redirect_to_another_port(session: requests.Session) -> None:
    with (
        serve({"/data": lambda _r: Reply(200, "elsewhere")}) as other,
        serve({"/api": lambda _r: Reply(307, headers={"Location": other.url + "/data"})}) as api,
    ):
        creds = Credentials.for_url(api.url, {"x-api-key": KEY})
        with bounded(SLACK):
            assert fetch(session, api.url + "/api", credentials=creds) == (200, b"elsewhere")
    assert api.log[0].headers.get("x-api-key") == KEY
    assert [r.path for r in other.log] == ["/data"]
    assert "x-api-key" not in other.log[0].headers
    assert KEY not in repr(creds)


def test_key_is_kept_on_a_redirect_within_its_origin(session: requests.Session) -> None:
    with serve({"/a": lambda _r: Reply(302, headers={"Location": "/b"}), "/b": lambda _r: Reply(200, "b")}) as api:
        creds = Credentials.for_url(api.url, {"x-api-key": KEY})
        assert fetch(session, api.url + "/a", credentials=creds) == (200, b"b")
    assert [r.headers.get("x-api-key") for r in api.log] == [KEY, KEY]


def test_303_after_post_becomes_a_get_without_the_body_or_the_key(session: requests.Session) -> None:
    with (
        serve({"/done": lambda _r: Reply(200, "ok")}) as other,
        serve({"/post": lambda _r: Reply(303, headers={"Location": other.url + "/done"})}) as api,
    ):
        creds = Credentials.for_url(api.url, {"x-api-key": KEY})
        with open_url(session, "POST", api.url + "/post", SMALL, json_body={"ids": [1]},
                      credentials=creds) as reply:
            assert (reply.status, reply.history) == (200, [api.url + "/post"])
    assert (other.log[0].method, "x-api-key" in other.log[0].headers) == ("GET", False)


def test_redirect_loop_stops_after_the_cap(session: requests.Session) -> None:
    with (
        serve({"/loop": lambda _r: Reply(302, headers={"Location": "/loop"})}) as srv,
        bounded(SLACK), pytest.raises(TooManyRedirects, match=r"^more than 3 redirects \(a loop\?\)$"),
    ):
        fetch(session, srv.url + "/loop")
    assert len(srv.log) == 4


@pytest.mark.parametrize(("location", "message"), [
    ("javascript:alert(1)", "redirect target is not http(s) (javascript scheme): 'javascript:alert(1)'"),
    ("file:///etc/passwd", "redirect target is not http(s) (file scheme): 'file:///etc/passwd'"),
    ("http://[::1", "redirect to a malformed URL: 'http://[::1'"),
    ("http://127.0.0.1:99999/x", "redirect target is malformed: 'http://127.0.0.1:99999/x'"),
    ("http://exa mple.org/", "redirect target is malformed (spaces or control characters): 'http://exa mple.org/'"),
    ("https:///nohost", "redirect target has no host: 'https:///nohost'"),
    ("http://me:pw@127.0.0.1:1/x", "redirect target carries a user name or password: 'http://***@127.0.0.1:1/x'"),
    ("http://127.0.0.1/" + "a" * 9000, "redirect target longer than 8192 characters: 'http://127.0.0.1/aaaa"),
], ids=["javascript", "file", "bad-ipv6", "bad-port", "space", "no-host", "userinfo", "too-long"])
def test_redirect_to_a_bad_target_is_a_clear_error(session: requests.Session, location: str, message: str) -> None:
    with (
        raw_server(send(head("302 Found", Location=location, Content_Length="0"))) as srv,
        bounded(SLACK), pytest.raises(RedirectError) as info,
    ):
        fetch(session, srv.url + "/r")
    assert str(info.value).startswith(message) and len(str(info.value)) < 300


def test_redirect_body_is_never_read_even_an_endless_gzip_bomb(session: requests.Session) -> None:
    bomb = gzip_bomb(8 * 1024 * 1024)

    def redirect(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head("302 Found", Location=ok.url + "/ok", Content_Encoding="gzip",
                          Transfer_Encoding="chunked").encode())
        while not stop.is_set():  # endless: reading it would end only at the cap or the deadline
            conn.sendall(f"{len(bomb):x}\r\n".encode() + bomb + b"\r\n")

    with serve({"/ok": lambda _r: Reply(200, "landed")}) as ok, raw_server(redirect) as srv, bounded(SMALL.deadline):
        assert fetch(session, srv.url + "/r") == (200, b"landed")


# -- deadlines ---------------------------------------------------------------------------------------------------
def test_body_dripped_one_byte_per_half_second_ends_at_the_deadline(session: requests.Session) -> None:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head(Content_Length="1000").encode())
        drip(conn, b"x" * 1000, 0.5, stop)

    with raw_server(answer) as srv, bounded(SMALL.deadline + SLACK), pytest.raises(RequestTimeout) as info:
        fetch(session, srv.url + "/drip")
    assert str(info.value) == "no complete answer within the 2 s deadline" and info.value.deadline_hit


def test_dripped_status_line_ends_at_the_deadline(session: requests.Session) -> None:
    with (
        raw_server(lambda conn, stop: drip(conn, b"HTTP/1.1 200 OK" + b" " * 10000, 0.3, stop)) as srv,
        bounded(SMALL.deadline + SLACK), pytest.raises(RequestTimeout, match="within the 2 s deadline"),
    ):
        fetch(session, srv.url + "/")


def test_endless_dripped_headers_end_at_the_deadline(session: requests.Session) -> None:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.2):
            conn.sendall(b"X-Filler: y\r\n")

    with raw_server(answer) as srv, bounded(SMALL.deadline + SLACK), pytest.raises(RequestTimeout) as info:
        fetch(session, srv.url + "/")
    assert str(info.value) == "no complete answer within the 2 s deadline"


def test_silent_server_is_a_read_timeout(session: requests.Session) -> None:
    with (
        raw_server(lambda _conn, stop: stop.wait(30) and None) as srv,
        bounded(SMALL.read_timeout + SLACK), pytest.raises(RequestTimeout) as info,
    ):
        fetch(session, srv.url + "/")
    assert (str(info.value), info.value.deadline_hit) == ("no answer within 1 s", False)


def test_endless_chunked_body_slowly_ends_at_the_deadline(session: requests.Session) -> None:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head(Transfer_Encoding="chunked").encode())
        while not stop.wait(0.1):
            conn.sendall(b"4\r\nabcd\r\n")

    with raw_server(answer) as srv, bounded(SMALL.deadline + SLACK), pytest.raises(RequestTimeout, match="deadline"):
        fetch(session, srv.url + "/")


# -- sizes -------------------------------------------------------------------------------------------------------
def test_endless_chunked_body_stops_at_the_size_cap(session: requests.Session) -> None:
    block = b"z" * 65536

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head(Transfer_Encoding="chunked").encode())
        while not stop.is_set():
            conn.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")

    with (
        raw_server(answer) as srv,
        bounded(SMALL.deadline + SLACK), pytest.raises(TooLarge, match=r"^the body is larger than 1 MiB$"),
    ):
        fetch(session, srv.url + "/")


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", -15), ("deflate", 15)],
                         ids=["gzip", "raw-deflate", "zlib-deflate"])
def test_compression_bomb_in_a_200_stops_at_the_decompressed_cap(session: requests.Session, encoding: str,
                                                                  wbits: int) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024, wbits)
    assert len(bomb) < SMALL.max_body  # small on the wire: only the decompressed cap can stop it
    with (
        serve({"/bomb": lambda _r: Reply(200, bomb, {"Content-Encoding": encoding})}) as srv,
        bounded(SLACK), pytest.raises(TooLarge, match=r"^the decompressed body is larger than 1 MiB$"),
    ):
        fetch(session, srv.url + "/bomb")


def test_a_small_gzip_body_is_decoded(session: requests.Session) -> None:
    import gzip

    with (
        serve({"/z": lambda _r: Reply(200, gzip.compress(b'{"a": 1}'), {"Content-Encoding": "gzip"})}) as srv,
        open_url(session, "GET", srv.url + "/z", SMALL) as reply,
    ):
        assert reply.json() == {"a": 1}
    assert srv.log[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(("encoding", "message"), [
    ("br", "unsupported Content-Encoding 'br'"), ("gzip, gzip", "stacked Content-Encoding 'gzip, gzip' is refused"),
])
def test_unknown_or_stacked_encodings_are_refused(session: requests.Session, encoding: str, message: str) -> None:
    with (
        serve({"/e": lambda _r: Reply(200, b"\x00" * 100, {"Content-Encoding": encoding})}) as srv,
        pytest.raises(ProtocolError) as info,
    ):
        fetch(session, srv.url + "/e")
    assert str(info.value) == message


def test_a_declared_length_over_the_cap_is_refused_before_reading(session: requests.Session) -> None:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head(Content_Length=str(10**12)).encode())
        stop.wait(30)  # would hang a reader that waits for the body

    with raw_server(answer) as srv, bounded(SLACK), pytest.raises(TooLarge) as info:
        fetch(session, srv.url + "/")
    assert str(info.value) == "the body is larger than 1 MiB (Content-Length 1000000000000)"


def test_partial_read_takes_only_the_start(session: requests.Session) -> None:
    with (
        serve({"/big": lambda _r: Reply(200, b"a" * 500000)}) as srv,
        open_url(session, "GET", srv.url + "/big", SMALL) as reply,
    ):
        assert reply.read(2048, partial=True) == b"a" * 2048


# -- protocol and connection failures ----------------------------------------------------------------------------
@pytest.mark.parametrize("garbage", ["HELLO THERE\r\n\r\n", "HTTP/1.1 abc Nope\r\n\r\n",
                                     "HTTP/1.1 200 OK\r\n" + "X-A: b\r\n" * 200 + "\r\n",
                                     "HTTP/1.1 200 OK\r\nX-Long: " + "y" * 70000 + "\r\n\r\n"],
                         ids=["not-http", "bad-status", "too-many-headers", "header-too-long"])
def test_malformed_answers_are_protocol_errors(session: requests.Session, garbage: str) -> None:
    with raw_server(send(garbage)) as srv, bounded(SLACK), pytest.raises((ProtocolError, ConnectFailed)) as info:
        fetch(session, srv.url + "/")
    assert str(info.value).startswith(("malformed answer from the server", "the server broke the HTTP protocol",
                                       "connection failed"))


def test_refused_connection() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with bounded(SLACK), pytest.raises(ConnectFailed, match=r"cannot connect to 127.0.0.1:\d+ \(refused\)"):
        fetch(safehttp.new_session("t"), f"http://127.0.0.1:{port}/")


def test_a_non_http_start_url_is_refused_before_any_connection(session: requests.Session) -> None:
    with pytest.raises(RedirectError, match=r"^URL is not http\(s\) \(ftp scheme\): 'ftp://127.0.0.1/x'$"):
        fetch(session, "ftp://127.0.0.1/x")


# -- JSON --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100000 + "]" * 100000, "the JSON document is nested deeper than 64 levels"),
    ('{"a":' * 100000 + "1" + "}" * 100000, "the JSON document is nested deeper than 64 levels"),
    ('{"year": ' + "9" * 5000 + "}", "a number in the JSON document has more than 40 digits"),
    ('{"year": ' + "9" * 41 + "}", "a number in the JSON document has more than 40 digits"),
    ('{"x": 1e999}', "a number in the JSON document is out of range (an exponent of 100 or more)"),
    ('{"x": NaN}', "NaN is not a JSON number"),
    ('{"x": -Infinity}', "-Infinity is not a JSON number"),
    ("[" + "{}," * 500001 + "{}]", "the JSON document holds more than 500000 objects and lists"),
    ("[" + "1," * 2000001 + "1]", "the JSON document holds more than 2000000 values"),
    ('["' + "[" * 100 + '", ' + "[" * 65 + "]" * 65 + "]", "the JSON document is nested deeper than 64 levels"),
], ids=["deep-list", "deep-object", "huge-number", "41-digits", "overflowing-float", "nan", "infinity",
        "swelling-objects", "swelling-values", "deep-after-a-bracketed-string"])
def test_hostile_json_is_a_clear_error(text: str, message: str) -> None:
    with bounded(SLACK), pytest.raises(BadJson) as info:
        parse_json(text.encode())
    assert (str(info.value), info.value.retryable) == (message, False)


def test_brackets_and_escapes_inside_strings_do_not_count() -> None:
    doc = {"t": '[[[[ " [[[[ \\', "n": 12345678901234567890, "x": [1.5e-7, {"u": "\\ud800 is text"}]}
    text = json.dumps(doc)  # the backslash before "ud800" is escaped: six characters, no surrogate
    assert parse_json(text.encode()) == doc
    assert parse_json(("[" * 61 + text + "]" * 61).encode()) is not None  # 64 levels: 61 + the three inside


def test_truncated_json_is_retryable() -> None:
    with pytest.raises(BadJson, match=r"^not valid JSON \(truncated\?\)") as info:
        parse_json(b'{"data": [1, 2')
    assert info.value.retryable


def test_lone_surrogates_are_replaced_so_the_result_can_be_written() -> None:
    value = parse_json(rb'{"title": "Bad \ud800 title", "\udfff": ["ok \ud83d\ude00", "x\udc00"]}')
    assert value == {"title": "Bad \ufffd title", "\ufffd": ["ok \U0001f600", "x\ufffd"]}
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # would raise on a lone surrogate


def test_json_deeper_than_allowed_from_a_server(session: requests.Session) -> None:
    with (
        serve({"/deep": lambda _r: Reply(200, "[" * 100000 + "]" * 100000)}) as srv,
        open_url(session, "GET", srv.url + "/deep", SMALL) as reply, pytest.raises(BadJson, match="deeper"),
    ):
        reply.json()


# -- Retry-After -------------------------------------------------------------------------------------------------
NOW = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("5", 5.0), (" 1.5 ", 1.5), ("0", 0.0), (None, None), ("", None), ("soon", None), ("-5", None),
    ("nan", None), ("inf", None), ("1e400", None), ("\u00b2", None), ("\u0663", None),
    ("99999999999999999999", safehttp.MAX_RETRY_AFTER), ("9" * 5000, safehttp.MAX_RETRY_AFTER),
    ("864000", safehttp.MAX_RETRY_AFTER), ("Wed, 21 Oct 2026 07:28:30 GMT", 30.0),
    ("Wed, 21 Oct 2026 07:00:00 GMT", 0.0), ("Fri, 31 Dec 9999 23:59:59 GMT", safehttp.MAX_RETRY_AFTER),
    ("Mon, 01 Jan 0001 00:00:00 +2359", 0.0), ("Wed, 32 Oct 2026 07:28:30 GMT", None),
    ("Wed, 21 Oct 99999 07:28:30 GMT", None), ("x" * 100000, None),
], ids=lambda v: repr(v)[:30])
def test_retry_after_is_read_defensively(value: str | None, expected: float | None) -> None:
    assert retry_after(value, NOW) == expected


def test_retry_after_of_a_real_answer_with_an_absurd_date(session: requests.Session) -> None:
    headers = {"Retry-After": "Sat, 01 Jan 0001 00:00:00 -2359", "Date": "garbage"}
    with (
        serve({"/busy": lambda _r: Reply(429, "", headers)}) as srv,
        open_url(session, "GET", srv.url + "/busy", SMALL) as reply,
    ):
        assert reply.status == 429
        value = retry_after(reply.headers.get("retry-after"), safehttp.http_date(reply.headers.get("date")))
    assert value in (None, 0.0)


# -- through a plain requests session (any adapter) --------------------------------------------------------------
def test_a_plain_session_still_gets_manual_redirects_and_caps() -> None:
    plain = requests.Session()
    bomb = gzip_bomb(32 * 1024 * 1024)
    routes = {"/r": lambda _r: Reply(302, bomb, {"Location": "/bomb", "Content-Encoding": "gzip"}),
              "/bomb": lambda _r: Reply(200, bomb, {"Content-Encoding": "gzip"})}
    with serve(routes) as srv, bounded(SLACK), pytest.raises(TooLarge, match="decompressed body is larger than 1 MiB"):
        fetch(plain, srv.url + "/r")
    assert [r.path for r in srv.log] == ["/r", "/bomb"]


def test_only_listed_headers_are_sent(session: requests.Session) -> None:
    seen: list[Request] = []

    def record(req: Request) -> Reply:
        seen.append(req)
        return Reply(200)

    with serve({"/h": record}) as srv:
        session.cookies.set("session", "abc")
        fetch(session, srv.url + "/h", headers={"Accept": "application/json"})
    assert "cookie" not in seen[0].headers and "authorization" not in seen[0].headers
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].headers["user-agent"] == "safehttp-test/1"


def test_a_silent_tls_server_is_a_read_timeout(session: requests.Session) -> None:
    # a server that accepts the connection and never answers the TLS handshake
    with raw_server(lambda _conn, stop: stop.wait(30) and None) as plain:
        url = plain.url.replace("http://", "https://")
        with bounded(SMALL.read_timeout + SLACK), pytest.raises(RequestTimeout) as info:
            fetch(session, url + "/")
    assert str(info.value) == "no answer within 1 s"


def test_through_a_proxy_the_layer_hands_over_to_requests(session: requests.Session) -> None:
    seen: list[Request] = []

    def proxy(req: Request) -> Reply:
        seen.append(req)
        return Reply(200, "via proxy")

    with serve({}, fallback=proxy) as srv:
        session.proxies = {"http": srv.url}
        target = "http://127.0.0.1:9/never-contacted"  # the proxy answers for it
        creds = Credentials.for_url(target, {"x-api-key": KEY})
        assert fetch(session, target, credentials=creds) == (200, b"via proxy")
    assert [r.path for r in seen] == ["/never-contacted"] and seen[0].headers.get("x-api-key") == KEY
