"""What a long-running process keeps from one regeneration to the next (``site-builder serve``).

After an edit to one record of a large collection, a regeneration with a session reads only the files whose
signature changed, runs the per-record checks only on those records, takes over per-paper pieces and paper pages
of unchanged papers, and writes without reading back the pages it knows to be unchanged. The result is the same
as a regeneration from scratch (a test compares them); only the work differs. The session assumes that while it
lives, only its own writes change the generated files under docs/ (``serve`` is the only writer there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from site_builder.checks.registry import CheckMemo
from site_builder.citecache import CitationMemo
from site_builder.project import Project
from site_builder.records import FileMemo
from site_builder.render.memo import RenderMemo
from site_builder.sitemodel import ModelMemo


@dataclass
class Session:
    """The memos of the load, check, model and render stages."""

    files: FileMemo = field(default_factory=FileMemo)
    checks: CheckMemo = field(default_factory=CheckMemo)
    render: RenderMemo = field(default_factory=RenderMemo)
    citations: CitationMemo = field(default_factory=CitationMemo)
    model: ModelMemo = field(default_factory=ModelMemo)
    #: The generated files the last complete write left under docs/ (None before the first one).
    written: set[str] | None = None

    def saw(self, project: Project, inputs: Iterable[tuple[str, int, int]]) -> None:
        """Hand over what a watcher has just seen of the inputs, ``(path, mtime_ns, size)`` of every record file and
        snapshot file (see :func:`~site_builder.serve.input_signature`), so that the next regeneration does not
        look at each of them again: a record file whose modification time and size are those it had when last
        read is not read again, and the snapshot folder is not listed again. What changes after the watcher
        looked is seen by its next look, which starts another regeneration."""
        snapshot = os.fspath(project.snapshot) + "/"
        records: dict[str, tuple[int, int]] = {}
        entries: list[tuple[str, int, int]] = []
        for path, mtime, size in inputs:
            if path.startswith(snapshot):
                entries.append((path[len(snapshot):], size, mtime))
            else:
                records[path] = (size, mtime)  # the order of FileMemo's file signatures
        self.files.hint = records
        self.citations.entries = entries if entries else None

    def forget_render(self) -> None:
        """Drop what the render and write stages remember (after a write that did not complete)."""
        self.render = RenderMemo()
        self.written = None
