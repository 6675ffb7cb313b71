"""The citation graph inside the collection, and pure metrics over it (no presentation here).

Nodes are paper record ids; an edge A -> B means B is in A's references (as fetched into the snapshot).
A reference is matched to a record by Semantic Scholar paper id, arXiv id or DOI, in that order.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from site_builder.citations.snapshot import Snapshot, SnapshotRecord
from site_builder.kb.models import Paper
from site_builder.kb.taxonomy import Facet

if TYPE_CHECKING:  # networkx loads only where a graph is built (a warm citation cache needs none)
    import networkx as nx

_ARXIV_VERSION = re.compile(r"v\d+$")


def normalise_arxiv(value: str) -> str:
    """An arXiv id without ``arXiv:`` prefix or version suffix, lowercased: ``2103.00020``."""
    text = value.strip().lower().removeprefix("arxiv:")
    return _ARXIV_VERSION.sub("", text)


def normalise_doi(value: str) -> str:
    """A DOI without resolver prefix, lowercased (DOIs are case-insensitive)."""
    text = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        text = text.removeprefix(prefix)
    return text


class CollectionIndex:
    """Which record, if any, a Semantic Scholar paper is: by S2 paper id, arXiv id or DOI."""

    def __init__(self, papers: Mapping[str, Paper], snapshot: Mapping[str, SnapshotRecord]) -> None:
        self.by_s2: dict[str, str] = {}
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        for pid in sorted(papers):
            paper = papers[pid]
            fetched = snapshot.get(pid)
            meta = fetched.paper if fetched is not None else None
            ext = (meta.externalIds if meta is not None else None) or {}
            for s2 in (paper.ids.s2, meta.paperId if meta is not None else None):
                if s2:
                    self.by_s2.setdefault(s2, pid)
            for arxiv in (paper.ids.arxiv, ext.get("ArXiv")):
                if isinstance(arxiv, str) and arxiv:
                    self.by_arxiv.setdefault(normalise_arxiv(arxiv), pid)
            for doi in (paper.ids.doi, ext.get("DOI")):
                if isinstance(doi, str) and doi:
                    self.by_doi.setdefault(normalise_doi(doi), pid)

    def find(self, paper_id: str | None, external_ids: Mapping[str, Any] | None) -> str | None:
        """The record id of a referenced paper, or None when it is outside the collection."""
        if paper_id and paper_id in self.by_s2:
            return self.by_s2[paper_id]
        ext = external_ids or {}
        arxiv, doi = ext.get("ArXiv"), ext.get("DOI")
        if isinstance(arxiv, str) and normalise_arxiv(arxiv) in self.by_arxiv:
            return self.by_arxiv[normalise_arxiv(arxiv)]
        if isinstance(doi, str) and normalise_doi(doi) in self.by_doi:
            return self.by_doi[normalise_doi(doi)]
        return None


def build_graph(papers: Mapping[str, Paper], snapshot: Mapping[str, SnapshotRecord]) -> nx.DiGraph:
    """A ``networkx.DiGraph`` over every record (A -> B when A's references hold B), built in sorted order.

    Node attributes: ``title``, ``year``, ``kind`` and, when fetched, ``paperId`` and ``citationCount`` (global,
    as of the fetch date). Edge attributes: ``isInfluential`` (bool) and ``intents`` (sorted tuple of str).
    """
    index = CollectionIndex(papers, snapshot)
    import networkx as nx

    graph = nx.DiGraph()
    for pid in sorted(papers):
        paper = papers[pid]
        attrs: dict[str, Any] = {"title": paper.title, "year": paper.year, "kind": paper.kind}
        meta = snapshot[pid].paper if pid in snapshot else None
        if meta is not None:
            attrs["paperId"] = meta.paperId
            if meta.citationCount is not None:
                attrs["citationCount"] = meta.citationCount
        graph.add_node(pid, **attrs)
    # Edges are gathered first (a paper may list the same reference twice: flags and intents are merged) and
    # added in one call: networkx's per-edge calls cost more than the rest of the stage.
    edges: dict[tuple[str, str], tuple[bool, set[str]]] = {}
    for pid in sorted(papers):
        fetched = snapshot.get(pid)
        for ref in fetched.references if fetched is not None else ():
            target = index.find(ref.paperId, ref.externalIds)
            if target is None or target == pid:
                continue
            found = edges.get((pid, target))
            if found is None:
                edges[(pid, target)] = (bool(ref.isInfluential), set(ref.intents or ()))
            else:
                found[1].update(ref.intents or ())
                if ref.isInfluential and not found[0]:
                    edges[(pid, target)] = (True, found[1])
    shared: dict[frozenset[str], tuple[str, ...]] = {}  # one tuple per distinct set of intents
    graph.add_edges_from(
        (a, b, {"isInfluential": flag, "intents": shared.setdefault(frozenset(kinds), tuple(sorted(kinds)))})
        for (a, b), (flag, kinds) in edges.items())
    return graph


def citation_graph(papers: Mapping[str, Paper], snapshot: Snapshot) -> nx.DiGraph:
    """:func:`build_graph` with the snapshot's "as of" date of ``papers`` as the graph attribute ``fetched``."""
    graph = build_graph(papers, snapshot.records)
    as_of = snapshot.as_of(papers)
    graph.graph["fetched"] = as_of.isoformat() if as_of else ""
    return graph


def cites(graph: nx.DiGraph, pid: str) -> list[str]:
    """Records of the collection that ``pid`` cites, sorted."""
    return sorted(graph.successors(pid))


def cited_by(graph: nx.DiGraph, pid: str) -> list[str]:
    """Records of the collection that cite ``pid``, sorted."""
    return sorted(graph.predecessors(pid))


def ranked(scores: Mapping[str, float | int], top: int | None = None) -> list[tuple[str, float | int]]:
    """Scores from highest to lowest, ties in id order; at most ``top`` entries."""
    def key(item: tuple[str, float | int]) -> tuple[float | int, str]:
        return -item[1], item[0]

    # nsmallest equals the sorted list cut to its first ``top`` (ties included), without sorting the rest.
    return sorted(scores.items(), key=key) if top is None else heapq.nsmallest(top, scores.items(), key=key)


def facet_tags(papers: Mapping[str, Paper], facet_id: str) -> dict[str, list[str]]:
    """Each record's tags on one facet (the plain input of :func:`flows`)."""
    return {pid: list(getattr(paper.tags, facet_id, [])) for pid, paper in papers.items()}


def flows(graph: nx.DiGraph, tags: Mapping[str, Iterable[str]], facet: Facet,
          with_ancestors: bool = True) -> dict[tuple[str, str], int]:
    """Citations between taxonomy nodes of one facet: (citing node, cited node) -> number of edges.

    A paper counts under each of its tags and, with ``with_ancestors``, under their ancestors too.
    """
    def nodes(pid: str) -> set[str]:
        own = [t for t in tags.get(pid, ()) if t in facet.nodes]
        return facet.closure(own) if with_ancestors else set(own)

    counts: dict[tuple[str, str], int] = defaultdict(int)
    for source, target in graph.edges():
        for a in nodes(source):
            for b in nodes(target):
                counts[a, b] += 1
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Candidate:
    """A paper outside the collection that several of its papers reference: a suggestion for curators."""

    paperId: str
    title: str | None
    year: int | None
    externalIds: dict[str, str | int]
    cited_by: tuple[str, ...]


def candidates(papers: Mapping[str, Paper], snapshot: Mapping[str, SnapshotRecord],
               k: int = 2) -> list[Candidate]:
    """Papers outside the collection referenced by at least ``k`` records, most referenced first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    index = CollectionIndex(papers, snapshot)
    citing: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, Any] = {}
    for pid in sorted(papers):
        fetched = snapshot.get(pid)
        for ref in fetched.references if fetched is not None else ():
            if index.find(ref.paperId, ref.externalIds) is None:
                citing[ref.paperId].add(pid)
                seen.setdefault(ref.paperId, ref)
    out = [Candidate(s2, seen[s2].title, seen[s2].year, dict(seen[s2].externalIds or {}), tuple(sorted(who)))
           for s2, who in citing.items() if len(who) >= k]
    return sorted(out, key=lambda c: (-len(c.cited_by), (c.title or "").casefold(), c.paperId))
