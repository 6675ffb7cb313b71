"""Gather everything the pages need before rendering anything: the derived views of a loaded knowledge base.

Every index here is built in one pass over the papers (cost linear in papers x tags x tree depth), so that a
topic page, a counter on the home page or the trends table never scans the collection again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from site_builder.models import CitingPaper, Dataset, Paper
from site_builder.records import KnowledgeBase
from site_builder.snapshot import Snapshot
from site_builder.taxonomy import Facet, Taxonomy

if TYPE_CHECKING:
    from site_builder.citeview import Citations

#: The derived objective view of papers that combine two or more objectives (not a node of taxonomy.yaml).
HYBRID = "hybrid"
#: Facets whose root nodes are the survey's challenge -> solution families (home page map).
SOLUTION_FACETS = ("objective", "architecture", "alignment")
NEWEST = 10


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
    dataset_by_id: dict[str, Dataset] = field(default_factory=dict)
    newest: list[str] = field(default_factory=list)
    #: record id -> the file it came from, relative to the root (for "edit this record" links).
    sources: dict[str, str] = field(default_factory=dict)
    dataset_sources: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    #: Citation facts from the Semantic Scholar snapshot; None when nothing has been fetched yet.
    citations: Citations | None = None

    def papers_of(self, facet: str, node: str) -> list[Paper]:
        """Papers tagged with ``node`` or one of its descendants."""
        return [self.by_id[pid] for pid in self.node_papers.get((facet, node), [])]

    def count(self, facet: str, node: str) -> int:
        """How many papers sit at ``node`` or below."""
        return len(self.node_papers.get((facet, node), []))

    def year_counts(self, ids: list[str]) -> dict[int, int]:
        """Papers per year among ``ids``."""
        return dict(Counter(self.by_id[i].year for i in ids))

    def spread(self, ids: list[str], facet: Facet) -> dict[str, int]:
        """How many of ``ids`` sit at or below each node of ``facet`` (nodes with no paper are left out)."""
        counts: Counter[str] = Counter()
        for pid in ids:
            counts.update(self.closure[pid][facet.id])
        return {node: counts[node] for node in facet.nodes if counts[node]}


def display_order(paper: Paper) -> tuple[int, str, str]:
    """Newest first, then by title, then id: the order of every paper list on the site."""
    return (-paper.year, paper.title.casefold(), paper.id)


def own_tags(facet: Facet, tags: list[str]) -> list[str]:
    """The most specific tags: drops a tag that is an ancestor of another tag of the same list."""
    implied = {a for t in tags if t in facet.nodes for a in facet.ancestors(t)}
    return [t for t in dict.fromkeys(tags) if t not in implied]


def is_hybrid(taxonomy: Taxonomy, paper: Paper) -> bool:
    """True when a method combines two or more distinct objectives (the awesome list's "Hybrid").

    Surveys and analyses that discuss several objectives are not hybrid models.
    """
    return paper.kind == "method" and len(own_tags(taxonomy.facet("objective"), paper.tags.objective)) >= 2


def build_model(kb: KnowledgeBase, info: SiteInfo, snapshot: Snapshot | None = None) -> SiteModel:
    """Derive every index from a loaded (and checked) knowledge base and, when given, the citation snapshot."""
    papers = sorted(kb.papers.values(), key=display_order)
    datasets = sorted(kb.datasets.values(), key=lambda d: (d.name.casefold(), d.id))
    cited = sorted(kb.cited_by.record.papers if kb.cited_by else [],
                   key=lambda c: (-c.year, c.title.casefold()))
    model = SiteModel(info, kb.taxonomy, papers, datasets, cited)
    model.by_id = {p.id: p for p in papers}
    model.sources = {e.record.id: e.path for e in reversed(kb.paper_entries)}
    model.dataset_sources = {e.record.id: e.path for e in reversed(kb.dataset_entries)}
    model.dataset_by_id = {d.id: d for d in datasets}
    node_papers: dict[tuple[str, str], list[str]] = defaultdict(list)
    dataset_papers: dict[str, list[str]] = defaultdict(list)
    for paper in papers:
        tags = paper.tags.model_dump()
        closure = {fid: frozenset(facet.closure(tags.get(fid, []))) for fid, facet in kb.taxonomy.facets.items()}
        model.closure[paper.id] = closure
        for fid, nodes in closure.items():
            for node in nodes:
                node_papers[(fid, node)].append(paper.id)
        if "objective" in kb.taxonomy.facets and is_hybrid(kb.taxonomy, paper):
            model.hybrid.append(paper.id)
        for did in dict.fromkeys(paper.datasets):
            if did in model.dataset_by_id:
                dataset_papers[did].append(paper.id)
    model.hybrid_set = frozenset(model.hybrid)
    model.node_papers = dict(node_papers)
    model.dataset_papers = dict(dataset_papers)
    newest = sorted(papers, key=lambda p: (-p.added.toordinal(), p.id))[:NEWEST]
    model.newest = [p.id for p in newest]
    model.years = sorted({p.year for p in papers})
    if snapshot is not None and snapshot.records:
        from site_builder.citeview import derive_citations  # networkx loads only when there is citation data

        model.citations = derive_citations(papers, snapshot)
    return model
