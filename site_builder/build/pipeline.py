"""The orchestrator of ``site-builder build`` and ``serve``: the one place that knows the order of the stages.

load + check (any error stops here, before anything is written) -> citations -> model -> render (in memory) ->
write (only changed files; stale ones removed) -> site generator (``mkdocs build --strict`` into a temporary
folder, indexed for the site search by Pagefind, swapped into site/ on success).
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from site_builder.build.write import WriteStats, write_outputs
from site_builder.checks.validate import validate
from site_builder.citations.cache import CitationSource
from site_builder.kb.problems import Problem
from site_builder.kb.project import Project
from site_builder.kb.report import plural
from site_builder.site.config import read_site_info
from site_builder.site.model import build_model
from site_builder.site.render import GENERATED_DIRS, GENERATED_FILES, render_site

Progress = Callable[[str], None]


def peak_mib(who: int) -> float:
    """The peak resident memory of this process (``resource.RUSAGE_SELF``) or of its largest finished child
    (``RUSAGE_CHILDREN``: the search indexer, once it has run), in MiB."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


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


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The stages allocate millions of small objects and free nearly all of them by reference counting; the cyclic
    collector's passes over the growing heap cost about a tenth of a regeneration (bench/RESULTS.md). It runs again
    as usual once the stages are done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate(project: Project, strict: bool = False, progress: Progress = _silent) -> BuildResult:
    """Load, check, render and write the generated pages under docs/ (everything except the site generator).

    ``build`` and ``serve`` both call this: every call renders every page from the current records and writes
    the files whose bytes changed.
    """
    with _cyclic_gc_paused():
        return _generate(project, strict, progress)


def _generate(project: Project, strict: bool, progress: Progress) -> BuildResult:
    start = time.perf_counter()
    info = read_site_info(project)
    checked = validate(project, strict=strict)
    result = BuildResult(checked.problems, checked.checked)
    lap = _Laps(result, progress, start)
    lap("load+check", checked.checked)
    if result.failed or checked.kb is None:
        return result
    citations = CitationSource(project)
    model = build_model(checked.kb, info, citations=citations, cache=project.cache)
    result.problems += [p.promoted() if strict else p for p in citations.problems]
    result.papers, result.datasets = len(model.papers), len(model.datasets)
    lap("model", f"{plural(len(model.papers), 'paper')}")
    if result.failed:
        return result
    outputs = render_site(model)
    result.generated = len(outputs)
    lap("render", plural(len(outputs), "file"))
    stats = result.stats = write_outputs(project.docs, outputs, GENERATED_DIRS, GENERATED_FILES)
    lap("write", f"{stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed")
    result.problems += [Problem(f"{project.rel(project.docs)}/{key}", None, None, "warning", "not-generated",
                                "left alone: site-builder did not generate this file, but it sits in a generated "
                                "folder; move it out of there") for key in stats.kept]
    return result


def build(project: Project, strict: bool = False, site: bool = True, progress: Progress = _silent) -> BuildResult:
    """The whole build; with ``site=False`` stop after writing the generated pages (for Zensical or a preview)."""
    from site_builder.build.generator import check_site_folder, mkdocs_build

    if site:
        check_site_folder(project.site)  # before anything is written
    result = generate(project, strict, progress)
    if result.failed or not site:
        return result
    progress("site: running mkdocs build --strict (this is the long step)")
    start = time.perf_counter()
    parts: dict[str, float] = {}
    mkdocs_build(project, progress, timings=parts)
    result.timings["site"] = time.perf_counter() - start
    result.timings.update({f"site.{name}": seconds for name, seconds in parts.items()})
    result.site_built = True
    progress(f"site: done ({result.timings['site']:.1f} s: mkdocs {parts['mkdocs']:.1f} s, "
             f"search index {parts['search']:.1f} s; peak memory {peak_mib(resource.RUSAGE_SELF):,.0f} MiB, "
             f"search indexer {peak_mib(resource.RUSAGE_CHILDREN):,.0f} MiB)")
    return result
