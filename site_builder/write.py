"""The write stage: put generated files under docs/, touching only what changed.

A file is rewritten only when its bytes differ (so the site generator's dirty rebuilds and file watchers see
only real changes), each write is atomic (temporary file in the same folder, then ``os.replace``), and files
inside the generated folders that the current render did not produce are removed as stale. Files outside the
generated folders and files are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_builder.fsio import write_atomic
from site_builder.problems import SiteBuilderError


@dataclass(frozen=True)
class WriteStats:
    """What a write did."""

    written: int
    unchanged: int
    removed: int


def _check_key(key: str) -> None:
    pure = PurePosixPath(key)
    if not key or pure.is_absolute() or ".." in pure.parts or "\\" in key or key != pure.as_posix():
        raise SiteBuilderError(f"refusing to write generated file {key!r}: not a plain relative path")


def _owned(key: str, dirs: Iterable[str], files: Iterable[str]) -> bool:
    return key in files or any(key.startswith(d.rstrip("/") + "/") for d in dirs)


def existing_generated(base: Path, dirs: Iterable[str], files: Iterable[str]) -> set[str]:
    """Paths (relative to ``base``) of the files currently inside the generated folders, plus generated files."""
    found = {f for f in files if (base / f).is_file()}
    for folder in dirs:
        top = base / folder
        if top.is_dir():
            found.update(p.relative_to(base).as_posix() for p in top.rglob("*") if p.is_file() or p.is_symlink())
    return found


def _remove_empty_dirs(base: Path, dirs: Iterable[str]) -> None:
    for folder in dirs:
        top = base / folder
        if not top.is_dir():
            continue
        for path in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            if not any(path.iterdir()):
                path.rmdir()


def write_outputs(base: Path, outputs: Mapping[str, bytes], dirs: Iterable[str], files: Iterable[str]) -> WriteStats:
    """Write ``outputs`` under ``base``; every key must lie in one of the generated ``dirs`` or ``files``."""
    dirs, files = tuple(dirs), tuple(files)
    for key in outputs:
        _check_key(key)
        if not _owned(key, dirs, files):
            raise SiteBuilderError(f"refusing to write {key!r}: it is not inside a generated folder of docs/")
    written = unchanged = removed = 0
    for key in sorted(outputs):
        path = base / key
        data = outputs[key]
        try:
            same = (path.is_file() and not path.is_symlink() and path.stat().st_size == len(data)
                    and path.read_bytes() == data)
        except OSError:
            same = False
        if same:
            unchanged += 1
            continue
        if path.is_symlink():
            path.unlink()
        write_atomic(path, data, durable=False)  # regenerable output: a rename is enough
        written += 1
    for key in sorted(existing_generated(base, dirs, files) - set(outputs)):
        (base / key).unlink()
        removed += 1
    _remove_empty_dirs(base, dirs)
    return WriteStats(written, unchanged, removed)
