"""Atomic file writes: a temporary file in the same folder, then renamed (or linked) into place.

A reader, or a run killed at any moment, sees either the old content or the new one, never a partial file. When a
write fails (a full disk, a read-only folder), the temporary file is removed and the error names the file that was
being written, not the temporary one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _via_temp(path: Path, data: str | bytes, place: Callable[[str, Path], None], durable: bool) -> None:
    """Write ``data`` to a hidden temporary file beside ``path``, then ``place`` it; clean up on any failure."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        place(tmp, path)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.filename == str(path):
            raise
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def read_at_most(fd: int, limit: int, chunk: int) -> bytes:
    """Up to ``limit`` bytes of the open file ``fd`` (fewer at its end), ``chunk`` bytes at a time: plain
    ``os.read``, no file object, for the loops that read tens of thousands of small files."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        got = os.read(fd, min(left, chunk))
        if not got:
            break
        chunks.append(got)
        left -= len(got)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def write_atomic(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8 with ``\\n`` newlines) in one rename.

    ``durable`` flushes the data to disk before the rename; caches and regenerable output may skip it.
    """
    _via_temp(path, data, lambda tmp, target: os.replace(tmp, target), durable)


def replace_generated(path: str, data: bytes) -> None:
    """Replace ``path`` (its folder exists) with ``data`` in one rename: the bulk variant for regenerable pages.

    No flush to disk, and a temporary name of our own (``.<name>.<pid>.tmp``, created exclusively) rather than a
    random one: one system call less and no name to draw, which counts when a build writes 20,000 pages. A
    temporary file left by a killed run with the same process id is replaced; others are removed as leftovers.
    """
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}{TEMP_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileExistsError:
            os.unlink(tmp)
            fd = os.open(tmp, flags, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        if exc.filename == path:
            raise
        raise type(exc)(exc.errno, exc.strerror, path) from exc


def create_new(path: Path, data: str | bytes) -> None:
    """Create ``path`` with ``data``, all at once, and only if it does not exist yet.

    The temporary file is hard-linked into place: ``os.link`` fails with :class:`FileExistsError` when ``path``
    exists, so an existing file (even one created a moment ago by another process) is never overwritten.
    """
    _via_temp(path, data, lambda tmp, target: os.link(tmp, target), True)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds exactly it; True when the file was written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True


def remove_leftover_temps(folder: Path) -> list[Path]:
    """Delete temporary files a killed writer left in ``folder`` (``.<name>.<random>.tmp``); returns them."""
    if not folder.is_dir():
        return []
    leftovers = sorted(p for p in folder.iterdir()
                       if p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX) and p.is_file())
    for path in leftovers:
        with contextlib.suppress(OSError):
            path.unlink()
    return leftovers
