"""Running a function in a forked child process: while this process goes on (:class:`Forked`, the build's
second core), or instead of this process (:func:`isolated`, a stage whose objects should never be freed here).

The child starts as a copy of this process (copy-on-write: nothing is pickled on the way in), calls the
function, sends back its pickled result through a pipe and exits without running any clean-up of the parent's
(``os._exit``): the millions of objects a large build leaves are never freed one by one. The child is killed if
this process dies first (Linux), so a killed build leaves no worker behind. Where ``os.fork`` does not exist,
or fails, the function simply runs here when its result is asked for.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

from site_builder.problems import SiteBuilderError

T = TypeVar("T")

#: Errors that come back from the child as themselves (the command line turns each into a one-line message);
#: any other error is reported with its traceback and becomes a :class:`SiteBuilderError` here.
PASSED_ON = (SiteBuilderError, OSError, KeyboardInterrupt)


#: Objects that a function run by :func:`isolated` leaves to its process's end: a child exits without freeing
#: them (see :func:`spare`).
_spared: list[object] = []


def spare(*objects: object) -> None:
    """Keep ``objects`` alive until the end of the :func:`isolated` call that is running.

    A child process then exits without freeing them: freeing the millions of objects of a 20,000-paper build one
    by one, when the function returns, costs most of a second. Where the function ran in this process instead,
    they are let go when it returns.
    """
    _spared.extend(objects)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this (child) process when its parent ends; exit now if the parent has already ended."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _answer(func: Callable[[], T]) -> bytes:
    """``func()``'s value, or its error, pickled for the parent."""
    try:
        return pickle.dumps((True, func()), protocol=pickle.HIGHEST_PROTOCOL)
    except PASSED_ON as exc:
        with contextlib.suppress(Exception):
            return pickle.dumps((False, exc))
        return pickle.dumps((False, traceback.format_exc()))
    except BaseException:
        return pickle.dumps((False, traceback.format_exc()))


class Forked(Generic[T]):
    """``func()`` computed in a child process; :meth:`result` waits for it."""

    def __init__(self, func: Callable[[], T]) -> None:
        self._func = func
        self._pid = 0
        self._read = -1
        if not hasattr(os, "fork"):
            return
        try:
            read, write = os.pipe()
        except OSError:
            return
        parent = os.getpid()
        _flush()  # or what is waiting in a buffer would be written twice, once by each process
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: compute, send, leave
            code = 0
            try:
                os.close(read)
                _die_with_parent(parent)
                data = _answer(func)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
            except BaseException:
                code = 1
            finally:
                _flush()
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def cancel(self) -> None:
        """Stop the child (if one was started and is not yet waited for) without waiting for its answer."""
        if not self._pid:
            return
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._read)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        self._pid = 0

    def result(self) -> T:
        """The function's return value (computed here if no child could be started)."""
        if not self._pid:
            return self._func()
        try:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
        finally:  # also when interrupted: the child got the same Ctrl-C and cleans up before it ends
            os.waitpid(self._pid, 0)
            self._pid = 0
        if not data:
            raise SiteBuilderError("a background worker of the build ended without an answer")
        ok, value = pickle.loads(data)
        if not ok:
            if isinstance(value, PASSED_ON):
                raise value
            sys.stderr.write(str(value))
            raise SiteBuilderError("a background worker of the build failed (details above)")
        result: T = value
        return result


class Claims:
    """The numbers ``0 .. count - 1`` shared out between this process and the processes it forks afterwards: each
    number goes to exactly one of them, to whichever asks first, and each process gets its numbers in increasing
    order.

    Every number is one byte written into a pipe before the fork, whose writing end is then closed: reading one
    byte from a pipe is atomic, so each number reaches one reader, and an empty pipe reads as its end.
    """

    LIMIT = 255

    def __init__(self, count: int) -> None:
        if not 0 <= count <= self.LIMIT:
            raise ValueError(f"at most {self.LIMIT} numbers can be shared out, not {count}")
        self._read, write = os.pipe()
        try:
            os.write(write, bytes(range(count)))  # at most 255 bytes: far below a pipe's capacity
        finally:
            os.close(write)

    @classmethod
    def batch_size(cls, items: int, batches: int = LIMIT) -> int:
        """How many of ``items`` go in one batch so that they make at most ``batches`` batches (and no more than
        can be shared out): at least one."""
        return -(-items // max(1, min(batches, cls.LIMIT))) or 1

    def next(self) -> int | None:
        """The next number nobody has taken yet, now this process's; ``None`` when all are taken."""
        got = os.read(self._read, 1)
        return got[0] if got else None

    def close(self) -> None:
        """Release the pipe (every process that shares it closes its own copy)."""
        os.close(self._read)


def isolated(func: Callable[[], T]) -> T:
    """``func()``, run in a child process while this one waits (here when other threads run: a fork copies
    only the calling thread, and a lock another thread held would never be released in the child).

    What ``func`` prints reaches the same output streams; the errors in :data:`PASSED_ON` are raised here as
    themselves.
    """
    try:
        return func() if threading.active_count() > 1 else Forked(func).result()
    finally:
        _spared.clear()  # (only ever filled here when the function ran here)
