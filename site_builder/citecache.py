"""The citation facts of the last build, kept so that a build whose snapshot and paper identities did not change
skips reading the snapshot (``.cache/site-builder/citations.json``, git-ignored).

Reading 20,000 snapshot files and resolving their 500,000 references costs seconds; what the pages need from them
(:class:`~site_builder.citeview.Citations`) is a fraction of that data. The cache is keyed by the snapshot files'
names, sizes and modification times, the package version and what of each paper the citation facts depend on
(id, identifiers, title, year, kind, in display order), so any change to those recomputes everything from the
snapshot. Only a snapshot without problems is cached (its problems are always reported afresh). The file is JSON,
never pickle: a cache file committed by a stranger's pull request can at worst give wrong numbers, not run code.
Any failure to read or write it is ignored. A long-running process (``serve``) also keeps the last result in
memory (:class:`CitationMemo`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder import __version__
from site_builder.fsio import write_atomic
from site_builder.models import Paper
from site_builder.problems import Problem
from site_builder.project import Project
from site_builder.snapshot import load_snapshot

if TYPE_CHECKING:  # networkx and numpy load only when there is citation data
    from site_builder.citeview import Citations

VERSION = 2
CACHE_NAME = "citations.json"


def snapshot_signature(folder: Path) -> str | None:
    """A digest of the snapshot folder's entries (name, size, mtime); None when the folder does not exist."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in listing)
    except OSError:
        return None
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def cache_key(signature: str, papers: Sequence[Paper]) -> str:
    """What the citation facts depend on: the snapshot's files and each paper's identity, in display order."""
    ident = [[p.id, p.ids.arxiv, p.ids.doi, p.ids.s2, p.title, p.year, p.kind] for p in papers]
    return hashlib.sha256(json.dumps([VERSION, __version__, signature, ident]).encode()).hexdigest()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _edge_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in attrs.items()}


def dump_citations(view: Citations) -> dict[str, Any]:
    """``view`` as plain JSON data (see :func:`load_citations`)."""
    graph = view.graph
    return {
        "as_of": view.as_of.isoformat(), "latest": view.latest.isoformat(), "fetched": view.fetched,
        "total": view.total, "candidate_min": view.candidate_min, "most_cited": view.most_cited,
        "papers": {pid: [f.status, f.fetched.isoformat() if f.fetched else None, f.citation_count,
                         f.influential_count, f.s2_url, f.cites, f.cited_by] for pid, f in view.papers.items()},
        "candidates": [[c.paperId, c.title, c.year, c.externalIds, c.cited_by] for c in view.candidates],
        "survey_citing": None if view.survey_citing is None else [
            [s.title, s.authors, s.year, s.venue, s.url, s.record] for s in view.survey_citing],
        "graph": _dump_graph(graph),
    }


def _dump_graph(graph: Any) -> dict[str, Any]:
    """Nodes with their attributes; edges as [source, target, number of their attribute set] (few distinct)."""
    kinds: dict[str, int] = {}
    edges = [[a, b, kinds.setdefault(json.dumps(attrs), len(kinds))]
             for a, b, attrs in graph.edges(data=True)]
    return {"attrs": graph.graph, "nodes": list(graph.nodes(data=True)), "edge_attrs": [json.loads(k) for k in kinds],
            "edges": edges}


class StoredGraph:
    """The citation graph as the cache stores it: the part of networkx's ``DiGraph`` API the pages use (graph
    attributes, nodes and edges with their attributes, the edge count). Building a real ``DiGraph`` of 300,000
    citations costs seconds and nothing on the pages needs more than this."""

    def __init__(self, attrs: dict[str, Any], nodes: list[tuple[str, dict[str, Any]]],
                 edges: list[tuple[str, str, dict[str, Any]]]) -> None:
        self.graph = attrs
        self._nodes = nodes
        self._edges = edges

    def is_directed(self) -> bool:
        """Citations have a direction."""
        return True

    def nodes(self, data: bool = False) -> list[Any]:
        """Node ids, or (id, attributes) pairs with ``data``."""
        return list(self._nodes) if data else [n for n, _ in self._nodes]

    def edges(self, data: bool = False) -> list[Any]:
        """(source, target) pairs, or (source, target, attributes) with ``data``."""
        return list(self._edges) if data else [(a, b) for a, b, _ in self._edges]

    def number_of_edges(self) -> int:
        """How many citations."""
        return len(self._edges)


def load_citations(data: dict[str, Any]) -> Citations:
    """The :class:`Citations` that :func:`dump_citations` wrote (its graph a :class:`StoredGraph`)."""
    from site_builder.citeview import Citations, PaperCitations, SurveyCiting
    from site_builder.graph import Candidate

    kinds = [_edge_attrs(attrs) for attrs in data["graph"]["edge_attrs"]]
    edges = [(a, b, kinds[k]) for a, b, k in data["graph"]["edges"]]
    graph = StoredGraph(dict(data["graph"]["attrs"]), [(pid, attrs) for pid, attrs in data["graph"]["nodes"]], edges)
    view = Citations(dt.date.fromisoformat(data["as_of"]), dt.date.fromisoformat(data["latest"]), data["fetched"],
                     data["total"], graph, candidate_min=data["candidate_min"])
    view.papers = {pid: PaperCitations(status, _date(fetched), count, influential, url, cites, cited_by)
                   for pid, (status, fetched, count, influential, url, cites, cited_by) in data["papers"].items()}
    view.most_cited = [(pid, n) for pid, n in data["most_cited"]]
    view.candidates = [Candidate(s2, title, year, ext, tuple(who)) for s2, title, year, ext, who in data["candidates"]]
    if data["survey_citing"] is not None:
        view.survey_citing = [SurveyCiting(*row) for row in data["survey_citing"]]
    return view


class CitationMemo:
    """The last key and citation facts computed in this process."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.view: Citations | None = None


class CitationSource:
    """Gives the citation facts of a build's papers: from memory, from the cache file, or from the snapshot."""

    def __init__(self, project: Project, memo: CitationMemo | None = None, use_cache: bool = True) -> None:
        self.project = project
        self.memo = memo
        self.file = project.cache / CACHE_NAME if use_cache else None
        #: Problems of the snapshot files (only when the snapshot had to be read).
        self.problems: list[Problem] = []

    def __call__(self, papers: Sequence[Paper]) -> Citations | None:
        """The citation facts of ``papers`` (in display order); None when nothing has been fetched."""
        signature = snapshot_signature(self.project.snapshot)
        if signature is None:
            return None
        key = cache_key(signature, papers)
        if self.memo is not None and self.memo.key == key:
            return self.memo.view
        view = self._read(key)
        if view is None:
            from site_builder.citeview import derive_citations

            snapshot = load_snapshot(self.project)
            self.problems = snapshot.problems
            view = derive_citations(papers, snapshot) if snapshot.records else None
            if view is not None and not snapshot.problems:
                self._write(key, view)
        if self.memo is not None and not self.problems:
            self.memo.key, self.memo.view = key, view
        return view

    def _read(self, key: str) -> Citations | None:
        if self.file is None:
            return None
        try:
            data = json.loads(self.file.read_bytes())
            return load_citations(data["view"]) if data.get("key") == key else None
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def _write(self, key: str, view: Citations) -> None:
        if self.file is None:
            return
        with contextlib.suppress(OSError, TypeError, ValueError):
            text = json.dumps({"key": key, "view": dump_citations(view)}, ensure_ascii=False,
                              separators=(",", ":"))
            write_atomic(self.file, text, durable=False)
