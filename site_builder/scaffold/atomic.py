"""Create a file that must not exist yet, all at once: readers see nothing or the whole file, never a part."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def create_new(path: Path, text: str) -> None:
    """Write ``text`` to a hidden temporary file beside ``path``, then hard-link it into place.

    ``os.link`` fails with :class:`FileExistsError` when ``path`` exists, so an existing record (even one
    created a moment ago by another process) is never overwritten. The temporary name starts with a dot, which
    the record loader ignores.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
