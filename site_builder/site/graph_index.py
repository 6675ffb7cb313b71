"""The compact JSON behind the citation-graph page (read by docs/assets/graph.js).

Shape (version 1)::

    {"v": 1, "asOf": "YYYY-MM-DD", "w": width, "h": height, "cell": layout units between neighbours,
     "facets": [[facet id, label], ...],
     "nodes":  [[facet number, node id, label, parent node number or -1], ...],    # as in the explore index
     "years":  [[year, x of the year's column], ...],
     "cols":   ["id", "title", "year", "x", "y", "citedBy", "tags"],
     "papers": [[...one array per paper, in the order of "cols"...], ...],          # by paper id
     "edges":  [citing paper number, cited paper number, ...]}                       # flat pairs

Positions come from :func:`site_builder.site.graphlayout.year_layout`; ``citedBy`` counts citing papers inside the
collection; ``tags`` are node numbers of the paper's own tags (the script adds ancestors).

Papers are listed, and numbered, by id (the script sorts what it lists).
"""

from __future__ import annotations

import json
from operator import attrgetter

import numpy as np

from site_builder.citations.facts import Citations, numbered_edges, pair_order, renumbered_ends
from site_builder.site.explore_index import OwnTags, node_numbers, taxonomy_rows
from site_builder.site.exports import compact_json
from site_builder.site.graphlayout import CELL, Layout, year_layout_arrays
from site_builder.site.model import SiteModel

GRAPH_VERSION = 1
GRAPH_PATH = "graph/citation-graph.json"
COLUMNS = ("id", "title", "year", "x", "y", "citedBy", "tags")


def graph_index(model: SiteModel, view: Citations) -> str:
    """The graph document as compact JSON."""
    layout = _layout(_years(model), view)
    numbers = node_numbers(model.taxonomy)
    facets, nodes = taxonomy_rows(model.taxonomy)
    order = sorted(model.ids)
    own = OwnTags(model.taxonomy.facets, numbers)
    rows = [_row_of(model, view, layout, own, pid) for pid in order]
    edges = _edges(view, order)
    head = {"v": GRAPH_VERSION, "asOf": view.as_of.isoformat(), "w": layout.width, "h": layout.height, "cell": CELL,
            "facets": facets, "nodes": nodes, "years": [list(y) for y in layout.years], "cols": list(COLUMNS)}
    # "papers" and "edges" are the last keys: the head without its closing brace, then the rows and the edges.
    return (json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"papers":[' + ",".join(rows)
            + '],"edges":[' + edges + "]}\n")


def _years(model: SiteModel) -> dict[str, int]:
    return dict(zip(model.ids, map(attrgetter("year"), model.papers), strict=True))


def _layout(years: dict[str, int], view: Citations) -> Layout:
    number, sources, targets = view.edge_arrays()
    return year_layout_arrays(years, list(number), sources, targets)


def _row_of(model: SiteModel, view: Citations, layout: Layout, own: OwnTags, pid: str) -> str:
    paper = model.by_id[pid]
    x, y = layout.positions[pid]
    return compact_json([paper.id, paper.title, paper.year, x, y, len(view.papers[pid].cited_by), own(paper)])


def _edges(view: Citations, order: list[str]) -> str:
    """The citations as pairs of paper numbers (places in ``order``), by citing paper, then by cited paper."""
    number = {pid: i for i, pid in enumerate(order)}
    core = view.core
    sources, targets = renumbered_ends(core.numbered() if core is not None
                                       else numbered_edges(view.graph.edges(data=True)), number)
    by = pair_order(sources, targets, len(order))
    # Each number's text is made once, not once per citation, and picked out for every citation in one step.
    text = np.array(list(map(str, range(len(order)))), dtype=object)
    return ",".join(text[np.column_stack((sources[by], targets[by])).ravel()].tolist())

