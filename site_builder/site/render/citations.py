"""Citation pages and page parts: a paper's citation section, the citation graph, the candidates queue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from markupsafe import Markup

from site_builder.citations.snapshot import S2_PAGE
from site_builder.kb.models import Paper
from site_builder.kb.taxonomy import Facet, Node
from site_builder.site.escape import markup
from site_builder.site.model import SOLUTION_FACETS, SiteModel
from site_builder.site.render.env import render_page, root_of
from site_builder.site.render.pieces import Fragments
from site_builder.site.render.rows import link_to

if TYPE_CHECKING:  # networkx loads only when there is citation data
    from site_builder.citations.facts import Citations
    from site_builder.citations.graph import Candidate

#: The candidates page lists at most this many papers (the most referenced), each with at most
#: :data:`CITING_SHOWN` of the collection's papers that reference it.
CANDIDATES_SHOWN = 500
CITING_SHOWN = 10


@dataclass(frozen=True)
class CandidateRow:
    """One line of the candidates page."""

    title: str
    year: int | None
    count: int
    citing: list[Paper]
    more: int
    s2_url: str
    url: str | None
    add: str | None


def candidate_row(model: SiteModel, candidate: Candidate) -> CandidateRow:
    """What the candidates page shows of one candidate: links, the citing papers (newest first), an add command."""
    ext = candidate.externalIds
    arxiv, doi = ext.get("ArXiv"), ext.get("DOI")
    arxiv = arxiv if isinstance(arxiv, str) and arxiv else None
    doi = doi if isinstance(doi, str) and doi else None
    citing = sorted((model.by_id[i] for i in candidate.cited_by), key=lambda p: (-p.year, p.title.casefold(), p.id))
    return CandidateRow(
        title=candidate.title or "(untitled on Semantic Scholar)", year=candidate.year,
        count=len(candidate.cited_by), citing=citing[:CITING_SHOWN], more=max(0, len(citing) - CITING_SHOWN),
        s2_url=S2_PAGE + candidate.paperId,
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else f"https://doi.org/{doi}" if doi else None,
        add=f"site-builder add ARXIV:{arxiv}" if arxiv else f"site-builder add DOI:{doi}" if doi else None,
    )


CANDIDATES_PAGE = "candidates/index.md"
_CANDIDATES_ROOT = root_of(CANDIDATES_PAGE)


def _candidate_tr(r: CandidateRow) -> str:
    """One row of the candidates table (written in Python: through the template, 500 rows of ten titles each
    cost a third of a second, after every title edit)."""
    title = link_to(r.url, r.title) if r.url else markup(r.title)
    citing = " · ".join([f'<a href="{_CANDIDATES_ROOT}papers/{markup(p.id)}/">{markup(p.title)}</a>' for p in r.citing])
    more = f" · and {r.more} more" if r.more else ""
    add = f"<code>{markup(r.add)}</code>" if r.add else ""
    return (f'<tr><td>{title}<br><span class="sb-authors">{link_to(r.s2_url, "Semantic Scholar")}</span></td>'
            f'<td>{markup(r.year or "")}</td><td>{r.count}</td><td>{citing}{more}</td><td>{add}</td></tr>\n')


def candidates_page(model: SiteModel) -> bytes:
    """candidates/index.md: papers outside the collection that several of its papers reference."""
    view = model.citations
    shown = view.candidates[:CANDIDATES_SHOWN] if view else []
    rows = [candidate_row(model, c) for c in shown]
    return _candidates_page(view, rows, "".join(map(_candidate_tr, rows)))


def _candidates_page(view: Citations | None, rows: list[CandidateRow], table: str) -> bytes:
    return render_page("candidates.md.j2", CANDIDATES_PAGE, view=view, rows=rows,
                       total=len(view.candidates) if view else 0, table_rows=Markup(table))


def family_flows(model: SiteModel, view: Citations, facet: Facet) -> list[tuple[Node, list[int]]]:
    """Citations between the top-level nodes of ``facet``: one row per citing node, one cell per cited node.

    A paper counts under every top-level node it sits under (the same rule as
    :func:`site_builder.citations.graph.flows`,
    read from the model's tag closures, so the cost is one look at each citation).
    """
    roots = set(facet.roots)
    # Papers share their top-level nodes: citations are counted per pair of node sets first (vectorised over the
    # citations), then each pair of sets spreads its count over its node pairs.
    number, sources, targets = view.edge_arrays()
    groups: dict[frozenset[str], int] = {}
    group = np.array([groups.setdefault(frozenset(roots & model.closure[pid][facet.id]), len(groups))
                      for pid in number], dtype=np.int64)
    size = max(len(groups), 1)
    pairs = np.bincount(group[sources] * size + group[targets], minlength=size * size)
    members = list(groups)
    counts: Counter[tuple[str, str]] = Counter()
    for code in np.flatnonzero(pairs):
        for a in members[code // size]:
            for b in members[code % size]:
                counts[(a, b)] += int(pairs[code])
    nodes = [facet.nodes[r] for r in facet.roots]
    return [(a, [counts[(a.id, b.id)] for b in nodes]) for a in nodes]


def graph_page(model: SiteModel) -> dict[str, bytes]:
    """graph/index.md and, when citation data exists, the graph's data file."""
    from site_builder.site.graph_index import GRAPH_PATH, graph_index

    view = model.citations
    out: dict[str, bytes] = {}
    tables = []
    if view is not None:
        out[GRAPH_PATH] = graph_index(model, view).encode("utf-8")
        tables = [(f, [f.nodes[r] for r in f.roots], family_flows(model, view, f))
                  for fid in SOLUTION_FACETS if (f := model.taxonomy.facets.get(fid)) is not None]
    out["graph/index.md"] = render_page("graph.md.j2", "graph/index.md", view=view, count=len(model.papers),
                                        data_url=GRAPH_PATH.rsplit("/", 1)[-1], tables=tables)
    return out


def citation_pages(model: SiteModel, parts: Fragments | None = None) -> dict[str, bytes]:
    """The citation graph page (with its data) and the candidates page."""
    out = graph_page(model)
    out["candidates/index.md"] = candidates_page(model)
    return out
