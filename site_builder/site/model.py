"""Gather everything the pages need before rendering anything: the derived views of a loaded knowledge base.

Every index here is built in one pass over the papers (cost linear in papers x tags x tree depth), so that a
topic page, a counter on the home page or the trends table never scans the collection again.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from site_builder.citations.snapshot import Snapshot
from site_builder.kb.dates import today
from site_builder.kb.keyed_cache import KeyedFile
from site_builder.kb.models import CitingPaper, Dataset, Paper
from site_builder.kb.records import RECORD_ID, Entry, KnowledgeBase
from site_builder.kb.taxonomy import Facet, Taxonomy
from site_builder.site.paperset import PaperSets
from site_builder.site.similar import CACHE_LIMITS, CACHE_NAME, Similar, cached_similar_papers

if TYPE_CHECKING:
    from site_builder.citations.facts import Citations

#: The derived objective view of papers that combine two or more objectives (not a node of taxonomy.yaml).
HYBRID = "hybrid"
#: Facets whose root nodes are the survey's challenge -> solution families (home page map).
SOLUTION_FACETS = ("objective", "architecture", "alignment")
NEWEST = 10
#: How many of the most recently added papers the model lists (the Atom feed shows this many).
RECENT = 50

@dataclass(frozen=True)
class SiteInfo:
    """Facts about the published site that pages need: where records can be edited, where the site lives."""

    site_name: str
    repo_url: str | None
    edit_branch: str = "main"
    site_url: str | None = None


@dataclass
class SiteModel:
    """The knowledge base plus every derived index the pages use."""

    info: SiteInfo
    taxonomy: Taxonomy
    papers: list[Paper]
    datasets: list[Dataset]
    cited_by: list[CitingPaper]
    #: (facet, node) -> ids of papers tagged with the node or any descendant, in display order.
    node_papers: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: paper id -> (facet -> tags plus their ancestors).
    closure: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    hybrid: list[str] = field(default_factory=list)
    hybrid_set: frozenset[str] = frozenset()
    #: dataset id -> ids of papers using it, in display order.
    dataset_papers: dict[str, list[str]] = field(default_factory=dict)
    by_id: dict[str, Paper] = field(default_factory=dict)
    #: The papers' ids, in display order.
    ids: list[str] = field(default_factory=list)
    dataset_by_id: dict[str, Dataset] = field(default_factory=dict)
    #: Ids of the RECENT most recently added papers, most recent first (see :func:`recency`).
    newest: list[str] = field(default_factory=list)
    #: record id -> the file it came from, relative to the root (for "edit this record" links).
    sources: dict[str, str] = field(default_factory=dict)
    dataset_sources: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    #: Papers per node ((facet, node) keys) and per year (int keys) as bit masks: counts of intersections.
    sets: PaperSets = field(default_factory=lambda: PaperSets(()))
    #: Citation facts from the Semantic Scholar snapshot; None when nothing has been fetched yet.
    citations: Citations | None = None
    #: paper id -> its most similar papers with reasons (see :mod:`site_builder.site.similar`).
    similar: dict[str, list[Similar]] = field(default_factory=dict)
    #: The build's date (:func:`~site_builder.kb.dates.today`): what "older than a year" is measured from.
    built: dt.date = field(default_factory=today)

    @cached_property
    def citation_rank(self) -> dict[str, int]:
        """paper id -> its place among all papers by citation count (most cited first; ties in display order)."""
        papers = self.citations.papers if self.citations else {}

        def count(pid: str) -> int:
            pc = papers.get(pid)
            return (pc.citation_count or 0) if pc else 0

        return {pid: rank for rank, pid in enumerate(sorted(self.ids, key=lambda pid: -count(pid)))}

    def papers_of(self, facet: str, node: str) -> list[Paper]:
        """Papers tagged with ``node`` or one of its descendants."""
        return [self.by_id[pid] for pid in self.node_papers.get((facet, node), [])]

    def count(self, facet: str, node: str) -> int:
        """How many papers sit at ``node`` or below."""
        return len(self.node_papers.get((facet, node), []))

    def year_counts(self, ids: list[str] | int) -> dict[int, int]:
        """Papers per year among ``ids`` (a list of paper ids, or their mask in :attr:`sets`)."""
        mask = ids if isinstance(ids, int) else self.sets.mask(ids)
        return {y: n for y in self.years if (n := (mask & self.sets.named(y)).bit_count())}

    def spread(self, ids: list[str] | int, facet: Facet) -> dict[str, int]:
        """How many of ``ids`` (ids or their mask) sit at or below each node of ``facet`` (zeros left out)."""
        mask = ids if isinstance(ids, int) else self.sets.mask(ids)
        return {node: n for node in facet.nodes if (n := (mask & self.sets.named((facet.id, node))).bit_count())}

    def node_mask(self, facet: str, node: str) -> int:
        """The mask of the papers at ``node`` or below."""
        return self.sets.named((facet, node))


def display_order(paper: Paper) -> tuple[int, str, str]:
    """Newest first, then by title, then id: the order of every paper list on the site."""
    return (-paper.year, paper.title.casefold(), paper.id)


def recency(paper: Paper) -> tuple[int, str]:
    """Most recently added first, then by id: the order of the home page's newest papers and of the feed."""
    return (-paper.added.toordinal(), paper.id)


def own_tags(facet: Facet, tags: list[str]) -> list[str]:
    """The most specific tags: drops a tag that is an ancestor of another tag of the same list."""
    implied = {a for t in tags if t in facet.nodes for a in facet.ancestors(t)}
    return [t for t in dict.fromkeys(tags) if t not in implied]


def is_hybrid(taxonomy: Taxonomy, paper: Paper) -> bool:
    """True when a method combines two or more distinct objectives (the awesome list's "Hybrid").

    Surveys and analyses that discuss several objectives are not hybrid models.
    """
    return paper.kind == "method" and len(own_tags(taxonomy.facet("objective"), paper.tags.objective)) >= 2


class CitationFacts(Protocol):
    """Gives the citation facts of papers in display order
    (see :class:`~site_builder.citations.cache.CitationSource`)."""

    def __call__(self, papers: Sequence[Paper], ids: list[str] | None = None) -> Citations | None:
        """The facts of ``papers`` (whose ids are ``ids`` when given); None when nothing has been fetched."""


def build_model(kb: KnowledgeBase, info: SiteInfo, snapshot: Snapshot | None = None,
                citations: CitationFacts | None = None, cache: Path | None = None) -> SiteModel:
    """Derive every index from a loaded (and checked) knowledge base and, when given, the citation snapshot (or
    ``citations``, which gives the citation facts of the papers in display order: see
    :class:`~site_builder.citations.cache.CitationSource`). ``cache`` is the folder where the similar papers are
    kept between runs (None: derived every time)."""
    papers = sorted(kb.papers.values(), key=display_order)
    datasets = sorted(kb.datasets.values(), key=lambda d: (d.name.casefold(), d.id))
    cited = sorted(kb.cited_by.record.papers if kb.cited_by else [],
                   key=lambda c: (-c.year, c.title.casefold()))
    model = SiteModel(info, kb.taxonomy, papers, datasets, cited)
    model.ids = [p.id for p in papers]
    model.by_id = dict(zip(model.ids, papers, strict=True))
    model.sources = _sources(kb.paper_entries)
    model.dataset_sources = _sources(kb.dataset_entries)
    model.dataset_by_id = {d.id: d for d in datasets}
    _derive(model, kb.taxonomy)
    if citations is not None:
        model.citations = citations(papers, model.ids)
    elif snapshot is not None and snapshot.records:
        from site_builder.citations.facts import derive_citations  # networkx loads only when there is citation data

        model.citations = derive_citations(papers, snapshot)
    model.similar = _similar(model, KeyedFile(cache / CACHE_NAME if cache else None, CACHE_LIMITS))
    return model


def _similar(model: SiteModel, cache: KeyedFile) -> dict[str, list[Similar]]:
    """Every paper's similar papers, from its nodes and, with citation data, its references in the collection."""
    closures = {pid: frozenset((f, n) for f, nodes in by_facet.items() for n in nodes)
                for pid, by_facet in model.closure.items()}
    view = model.citations
    cites = {pid: pc.cites for pid, pc in view.papers.items() if pc.status == "ok"} if view else None
    return cached_similar_papers(cache, model.ids, closures, model.taxonomy, cites)


def _sources(entries: Sequence[Entry[Paper]] | Sequence[Entry[Dataset]]) -> dict[str, str]:
    """Record id -> the file it came from (the first file when ids clash: the reversed list's last word wins)."""
    last_first = entries[::-1]
    return dict(zip(map(RECORD_ID, last_first), map(_PATH, last_first), strict=True))


_PATH = attrgetter("path")


def _derive(model: SiteModel, taxonomy: Taxonomy) -> None:
    """The indices over the papers' tags, datasets, years and dates."""
    papers = model.papers
    node_papers: dict[tuple[str, str], list[str]] = defaultdict(list)
    dataset_papers: dict[str, list[str]] = defaultdict(list)
    facets = list(taxonomy.facets.items())
    # Papers share tag lists: each distinct list's closure (as (facet, node) keys) and Hybrid verdict once.
    closures: dict[tuple[str, tuple[str, ...]], tuple[frozenset[str], tuple[tuple[str, str], ...]]] = {}
    hybrid_of: dict[tuple[str, ...], bool] = {}
    has_objective = "objective" in taxonomy.facets
    for paper in papers:
        closure = {}
        for fid, facet in facets:
            tags = tuple(paper.tags.of(fid))
            found = closures.get((fid, tags))
            if found is None:
                nodes = frozenset(facet.closure(tags))
                found = closures[(fid, tags)] = (nodes, tuple((fid, n) for n in nodes))
            closure[fid] = found[0]
            for key in found[1]:
                node_papers[key].append(paper.id)
        model.closure[paper.id] = closure
        if has_objective:
            objective = tuple(paper.tags.objective)
            hybrid = hybrid_of.get(objective)
            if hybrid is None:
                hybrid = hybrid_of[objective] = is_hybrid(taxonomy, paper)
            if hybrid:
                model.hybrid.append(paper.id)
        for did in dict.fromkeys(paper.datasets):
            if did in model.dataset_by_id:
                dataset_papers[did].append(paper.id)
    model.hybrid_set = frozenset(model.hybrid)
    model.node_papers = dict(node_papers)
    model.dataset_papers = dict(dataset_papers)
    model.newest = [p.id for p in heapq.nsmallest(RECENT, papers, key=recency)]
    model.years = sorted({p.year for p in papers})
    _name_sets(model)


def _name_sets(model: SiteModel) -> None:
    """The bit masks of every node's papers and every year's, over the display order."""
    model.sets = PaperSets(model.ids)
    position = model.sets.position
    for key, ids in model.node_papers.items():
        model.sets.name_positions(key, map(position.__getitem__, ids))
    by_year: dict[int, list[int]] = defaultdict(list)
    for i, paper in enumerate(model.papers):
        by_year[paper.year].append(i)
    for year, at in by_year.items():
        model.sets.name_positions(year, at)
