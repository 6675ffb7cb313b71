"""Topic pages: the topics index, one page per facet, one per taxonomy node, and the derived Hybrid view."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from markupsafe import Markup

from site_builder.models import Paper
from site_builder.problems import SiteBuilderError
from site_builder.render.env import render_page, root_of
from site_builder.render.keys import AnyOrder, citations_key
from site_builder.render.memo import Fragments
from site_builder.sitemodel import HYBRID, SiteModel, own_tags
from site_builder.svg import HeatRow, bar_chart, heat_table
from site_builder.taxonomy import Facet, Node

if TYPE_CHECKING:
    from site_builder.citeview import Within

#: A node page lists at most this many papers (the newest); the explore page always lists them all. Each row
#: costs the site generator about half a millisecond, so a thousand rows on each of a hundred list pages was a
#: fifth of the build of a 20,000-paper collection.
LIST_LIMIT = 200


def year_range(model: SiteModel) -> list[int]:
    """Every year from the oldest to the newest paper, so that charts of different nodes line up."""
    return list(range(model.years[0], model.years[-1] + 1)) if model.years else []


def explore_link(root: str, **filters: str) -> str:
    """The explore page filtered by facet values (the page reads its state from the query string)."""
    query = "&".join(f"{facet}={value}" for facet, value in filters.items())
    return f"{root}explore/?{query}"


def facet_heat(model: SiteModel, facet: Facet, title: str) -> str:
    """Papers per year for every node of ``facet``."""
    rows = [HeatRow(node.label, node.depth, model.year_counts(model.node_mask(facet.id, node.id)))
            for node in facet.nodes.values()]
    return heat_table(rows, year_range(model), title)


def node_page(model: SiteModel, facet: Facet, node: Node, parts: Fragments | None = None) -> bytes:
    """topics/<facet>/<node>/index.md."""
    path = f"topics/{facet.id}/{node.id}/index.md"
    root = root_of(path)
    ids = model.node_papers.get((facet.id, node.id), [])
    mask = model.node_mask(facet.id, node.id)
    spread = []
    for other in model.taxonomy.facets.values():
        if other.id == facet.id:
            continue
        counts = model.spread(mask, other)
        spread.append((other, [(nid, n, explore_link(root, **{facet.id: node.id, other.id: nid}))
                               for nid, n in counts.items()]))
    per_year = model.year_counts(mask)
    within = _within(model, ids, parts, path)
    # Only the shown papers are looked up unless the page is written (a kept page costs no loop over all of them).
    shown = list(map(model.by_id.__getitem__, ids[:LIST_LIMIT]))
    shown_rows = parts.kept_rows(path + "#rows", shown, root) if parts is not None \
        else Fragments(model).table_body(shown, root)

    def make() -> bytes:
        papers = list(map(model.by_id.__getitem__, ids))
        return render_page(
            "node.md.j2", path, model=model, facet=facet, node=node,
            ancestors=[facet.nodes[a] for a in reversed(facet.ancestors(node.id))],
            papers=papers, shown=shown, shown_rows=shown_rows, spread=spread,
            chart=bar_chart(per_year, year_range(model), f"Papers per year on {node.label}"),
            explore_url=explore_link(root, **{facet.id: node.id}), view=model.citations, within=within)

    if parts is None:
        return make()
    # What the page shows: the node and its place in the taxonomy, the counts of its papers (in all, per year, per
    # node of the other facets, per sub-node), the rows of the newest and the citations among them with the
    # titles of the most cited. A paper's title elsewhere in the list, or its place in the order, changes none.
    key = (parts.taxonomy, node, citations_key(model), model.years, len(ids), per_year,
           [(other.id, [(nid, n) for nid, n, _ in items]) for other, items in spread],
           [model.count(facet.id, d) for d in facet.descendants(node.id)],
           within, [model.by_id[pid].title for pid, _ in within.top] if within else None, shown_rows)
    return parts.keep(path, key, make)


class _SameIds:
    """A key that compares equal for the same citation core and the same set of paper ids, in any order (a node's
    list holds each id once: as many ids, all of them among the other's, is the same set)."""

    def __init__(self, core: object, ids: list[str]) -> None:
        self.core, self.ids = core, ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SameIds) and self.core is other.core \
            and (self.ids == other.ids or (len(self.ids) == len(other.ids) and set(self.ids).issuperset(other.ids)))

    __hash__ = None  # type: ignore[assignment]


def _within(model: SiteModel, ids: list[str], parts: Fragments | None, path: str) -> Within | None:
    """The citations among ``ids`` (they read the citation core and the set of papers, not their order)."""
    view = model.citations
    if view is None or not ids:
        return None
    if parts is None:
        return view.within(ids)
    within: Within = parts.keep(path + "#within", _SameIds(view.core, ids), lambda: view.within(ids))
    return within


def facet_page(model: SiteModel, facet: Facet) -> bytes:
    """topics/<facet>/index.md."""
    return render_page(
        "facet.md.j2", f"topics/{facet.id}/index.md", model=model, facet=facet,
        hybrid=len(model.hybrid) if facet.id == "objective" else None,
        chart=facet_heat(model, facet, f"Papers per year for each node of {facet.label}"),
    )


def hybrid_page(model: SiteModel, parts: Fragments | None = None) -> bytes:
    """topics/objective/hybrid/index.md: papers with two or more objectives, and which objectives they combine."""
    path = "topics/objective/hybrid/index.md"
    shown = [model.by_id[pid] for pid in model.hybrid[:LIST_LIMIT]]
    if parts is None:
        return _hybrid_page(model, _hybrid_facts(model), shown,
                            Fragments(model).table_body(shown, root_of(path)))
    # The combinations and the chart read the Hybrid papers' objectives and years; the rows the newest papers.
    facts = parts.keep(path + "#facts",
                       (parts.taxonomy, model.years, AnyOrder(parts.fields(("tags", "year"), model.hybrid))),
                       lambda: _hybrid_facts(model))
    rows = parts.kept_rows(path + "#rows", shown, root_of(path))
    page: bytes = parts.keep(path, (facts, rows), lambda: _hybrid_page(model, facts, shown, rows))
    return page


def _hybrid_facts(model: SiteModel) -> tuple[int, list[tuple[tuple[str, ...], int]], str]:
    """How many papers are Hybrid, their objective combinations (most frequent first) and their chart."""
    objective = model.taxonomy.facet("objective")
    combos: Counter[tuple[str, ...]] = Counter()
    order = {nid: i for i, nid in enumerate(objective.nodes)}
    labels: dict[tuple[str, ...], tuple[str, ...]] = {}  # papers share objective lists
    for paper in map(model.by_id.__getitem__, model.hybrid):
        key = tuple(paper.tags.objective)
        found = labels.get(key)
        if found is None:
            tags = sorted(own_tags(objective, list(key)), key=lambda t: order.get(t, len(order)))
            found = labels[key] = tuple(objective.nodes[t].label for t in tags if t in objective.nodes)
        combos[found] += 1
    ranked = sorted(combos.items(), key=lambda kv: (-kv[1], kv[0]))
    chart = bar_chart(model.year_counts(model.hybrid), year_range(model), "Hybrid-objective papers per year")
    return len(model.hybrid), ranked, chart


def _hybrid_page(model: SiteModel, facts: tuple[int, list[tuple[tuple[str, ...], int]], str], shown: list[Paper],
                 rows: Markup) -> bytes:
    count, combos, chart = facts
    return render_page("hybrid.md.j2", "topics/objective/hybrid/index.md", count=count, combos=combos,
                       shown=shown, shown_rows=rows, chart=chart)


def topic_pages(model: SiteModel, parts: Fragments | None = None) -> dict[str, bytes]:
    """The topics index, every facet page, every node page and the Hybrid view."""
    out: dict[str, bytes] = {
        "topics/index.md": render_page("topics.md.j2", "topics/index.md", model=model,
                                       facets=list(model.taxonomy.facets.values())),
    }
    parts = parts or Fragments(model)
    for facet in model.taxonomy.facets.values():
        out[f"topics/{facet.id}/index.md"] = facet_page(model, facet)
        for node in facet.nodes.values():
            out[f"topics/{facet.id}/{node.id}/index.md"] = node_page(model, facet, node, parts)
    if "objective" in model.taxonomy.facets:
        if HYBRID in model.taxonomy.facet("objective").nodes:
            raise SiteBuilderError(f"taxonomy.yaml: node id {HYBRID!r} of facet 'objective' is reserved for the "
                                   "derived view of papers with several objectives; rename the node")
        out["topics/objective/hybrid/index.md"] = hybrid_page(model, parts)
    return out
