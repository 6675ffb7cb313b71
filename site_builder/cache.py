"""A content-hash cache of parsed and validated records (git-ignored, under ``.cache/site-builder/records``).

A record file's bytes, hashed together with a fingerprint of the schema and the package version, key the
validated record as JSON. A hit skips YAML parsing and Python-level validation: pydantic re-reads the JSON in its
compiled core. Only records without problems are cached, so every problem is always found afresh, and a cold cache
gives exactly the same records as a warm one. Shards (256 files by key prefix) keep a one-record edit from
rewriting the whole cache. The cache is an optimisation only: any failure to read or write it is ignored.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from site_builder import __version__
from site_builder.fsio import write_atomic
from site_builder.models import CitingList, Dataset, Paper

VERSION = 1


@cache
def schema_fingerprint() -> bytes:
    """Changes whenever the record schema or the package version changes (which invalidates every entry)."""
    schemas = {m.__name__: m.model_json_schema() for m in (Paper, Dataset, CitingList)}
    text = json.dumps([VERSION, __version__, schemas], sort_keys=True)
    return hashlib.sha256(text.encode()).digest()


class RecordCache:
    """Validated records as JSON text, by content key; ``folder=None`` disables caching."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._shards: dict[str, dict[str, str]] = {}
        self._dirty: set[str] = set()
        self._used: set[str] = set()

    @staticmethod
    def key(raw: bytes, model_name: str) -> str:
        """The cache key of a file's bytes read as ``model_name``."""
        h = hashlib.sha256(schema_fingerprint())
        h.update(model_name.encode())
        h.update(b"\0")
        h.update(raw)
        return h.hexdigest()

    def _shard(self, key: str) -> dict[str, str]:
        name = key[:2]
        shard = self._shards.get(name)
        if shard is None:
            shard = {}
            if self.folder is not None:
                try:
                    loaded = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
                    if isinstance(loaded, dict):
                        shard = {k: v for k, v in loaded.items() if isinstance(v, str)}
                except (OSError, ValueError):
                    shard = {}
            self._shards[name] = shard
        return shard

    def get(self, key: str) -> str | None:
        """The cached record JSON for ``key``, if any."""
        if self.folder is None:
            return None
        self._used.add(key)
        return self._shard(key).get(key)

    def put(self, key: str, record_json: str) -> None:
        """Remember a validated record."""
        if self.folder is None:
            return
        self._used.add(key)
        shard = self._shard(key)
        if shard.get(key) != record_json:
            shard[key] = record_json
            self._dirty.add(key[:2])

    def save(self, prune: bool = False) -> None:
        """Write the changed shards; with ``prune``, drop entries this run did not use (after a full load)."""
        if self.folder is None:
            return
        names = set(self._dirty)
        if prune:
            for name, shard in self._shards.items():
                stale = [k for k in shard if k not in self._used]
                for k in stale:
                    del shard[k]
                if stale:
                    names.add(name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if prune:  # a shard this run never opened holds no entry it used
                for path in self.folder.glob("*.json"):
                    if path.stem not in self._shards:
                        path.unlink()
            for name in sorted(names):
                text = json.dumps(self._shards[name], sort_keys=True, separators=(",", ":"))
                write_atomic(self.folder / f"{name}.json", text, durable=False)
        except OSError:
            return
        self._dirty.clear()
