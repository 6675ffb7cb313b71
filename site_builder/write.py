"""The write stage: put generated files under docs/, touching only what changed.

A file is rewritten only when its bytes differ (so the site generator's dirty rebuilds and file watchers see
only real changes), each write is atomic (temporary file in the same folder, then ``os.replace``), and files
inside the generated folders that the current render did not produce are removed as stale. Files outside the
generated folders and files are never touched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from site_builder.forked import Forked
from site_builder.fsio import read_at_most, replace_generated
from site_builder.problems import SiteBuilderError
from site_builder.written import WrittenIndex


@dataclass(frozen=True)
class WriteStats:
    """What a write did."""

    written: int
    unchanged: int
    removed: int


def _check_key(key: str) -> None:
    # Plain string tests (no pathlib): this runs for every generated file.
    if not key or key.startswith("/") or "\\" in key or any(part in ("", ".", "..") for part in key.split("/")):
        raise SiteBuilderError(f"refusing to write generated file {key!r}: not a plain relative path")


def _owned(key: str, dirs: Iterable[str], files: Iterable[str]) -> bool:
    return key in files or any(key.startswith(d.rstrip("/") + "/") for d in dirs)


def existing_generated(base: Path, dirs: Iterable[str], files: Iterable[str]) -> set[str]:
    """Paths (relative to ``base``) of the files currently inside the generated folders, plus generated files."""
    found = {f for f in files if (base / f).is_file()}
    top = os.fspath(base)
    for folder in dirs:
        _list_files(os.path.join(top, folder), folder, found)
    return found


def _list_files(path: str, rel: str, found: set[str]) -> None:
    """Add to ``found`` the files under the folder ``path`` (``rel`` relative to docs/), as :func:`os.walk` sees
    them: a link to a folder is neither listed nor followed. (A recursion over :func:`os.scandir` with plain
    strings: this lists tens of thousands of files on every build, in about half the time os.walk takes.)"""
    try:
        listing = os.scandir(path)
    except OSError:
        return
    with listing:
        for entry in listing:
            if entry.is_dir():
                if not entry.is_symlink():
                    _list_files(entry.path, f"{rel}/{entry.name}", found)
            else:
                found.add(f"{rel}/{entry.name}")


def _remove_empty_dirs(base: Path, dirs: Iterable[str], emptied: Iterable[Path]) -> None:
    """Remove the folders left empty by removed files, from the deepest up, never a generated folder itself."""
    tops = [base / d for d in dirs]
    for folder in sorted(set(emptied), key=lambda p: len(p.parts), reverse=True):
        here = folder
        while any(top in here.parents for top in tops) and here.is_dir() and not any(here.iterdir()):
            here.rmdir()
            here = here.parent


def _same(path: str, data: bytes) -> bool:
    """True when ``path`` is a regular file (not a link) holding exactly ``data``. (``os.open`` and ``os.read``, no
    file object: this runs for each of tens of thousands of pages.)"""
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


#: Opening a link fails (the comparison then says "changed" and the write replaces the link), and opening a FIFO
#: does not wait for a writer (it is then found not to be a regular file).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


#: From this many files to compare with what is on disk, a forked process takes most of them (the machine's second
#: core) while this process lists the generated folders and takes the rest.
SPLIT_COMPARE_FROM = 2000
#: Of every five files (largest first), how many the forked process compares: this process lists the folders too.
FORKED_SHARE = 3


def _unchanged(top: str, outputs: Mapping[str, bytes], keys: list[str],
               index: WrittenIndex | None = None) -> tuple[set[str], set[str]]:
    """Those of ``keys`` whose file under ``top`` already holds exactly the output's bytes, and those of them that
    ``index`` vouched for (not read)."""
    vouched = index.unchanged(outputs, keys) if index is not None else set()
    read = {key for key in keys if key not in vouched and _same(os.path.join(top, key), outputs[key])}
    return read | vouched, vouched


class _Comparison:
    """:func:`_unchanged` of ``keys``: for many files, a forked process starts on its share at once (dealt by size,
    largest first, so that the two shares take about as long) and :meth:`result` does the rest here."""

    def __init__(self, top: str, outputs: Mapping[str, bytes], keys: list[str], index: WrittenIndex | None) -> None:
        self._args = top, outputs, index
        self._helper: Forked[tuple[set[str], set[str]]] | None = None
        self._mine = keys
        if len(keys) >= SPLIT_COMPARE_FROM:
            by_size = sorted(keys, key=lambda key: len(outputs[key]), reverse=True)
            theirs = [key for i, key in enumerate(by_size) if i % 5 < FORKED_SHARE]
            self._mine = [key for i, key in enumerate(by_size) if i % 5 >= FORKED_SHARE]
            self._helper = Forked(lambda: _unchanged(top, outputs, theirs, index))

    def result(self) -> tuple[set[str], set[str]]:
        """The files that hold their outputs' bytes, and those of them the index vouched for."""
        top, outputs, index = self._args
        mine, vouched = _unchanged(top, outputs, self._mine, index)
        if self._helper is None:
            return mine, vouched
        theirs, their_vouched = self._helper.result()
        return mine | theirs, vouched | their_vouched


#: In a session, a replaced file at least this large is freed by a background thread: the file system frees a
#: replaced file's blocks within the rename, about 2 ms a megabyte here (the downloads of a 20,000-paper collection,
#: rewritten after a title edit, are about 90 MB).
FREE_LATER_FROM = 1 << 20


#: Files at least this large are written by two helper threads while this one writes the smaller files: the kernel
#: copies the bytes and allocates the blocks without holding the interpreter lock, so the large downloads of a
#: 20,000-paper collection (about 90 MB, rewritten after a title edit) are written on both cores.
WRITE_BESIDE_FROM = 1 << 20


def _hold(path: str, held: list[int]) -> None:
    """Keep ``path``'s current file open, so that replacing it does not free it (see :data:`FREE_LATER_FROM`)."""
    with contextlib.suppress(OSError):
        held.append(os.open(path, os.O_RDONLY))


def _close_all(fds: list[int]) -> None:
    """Close ``fds``: the last reference to a replaced file, whose blocks are freed then."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def _free_later(fds: list[int]) -> None:
    """:func:`_close_all` on a background thread."""
    if fds:
        threading.Thread(target=_close_all, args=(fds,), name="free-replaced-files", daemon=True).start()


class _Beside:
    """Files written on two helper threads (see :data:`WRITE_BESIDE_FROM`), by output key."""

    def __init__(self, name: str) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=name)
        self.started: dict[str, Future[None]] = {}

    def write(self, key: str, path: str, data: bytes) -> None:
        """Start replacing ``path`` with ``data``."""
        self.started[key] = self.pool.submit(replace_generated, path, data)

    def stop(self) -> None:
        """Wait until every write started is done or has failed."""
        self.pool.shutdown(wait=True)

    def done(self) -> set[str]:
        """:meth:`stop`, then the keys written (the first failure is raised)."""
        self.stop()
        for future in self.started.values():
            future.result()
        return set(self.started)


class EarlyWrites:
    """Large files a long-running process writes while it is still rendering the rest (see :func:`generate
    <site_builder.build.generate>`): the render offers each large output as soon as it is made, and a helper thread
    replaces those that the last write left in place with other bytes. The write stage then skips them
    (:meth:`finish` names them); every early write is done, or has failed, before :meth:`finish` returns."""

    def __init__(self, base: Path, dirs: Iterable[str], files: Iterable[str], present: Collection[str],
                 last: Mapping[str, bytes]) -> None:
        self.top, self.dirs, self.files = os.fspath(base), tuple(dirs), tuple(files)
        self.present, self.last = present, last
        self.writers = _Beside("write-early")
        self.held: list[int] = []

    def offer(self, key: str, data: bytes) -> None:
        """Write ``data`` to ``key`` now when it is a large replacement of a file the last write left (other
        outputs wait for the write stage)."""
        if len(data) < WRITE_BESIDE_FROM or key not in self.present:
            return
        last = self.last.get(key)
        if last is data or last == data:  # what the last write left in place (the write stage need not look)
            return
        _check_key(key)
        if not _owned(key, self.dirs, self.files) or key in self.writers.started:
            return
        path = os.path.join(self.top, key)
        if os.path.islink(path):
            return  # the write stage replaces the link itself
        _hold(path, self.held)
        self.writers.write(key, path, data)

    def finish(self) -> set[str]:
        """Wait for the early writes; the files written (the first failure is raised). The replaced files stay held
        until :meth:`release` (or the write stage, given :attr:`held`): freeing them takes the file system's journal
        for a few tenths of a second, which would hold up the write stage's own renames."""
        return self.writers.done()

    def take_held(self) -> list[int]:
        """The replaced files held open, now the caller's to free (see :func:`write_outputs`)."""
        held, self.held = self.held, []
        return held

    def release(self) -> None:
        """Free the replaced files in the background (when the write stage did not)."""
        _free_later(self.take_held())


def write_outputs(base: Path, outputs: Mapping[str, bytes], dirs: Iterable[str], files: Iterable[str],
                  known: Collection[str] = (), present: Collection[str] | None = None,
                  done: Collection[str] = (), held: list[int] | None = None,
                  index: WrittenIndex | None = None) -> WriteStats:
    """Write ``outputs`` under ``base``; every key must lie in one of the generated ``dirs`` or ``files``.

    A long-running ``serve`` passes what its previous write left: ``known`` names outputs whose bytes are those
    already in place (they are not read back to compare), and ``present`` the generated files there (the folders,
    20,000 of them for as many papers, are then not listed again), ``done`` the outputs :class:`EarlyWrites`
    already wrote and ``held`` the files they replaced (freed with this write's own, once it is done).

    A build passes the ``index`` of what the last write left (see :mod:`site_builder.written`): files it vouches
    for are not read back; it is brought up to date and saved afterwards.
    """
    held = held if held is not None else []
    try:
        return _write_outputs(base, outputs, tuple(dirs), tuple(files), known, present, done, held, index)
    finally:
        _free_later(held)  # the replaced files this write and the early ones held, once every rename is done


def _write_outputs(base: Path, outputs: Mapping[str, bytes], dirs: tuple[str, ...], files: tuple[str, ...],
                   known: Collection[str], present: Collection[str] | None, done: Collection[str],
                   held: list[int], index: WrittenIndex | None) -> WriteStats:
    # The files a session's previous write left were checked then: only new keys are checked again.
    for key in outputs if present is None else outputs.keys() - present:
        _check_key(key)
        if not _owned(key, dirs, files):
            raise SiteBuilderError(f"refusing to write {key!r}: it is not inside a generated folder of docs/")
    made: set[str] = set()
    top = str(base)
    removed = 0
    # Set operations, not a loop over every output: a session's write touches a few of 20,000 files.
    known_here = outputs.keys() & set(known)
    # Files not there fail the comparison at once: it starts before (and runs while) the folders are listed.
    comparing = _Comparison(top, outputs, sorted(outputs.keys() - known_here - set(done)), index)
    existing = set(present) if present is not None else existing_generated(base, dirs, files)
    compared, vouched = comparing.result()
    same = (known_here & existing) | compared
    unchanged = len(same)
    written = len(done)
    same |= set(done)
    beside = _Beside("write-large-files")
    try:
        for key in sorted(outputs.keys() - same):
            path = os.path.join(top, key)
            data = outputs[key]
            if key in existing and os.path.islink(path):
                os.unlink(path)
            elif present is not None and key in existing and len(data) >= FREE_LATER_FROM:
                _hold(path, held)
            folder = os.path.dirname(path)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            if len(data) >= WRITE_BESIDE_FROM:
                beside.write(key, path, data)
            else:
                replace_generated(path, data)
            written += 1
    finally:
        beside.stop()
    beside.done()  # the first failure, as the loop would have raised it
    emptied = []
    for key in sorted(existing - outputs.keys()):
        (base / key).unlink()
        emptied.append((base / key).parent)
        removed += 1
    _remove_empty_dirs(base, dirs, emptied)
    if index is not None:
        index.remember(outputs, vouched)
        index.save()
    return WriteStats(written, unchanged, removed)
