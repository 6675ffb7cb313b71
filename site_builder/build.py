"""The orchestrator of ``site-builder build``: the one place that knows the order of the stages.

load -> check (any error stops here, before anything is written) -> model -> render (in memory) -> write
(only changed files; stale ones removed) -> site generator (``mkdocs build --strict`` into a temporary folder,
swapped into site/ on success).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from site_builder.citecache import CitationSource
from site_builder.forked import isolated, spare
from site_builder.gcpause import collector_paused, settle
from site_builder.problems import Problem
from site_builder.project import Project
from site_builder.render import GENERATED_DIRS, GENERATED_FILES, render_site
from site_builder.report import plural
from site_builder.session import Session
from site_builder.siteconfig import read_site_info
from site_builder.sitemodel import build_model
from site_builder.validate import validate
from site_builder.write import EarlyWrites, WriteStats, write_outputs
from site_builder.written import written_index

Progress = Callable[[str], None]


def _silent(message: str) -> None:
    """Default progress sink: print nothing."""


@dataclass
class BuildResult:
    """What a build did. ``failed`` is true when the check stage found errors (nothing was then written)."""

    problems: list[Problem]
    checked: str
    papers: int = 0
    datasets: int = 0
    generated: int = 0
    stats: WriteStats | None = None
    site_built: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when any problem is an error."""
        return any(p.severity == "error" for p in self.problems)

    def summary(self) -> str:
        """One line for the end of the command's output."""
        if self.failed:
            return "build stopped: fix the errors above; nothing was written"
        s = self.stats or WriteStats(0, 0, 0)
        line = (f"{plural(self.papers, 'paper')}, {plural(self.datasets, 'dataset')}: {plural(self.generated, 'file')}"
                f" generated ({s.written} written, {s.unchanged} unchanged, {s.removed} removed)")
        return line + ("; site built in site/" if self.site_built else "")


class _Laps:
    """Times consecutive stages into ``result.timings`` and reports each one."""

    def __init__(self, result: BuildResult, progress: Progress, start: float) -> None:
        self.result, self.progress, self.start = result, progress, start

    def __call__(self, stage: str, message: str) -> None:
        now = time.perf_counter()
        self.result.timings[stage] = now - self.start
        self.progress(f"{stage}: {message} ({now - self.start:.2f} s)")
        self.start = now


def generate(project: Project, strict: bool = False, progress: Progress = _silent,
             session: Session | None = None, keep: Callable[..., None] | None = None) -> BuildResult:
    """Load, check, render and write the generated pages under docs/ (everything except the site generator).

    A ``session`` kept by a long-running process makes each stage redo only what changed since its last run.
    ``keep`` is given the loaded records, the model and the outputs before they would be let go (see
    :func:`~site_builder.forked.spare`). With either, the objects that outlive the call are exempted from later
    collections (:func:`~site_builder.gcpause.collector_paused`): the first collection after the pause would
    otherwise walk all of them, most of a second at 20,000 papers.
    """
    with collector_paused(freeze=session is not None or keep is not None):
        return _generate(project, strict, progress, session, keep)


#: From this many records on, a build runs the cross-record checks in a second process while it renders (the
#: pages are written only once the checks are done and found no error).
BACKGROUND_CHECKS_FROM = 2000


def _generate(project: Project, strict: bool, progress: Progress, session: Session | None,
              keep: Callable[..., None] | None) -> BuildResult:
    start = time.perf_counter()
    info = read_site_info(project)
    background = session is None and _record_count(project) >= BACKGROUND_CHECKS_FROM
    checked = validate(project, strict=strict, files=session.files if session else None,
                       found=session.checks if session else None, background=background)
    result = BuildResult(checked.problems, checked.checked)
    lap = _Laps(result, progress, start)
    if result.failed or checked.kb is None:
        result.problems = checked.complete().problems  # every problem, the checks' too
        lap("load+check", checked.checked)
        return result
    if checked.pending is None:
        lap("load+check", checked.checked)
    citations = CitationSource(project, session.citations if session else None)
    early: EarlyWrites | None = None
    try:
        model = build_model(checked.kb, info, citations=citations, memo=session.model if session else None)
        early = _early_writes(project, session, checked.pending is None, citations, strict)
        try:
            outputs = render_site(model, session.render if session else None, early.offer if early else None)
        finally:
            done = early.finish() if early is not None else set()
    except Exception:
        if early is not None:
            early.release()
        if session is not None and early is not None and early.writers.started:
            session.forget_render()  # files were replaced that what it remembers does not know of
        # Records the checks would refuse can trip the later stages: their problems are the answer then.
        if checked.complete().failed:
            result.problems = checked.problems
            return result
        raise
    if checked.pending is not None:
        result.problems = checked.complete().problems
        lap("load+check+render", f"{checked.checked}; checked while rendering {plural(len(outputs), 'file')}")
    else:
        lap("render", plural(len(outputs), "file"))
    result.problems += [p.promoted() if strict else p for p in citations.problems]
    result.papers, result.datasets = len(model.papers), len(model.datasets)
    result.generated = len(outputs)
    if result.failed:
        if early is not None:
            early.release()
        if session is not None:
            session.forget_render()  # it remembers outputs that are not written
        return result
    known = session.render.unchanged if session else ()
    try:
        stats = result.stats = write_outputs(project.docs, outputs, GENERATED_DIRS, GENERATED_FILES, known,
                                             session.written if session else None, done,
                                             early.take_held() if early is not None else None,
                                             None if session else written_index(project))
        if session is not None:
            session.written = set(outputs)
    except BaseException:
        if session is not None:
            session.forget_render()  # what it remembers may no longer be what is on disk
        raise
    lap("write", f"{stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed")
    if keep is not None:
        keep(checked, model, outputs)
    return result


def _early_writes(project: Project, session: Session | None, checked: bool, citations: CitationSource,
                  strict: bool) -> EarlyWrites | None:
    """For a session whose checks are done and found nothing that stops the write: the large files are written
    while the rest renders (see :class:`~site_builder.write.EarlyWrites`)."""
    if session is None or session.written is None or not checked:
        return None
    if any(p.severity == "error" or strict for p in citations.problems):
        return None  # the write may yet be refused
    return EarlyWrites(project.docs, GENERATED_DIRS, GENERATED_FILES, session.written, session.render.last_outputs)


def _record_count(project: Project) -> int:
    """How many record files there are (one directory listing per folder)."""
    count = 0
    for folder in (project.papers, project.datasets):
        with contextlib.suppress(OSError), os.scandir(folder) as listing:
            count += sum(1 for e in listing if e.name.endswith(".yaml"))
    return count


def build(project: Project, strict: bool = False, site: bool = True, progress: Progress = _silent) -> BuildResult:
    """The whole build; with ``site=False`` stop after writing the generated pages (for Zensical or a preview).

    The pipeline and the site generator each run in a child process (:func:`~site_builder.forked.isolated`):
    neither then walks or frees the other's millions of objects, and neither's are freed one by one at the end
    (at 20,000 papers that clean-up cost about two seconds).
    """
    result = isolated(lambda: generate(project, strict, progress, keep=spare))
    if result.failed or not site:
        return result
    progress("site: running mkdocs build --strict (this is the long step)")
    start = time.perf_counter()
    isolated(lambda: _site(project, progress))
    result.timings["site"] = time.perf_counter() - start
    result.site_built = True
    progress(f"site: done ({result.timings['site']:.1f} s)")
    return result


def _site(project: Project, progress: Progress) -> None:
    from site_builder.generator import mkdocs_build

    settle()  # when this runs in the build's own process, after the pipeline
    mkdocs_build(project, progress, keep=spare)
