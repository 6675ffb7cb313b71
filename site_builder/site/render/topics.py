"""Topic pages: the topics index, one page per facet, one per taxonomy node, and the derived Hybrid view."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.taxonomy import Facet, Node
from site_builder.site.model import HYBRID, SiteModel, own_tags
from site_builder.site.render.env import render_page, root_of
from site_builder.site.render.pieces import Fragments
from site_builder.site.svg import HeatRow, bar_chart, heat_table

#: List pages show this many papers (the newest) as table rows and the others as a plain list of links.
LIST_LIMIT = 200


def year_range(model: SiteModel) -> list[int]:
    """Every year from the oldest to the newest paper, so that charts of different nodes line up."""
    return list(range(model.years[0], model.years[-1] + 1)) if model.years else []


def explore_link(root: str, **filters: str) -> str:
    """The explore page filtered by facet values (the page reads its state from the query string)."""
    query = "&".join(f"{facet}={value}" for facet, value in filters.items())
    return f"{root}explore/?{query}"


def facet_rows(model: SiteModel, facet: Facet, root: str) -> list[HeatRow]:
    """Papers per year for every node of ``facet``, each row linking to Explore filtered by its node."""
    return [HeatRow(node.label, node.depth, model.year_counts(model.node_mask(facet.id, node.id)),
                    explore_link(root, **{facet.id: node.id})) for node in facet.nodes.values()]


def facet_heat(model: SiteModel, facet: Facet, title: str, root: str,
               totals: Mapping[int, int] | None = None) -> str:
    """The heat table of :func:`facet_rows`: counts, or shares of the year's papers (``totals``)."""
    return heat_table(facet_rows(model, facet, root), year_range(model), title, totals)


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
    within = model.citations.within(ids) if model.citations is not None and ids else None
    parts = parts or Fragments(model)
    papers = list(map(model.by_id.__getitem__, ids))
    shown = papers[:LIST_LIMIT]
    return render_page(
        "node.md.j2", path, model=model, facet=facet, node=node,
        ancestors=[facet.nodes[a] for a in reversed(facet.ancestors(node.id))],
        papers=papers, shown=shown, shown_rows=parts.table_body(shown, root),
        older=parts.compact(papers[LIST_LIMIT:], root), spread=spread,
        chart=bar_chart(per_year, year_range(model), f"Papers per year on {node.label}"),
        explore_url=explore_link(root, **{facet.id: node.id}), view=model.citations, within=within)


def facet_page(model: SiteModel, facet: Facet) -> bytes:
    """topics/<facet>/index.md."""
    return render_page(
        "facet.md.j2", f"topics/{facet.id}/index.md", model=model, facet=facet,
        hybrid=len(model.hybrid) if facet.id == "objective" else None,
        chart=facet_heat(model, facet, f"Papers per year for each node of {facet.label}",
                         root_of(f"topics/{facet.id}/index.md")),
    )


def hybrid_page(model: SiteModel, parts: Fragments | None = None) -> bytes:
    """topics/objective/hybrid/index.md: papers with two or more objectives, and which objectives they combine."""
    path = "topics/objective/hybrid/index.md"
    parts = parts or Fragments(model)
    papers = [model.by_id[pid] for pid in model.hybrid]
    count, combos, chart = _hybrid_facts(model)
    return render_page("hybrid.md.j2", path, count=count, combos=combos, shown=papers[:LIST_LIMIT],
                       shown_rows=parts.table_body(papers[:LIST_LIMIT], root_of(path)),
                       older=parts.compact(papers[LIST_LIMIT:], root_of(path)), chart=chart)


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
