"""The ``validate`` stage: load everything, run the selected checks, keep the problems that concern the request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.checks import run_checks
from site_builder.kb.partial import partial_knowledge_base
from site_builder.kb.problems import Problem, UsageError, sorted_problems
from site_builder.kb.project import Project
from site_builder.kb.records import KnowledgeBase, load_knowledge_base
from site_builder.kb.report import plural


@dataclass
class Validation:
    """What a validation run found."""

    kb: KnowledgeBase | None
    problems: list[Problem]
    checked: str

    @property
    def failed(self) -> bool:
        """True when any problem is an error."""
        return any(p.severity == "error" for p in self.problems)


def _expand(project: Project, paths: Sequence[Path]) -> tuple[set[str], list[Path]]:
    """Relative paths of the requested files (folders expand to their .yaml files) and those outside the KB."""
    selected: set[str] = set()
    outside: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(path.rglob("*.yaml"))
        elif path.exists():
            files = [path]
        else:
            raise UsageError(f"{path}: no such file or folder")
        for file in files:
            rel = project.rel(file)
            selected.add(rel)
            special = {project.taxonomy.resolve(), project.cited_by.resolve()}
            if file.parent.resolve() not in (project.papers.resolve(), project.datasets.resolve()) \
                    and file.resolve() not in special:
                outside.append(file)
    return selected, outside


def validate(project: Project, paths: Sequence[Path] = (), checks: Sequence[str] | None = None,
             strict: bool = False) -> Validation:
    """Validate the knowledge base, or only ``paths`` (still checked against every other record)."""
    selected, outside = _expand(project, paths) if paths else (set(), [])
    kb, problems = load_knowledge_base(project, extra=outside)
    if kb is not None:
        problems += run_checks(kb, checks)
        if kb.broken:  # files with schema problems still get their per-record checks, in the same run
            partial, dropped_at = partial_knowledge_base(kb)
            problems += [p for p in run_checks(partial, checks, per_record_only=True)
                         if (p.path, p.line, p.col) not in dropped_at]
    if selected:
        problems = [p for p in problems
                    if p.path in selected or p.path == "taxonomy.yaml" or selected.intersection(p.related)]
    if strict:
        problems = [p.promoted() for p in problems]
    if kb is None:
        checked = "taxonomy unusable: records not checked"
    else:
        papers = len(kb.paper_entries) + sum(1 for b in kb.broken if not b.startswith("datasets/"))
        datasets = len(kb.dataset_entries) + sum(1 for b in kb.broken if b.startswith("datasets/"))
        checked = f"{plural(papers, 'paper')}, {plural(datasets, 'dataset')}"
        if selected:
            checked = f"{plural(len(selected), 'selected file')} of {checked}"
    return Validation(kb, sorted_problems(problems), checked)


def validate_changed(project: Project, base: str | None = None, checks: Sequence[str] | None = None,
                     strict: bool = False) -> Validation:
    """Validate the records changed against the git ``base`` (see :mod:`site_builder.checks.changed`)."""
    from site_builder.checks.changed import changed_paths, changed_records

    changes = changed_records(project, base)
    if changes.everything:
        result = validate(project, (), checks, strict)
        result.checked = f"{changes.reason}, so everything: {result.checked}"
        return result
    paths = changed_paths(project, changes)
    if not paths:
        return Validation(None, [], f"no changed records against {changes.base}")
    result = validate(project, paths, checks, strict)
    result.checked = f"changed against {changes.base}: {result.checked}"
    return result
