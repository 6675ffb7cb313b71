"""Load every record of a knowledge base: YAML -> located schema problems -> typed records."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

from site_builder.kb.cache import RecordCache
from site_builder.kb.modelcheck import check_model
from site_builder.kb.models import CitingList, Dataset, Paper
from site_builder.kb.problems import Problem, SiteBuilderError
from site_builder.kb.project import Project
from site_builder.kb.taxonomy import Taxonomy, load_taxonomy
from site_builder.kb.yamlio import Positions, parse_bytes, read_bytes

R = TypeVar("R", bound=BaseModel)


class Entry(Generic[R]):
    """A valid record with the file it came from and the positions of its nodes.

    Positions are parsed lazily from the file's bytes when a record came from the cache: most records never
    have a problem, so most never need them.
    """

    __slots__ = ("_positions", "_raw", "path", "record")

    def __init__(self, record: R, path: str, positions: Positions | None = None, raw: bytes | None = None) -> None:
        self.record = record
        self.path = path
        self._positions = positions
        self._raw = raw

    @property
    def positions(self) -> Positions:
        """Line and column of every node of the record's file."""
        if self._positions is None:
            self._positions = parse_bytes(self._raw or b"", self.path).positions
            self._raw = None
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
                root: str | Path | None = None) -> tuple[Entry[R] | None, list[Problem]]:
    """Read one file as a record of ``model`` (from the content-hash ``cache`` when it knows the bytes); ``root``
    is the checkout it must stay in (default: the one ``rel`` is relative to)."""
    raw, problems = read_bytes(path, rel, root=root)
    if raw is None:
        return None, problems
    key = RecordCache.key(raw, model.__name__) if cache is not None else ""
    cached = cache.get(key, model) if cache is not None else None
    if cached is not None:
        return Entry(cached, rel, raw=raw), []
    doc = parse_bytes(raw, rel)
    if doc.data is None:
        return None, doc.problems
    record, problems = check_model(model, doc.data, doc.positions, rel)
    if doc.problems:  # YAML problems the data survived (a duplicate key): the schema's come in the same run
        return None, doc.problems + problems
    if record is None:
        return None, problems
    if cache is not None:
        cache.put(key, record)
    return Entry(record, rel, doc.positions), problems


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
        items = sorted(item.name for item in listing if not item.name.startswith("."))
    for name in items:
        if name.endswith(".yaml"):  # whatever it is: the safe read reports a link, loop, pipe or folder by name
            names.append(name)
        else:
            problems.append(Problem(f"{folder.name}/{name}", None, None, "warning", "stray-file",
                                    "ignored: record files end in .yaml and sit directly in this folder"))
    return names, problems


def _entries(paths: list[tuple[Path, str]], loaded: list[tuple[Entry[R] | None, list[Problem]]],
             problems: list[Problem]) -> tuple[list[Entry[R]], list[str]]:
    """The records loaded from ``paths`` and the files that gave none (by their path relative to the root); the
    problems of every file are added to ``problems``, file after file."""
    entries: list[Entry[R]] = []
    broken: list[str] = []
    for (_, rel), (entry, found) in zip(paths, loaded, strict=True):
        problems.extend(found)
        if entry is None:
            broken.append(rel)
        else:
            entries.append(entry)
    return entries, broken


def kind_of(path: Path) -> type[Paper] | type[Dataset]:
    """Which model a record file holds, judged by its folder."""
    return Dataset if path.parent.name == "datasets" else Paper


def load_knowledge_base(
    project: Project, extra: list[Path] | None = None, *, use_cache: bool = True
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load the taxonomy and every record; ``None`` when the taxonomy itself is unusable.

    ``extra`` names record files outside the usual folders to load as well (``validate some/file.yaml``).
    With ``use_cache``, parsed records are kept in the project's content-hash cache (see :mod:`site_builder.kb.cache`).
    """
    cache = RecordCache(project.cache / "records" if use_cache else None)
    taxonomy, problems = load_taxonomy(project.taxonomy)
    if taxonomy is None:
        return None, problems
    kb = KnowledgeBase(project, taxonomy)
    paper_names, stray = record_names(project.papers)
    dataset_names, stray2 = record_names(project.datasets)
    problems += stray + stray2
    papers = [(project.papers / n, f"{project.papers.name}/{n}") for n in paper_names]
    datasets = [(project.datasets / n, f"{project.datasets.name}/{n}") for n in dataset_names]
    listed = {path for path, _ in papers + datasets}  # in the checkout's own folders; extras may be anywhere
    if extra:
        known = {p.resolve() for p, _ in papers + datasets}
        for extra_path in extra:
            if extra_path.resolve() not in known:
                (datasets if kind_of(extra_path) is Dataset else papers).append((extra_path, project.rel(extra_path)))
                known.add(extra_path.resolve())
    loaded_papers = [load_record(path, rel, Paper, cache, project.root if path in listed else None)
                     for path, rel in papers]
    loaded_datasets = [load_record(path, rel, Dataset, cache, project.root if path in listed else None)
                       for path, rel in datasets]
    kb.paper_entries, broken = _entries(papers, loaded_papers, problems)
    kb.dataset_entries, broken_datasets = _entries(datasets, loaded_datasets, problems)
    kb.broken = broken + broken_datasets
    if os.path.lexists(project.cited_by):  # a link or pipe there is reported by the safe read
        cited, found = load_record(project.cited_by, project.rel(project.cited_by), CitingList)
        problems += found
        kb.cited_by = cited
    cache.save(prune=not extra)
    return kb, problems
