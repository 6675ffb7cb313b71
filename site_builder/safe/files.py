"""The one safe file layer: bounded reads that stay inside the checkout, and atomic writes.

Reads (:func:`read_file`): the path is resolved and must stay inside the checkout; a symlink leading outside, a
symlink loop, a FIFO, a device or a folder where a file is expected is an ``unsafe-path`` problem of that file
(returned with the file's path, never raised, so the run reports it with all other problems); the size is checked
before and while reading, so a growing or endless file stops at the cap.

Writes: a temporary file in the same folder, then renamed (or linked) into place, with the mode the user's umask
gives (``mkstemp`` would leave 0600).

A reader, or a run killed at any moment, sees either the old content or the new one, never a partial file. When a
write fails (a full disk, a read-only folder), the temporary file is removed and the error names the file that was
being written, not the temporary one.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from site_builder.kb.problems import Problem

TEMP_SUFFIX = ".tmp"
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def default_mode() -> int:
    """The mode a plain ``open()`` would give a new file: 0666 less the umask."""
    return 0o666 & ~_umask()


def unsafe(rel: str, message: str) -> Problem:
    """The problem of a path that is not a plain file inside the checkout."""
    return Problem(rel, None, None, "error", "unsafe-path", message)


def checkout_of(path: str | Path, rel: str) -> str:
    """The checkout a file belongs to: ``rel`` names it relative to the checkout, so take its parts off ``path``.
    A file named some other way (a path given on the command line, outside the checkout) is held to its own
    folder."""
    full, parts = Path(os.path.abspath(path)), Path(rel).parts
    if parts and not Path(rel).is_absolute() and ".." not in parts and full.parts[-len(parts):] == parts:
        return str(full.parents[len(parts) - 1])
    return str(full.parent)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@functools.lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    # Where the checkout itself lives is the user's choice, not the checkout's content: resolved once.
    return os.path.realpath(root)


def _plain_inside(full: str, root: str) -> str | None:
    """``full`` under the resolved ``root`` when no component below ``root`` is a link (one ``lstat`` each, the
    common case: ``realpath`` costs ten times more), else None."""
    if not full.startswith(root + os.sep):
        return None
    parts = full[len(root) + 1:].split(os.sep)
    if "" in parts or "." in parts or ".." in parts:
        return None
    here = _real_root(root)
    for part in parts:
        here = here + os.sep + part  # plain concatenation: os.path.join costs more than the lstat
        try:
            if stat.S_ISLNK(os.lstat(here).st_mode):
                return None
        except FileNotFoundError:
            return here
        except OSError:
            return None
    return here


def resolve_inside(path: str | Path, rel: str, root: str | Path) -> tuple[str | None, Problem | None]:
    """``path`` with every symlink resolved, or the ``unsafe-path`` problem when it loops or leads outside
    ``root``. A missing file resolves (the open that follows reports it)."""
    plain = _plain_inside(os.path.abspath(path), os.path.abspath(root))
    if plain is not None:
        return plain, None
    try:
        real = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        return os.path.abspath(path), None
    except OSError as exc:  # ELOOP and friends
        return None, unsafe(rel, f"the path cannot be resolved ({exc.strerror or exc}): a symlink loop?")
    top = _real_root(os.path.abspath(root))
    if os.path.commonpath([real, top]) != top:
        return None, unsafe(rel, f"a symlink leads outside the checkout (to {real}); "
                                 "records are read only from inside it")
    return real, None


def read_file(path: str | Path, rel: str, *, max_bytes: int, root: str | Path | None = None,
              what: str = "files", special_ok: bool = False) -> tuple[bytes | None, list[Problem]]:
    """A file's bytes, or ``None`` and the problems: ``unsafe-path`` (see the module), ``unreadable``,
    ``file-too-large`` (over ``max_bytes``, found before reading or while reading). ``root`` (default: the
    checkout ``rel`` is relative to) is the folder the file must stay in; ``None`` with ``special_ok`` reads a
    path the user named on the command line: anywhere, and a pipe or device too, but never past the cap."""
    target: str | None = str(path)
    if not special_ok:
        target, problem = resolve_inside(path, rel, root if root is not None else checkout_of(path, rel))
        if problem is not None:
            return None, [problem]
    assert target is not None
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang the run (the fstat below refuses it);
        # O_NOFOLLOW: the resolved path holds no link, so one swapped in since is refused, not followed.
        guard = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(target, _READ_FLAGS | (0 if special_ok else guard))
    except OSError as exc:
        if exc.errno is not None and exc.errno == getattr(os, "ELOOP", -1):
            return None, [unsafe(rel, "the path is a symbolic link (a loop, or one swapped in while reading)")]
        return None, [Problem(rel, None, None, "error", "unreadable", f"cannot read file: {exc.strerror or exc}")]
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if stat.S_ISDIR(info.st_mode) or (not regular and not special_ok):
            return None, [unsafe(rel, f"the path is {_kind(info.st_mode)}, not a file")]
        if regular and info.st_size > max_bytes:
            return None, [Problem(rel, 1, 1, "error", "file-too-large",
                                  f"file is {info.st_size:,} bytes; {what} are limited to {max_bytes:,} bytes")]
        raw = read_at_most(fd, max_bytes + 1, max(min(info.st_size, max_bytes) + 1, 1 << 16))
    except OSError as exc:
        return None, [Problem(rel, None, None, "error", "unreadable", f"cannot read file: {exc.strerror or exc}")]
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return None, [Problem(rel, 1, 1, "error", "file-too-large",
                              f"file is larger than {max_bytes:,} bytes; {what} are limited to that")]
    return raw, []


def _via_temp(path: Path, data: str | bytes, place: Callable[[str, Path], None], durable: bool) -> None:
    """Write ``data`` to a hidden temporary file beside ``path``, then ``place`` it; clean up on any failure."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), default_mode())  # mkstemp's 0600 would outlive the rename
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
            fd = os.open(tmp, flags, 0o666)  # less the umask, as open() gives
        except FileExistsError:
            os.unlink(tmp)
            fd = os.open(tmp, flags, 0o666)  # less the umask, as open() gives
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


#: Opening a link fails (the comparison then says "changed" and the write replaces the link), and opening a FIFO
#: does not wait for a writer (it is then found not to be a regular file).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def holds(path: str | Path, data: bytes) -> bool:
    """True when ``path`` is a regular file (not a link) holding exactly ``data``."""
    try:
        fd = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        # One byte more than expected: a file that grew since fstat does not compare equal.
        return read_at_most(fd, len(data) + 1, len(data) + 1) == data
    except OSError:
        return False
    finally:
        os.close(fd)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds exactly it; True when the file was written. A link
    or a pipe in its place is never read, only replaced."""
    if holds(path, text.encode("utf-8")):
        return False
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
