"""A value derived from the records, kept in one JSON file under the digest of exactly what it was derived from.

The citation facts (:mod:`site_builder.citations.cache`) and the similar papers (:mod:`site_builder.site.model`)
cost a large part of a regeneration, and an edit of a summary or a title changes none of their inputs. Each is
stored with its key: a SHA-256 of its inputs, of the source files of the code that derives it, and of the
package version. A key that differs in any byte is a miss, so a stale value cannot be returned; nothing is
hand-listed except the inputs a function receives as arguments.

The file is JSON, never pickle: a cache file committed by a stranger's pull request can at worst give wrong numbers,
not run code. Reads are bounded like every other file; any failure to read or write is ignored (the value is
derived again).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from site_builder import __version__
from site_builder.safe.files import read_file, write_atomic
from site_builder.safe.http import BadJson, Limits, parse_json


@cache
def code_digest(*modules: ModuleType) -> str:
    """A digest of the source files of ``modules``: editing the code that derives a value invalidates it, even
    without a new version number."""
    digest = hashlib.sha256(__version__.encode())
    for module in modules:
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def content_key(code: str, inputs: Any) -> str:
    """The key of a value derived by ``code`` (a :func:`code_digest`) from ``inputs`` (plain JSON data)."""
    return hashlib.sha256(json.dumps([code, inputs], separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


class KeyedFile:
    """One cached value in ``file`` (``None`` disables caching)."""

    def __init__(self, file: Path | None, limits: Limits) -> None:
        self.file, self.limits = file, limits

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None (missing, another key, damaged)."""
        if self.file is None:
            return None
        raw, _ = read_file(self.file, self.file.name, root=self.file.parent, max_bytes=self.limits.max_decoded,
                           what="cache files")
        if raw is None:
            return None
        try:
            data = parse_json(raw, self.limits)
        except BadJson:
            return None
        return data.get("value") if isinstance(data, dict) and data.get("key") == key else None

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` (plain JSON data) under ``key``, replacing what the file held."""
        if self.file is None:
            return
        with contextlib.suppress(OSError, TypeError, ValueError):
            text = json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":"))
            write_atomic(self.file, text, durable=False)
