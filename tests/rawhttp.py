"""A raw TCP server on 127.0.0.1 for hostile HTTP answers: malformed status lines, drips, endless bodies, bombs.

Each connection reads the request head (and a Content-Length body), records it, then runs ``answer(conn, stop)``
in its own thread; ``stop`` is set when the block ends, so a dripping answer ends with the test.
"""

from __future__ import annotations

import socket
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

Answer = Callable[[socket.socket, threading.Event], None]


@dataclass
class RawServer:
    """A running raw server: its base URL and the request heads it received (lower-cased header names)."""

    url: str
    heads: list[dict[str, str]] = field(default_factory=list)


def _read_head(conn: socket.socket) -> dict[str, str]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            break
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    out = {":request": lines[0] if lines else ""}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        out[name.strip().lower()] = value.strip()
    missing = int(out.get("content-length", "0") or 0) - len(rest)
    while missing > 0:
        piece = conn.recv(min(missing, 65536))
        if not piece:
            break
        missing -= len(piece)
    return out


@contextmanager
def raw_server(answer: Answer, tls: tuple[Path, Path] | None = None) -> Iterator[RawServer]:
    """Serve ``answer`` on a free port of 127.0.0.1 until the block ends (over TLS with (certificate, key))."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    listener.settimeout(0.05)
    stop = threading.Event()
    server = RawServer(f"{'https' if tls else 'http'}://127.0.0.1:{listener.getsockname()[1]}")
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))

    def one(conn: socket.socket) -> None:
        with conn:
            try:
                if context is not None:
                    conn.settimeout(10)
                    conn = context.wrap_socket(conn, server_side=True)
                    conn.settimeout(None)
                server.heads.append(_read_head(conn))
                answer(conn, stop)
            except (OSError, ssl.SSLError):
                pass

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def drip(conn: socket.socket, data: bytes, interval: float, stop: threading.Event) -> None:
    """Send ``data`` one byte every ``interval`` seconds (until ``stop``)."""
    for i in range(len(data)):
        if stop.wait(interval):
            return
        conn.sendall(data[i:i + 1])


def send(text: str | bytes) -> Answer:
    """An answer that sends ``text`` at once and closes."""
    data = text.encode("latin-1") if isinstance(text, str) else text

    def answer(conn: socket.socket, _stop: threading.Event) -> None:
        conn.sendall(data)

    return answer


def gzip_bomb(size: int, wbits: int = 31) -> bytes:
    """``size`` zero bytes gzip-compressed (``wbits`` 31) or raw-deflated (``wbits`` -15): about 1000 times smaller."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + packer.flush()
