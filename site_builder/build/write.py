"""The write stage: put generated files under docs/, touching only what changed.

A file is rewritten only when its bytes differ (so the site generator's dirty rebuilds and file watchers see
only real changes), each write is atomic (temporary file in the same folder, then ``os.replace``), and files
inside the generated folders that the current render did not produce are removed as stale, but only those a
previous write generated: each generated folder keeps the list of what was written into it (its manifest,
:data:`MANIFEST`), and a file not on it (one a user put there) is left alone and reported. Files outside the
generated folders and files are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.kb.problems import SiteBuilderError
from site_builder.safe.files import TEMP_SUFFIX, holds, read_file, replace_generated

#: The list of the files a write generated in a folder (paths relative to docs/, one a line), kept in that folder.
MANIFEST = ".site-builder-generated"


@dataclass(frozen=True)
class WriteStats:
    """What a write did; ``kept`` are the files in generated folders it did not generate and left alone."""

    written: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()


def _manifest(base: Path, folder: str) -> set[str]:
    """The files the last write generated in ``folder`` (empty when it has no manifest, or a damaged one)."""
    raw, _ = read_file(base / folder / MANIFEST, MANIFEST, root=base / folder, max_bytes=64 * 1024 * 1024,
                       what="manifests")
    if raw is None:
        return set()
    prefix = folder + "/"
    return {line for line in raw.decode("utf-8", "replace").splitlines() if line.startswith(prefix)}


def _generated_by_us(key: str, known: set[str]) -> bool:
    """On the manifest, or a temporary file a killed write of ours left (``.<name>.<...>.tmp``)."""
    name = key.rsplit("/", 1)[-1]
    return key in known or (name.startswith(".") and name.endswith(TEMP_SUFFIX))


def _check_key(key: str) -> None:
    # Plain string tests (no pathlib): this runs for every generated file.
    if not key or key.startswith("/") or "\\" in key or any(part in ("", ".", "..") for part in key.split("/")):
        raise SiteBuilderError(f"refusing to write generated file {key!r}: not a plain relative path")


def _owned(key: str, dirs: Iterable[str], files: Iterable[str]) -> bool:
    return key in files or any(key.startswith(d.rstrip("/") + "/") for d in dirs)


def existing_generated(base: Path, dirs: Iterable[str], files: Iterable[str]) -> set[str]:
    """Paths (relative to ``base``) of the files currently inside the generated folders, plus generated files."""
    found = {f for f in files if (base / f).is_file()}
    top = os.fspath(base)
    for folder in dirs:
        _list_files(os.path.join(top, folder), folder, found)
    return found


def _list_files(path: str, rel: str, found: set[str]) -> None:
    """Add to ``found`` the files under the folder ``path`` (``rel`` relative to docs/): a link to a folder is
    neither listed nor followed."""
    try:
        listing = os.scandir(path)
    except OSError:
        return
    with listing:
        for entry in listing:
            if entry.is_dir():
                if not entry.is_symlink():
                    _list_files(entry.path, f"{rel}/{entry.name}", found)
            elif entry.name != MANIFEST:
                found.add(f"{rel}/{entry.name}")


def _remove_empty_dirs(base: Path, dirs: Iterable[str], emptied: Iterable[Path]) -> None:
    """Remove the folders left empty by removed files, from the deepest up, never a generated folder itself."""
    tops = [base / d for d in dirs]
    for folder in sorted(set(emptied), key=lambda p: len(p.parts), reverse=True):
        here = folder
        while any(top in here.parents for top in tops) and here.is_dir() and not any(here.iterdir()):
            here.rmdir()
            here = here.parent


def check_generated_folders(base: Path, dirs: Iterable[str], files: Iterable[str]) -> None:
    """Refuse to write when docs/ or a generated folder or file is a symbolic link or not what it should be:
    writing or pruning through a link could delete or overwrite files outside the generated folders."""
    if base.is_symlink() or (base.exists() and not base.is_dir()):
        raise SiteBuilderError(f"[unsafe-path] {base}: the docs folder must be a plain folder, not a link; "
                               "nothing was written")
    for name in dirs:
        path = base / name
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise SiteBuilderError(f"[unsafe-path] {path}: a generated folder must be a plain folder (it is a link "
                                   "or a file); remove it and build again; nothing was written")
    for name in files:
        path = base / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise SiteBuilderError(f"[unsafe-path] {path}: a generated file must be a plain file (it is a link or "
                                   "a folder); remove it and build again; nothing was written")


def write_outputs(base: Path, outputs: Mapping[str, bytes], dirs: Iterable[str], files: Iterable[str]) -> WriteStats:
    """Write ``outputs`` under ``base``; every key must lie in one of the generated ``dirs`` or ``files``.

    Each output is compared with the file in place and written only when its bytes differ; files in the generated
    folders that no output names are removed.
    """
    dirs, files = tuple(dirs), tuple(files)
    for key in outputs:
        _check_key(key)
        if not _owned(key, dirs, files):
            raise SiteBuilderError(f"refusing to write {key!r}: it is not inside a generated folder of docs/")
    check_generated_folders(base, dirs, files)
    top = os.fspath(base)
    real_top = os.path.realpath(top)
    existing = existing_generated(base, dirs, files)
    written = unchanged = removed = 0
    made: set[str] = set()
    for key, data in outputs.items():
        path = os.path.join(top, key)
        if key in existing and holds(path, data):
            unchanged += 1
            continue
        if os.path.islink(path):
            os.unlink(path)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            if os.path.commonpath([real_top, os.path.realpath(folder)]) != real_top:
                raise SiteBuilderError(f"[unsafe-path] {folder}: a folder under docs/ leads outside it through a "
                                       "symbolic link; remove the link and build again")
            made.add(folder)
        replace_generated(path, data)
        written += 1
    emptied = []
    kept: list[str] = []
    known = set(files).union(*(_manifest(base, d) for d in dirs))
    for key in sorted(existing - outputs.keys()):
        if not _generated_by_us(key, known):
            kept.append(key)
            continue
        (base / key).unlink()
        emptied.append((base / key).parent)
        removed += 1
    _remove_empty_dirs(base, dirs, emptied)
    for folder in dirs:
        mine = sorted(k for k in outputs if k.startswith(folder + "/"))
        if mine or (base / folder).is_dir():
            os.makedirs(base / folder, exist_ok=True)
            replace_generated(os.path.join(top, folder, MANIFEST), "".join(k + "\n" for k in mine).encode())
    return WriteStats(written, unchanged, removed, tuple(kept))
