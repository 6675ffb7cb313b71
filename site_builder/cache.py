"""A content-hash cache of parsed and validated records (git-ignored, under ``.cache/site-builder/records``).

A record file's bytes, hashed together with a fingerprint of the schema and the package version, key the
validated record. A hit skips YAML parsing and Python-level validation: pydantic re-reads the record from JSON in
its compiled core, a whole shard (about 80 records at 20,000) in one call. Only records without problems are
cached, so every problem is always found afresh, and a cold cache gives exactly the same records as a warm one.
Shards (256 files per record model, by key prefix) keep a one-record edit from rewriting the whole cache.

A file index beside the shards remembers, for each record file, the key of its bytes with the file's signature
(size, modification and change times, inode) at the time: a file whose signature is the same is not read and
hashed again. A signature is only remembered once the file has been left alone for :data:`RACY_NS` (the file
system's clock is coarse: a second change within the same tick would leave the times as they were), and the
change time cannot be set back by any tool, so a file written since always looks different.

The cache is an optimisation only: any failure to read or write it is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from site_builder import __version__
from site_builder.fsio import write_atomic
from site_builder.models import CitingList, Dataset, Paper

VERSION = 2
INDEX_NAME = "files.json"
#: A signature whose newest time is less than this old is not remembered (see the module's description).
RACY_NS = 2_000_000_000

M = TypeVar("M", bound=BaseModel)
#: A file's size, modification and change times (ns) and inode.
Signature = tuple[int, int, int, int]


@cache
def schema_fingerprint() -> bytes:
    """Changes whenever the record schema or the package version changes (which invalidates every entry)."""
    schemas = {m.__name__: m.model_json_schema() for m in (Paper, Dataset, CitingList)}
    text = json.dumps([VERSION, __version__, schemas], sort_keys=True)
    return hashlib.sha256(text.encode()).digest()


@cache
def _shard_type(model: type[BaseModel]) -> TypeAdapter[dict[str, Any]]:
    return TypeAdapter(dict[str, model])  # type: ignore[valid-type]


def settled(mtime_ns: int, ctime_ns: int, now: int | None = None) -> bool:
    """True when something with these modification and change times has been left alone for :data:`RACY_NS`: only
    then are its times trusted to change with its next change (the file system's clock is coarse)."""
    return (time.time_ns() if now is None else now) - max(mtime_ns, ctime_ns) > RACY_NS


def signature(path: str | Path) -> Signature | None:
    """The file's signature, or ``None`` when it cannot be looked at."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


class RecordCache:
    """Validated records by content key, and record files' keys by signature; ``folder=None`` disables caching."""

    def __init__(self, folder: Path | None, files: bool = True) -> None:
        self.folder = folder
        #: Whether the file index is used (a long-running process knows its files' signatures itself).
        self.use_files = files
        self._shards: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._used: set[str] = set()
        self._files: dict[str, list[Any]] | None = None
        self._files_dirty = False
        self._files_seen: set[str] = set()

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
        try:
            text = (self.folder / f"{name}.json").read_bytes()
        except OSError:
            return {}
        try:
            return _shard_type(model).validate_json(text)
        except ValidationError:  # damaged in places: keep the entries that still validate
            self._dirty.add(name)
            try:
                loaded = json.loads(text)
            except ValueError:
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

    def _index(self) -> dict[str, list[Any]]:
        if self._files is None:
            self._files = {}
            if self.folder is not None:
                try:
                    loaded = json.loads((self.folder / INDEX_NAME).read_bytes())
                    if loaded.get("schema") == schema_fingerprint().hex() and isinstance(loaded.get("files"), dict):
                        self._files = loaded["files"]
                except (OSError, ValueError, AttributeError):
                    pass
        return self._files

    def key_of_file(self, rel: str, model_name: str, sig: Signature | None) -> str | None:
        """The key of the bytes of the file ``rel``, when its signature ``sig`` is the one remembered with it."""
        if self.folder is None or sig is None or not self.use_files:
            return None
        self._files_seen.add(rel)
        found = self._index().get(rel)
        if isinstance(found, list) and len(found) == 6 and found[0] == model_name and tuple(found[1:5]) == sig:
            key = found[5]
            return key if isinstance(key, str) else None
        return None

    def remember_file(self, rel: str, model_name: str, sig: Signature | None, key: str) -> None:
        """Remember that the file ``rel`` with the signature ``sig`` (taken before it was read) holds ``key``'s
        bytes; a file changed within the last :data:`RACY_NS` is forgotten instead."""
        if self.folder is None or sig is None or not self.use_files:
            return
        self._files_seen.add(rel)
        index = self._index()
        entry = [model_name, *sig, key]
        if not settled(sig[1], sig[2]):
            if index.pop(rel, None) is not None:
                self._files_dirty = True
        elif index.get(rel) != entry:
            index[rel] = entry
            self._files_dirty = True

    def save(self, prune: bool = False) -> None:
        """Write the changed shards and index; with ``prune``, drop entries this run did not use (after a full
        load)."""
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
            if self._files is not None:
                gone = self._files.keys() - self._files_seen
                for rel in gone:
                    del self._files[rel]
                self._files_dirty |= bool(gone)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if prune:  # a shard this run never opened holds no entry it used
                for path in self.folder.glob("*.json"):
                    if path.stem not in self._shards and path.name != INDEX_NAME:
                        path.unlink()
            for name in sorted(names):
                model = next(m for m in (Paper, Dataset, CitingList) if name.startswith(m.__name__.lower() + "-"))
                write_atomic(self.folder / f"{name}.json", _shard_type(model).dump_json(self._shards[name]),
                             durable=False)
            if self._files_dirty and self._files is not None:
                text = json.dumps({"schema": schema_fingerprint().hex(), "files": self._files},
                                  separators=(",", ":"))
                write_atomic(self.folder / INDEX_NAME, text, durable=False)
        except OSError:
            return
        self._dirty.clear()
        self._files_dirty = False
