"""Load every record of a knowledge base: YAML -> located schema problems -> typed records."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import attrgetter, eq, is_, itemgetter, not_
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from site_builder.bulk import few_changed, holds_none
from site_builder.cache import RecordCache, Signature, settled, signature
from site_builder.gcpause import collector_paused
from site_builder.modelcheck import check_model
from site_builder.models import CitingList, Dataset, Paper
from site_builder.problems import Problem, SiteBuilderError
from site_builder.project import Project
from site_builder.taxonomy import Taxonomy, load_taxonomy
from site_builder.yamlio import Positions, parse_bytes, read_bytes

R = TypeVar("R", bound=BaseModel)


class Entry(Generic[R]):
    """A valid record with the file it came from and the positions of its nodes.

    Positions are parsed lazily from the file's bytes when a record came from the cache: most records never
    have a problem, so most never need them.
    """

    __slots__ = ("_positions", "_raw", "_source", "path", "record")

    def __init__(self, record: R, path: str, positions: Positions | None = None, raw: bytes | None = None,
                 source: str | Path | None = None) -> None:
        self.record = record
        self.path = path
        self._positions = positions
        self._raw = raw
        #: The file to read the bytes from when they are needed (a record the cache's file index knew unread).
        self._source = source

    @property
    def positions(self) -> Positions:
        """Line and column of every node of the record's file."""
        if self._positions is None:
            raw = self._raw
            if raw is None and self._source is not None:
                raw, _ = read_bytes(self._source, self.path)
            self._positions = parse_bytes(raw or b"", self.path).positions
            self._raw = self._source = None
        return self._positions

    def where(self, *loc: str | int, key: bool = False) -> tuple[int | None, int | None]:
        """(line, col) of a node of this record."""
        pos = self.positions.find(loc, key=key)
        return pos if pos else (None, None)

    def problem(self, severity: str, code: str, message: str, *loc: str | int, key: bool = False,
                related: tuple[str, ...] = ()) -> Problem:
        """A problem located at ``loc`` in this record's file."""
        line, col = self.where(*loc, key=key)
        return Problem(self.path, line, col, "error" if severity == "error" else "warning", code, message, related)


@dataclass
class KnowledgeBase:
    """Everything the pipeline reads: taxonomy, records, curated lists (all valid ones; problems kept apart)."""

    project: Project
    taxonomy: Taxonomy
    paper_entries: list[Entry[Paper]] = field(default_factory=list)
    dataset_entries: list[Entry[Dataset]] = field(default_factory=list)
    cited_by: Entry[CitingList] | None = None
    #: Files that exist but could not be turned into records (their problems are in the load problems).
    broken: list[str] = field(default_factory=list)

    @functools.cached_property
    def papers(self) -> dict[str, Paper]:
        """Valid paper records by id (first file wins when ids clash; worked out once, after loading)."""
        return _by_id(self.paper_entries)

    @functools.cached_property
    def datasets(self) -> dict[str, Dataset]:
        """Valid dataset records by id (first file wins when ids clash; worked out once, after loading)."""
        return _by_id(self.dataset_entries)


#: An entry's record, and its record's id.
_RECORD, RECORD_ID = attrgetter("record"), attrgetter("record.id")
Rec = TypeVar("Rec", Paper, Dataset)


def _by_id(entries: list[Entry[Rec]]) -> dict[str, Rec]:
    """The entries' records by id, in file order; the first file's record when ids clash."""
    records: list[Rec] = list(map(_RECORD, entries))
    out = dict(zip(map(RECORD_ID, entries), records, strict=True))
    if len(out) < len(entries):  # a clash: the later files' records must not win
        out = {}
        for record in records:
            out.setdefault(record.id, record)
    return out


def require_knowledge_base(project: Project) -> KnowledgeBase:
    """The knowledge base, or a :class:`SiteBuilderError` carrying the taxonomy's problems when it is unusable."""
    kb, problems = load_knowledge_base(project)
    if kb is None:
        raise SiteBuilderError("taxonomy.yaml is unusable; fix it first", problems)
    return kb


def load_record(path: str | Path, rel: str, model: type[R], cache: RecordCache | None = None,
                sig: Signature | None = None) -> tuple[Entry[R] | None, list[Problem]]:
    """Read one file as a record of ``model`` (from the content-hash ``cache`` when it knows the bytes, without
    reading the file when the cache's file index knows its signature; ``sig``: the signature, when the caller has
    just taken it)."""
    if cache is not None:
        sig = sig if sig is not None else signature(path)
        known = cache.key_of_file(rel, model.__name__, sig)
        if known is not None and (hit := cache.get(known, model)) is not None:
            return Entry(hit, rel, source=path), []
    raw, problems = read_bytes(path, rel)
    if raw is None:
        return None, problems
    key = RecordCache.key(raw, model.__name__) if cache is not None else ""
    cached = cache.get(key, model) if cache is not None else None
    if cache is not None and cached is not None:
        cache.remember_file(rel, model.__name__, sig, key)
        return Entry(cached, rel, raw=raw), []
    doc = parse_bytes(raw, rel)
    if doc.problems:
        return None, doc.problems
    record, problems = check_model(model, doc.data, doc.positions, rel)
    if record is None:
        return None, problems
    if cache is not None:
        cache.put(key, record)
        cache.remember_file(rel, model.__name__, sig, key)
    return Entry(record, rel, doc.positions), problems



class FileMemo:
    """Records loaded by earlier runs in this process, by file, with the file's signature at the time (size,
    modification and change times, inode). A long-running process (``site-builder serve``) passes the same memo
    to every load and reads again only the files whose signature changed; everything else is the same object.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[Signature, Entry[Any] | None, list[Problem]]] = {}
        #: The (size, mtime_ns) part of each file's signature in :attr:`_files`: what a watcher's hint tells.
        self._quick: dict[str, tuple[int, int]] = {}
        self._seen: set[str] = set()
        #: The paper entries of the last load and the records by id made from them.
        self._papers: tuple[list[Entry[Paper]], dict[str, Paper]] | None = None
        #: The record folders' last listings, by folder, with the folder's times and inode when listed.
        self._listed: dict[str, tuple[tuple[int, int, int], list[str], list[Problem]]] = {}
        #: How many files the last load read (the others were unchanged).
        self.read = 0
        #: (size, mtime_ns) by path, as a watcher just saw them, for the next load only (see
        #: :meth:`~site_builder.session.Session.saw`): a file whose memo signature starts with the same two values
        #: is not looked at again.
        self.hint: dict[str, tuple[int, int]] | None = None

    def load(self, path: str | Path, rel: str, model: type[R],
             cache: RecordCache | None) -> tuple[Entry[R] | None, list[Problem]]:
        """:func:`load_record`, or what it gave last time when the file has not changed since."""
        name = os.fspath(path)
        self._seen.add(name)
        known = self._files.get(name)
        seen = self.hint.get(name) if self.hint is not None else None
        if seen is not None and known is not None and known[0][:2] == seen:
            return known[1], known[2]
        sig = signature(name)
        if known is not None and known[0] == sig and sig is not None:
            return known[1], known[2]
        entry, problems = load_record(path, rel, model, cache, sig)
        self._files[name] = (sig or (-1, -1, -1, -1), entry, problems)
        self._quick[name] = (sig[0], sig[1]) if sig is not None else (-1, -1)
        self.read += 1
        return entry, problems

    def load_all(self, paths: list[tuple[str | Path, str]], model: type[R],
                 cache: RecordCache | None) -> list[tuple[Entry[R] | None, list[Problem]]]:
        """:meth:`load` of each (path, path relative to the root) of ``paths``, in order. With a watcher's hint,
        the files it saw unchanged are told apart from the others in one pass that stays in C (at 20,000 files a
        call of :meth:`load` per file costs more than the lookups it does)."""
        if self.hint is None:
            return [self.load(path, rel, model, cache) for path, rel in paths]
        names = list(map(os.fspath, map(_FIRST, paths)))
        self._seen.update(names)
        known: list[Any] = list(map(self._files.get, names))
        unchanged = map(eq, map(self._quick.get, names), map(self.hint.get, names))
        redo = set(compress(range(len(names)), map(not_, unchanged)))
        redo.update(compress(range(len(names)), map(is_, known, repeat(None))))
        for i in sorted(redo):
            known[i] = (None, *self.load(*paths[i], model, cache))
        return list(map(_LOADED, known))

    def names(self, folder: Path) -> tuple[list[str], list[Problem]]:
        """:func:`record_names` of ``folder``, listed again only when the folder changed since the last listing.

        A folder's modification time changes whenever an entry is added, removed or renamed in it. A listing made
        before the folder has :func:`~site_builder.cache.settled` is not trusted (the file system's clock is coarse:
        a change in the same tick would leave the time as it was) and the folder is listed again next time."""
        key = os.fspath(folder)
        try:
            st = os.stat(key)
        except OSError:
            self._listed.pop(key, None)
            return record_names(folder)
        stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        found = self._listed.get(key)
        if found is not None and found[0] == stamp:
            return list(found[1]), list(found[2])
        now = time.time_ns()
        names, problems = record_names(folder)
        if settled(st.st_mtime_ns, st.st_ctime_ns, now):
            self._listed[key] = (stamp, list(names), list(problems))
        else:
            self._listed.pop(key, None)
        return names, problems

    def papers_by_id(self, entries: list[Entry[Paper]]) -> dict[str, Paper]:
        """:attr:`KnowledgeBase.papers` of ``entries``: the last load's dict copied and patched where records of the
        same files changed and kept their ids (and won their id when it clashed)."""
        last = self._papers
        at = few_changed(entries, last[0]) if last is not None else None
        if last is not None and at is not None:
            before, mapping = last
            if all(entries[i].record.id == before[i].record.id
                   and mapping.get(before[i].record.id) is before[i].record for i in at):
                out = dict(mapping)
                for i in at:
                    out[entries[i].record.id] = entries[i].record
                self._papers = (list(entries), out)
                return out
        made = _by_id(entries)
        self._papers = (list(entries), made)
        return made

    def forget_unseen(self) -> None:
        """Drop the files the last load did not ask for (deleted records)."""
        if len(self._seen) < len(self._files):
            self._files = {k: v for k, v in self._files.items() if k in self._seen}
            self._quick = {k: v for k, v in self._quick.items() if k in self._seen}
        self._seen = set()
        self.hint = None

    def start(self) -> None:
        """Begin a load."""
        self.read = 0


def record_files(folder: Path, project: Project) -> tuple[list[Path], list[Problem]]:
    """The ``*.yaml`` files of a record folder in name order, and warnings for files that will be ignored."""
    names, problems = record_names(folder)
    return [folder / name for name in names], problems


def record_names(folder: Path) -> tuple[list[str], list[Problem]]:
    """The names of the ``*.yaml`` files of a record folder in name order, and warnings for files ignored."""
    if not folder.is_dir():
        return [], []
    names: list[str] = []
    problems: list[Problem] = []
    with os.scandir(folder) as listing:
        items = sorted((item.name, item.is_file()) for item in listing if not item.name.startswith("."))
    for name, is_file in items:
        if name.endswith(".yaml") and is_file:
            names.append(name)
        else:
            problems.append(Problem(f"{folder.name}/{name}", None, None, "warning", "stray-file",
                                    "ignored: record files end in .yaml and sit directly in this folder"))
    return names, problems


def _paths(folder: Path, names: list[str]) -> list[tuple[str | Path, str]]:
    """(path, path relative to the root) of each record file named ``names`` in ``folder``, as strings."""
    full, short = os.fspath(folder), folder.name
    return [(f"{full}/{n}", f"{short}/{n}") for n in names]


_FIRST, _LOADED = itemgetter(0), itemgetter(1, 2)


def _entries(paths: list[tuple[str | Path, str]], loaded: list[tuple[Entry[R] | None, list[Problem]]],
             problems: list[Problem]) -> tuple[list[Entry[R]], list[str]]:
    """The records loaded from ``paths`` and the files that gave none (by their path relative to the root); the
    problems of every file are added to ``problems``, file after file."""
    problems.extend(chain.from_iterable(map(itemgetter(1), loaded)))
    entries = list(map(_FIRST, loaded))
    if not holds_none(entries):
        return entries, []
    return [e for e in entries if e is not None], [rel for (_, rel), e in zip(paths, entries, strict=True) if e is None]


def kind_of(path: Path) -> type[Paper] | type[Dataset]:
    """Which model a record file holds, judged by its folder."""
    return Dataset if path.parent.name == "datasets" else Paper


def load_knowledge_base(
    project: Project, extra: list[Path] | None = None, *, use_cache: bool = True, memo: FileMemo | None = None
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load the taxonomy and every record; ``None`` when the taxonomy itself is unusable.

    ``extra`` names record files outside the usual folders to load as well (``validate some/file.yaml``).
    With ``use_cache``, parsed records are kept in the project's content-hash cache (see :mod:`site_builder.cache`).
    With a ``memo``, files unchanged since the memo's last load are not read again (see :class:`FileMemo`).
    """
    with collector_paused():
        return _load(project, extra, use_cache, memo)


def _load(project: Project, extra: list[Path] | None, use_cache: bool,
          memo: FileMemo | None) -> tuple[KnowledgeBase | None, list[Problem]]:
    # With a memo (a long-running process), the memo knows the files' signatures: the cache's file index is not used.
    cache = RecordCache(project.cache / "records" if use_cache else None, files=memo is None)
    if memo is not None:
        memo.start()
    taxonomy, problems = load_taxonomy(project.taxonomy)
    if taxonomy is None:
        return None, problems
    kb = KnowledgeBase(project, taxonomy)
    listing = memo.names if memo is not None else record_names
    paper_names, stray = listing(project.papers)
    dataset_names, stray2 = listing(project.datasets)
    problems += stray + stray2
    # (path, path relative to the root) as plain strings for the record folders (cheaper than 20,000 Path objects);
    # extra files by their path relative to the root.
    # (The folders' paths are computed once: ``Project.papers`` builds a Path on every call.)
    paper_dir, dataset_dir = project.papers, project.datasets
    papers: list[tuple[str | Path, str]] = _paths(paper_dir, paper_names)
    datasets: list[tuple[str | Path, str]] = _paths(dataset_dir, dataset_names)
    if extra:
        known = {Path(p).resolve() for p, _ in papers + datasets}
        for extra_path in extra:
            if extra_path.resolve() not in known:
                (datasets if kind_of(extra_path) is Dataset else papers).append((extra_path, project.rel(extra_path)))
                known.add(extra_path.resolve())
    if memo is not None:
        loaded_papers, loaded_datasets = memo.load_all(papers, Paper, cache), memo.load_all(datasets, Dataset, cache)
    else:
        loaded_papers = [load_record(path, rel, Paper, cache) for path, rel in papers]
        loaded_datasets = [load_record(path, rel, Dataset, cache) for path, rel in datasets]
    kb.paper_entries, broken = _entries(papers, loaded_papers, problems)
    kb.dataset_entries, broken_datasets = _entries(datasets, loaded_datasets, problems)
    if memo is not None:
        kb.papers = memo.papers_by_id(kb.paper_entries)
    kb.broken = broken + broken_datasets
    if project.cited_by.is_file():
        cited, found = load_record(project.cited_by, project.rel(project.cited_by), CitingList)
        problems += found
        kb.cited_by = cited
    cache.save(prune=not extra and memo is None)  # with a memo, unchanged files never asked the cache
    if memo is not None:
        memo.forget_unseen()
    return kb, problems
