"""Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over the target.

A reader (or a run killed at any moment) sees either the old content or the new one, never a partial file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
