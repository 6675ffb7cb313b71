"""A content-hash cache of parsed and validated records (git-ignored, under ``.cache/site-builder/records``).

A record file's bytes, hashed together with a fingerprint of the schema and the package version, key the
validated record. A hit skips YAML parsing and Python-level validation: pydantic re-reads the record from JSON in
its compiled core, a whole shard (about 80 records at 20,000) in one call. Only records without problems are
cached, so every problem is always found afresh, and a cold cache gives exactly the same records as a warm one.
Shards (256 files per record model, by key prefix) keep a one-record edit from rewriting the whole cache.

The cache is an optimisation only: any failure to read or write it is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from site_builder import __version__
from site_builder.kb.models import CitingList, Dataset, Paper
from site_builder.safe.files import read_file, write_atomic
from site_builder.safe.http import MIB, BadJson, Limits, parse_json

VERSION = 3  # 3: escaped control characters are refused at load
#: A shard is ours, but read as any file: bounded, with the one bounded JSON reader when damaged.
SHARD_LIMITS = Limits(max_decoded=256 * MIB, max_json_containers=10_000_000, max_json_values=100_000_000)

M = TypeVar("M", bound=BaseModel)


@cache
def schema_fingerprint() -> bytes:
    """Changes whenever the record schema or the package version changes (which invalidates every entry)."""
    schemas = {m.__name__: m.model_json_schema() for m in (Paper, Dataset, CitingList)}
    text = json.dumps([VERSION, __version__, schemas], sort_keys=True)
    return hashlib.sha256(text.encode()).digest()


@cache
def _shard_type(model: type[BaseModel]) -> TypeAdapter[dict[str, Any]]:
    return TypeAdapter(dict[str, model])  # type: ignore[valid-type]


class RecordCache:
    """Validated records by content key; ``folder=None`` disables caching."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._shards: dict[str, dict[str, Any]] = {}
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

    @staticmethod
    def _shard_name(model: type[BaseModel], key: str) -> str:
        return f"{model.__name__.lower()}-{key[:2]}"

    def _shard(self, model: type[BaseModel], key: str) -> dict[str, Any]:
        name = self._shard_name(model, key)
        shard = self._shards.get(name)
        if shard is None:
            shard = self._shards[name] = self._read_shard(model, name)
        return shard

    def _read_shard(self, model: type[BaseModel], name: str) -> dict[str, Any]:
        if self.folder is None:
            return {}
        text, _ = read_file(self.folder / f"{name}.json", f"{name}.json", root=self.folder,
                            max_bytes=SHARD_LIMITS.max_decoded, what="cache files")
        if text is None:
            return {}
        try:
            return _shard_type(model).validate_json(text)
        except ValidationError:  # damaged in places: keep the entries that still validate
            self._dirty.add(name)
            try:
                loaded = parse_json(text, SHARD_LIMITS)
            except BadJson:
                return {}
            shard = {}
            for k, v in loaded.items() if isinstance(loaded, dict) else ():
                with contextlib.suppress(ValidationError):
                    shard[k] = model.model_validate(v)
            return shard

    def get(self, key: str, model: type[M]) -> M | None:
        """The cached record of ``model`` for ``key``, if any."""
        if self.folder is None:
            return None
        self._used.add(key)
        found = self._shard(model, key).get(key)
        return found if isinstance(found, model) else None

    def put(self, key: str, record: BaseModel) -> None:
        """Remember a validated record."""
        if self.folder is None:
            return
        self._used.add(key)
        shard = self._shard(type(record), key)
        if shard.get(key) != record:
            shard[key] = record
            self._dirty.add(self._shard_name(type(record), key))

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
                model = next(m for m in (Paper, Dataset, CitingList) if name.startswith(m.__name__.lower() + "-"))
                write_atomic(self.folder / f"{name}.json", _shard_type(model).dump_json(self._shards[name]),
                             durable=False)
        except OSError:
            return
        self._dirty.clear()
