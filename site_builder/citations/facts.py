"""What the pages show about citations, derived once from the Semantic Scholar snapshot.

One pass over the snapshot's references (through :mod:`site_builder.citations.graph`) gives, per paper, its
Semantic Scholar counts with their fetch date and the papers it cites and is cited by inside the collection (in
display order); for the whole collection the "as of" date, the most cited papers inside it, the candidates queue
and the papers citing the survey. Pages only read this; none of them scans the collection again.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np

from site_builder.citations.graph import Candidate, CollectionIndex, candidates, citation_graph, ranked
from site_builder.citations.snapshot import S2_PAGE, SURVEY_ID, Citing, Snapshot
from site_builder.kb.models import Paper

#: A paper outside the collection joins the candidates queue when at least this many papers of the collection
#: reference it. One reference can be incidental and two can come from one group of authors; three independent
#: papers building on a work is a fair hint that the field does. Curators decide; the threshold only orders work.
CANDIDATE_MIN = 3
#: How many papers the most-cited ranking lists.
MOST_CITED = 20

Status = Literal["ok", "not-found", "not-fetched"]


class PaperCitations(NamedTuple):
    """One paper's citation facts. ``cites`` comes from its own references (as of ``fetched``); ``cited_by`` from
    the references of every fetched paper (as of the collection's date). (A named tuple: a view makes one per
    paper, and a frozen dataclass takes three times as long to make.)"""

    status: Status
    fetched: dt.date | None
    citation_count: int | None
    influential_count: int | None
    s2_url: str | None
    cites: list[str]
    cited_by: list[str]


@dataclass(frozen=True)
class SurveyCiting:
    """A paper citing the survey, from the survey record's snapshot; ``record`` when it is in the collection."""

    title: str
    authors: list[str]
    year: int | None
    venue: str | None
    url: str | None
    record: str | None


@dataclass(frozen=True)
class Within:
    """Citations among a set of papers (a topic): how many, and the most cited among them."""

    edges: int
    top: list[tuple[str, int]]


@dataclass
class Citations:
    """Every citation fact of the site; absent (None on the model) when nothing has been fetched."""

    as_of: dt.date
    latest: dt.date
    fetched: int
    total: int
    graph: Any
    papers: dict[str, PaperCitations] = field(default_factory=dict)
    most_cited: list[tuple[str, int]] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    candidate_min: int = CANDIDATE_MIN
    survey_citing: list[SurveyCiting] | None = None
    #: What the view was made from (see :func:`citation_view`); compared by identity in render keys.
    core: CitationCore | None = field(default=None, repr=False, compare=False)
    _arrays: tuple[dict[str, int], np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    _names: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def edges(self) -> int:
        """Citations inside the collection."""
        return int(self.graph.number_of_edges())

    def within(self, ids: Sequence[str], top: int = 5) -> Within:
        """Citations among ``ids`` (one vectorised look at every citation: 49 topic pages of a 300,000-citation
        graph take milliseconds, where walking each member's references took seconds)."""
        number, sources, targets = self.edge_arrays()
        members = np.zeros(len(number), dtype=bool)
        members[np.fromiter(map(number.__getitem__, ids), dtype=np.int64, count=len(ids))] = True
        inside = members[sources] & members[targets]
        counts = np.bincount(targets[inside], minlength=len(number))
        if top < np.count_nonzero(counts):  # only papers reaching the top counts can rank (ties broken by id)
            counts = np.where(counts >= np.partition(counts, -top)[-top], counts, 0)
        names = list(number) if self._names is None else self._names
        self._names = names
        ranked = sorted(((names[i], int(counts[i])) for i in np.flatnonzero(counts)),
                        key=lambda kv: (-kv[1], kv[0]))[:top]
        return Within(int(inside.sum()), ranked)

    def edge_arrays(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Paper numbers (in :attr:`papers` order, the display order) and the citations as arrays of source and
        target numbers (computed once)."""
        if self._arrays is None:
            number = {pid: i for i, pid in enumerate(self.papers)}
            facts = list(self.papers.values())
            sources = np.repeat(np.arange(len(facts), dtype=np.int64), [len(f.cites) for f in facts])
            targets = np.fromiter((number[q] for f in facts for q in f.cites), dtype=np.int64, count=len(sources))
            self._arrays = (number, sources, targets)
        return self._arrays


def _survey_citing(citing: list[Citing], index: CollectionIndex) -> list[SurveyCiting]:
    out = []
    for c in citing:
        ext = c.externalIds or {}
        arxiv, doi = ext.get("ArXiv"), ext.get("DOI")
        url = (f"https://arxiv.org/abs/{arxiv}" if isinstance(arxiv, str) and arxiv
               else f"https://doi.org/{doi}" if isinstance(doi, str) and doi else S2_PAGE + c.paperId)
        authors = [a.name for a in c.authors or [] if a.name]
        out.append(SurveyCiting(c.title or "(untitled on Semantic Scholar)", authors, c.year, c.venue or None, url,
                                index.find(c.paperId, c.externalIds)))
    return sorted(out, key=lambda s: (-(s.year or 0), s.title.casefold(), s.url or ""))


@dataclass
class CitationCore:
    """What the citation facts hold that depends only on the snapshot and the records' identifiers (not on titles
    or display order): per fetched record (status, fetch date, counts, S2 paper id), the citations inside the
    collection with their attributes, the candidates and the survey's citing papers. This is what the citation
    cache keeps (:mod:`site_builder.citations.cache`); :func:`citation_view` adds the rest cheaply."""

    records: dict[str, tuple[Status, dt.date, int | None, int | None, str | None]]
    edges: list[tuple[str, str, dict[str, Any]]]
    candidates: list[Candidate]
    survey_citing: list[SurveyCiting] | None
    #: :attr:`edges` as numbers, when at hand: the record ids they name (each once) and the place in that list of
    #: each citation's source and target, in :attr:`edges` order. A view then looks up each id once instead of
    #: each end of 300,000 citations (see :func:`numbered_edges`).
    numbers: tuple[list[str], np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)

    def numbered(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """:attr:`numbers`, worked out from :attr:`edges` when not at hand."""
        return self.numbers or numbered_edges(self.edges)


def numbered_edges(edges: Sequence[tuple[str, str, Any]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:attr:`CitationCore.numbers` of ``edges``: the ids in order of first appearance, then the sources' and the
    targets' places among them."""
    ends = list(itertools.chain.from_iterable((a, b) for a, b, _ in edges))
    ids = list(dict.fromkeys(ends))
    places = np.fromiter(map({pid: i for i, pid in enumerate(ids)}.__getitem__, ends), dtype=np.int64, count=len(ends))
    return ids, places[0::2], places[1::2]


def renumbered_ends(numbers: tuple[list[str], np.ndarray, np.ndarray],
                    place_of: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The sources and targets of citations given as :attr:`CitationCore.numbers`, as the places ``place_of`` gives
    their ids (each id looked up once, not once per end of every citation)."""
    named, at_source, at_target = numbers
    place = np.fromiter(map(place_of.__getitem__, named), dtype=np.int64, count=len(named))
    return place[at_source], place[at_target]


def citation_core(by_id: Mapping[str, Paper], snapshot: Snapshot, k: int = CANDIDATE_MIN) -> CitationCore:
    """The :class:`CitationCore` of the records ``by_id`` (reads every snapshot record: the costly step)."""
    records = {pid: r for pid, r in snapshot.records.items() if pid in by_id}
    graph = citation_graph(by_id, snapshot)
    survey = records.get(SURVEY_ID)
    edges = list(graph.edges(data=True))
    return CitationCore(
        records={pid: (r.status, r.fetched, r.paper.citationCount if r.paper else None,
                       r.paper.influentialCitationCount if r.paper else None, r.paper.paperId if r.paper else None)
                 for pid, r in records.items()},
        edges=edges, numbers=numbered_edges(edges),
        candidates=candidates(by_id, records, k),
        survey_citing=_survey_citing(survey.citations, CollectionIndex(by_id, records))
        if survey is not None and survey.citations is not None else None,
    )


class StoredGraph:
    """The citation graph the pages use: graph attributes, nodes and edges with their attributes, the edge count
    (the part of networkx's ``DiGraph`` API that the pages and the GraphML writer read). Made from a
    :class:`CitationCore` in a fraction of the time a ``DiGraph`` of 300,000 citations takes to build."""

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


def _graph_nodes(papers: Sequence[Paper], records: Mapping[str, tuple[Any, ...]]) -> list[tuple[str, dict[str, Any]]]:
    """The citation graph's nodes: every paper by id, with its title, year, kind and Semantic Scholar facts."""
    nodes = []
    for paper in sorted(papers, key=lambda p: p.id):
        attrs: dict[str, Any] = {"title": paper.title, "year": paper.year, "kind": paper.kind}
        record = records.get(paper.id)
        if record is not None and record[4] is not None:
            attrs["paperId"] = record[4]
            if record[2] is not None:
                attrs["citationCount"] = record[2]
        nodes.append((paper.id, attrs))
    return nodes


def _facts(record: tuple[Any, ...] | None, cites: list[str], cited_by: list[str]) -> PaperCitations:
    """A paper's citation facts; ``cites`` and ``cited_by`` already in display order."""
    return PaperCitations(
        status=record[0] if record else "not-fetched", fetched=record[1] if record else None,
        citation_count=record[2] if record else None, influential_count=record[3] if record else None,
        s2_url=S2_PAGE + record[4] if record and record[4] is not None else None,
        cites=cites, cited_by=cited_by,
    )


def citation_view(papers: Sequence[Paper], core: CitationCore, k: int = CANDIDATE_MIN) -> Citations | None:
    """The citation facts of ``papers`` (in display order) from their core; None when none of them is fetched."""
    records = {p.id: core.records[p.id] for p in papers if p.id in core.records}
    if not records:
        return None
    dates = [r[1] for r in records.values()]
    as_of = min(dates)
    graph = StoredGraph({"fetched": as_of.isoformat()}, _graph_nodes(papers, records), core.edges)
    view = Citations(as_of, max(dates), len(records), len(papers), graph, candidate_min=k, core=core)
    ids = [p.id for p in papers]
    rank = {pid: i for i, pid in enumerate(ids)}
    # Papers by number in display order; the lists come from two sorts of all citations by those numbers.
    sources, targets = renumbered_ends(core.numbered(), rank)
    names = np.array(ids, dtype=object)
    cites, by_source = _grouped(sources, targets, names)
    cited_by, _ = _grouped(targets, sources, names)
    for i, paper in enumerate(papers):
        view.papers[paper.id] = _facts(records.get(paper.id), cites[i], cited_by[i])
    view._arrays = (rank, sources[by_source], targets[by_source])  # what edge_arrays would work out
    counts = {ids[i]: len(who) for i, who in enumerate(cited_by) if who}
    view.most_cited = [(pid, int(n)) for pid, n in ranked(counts, MOST_CITED)]
    view.candidates = core.candidates
    view.survey_citing = core.survey_citing
    return view


def _grouped(keys: np.ndarray, values: np.ndarray, names: np.ndarray) -> tuple[list[list[str]], np.ndarray]:
    """For every paper number ``i``: the names of ``values[j]`` for each ``j`` with ``keys[j] == i``, in ascending
    number (display) order; and the order of the citations that sorted them."""
    order = pair_order(keys, values, len(names))
    bounds = np.searchsorted(keys[order], np.arange(len(names) + 1)).tolist()
    flat = names[values[order]].tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)], order


def pair_order(sources: np.ndarray, targets: np.ndarray, papers: int) -> np.ndarray:
    """The order that sorts citations (as paper numbers below ``papers``) by citing paper, then by cited paper:
    one stable sort of a combined key."""
    return np.argsort(sources * max(papers, 1) + targets, kind="stable")


def derive_citations(papers: Sequence[Paper], snapshot: Snapshot, k: int = CANDIDATE_MIN) -> Citations | None:
    """The citation facts of ``papers`` (given in display order); None when no paper of them has been fetched."""
    if not any(p.id in snapshot.records for p in papers):
        return None
    return citation_view(papers, citation_core({p.id: p for p in papers}, snapshot, k), k)
