"""The one HTTP layer every network call of the project goes through (Semantic Scholar, ``add``, ``check-links``).

What it guarantees, whatever the server does:

* **Redirects are followed by hand**, at most ``Limits.max_redirects`` hops. A redirect to a malformed URL or to
  a scheme other than http(s) is an :class:`RedirectError`; redirect bodies are never read.
* **Credentials stay at their origin.** :class:`Credentials` headers (the ``x-api-key``) are sent only to the
  origin (scheme, host, port) they belong to; a hop to any other origin goes without them. Session-level auth
  (``.netrc``) and cookies are never added.
* **A total deadline per request**: connect, status line, headers and body of every hop together, on top of the
  per-read timeout. The sessions of :func:`new_session` send through :class:`SafeAdapter` (a transport adapter,
  requests' public extension point, over the standard library's ``http.client``) whose sockets check the
  deadline before every read and write, so a status line or body dripped one byte at a time ends at the
  deadline. Through any other adapter (e.g. one a test mounts) the deadline is checked between reads.
* **Bounded bodies**: at most ``max_body`` bytes on the wire and ``max_decoded`` after ``Content-Encoding``
  (decompressed here, in steps, so a gzip bomb stops at the cap).
* **Bounded JSON** (:func:`parse_json`): size, nesting depth, the count of objects/lists and of values, and
  the digits of numbers are limited (checked at C speed before parsing), NaN/Infinity and overflowing numbers
  refused, and lone surrogates replaced by U+FFFD, so a parsed answer can always be written as UTF-8.
* **Defensive ``Retry-After``** (:func:`retry_after`): seconds or an HTTP date; garbage, negative and
  non-finite values are None, huge ones are capped.

Every failure is an :class:`HttpError` with a message fit for a report; nothing else escapes :func:`open_url`.
Not bounded by the deadline: the system resolver's name lookup (``getaddrinfo``), which has its own timeouts.

Use::

    session = new_session("my-agent/1")
    with open_url(session, "GET", url, Limits(read_timeout=15, deadline=60), credentials=creds) as reply:
        reply.status, reply.headers, reply.read() or reply.json()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.client
import json
import math
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from site_builder.kb.problems import SiteBuilderError

MIB = 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: ``Retry-After`` values above this (a week) are read as this: the server means "not any time soon".
MAX_RETRY_AFTER = 7 * 24 * 3600.0
ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds of one request (all hops together)."""

    read_timeout: float = 15.0
    deadline: float = 60.0
    max_redirects: int = 10
    max_body: int = 16 * MIB
    max_decoded: int = 16 * MIB
    max_json_depth: int = 64
    max_number_digits: int = 40
    max_json_containers: int = 500_000
    max_json_values: int = 2_000_000
    max_url_chars: int = 8192


# -- errors ------------------------------------------------------------------------------------------------------
class HttpError(SiteBuilderError):
    """Base of every failure of this layer; the message says what happened, never a header value."""


class RequestTimeout(HttpError):
    """No byte within the per-read timeout (``deadline_hit`` False) or the whole request past its deadline."""

    def __init__(self, message: str, deadline_hit: bool) -> None:
        super().__init__(message)
        self.deadline_hit = deadline_hit


class ConnectFailed(HttpError):
    """The connection could not be made or was dropped (refused, reset, DNS, TLS); ``kind`` names the failure
    the way requests' exception classes do (``ConnectionError``, ``SSLError``)."""

    def __init__(self, message: str, kind: str = "ConnectionError") -> None:
        super().__init__(message)
        self.kind = kind


class RedirectError(HttpError):
    """A redirect that is not followed: malformed target, another scheme, or too many hops."""


class TooManyRedirects(RedirectError):
    """More hops than ``Limits.max_redirects`` (usually a loop)."""


class TooLarge(HttpError):
    """The body is larger than allowed, on the wire or decompressed."""


class ProtocolError(HttpError):
    """The server did not speak HTTP properly (malformed status line or chunking, unknown encoding)."""


class BadJson(HttpError):
    """The body is not JSON within the limits; ``retryable`` is True for syntax errors (a truncated answer)."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


# -- deadline ----------------------------------------------------------------------------------------------------
class Budget:
    """The time left for one request: every socket operation waits at most min(read timeout, time left)."""

    def __init__(self, read_timeout: float, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.read_timeout, self.deadline, self._clock = read_timeout, deadline, clock
        self._end = clock() + deadline

    def remaining(self) -> float:
        """Seconds left before the deadline (may be negative)."""
        return self._end - self._clock()

    def check(self) -> None:
        """Raise :class:`RequestTimeout` when the deadline has passed."""
        if self.remaining() <= 0:
            raise self.expired()

    def step(self) -> float:
        """The timeout for the next socket operation; raises when the deadline has passed."""
        left = self.remaining()
        if left <= 0:
            raise self.expired()
        return min(self.read_timeout, left)

    def expired(self) -> RequestTimeout:
        """The error of a request past its deadline."""
        return RequestTimeout(f"no complete answer within the {self.deadline:g} s deadline", deadline_hit=True)

    def read_timed_out(self) -> RequestTimeout:
        """The error of a read (or connect) that got no byte in time; the deadline's when that is what ran out."""
        if self.remaining() <= 0.05:
            return self.expired()
        return RequestTimeout(f"no answer within {self.read_timeout:g} s", deadline_hit=False)


class _DeadlineSocket(socket.socket):
    """A TCP socket that re-arms its timeout from the request's budget before each operation."""

    budget: Budget | None = None

    def _arm(self) -> None:
        if self.budget is not None:
            self.settimeout(self.budget.step())

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._arm()
        return super().recv(bufsize, flags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        return super().recv_into(buffer, nbytes, flags)

    def send(self, data: Any, flags: int = 0) -> int:
        self._arm()
        return super().send(data, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._arm()
        super().sendall(data, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The TLS counterpart (set as ``SSLContext.sslsocket_class``, the documented way to subclass it)."""

    budget: Budget | None = None

    def _arm(self) -> None:
        if self.budget is not None:
            self.settimeout(self.budget.step())

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self._arm()
        return super().recv(buflen, flags)

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self._arm()
        return super().recv_into(buffer, nbytes, flags)

    def send(self, data: Any, flags: int = 0) -> int:
        self._arm()
        return super().send(data, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._arm()
        super().sendall(data, flags)


def _connect(host: str, port: int, budget: Budget) -> _DeadlineSocket:
    """A connected deadline socket (the name lookup itself is the system resolver's, not bounded here)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ConnectFailed(f"cannot resolve host {host!r}") from exc
    budget.check()
    last: OSError | None = None
    for family, kind, proto, _name, address in infos:
        sock = _DeadlineSocket(family, kind, proto)
        try:
            sock.settimeout(budget.step())
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise budget.read_timed_out() from None
        except OSError as exc:
            sock.close()
            last = exc
            continue
        except BaseException:
            sock.close()
            raise
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.budget = budget
        return sock
    raise ConnectFailed(f"cannot connect to {host}:{port} ({_reason(last)})")


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__ if exc is not None else "no address"


class _Connection(http.client.HTTPConnection):
    """``http.client`` over a deadline socket (TLS when a context is given)."""

    def __init__(self, host: str, port: int, budget: Budget, context: ssl.SSLContext | None) -> None:
        super().__init__(host, port, timeout=budget.read_timeout)
        self._budget, self._context = budget, context

    def connect(self) -> None:
        sock = _connect(self.host, self.port, self._budget)
        if self._context is None:
            self.sock = sock
            return
        try:
            tls = self._context.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
        except BaseException:
            sock.close()
            raise
        assert isinstance(tls, _DeadlineSSLSocket)
        tls.budget = self._budget
        try:
            tls.settimeout(self._budget.step())  # the handshake as a whole is bounded by this timeout
            tls.do_handshake()
        except TimeoutError:
            tls.close()
            raise self._budget.read_timed_out() from None
        except (ssl.SSLError, ssl.CertificateError, OSError) as exc:
            tls.close()
            raise ConnectFailed(f"TLS failed with {self.host} ({type(exc).__name__})", "SSLError") from exc
        self.sock = tls


class _Raw:
    """The body of an answer from :class:`SafeAdapter`: ``read1`` like urllib3's, deadline-checked."""

    def __init__(self, response: http.client.HTTPResponse, connection: _Connection, budget: Budget) -> None:
        self._response, self._connection, self._budget = response, connection, budget

    def read1(self, amt: int = _CHUNK, decode_content: bool = False) -> bytes:
        self._budget.check()
        return self._response.read1(amt)

    def read(self, amt: int = _CHUNK, decode_content: bool = False) -> bytes:
        return self.read1(amt)

    def close(self) -> None:
        self._response.close()
        self._connection.close()

    def release_conn(self) -> None:
        self.close()


class SafeAdapter(BaseAdapter):
    """A requests transport adapter over ``http.client`` whose sockets keep the request's :class:`Budget`.

    ``timeout`` may be a :class:`Budget` (what :func:`open_url` passes), a number or a (connect, read) pair.
    No connection pooling: one connection per request. Through a proxy (``HTTP(S)_PROXY``) it hands the request
    to requests' own :class:`~requests.adapters.HTTPAdapter`, where the deadline is checked between reads only.
    """

    def __init__(self) -> None:
        super().__init__()
        self._contexts: dict[tuple[Any, Any], ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._fallback: HTTPAdapter | None = None

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Mapping[str, str] | None = None) -> requests.Response:
        budget = timeout if isinstance(timeout, Budget) else _budget_of(timeout)
        url = request.url or ""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if proxies and (proxies.get(scheme) or proxies.get("all")):
            with self._lock:
                self._fallback = self._fallback or HTTPAdapter(max_retries=0)
            wait = (budget.step(), budget.step())
            return self._fallback.send(request, stream=True, timeout=wait, verify=verify, cert=cert, proxies=proxies)
        if scheme not in ("http", "https") or not parts.hostname:
            raise RedirectError(f"not an http(s) URL: {url[:200]!r}")
        context = self._context(verify, cert) if scheme == "https" else None
        port = parts.port or (443 if scheme == "https" else 80)
        conn = _Connection(parts.hostname, port, budget, context)
        try:
            conn.request(request.method or "GET", request.path_url, body=request.body,
                         headers=dict(request.headers))
            answer = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        resp = requests.Response()
        resp.status_code = answer.status
        resp.reason = answer.reason
        resp.headers = CaseInsensitiveDict(_joined(answer.getheaders()))
        resp.raw = _Raw(answer, conn, budget)
        resp.url = url
        resp.request = request
        resp.connection = self  # type: ignore[assignment]  # requests types it as HTTPAdapter; any adapter works
        return resp

    def _context(self, verify: Any, cert: Any) -> ssl.SSLContext:
        key = (verify if isinstance(verify, (str, bool)) else True, cert if isinstance(cert, (str, tuple)) else None)
        with self._lock:
            context = self._contexts.get(key)
            if context is None:
                context = self._contexts[key] = _tls_context(*key)
            return context

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()


def _tls_context(verify: str | bool, cert: str | tuple[str, str] | None) -> ssl.SSLContext:
    if isinstance(verify, str) and os.path.isdir(verify):
        context = ssl.create_default_context(capath=verify)
    elif isinstance(verify, str):
        context = ssl.create_default_context(cafile=verify)
    else:
        context = ssl.create_default_context()
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    if cert:
        certfile, keyfile = (cert, None) if isinstance(cert, str) else cert
        context.load_cert_chain(certfile, keyfile)
    context.sslsocket_class = _DeadlineSSLSocket
    return context


def _budget_of(timeout: Any) -> Budget:
    if isinstance(timeout, tuple):
        read = max(float(t) for t in timeout if t is not None) if any(t is not None for t in timeout) else 60.0
    else:
        read = float(timeout) if timeout is not None else 60.0
    return Budget(read, 4 * read)


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def new_session(user_agent: str) -> requests.Session:
    """A session whose http(s) requests go through :class:`SafeAdapter`, with ``user_agent``."""
    session = requests.Session()
    adapter = SafeAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


# -- URLs, origins, credentials ----------------------------------------------------------------------------------
Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) with the default port filled in; None for a URL that has no usable origin."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


@dataclass(frozen=True)
class Credentials:
    """Headers (an API key) that may go to ``origin`` only. The values never appear in a repr."""

    origin: Origin
    headers: Mapping[str, str] = field(repr=False)

    @classmethod
    def for_url(cls, url: str, headers: Mapping[str, str]) -> Credentials | None:
        """Credentials for the origin of ``url``; None when there are no headers or ``url`` has no origin."""
        where = origin_of(url)
        return cls(where, dict(headers)) if headers and where else None


_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f]")


def checked_url(url: str, limits: Limits, what: str = "URL") -> str:
    """``url`` when it is an absolute http(s) URL with a host; else a :class:`RedirectError` saying why."""
    shown = repr(url[:200] + ("..." if len(url) > 200 else ""))
    if len(url) > limits.max_url_chars:
        raise RedirectError(f"{what} longer than {limits.max_url_chars} characters: {shown}")
    if _BAD_URL_CHARS.search(url):
        raise RedirectError(f"{what} is malformed (spaces or control characters): {shown}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number or out of range)
    except ValueError:
        raise RedirectError(f"{what} is malformed: {shown}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RedirectError(f"{what} is not http(s) ({scheme or 'no'} scheme): {shown}")
    if not parts.hostname:
        raise RedirectError(f"{what} has no host: {shown}")
    if what != "URL" and (parts.username is not None or parts.password is not None):
        raise RedirectError(f"{what} carries a user name or password: {_without_userinfo(parts)!r}")
    return url


def _without_userinfo(parts: Any) -> str:
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://***@{host}{parts.path}"


# -- the request -------------------------------------------------------------------------------------------------
@dataclass
class Reply:
    """The final answer (after redirects), its body not yet read: read it with :meth:`read` or :meth:`json`."""

    status: int
    url: str
    headers: Mapping[str, str]
    history: list[str]
    _response: requests.Response = field(repr=False)
    _budget: Budget = field(repr=False)
    _limits: Limits = field(repr=False)

    @property
    def redirected(self) -> bool:
        """True when at least one redirect led here."""
        return bool(self.history)

    def read(self, max_bytes: int | None = None, *, partial: bool = False) -> bytes:
        """The decoded body, at most ``max_bytes`` (default ``Limits.max_decoded``).

        Beyond the cap: :class:`TooLarge`, or with ``partial`` the first ``max_bytes`` bytes.
        """
        cap = self._limits.max_decoded if max_bytes is None else max_bytes
        try:
            return _read_body(self._response, self.headers.get("content-encoding", ""), cap, partial,
                              self._limits, self._budget)
        except HttpError:
            raise
        except Exception as exc:
            raise _mapped(exc, self._budget) from exc
        finally:
            self.close()

    def json(self) -> Any:
        """The body parsed by :func:`parse_json` under this request's limits."""
        return parse_json(self.read(), self._limits)

    def close(self) -> None:
        """Release the connection (unread body bytes are dropped)."""
        with contextlib.suppress(Exception):
            self._response.close()

    def __enter__(self) -> Reply:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_url(session: requests.Session, method: str, url: str, limits: Limits, *,
             params: Mapping[str, str] | None = None, json_body: Any = None,
             headers: Mapping[str, str] | None = None, credentials: Credentials | None = None) -> Reply:
    """Send a request, follow redirects by hand, and return the final :class:`Reply` with its body unread.

    Raises only :class:`HttpError` subclasses. ``credentials`` headers go only to their origin.
    """
    budget = Budget(limits.read_timeout, limits.deadline)
    history: list[str] = []
    body = json_body
    try:
        checked_url(url, limits)
        for _hop in range(limits.max_redirects + 1):
            resp = _send(session, method, url, params, body, headers, credentials, budget)
            params = None
            location = resp.headers.get("location")
            if resp.status_code not in REDIRECT_STATUSES or location is None:
                return Reply(resp.status_code, url, {k.lower(): v for k, v in resp.headers.items()}, history,
                             resp, budget, limits)
            resp.close()  # a redirect's body is never read
            history.append(url)
            try:
                target = urljoin(url, location.strip())
            except ValueError:
                raise RedirectError(f"redirect to a malformed URL: {location[:200]!r}") from None
            url = checked_url(target, limits, "redirect target")
            if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
                method, body = ("HEAD" if method == "HEAD" else "GET"), None
        raise TooManyRedirects(f"more than {limits.max_redirects} redirects (a loop?)")
    except HttpError:
        raise
    except Exception as exc:
        raise _mapped(exc, budget) from exc


def _send(session: requests.Session, method: str, url: str, params: Mapping[str, str] | None, body: Any,
          headers: Mapping[str, str] | None, credentials: Credentials | None, budget: Budget) -> requests.Response:
    merged: dict[str, str] = {str(k): str(v) for k, v in session.headers.items()}
    merged.update(headers or {})
    merged["Accept-Encoding"] = ACCEPT_ENCODING
    if credentials is not None and origin_of(url) == credentials.origin:
        merged.update(credentials.headers)
    # Prepared by hand, not by the session: no .netrc auth, no cookies, nothing but what is listed here.
    prepared = requests.Request(method, url, headers=merged, params=params or {}, json=body).prepare()
    adapter = session.get_adapter(prepared.url or url)
    settings = session.merge_environment_settings(prepared.url, {}, True, None, None)
    timeout: Any = budget if isinstance(adapter, SafeAdapter) else (budget.step(), budget.step())
    budget.check()
    verify = settings["verify"]
    return adapter.send(prepared, stream=True, timeout=timeout, verify=True if verify is None else verify,
                        cert=settings["cert"], proxies=settings["proxies"])


def _mapped(exc: BaseException, budget: Budget) -> HttpError:
    """Any transport exception as the layer's error."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, (TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError)):
        return budget.read_timed_out()
    if isinstance(exc, (requests.exceptions.SSLError, ssl.SSLError)):
        return ConnectFailed(f"TLS failed ({type(exc).__name__})", "SSLError")
    if isinstance(exc, (http.client.RemoteDisconnected, ConnectionError, requests.ConnectionError)):
        return ConnectFailed(f"connection failed ({type(exc).__name__})")
    if isinstance(exc, (http.client.LineTooLong, http.client.BadStatusLine)):
        return ProtocolError(f"malformed answer from the server ({type(exc).__name__})")
    if isinstance(exc, (http.client.HTTPException, urllib3.exceptions.HTTPError, requests.RequestException)):
        return ProtocolError(f"the server broke the HTTP protocol ({type(exc).__name__})")
    if isinstance(exc, OSError):
        return ConnectFailed(f"connection failed ({type(exc).__name__})")
    if isinstance(exc, (ValueError, UnicodeError)):
        return ProtocolError(f"unusable request or answer ({type(exc).__name__})")
    return HttpError(f"request failed ({type(exc).__name__})")


# -- bodies ------------------------------------------------------------------------------------------------------
class _Decoder:
    """Content-Encoding undone in steps, never more than the room left."""

    def __init__(self, encoding: str) -> None:
        names = [n.strip().lower() for n in encoding.split(",") if n.strip() and n.strip().lower() != "identity"]
        if len(names) > 1:
            raise ProtocolError(f"stacked Content-Encoding {encoding[:60]!r} is refused")
        self.name = names[0] if names else ""
        if self.name in ("gzip", "x-gzip"):
            self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.name == "deflate":
            self._z = None  # zlib-wrapped or raw, decided on the first bytes
        elif self.name:
            raise ProtocolError(f"unsupported Content-Encoding {self.name[:40]!r}")

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        """Decoded pieces of ``data``, each at most ``room + 1`` bytes (so going over the cap is seen)."""
        if not self.name:
            yield data
            return
        if self._z is None:
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        pending = data
        try:
            while pending and not self._z.eof:
                piece = self._z.decompress(pending, room + 1)
                pending = self._z.unconsumed_tail
                room -= len(piece)
                yield piece
                if room < 0:
                    return
        except zlib.error as exc:
            raise ProtocolError(f"the {self.name} body is corrupt ({exc})") from None


def _read_body(resp: requests.Response, encoding: str, cap: int, partial: bool, limits: Limits,
               budget: Budget) -> bytes:
    declared = resp.headers.get("content-length", "").strip()
    if not partial and declared.isascii() and declared.isdigit() and len(declared) < 30 \
            and int(declared) > limits.max_body:
        raise TooLarge(f"the body is larger than {_size(limits.max_body)} (Content-Length {declared})")
    decoder = _Decoder(encoding)
    raw = resp.raw
    reader = getattr(raw, "read1", None) or raw.read
    out = bytearray()
    wire = 0
    while True:
        budget.check()
        chunk = reader(_CHUNK, decode_content=False)
        if not chunk:
            return bytes(out)
        wire += len(chunk)
        if wire > limits.max_body:
            if partial:
                return bytes(out[:cap])
            raise TooLarge(f"the body is larger than {_size(limits.max_body)}")
        for piece in decoder.feed(chunk, cap - len(out)):
            out += piece
            if len(out) > cap:
                if partial:
                    return bytes(out[:cap])
                what = "decompressed " if decoder.name else ""
                raise TooLarge(f"the {what}body is larger than {_size(cap)}")
        if partial and len(out) >= cap:
            return bytes(out[:cap])


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB and n % (MIB // 4) == 0 else f"{n} bytes"


# -- JSON ------------------------------------------------------------------------------------------------------
#: A string once escaped backslashes and quotes are gone; the closing quote optional so the scan stays linear.
_PLAIN_STRING = re.compile(r'"[^"]*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LONG_DIGITS = re.compile(r"[0-9]{41,}")
_BIG_EXPONENT = re.compile(r"[0-9.][eE][+-]?[0-9]{3}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotANumber(Exception):
    pass


def _constant(token: str) -> Any:
    raise _NotANumber(f"{token} is not a JSON number")


def parse_json(data: bytes | str, limits: Limits = Limits()) -> Any:
    """JSON within ``limits``, lone surrogates replaced by U+FFFD; else :class:`BadJson` with a clear message.

    Before parsing, the document's skeleton (strings taken out, at C speed) is checked: nesting depth, how many
    objects/lists and values it holds (so a small document cannot swell into gigabytes of Python objects), and
    its numbers (at most ``max_number_digits`` digits in a row, exponents under 100, no NaN or Infinity). Never
    RecursionError or a bare ValueError.
    """
    text, unescaped = _within_limits(data, limits)
    try:
        value = json.loads(text, parse_constant=_constant)
    except _NotANumber as exc:
        raise BadJson(str(exc)) from None
    except RecursionError:
        raise BadJson(f"the JSON document is nested deeper than {limits.max_json_depth} levels") from None
    except ValueError as exc:
        if "digits" in str(exc) and "integer" in str(exc):  # Python's own cap on int() of a long digit string
            raise BadJson(f"a number in the JSON document has more than {limits.max_number_digits} digits") from None
        raise BadJson(f"not valid JSON (truncated?): {str(exc)[:120]}", retryable=True) from None
    return _without_surrogates(value) if _SURROGATE_ESCAPE.search(unescaped) else value


def check_json_limits(data: bytes | str, limits: Limits = Limits()) -> None:
    """Raise :class:`BadJson` unless ``data`` is within ``limits`` (the checks :func:`parse_json` makes before
    parsing): then any JSON parser, such as pydantic's, may read it."""
    _within_limits(data, limits)


def _within_limits(data: bytes | str, limits: Limits) -> tuple[str, str]:
    if len(data) > limits.max_decoded:
        raise BadJson(f"the JSON document is larger than {_size(limits.max_decoded)}")
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    unescaped = text.replace("\\\\", "").replace('\\"', "")  # no escaped backslash or quote is left
    _check_skeleton(_PLAIN_STRING.sub("", unescaped), limits)
    return text, unescaped


def _check_skeleton(skeleton: str, limits: Limits) -> None:
    containers = skeleton.count("[") + skeleton.count("{")
    if containers > limits.max_json_containers:
        raise BadJson(f"the JSON document holds more than {limits.max_json_containers} objects and lists")
    if skeleton.count(",") >= limits.max_json_values:
        raise BadJson(f"the JSON document holds more than {limits.max_json_values} values")
    if _LONG_DIGITS.search(skeleton):
        raise BadJson(f"a number in the JSON document has more than {limits.max_number_digits} digits")
    if _BIG_EXPONENT.search(skeleton):
        raise BadJson("a number in the JSON document is out of range (an exponent of 100 or more)")
    depth = 0
    for char in _NOT_BRACKET.sub("", skeleton):  # at most max_json_containers openers, checked above
        if char in "[{":
            depth += 1
            if depth > limits.max_json_depth:
                raise BadJson(f"the JSON document is nested deeper than {limits.max_json_depth} levels")
        else:
            depth -= 1


def _without_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate (in keys and strings) replaced by U+FFFD (depth already bounded)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if not value.isascii() else value
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


# -- Retry-After -------------------------------------------------------------------------------------------------
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def retry_after(value: str | None, now: dt.datetime | None = None, cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds a ``Retry-After`` header asks for, in [0, ``cap``]; None when absent or unreadable.

    Accepts delay-seconds (decimals too) and HTTP dates, read against ``now`` (aware; default the current
    time). Negative, non-finite and garbage values are None; huge ones (any number of digits) are ``cap``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > 200:
        return cap if text and text.isascii() and text.isdigit() else None
    if _SECONDS.fullmatch(text):
        whole = text.split(".")[0]
        return cap if len(whole) > 12 else min(cap, float(text))
    when = http_date(text)
    if when is None:
        return None
    reference = now or dt.datetime.now(dt.UTC)
    try:
        seconds = (when - reference).total_seconds()
    except (OverflowError, TypeError):
        return None
    return min(cap, max(0.0, seconds)) if math.isfinite(seconds) else None


def http_date(value: str | None) -> dt.datetime | None:
    """An HTTP date (RFC 9110) as an aware datetime, or None when it is not one (or is out of range)."""
    if not value or len(value) > 200:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
        return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None

