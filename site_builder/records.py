"""Load every record of a knowledge base: YAML -> located schema problems -> typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

from site_builder.modelcheck import check_model
from site_builder.models import CitingList, Dataset, Paper
from site_builder.problems import Problem, SiteBuilderError
from site_builder.project import Project
from site_builder.taxonomy import Taxonomy, load_taxonomy
from site_builder.yamlio import Positions, read_yaml

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Entry(Generic[R]):
    """A valid record with the file it came from and the positions of its nodes."""

    record: R
    path: str
    positions: Positions

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

    @property
    def papers(self) -> dict[str, Paper]:
        """Valid paper records by id (first file wins when ids clash)."""
        out: dict[str, Paper] = {}
        for e in self.paper_entries:
            out.setdefault(e.record.id, e.record)
        return out

    @property
    def datasets(self) -> dict[str, Dataset]:
        """Valid dataset records by id (first file wins when ids clash)."""
        out: dict[str, Dataset] = {}
        for e in self.dataset_entries:
            out.setdefault(e.record.id, e.record)
        return out


def require_knowledge_base(project: Project) -> KnowledgeBase:
    """The knowledge base, or a :class:`SiteBuilderError` carrying the taxonomy's problems when it is unusable."""
    kb, problems = load_knowledge_base(project)
    if kb is None:
        raise SiteBuilderError("taxonomy.yaml is unusable; fix it first", problems)
    return kb


def load_record(path: Path, rel: str, model: type[R]) -> tuple[Entry[R] | None, list[Problem]]:
    """Read one file as a record of ``model``."""
    doc = read_yaml(path, rel)
    if doc.problems:
        return None, doc.problems
    record, problems = check_model(model, doc.data, doc.positions, rel)
    if record is None:
        return None, problems
    return Entry(record, rel, doc.positions), problems


def record_files(folder: Path, project: Project) -> tuple[list[Path], list[Problem]]:
    """The ``*.yaml`` files of a record folder in name order, and warnings for files that will be ignored."""
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".yaml" and path.is_file():
            files.append(path)
        else:
            problems.append(Problem(project.rel(path), None, None, "warning", "stray-file",
                                    "ignored: record files end in .yaml and sit directly in this folder"))
    return files, problems


def kind_of(path: Path) -> type[Paper] | type[Dataset]:
    """Which model a record file holds, judged by its folder."""
    return Dataset if path.parent.name == "datasets" else Paper


def load_knowledge_base(
    project: Project, extra: list[Path] | None = None
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load the taxonomy and every record; ``None`` when the taxonomy itself is unusable.

    ``extra`` names record files outside the usual folders to load as well (``validate some/file.yaml``).
    """
    taxonomy, problems = load_taxonomy(project.taxonomy)
    if taxonomy is None:
        return None, problems
    kb = KnowledgeBase(project, taxonomy)
    paper_files, stray = record_files(project.papers, project)
    dataset_files, stray2 = record_files(project.datasets, project)
    problems += stray + stray2
    known = {p.resolve() for p in paper_files + dataset_files}
    for path in extra or []:
        if path.resolve() not in known:
            (dataset_files if kind_of(path) is Dataset else paper_files).append(path)
            known.add(path.resolve())
    for path in paper_files:
        paper, found = load_record(path, project.rel(path), Paper)
        problems += found
        if paper is not None:
            kb.paper_entries.append(paper)
        else:
            kb.broken.append(project.rel(path))
    for path in dataset_files:
        dataset, found = load_record(path, project.rel(path), Dataset)
        problems += found
        if dataset is not None:
            kb.dataset_entries.append(dataset)
        else:
            kb.broken.append(project.rel(path))
    if project.cited_by.is_file():
        cited, found = load_record(project.cited_by, project.rel(project.cited_by), CitingList)
        problems += found
        kb.cited_by = cited
    return kb, problems
