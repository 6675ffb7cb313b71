"""A real HTTP server on 127.0.0.1 for tests: routes are plain functions, every request is logged."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class Reply:
    """What a route answers; ``delay`` holds the answer back (a hung server), ``body`` may be bytes or text."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Callable[[Request], Reply]


@dataclass
class Server:
    """A running server: its base URL and the log of requests it received."""

    url: str
    log: list[Request]
    routes: dict[str, Route]

    def hits(self, path: str) -> list[Request]:
        """Requests for ``path`` in arrival order."""
        return [r for r in self.log if r.path == path]


@contextmanager
def serve(routes: dict[str, Route], fallback: Route | None = None,
          tls: tuple[Path, Path] | None = None) -> Iterator[Server]:
    """Serve ``routes`` (path -> function) on a free port of 127.0.0.1 until the block ends.

    With ``tls`` (certificate, key) the server speaks HTTPS (see :func:`self_signed`).
    """
    log: list[Request] = []
    lock = threading.Lock()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            request = Request(self.command, parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()})
            with lock:
                log.append(request)
            route = routes.get(parts.path) or fallback
            reply = route(request) if route else Reply(404, b"not here")
            if reply.delay:
                stop.wait(reply.delay)
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            try:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_HEAD = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"{scheme}://127.0.0.1:{server.server_address[1]}", log, routes)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 made with the openssl command: (certificate, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key
