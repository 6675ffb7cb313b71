"""The compact JSON behind the citation-graph page (read by docs/assets/graph.js).

Shape (version 1)::

    {"v": 1, "asOf": "YYYY-MM-DD", "w": width, "h": height, "cell": layout units between neighbours,
     "facets": [[facet id, label], ...],
     "nodes":  [[facet number, node id, label, parent node number or -1], ...],    # as in the explore index
     "years":  [[year, x of the year's column], ...],
     "cols":   ["id", "title", "year", "x", "y", "citedBy", "tags"],
     "papers": [[...one array per paper, in the order of "cols"...], ...],          # display order
     "edges":  [citing paper number, cited paper number, ...]}                       # flat pairs

Positions come from :func:`site_builder.graphlayout.year_layout`; ``citedBy`` counts citing papers inside the
collection; ``tags`` are node numbers of the paper's own tags (the script adds ancestors).
"""

from __future__ import annotations

import json

import numpy as np

from site_builder.citeview import Citations
from site_builder.explore_index import node_numbers, own_tag_numbers, taxonomy_rows
from site_builder.graphlayout import CELL, year_layout_arrays
from site_builder.sitemodel import SiteModel

GRAPH_VERSION = 1
GRAPH_PATH = "graph/citation-graph.json"
COLUMNS = ("id", "title", "year", "x", "y", "citedBy", "tags")


def graph_index(model: SiteModel, view: Citations) -> str:
    """The graph document as compact JSON."""
    number, sources, targets = view.edge_arrays()
    layout = year_layout_arrays({p.id: p.year for p in model.papers}, list(number), sources, targets)
    numbers = node_numbers(model.taxonomy)
    facets, nodes = taxonomy_rows(model.taxonomy)
    rows: list[list[object]] = []
    for paper in model.papers:
        x, y = layout.positions[paper.id]
        rows.append([paper.id, paper.title, paper.year, x, y, len(view.papers[paper.id].cited_by),
                     own_tag_numbers(paper, model.taxonomy.facets, numbers)])
    # Papers are numbered in display order, the order of both model.papers and view.papers: the edges are each
    # paper's citations in turn, as pairs of those numbers.
    edges: list[int] = np.column_stack((sources, targets)).ravel().tolist()
    doc = {"v": GRAPH_VERSION, "asOf": view.as_of.isoformat(), "w": layout.width, "h": layout.height, "cell": CELL,
           "facets": facets, "nodes": nodes, "years": [list(y) for y in layout.years], "cols": list(COLUMNS),
           "papers": rows, "edges": edges}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
