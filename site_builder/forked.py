"""Running one pure function in a forked child process while this process goes on (the build's second core).

The child starts as a copy of this process (copy-on-write: nothing is pickled on the way in), calls the
function, sends back its pickled result through a pipe and exits without running any clean-up of the parent's
(``os._exit``). Where ``os.fork`` does not exist, or fails, the function simply runs when its result is asked
for. The function must not write files or print: only its return value comes back.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

from site_builder.problems import SiteBuilderError

T = TypeVar("T")


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
                try:
                    data = pickle.dumps((True, func()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    data = pickle.dumps((False, traceback.format_exc()))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The function's return value (computed here if no child could be started)."""
        if not self._pid:
            return self._func()
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        if not data:
            raise SiteBuilderError("a background worker of the build ended without an answer")
        ok, value = pickle.loads(data)
        if not ok:
            sys.stderr.write(str(value))
            raise SiteBuilderError("a background worker of the build failed (details above)")
        result: T = value
        return result
