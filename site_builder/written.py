"""What the write stage left under docs/: each generated file's signature (size, modification and change times,
inode) when it was last written or found holding its bytes, with a checksum of those bytes
(``.cache/site-builder/written.json``, git-ignored).

The next build tells a file unchanged without reading it back when its signature is the one remembered and the
checksum of the bytes it would write is the one remembered: at 20,000 papers the files under docs/ are 230 MB,
which the write stage would otherwise read on every build (seconds whenever the system has let them leave its
cache). As for the record cache's file index (:mod:`site_builder.cache`), a signature is remembered only once the
file has been left alone for :data:`~site_builder.cache.RACY_NS`, and a change time cannot be set back, so a file
touched since always looks different and is read. A missing or damaged index only means reading the files again;
any failure to read or write it is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import zlib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from site_builder.cache import settled
from site_builder.fsio import write_atomic
from site_builder.project import Project

INDEX_NAME = "written.json"
VERSION = 1


def written_index(project: Project) -> WrittenIndex:
    """The index of what the last write left in the project's docs/ folder."""
    return WrittenIndex(project.cache / INDEX_NAME, os.fspath(project.docs))


def checksum(data: bytes) -> int:
    """Two independent 32-bit checksums of ``data`` as one number (CRC-32 and Adler-32: fast, and together about
    one chance in 2**64 that changed bytes give the same number)."""
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


class WrittenIndex:
    """The signatures and checksums of the generated files under ``top``, as the last write left them."""

    def __init__(self, path: Path, top: str) -> None:
        self.path, self.top = path, top
        self.files: dict[str, list[int]] = {}
        self._dirty = False
        with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
            loaded = json.loads(path.read_bytes())
            if loaded.get("v") == VERSION and loaded.get("top") == top and isinstance(loaded.get("files"), dict):
                self.files = loaded["files"]

    def _signature(self, key: str) -> tuple[int, int, int, int] | None:
        try:
            st = os.lstat(os.path.join(self.top, key))
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if stat.S_ISREG(st.st_mode) else None

    def unchanged(self, outputs: Mapping[str, bytes], keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` whose file has the remembered signature and whose output has the remembered checksum
        (the file holds the output's bytes: nothing read)."""
        same = set()
        for key in keys:
            entry = self.files.get(key)
            if not isinstance(entry, list) or len(entry) != 5:
                continue
            data = outputs[key]
            if entry[0] != len(data):
                continue
            sig = self._signature(key)
            if sig is not None and list(sig) == entry[:4] and checksum(data) == entry[4]:
                same.add(key)
        return same

    def remember(self, outputs: Mapping[str, bytes], known: Collection[str] = ()) -> None:
        """The files of ``outputs`` now hold their bytes (just compared or written); those of ``known`` were found
        so through this index and stay as remembered. Files of no output are forgotten."""
        now = time.time_ns()
        for key in outputs:
            if key in known:
                continue
            sig = self._signature(key)
            if sig is None or not settled(sig[1], sig[2], now):
                if self.files.pop(key, None) is not None:
                    self._dirty = True
                continue
            entry = [*sig, checksum(outputs[key])]
            if self.files.get(key) != entry:
                self.files[key] = entry
                self._dirty = True
        gone = self.files.keys() - outputs.keys()
        for key in gone:
            del self.files[key]
        self._dirty |= bool(gone)

    def save(self) -> None:
        """Write the index when it changed."""
        if not self._dirty:
            return
        data: dict[str, Any] = {"v": VERSION, "top": self.top, "files": self.files}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data, separators=(",", ":")), durable=False)
            self._dirty = False
