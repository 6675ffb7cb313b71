"""The ``export`` stage: the collection in a download format (citation graph as GraphML or node-link JSON).

Formats are a registry of functions over the loaded data, each returning the file's text. The ``bib`` and
``csv`` formats belong to the site's exports module; they are registered here when the branches merge, and
the command accepts only formats present in :data:`EXPORTERS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.fsio import write_if_changed
from site_builder.problems import SiteBuilderError, has_errors
from site_builder.project import Project
from site_builder.records import KnowledgeBase, load_knowledge_base
from site_builder.snapshot import Snapshot, load_snapshot


@dataclass(frozen=True)
class Exported:
    """The text of an export and a one-line description of what it holds."""

    text: str
    summary: str


Exporter = Callable[[KnowledgeBase, Snapshot], Exported]


def _citation_graph(kb: KnowledgeBase, snapshot: Snapshot) -> Any:
    from site_builder.graph import build_graph  # networkx loads only when a graph is exported (fast CLI start)

    if not snapshot.present or not snapshot.records:
        raise SiteBuilderError("citation data has not been fetched yet: run 'site-builder enrich' first")
    graph = build_graph(kb.papers, snapshot.records)
    fetched = snapshot.fetched
    graph.graph["fetched"] = fetched.isoformat() if fetched else ""
    return graph


def _graph_summary(graph: Any) -> str:
    return (f"{graph.number_of_nodes()} papers, {graph.number_of_edges()} citations inside the collection "
            f"(Semantic Scholar data as of {graph.graph['fetched']})")


def to_graphml(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """GraphML of the citation graph; tuple attributes (edge ``intents``) become comma-separated text."""
    import networkx as nx

    graph = _citation_graph(kb, snapshot)
    flat = nx.DiGraph(**graph.graph)
    flat.add_nodes_from(graph.nodes(data=True))
    for source, target, attrs in graph.edges(data=True):
        flat.add_edge(source, target, **{k: ",".join(v) if isinstance(v, tuple) else v for k, v in attrs.items()})
    return Exported("\n".join(nx.generate_graphml(flat, prettyprint=True)) + "\n", _graph_summary(graph))


def to_node_link_json(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """Node-link JSON of the citation graph (``nodes`` and ``edges`` lists, as networkx reads it back)."""
    import networkx as nx

    graph = _citation_graph(kb, snapshot)
    doc = nx.node_link_data(graph, edges="edges")
    return Exported(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", _graph_summary(graph))


#: Export formats by name. "bib" and "csv" join after the merge with the site's exports module.
EXPORTERS: dict[str, Exporter] = {
    "graphml": to_graphml,
    "json": to_node_link_json,
}


def export(project: Project, fmt: str, output: Path | None = None) -> Exported:
    """Build the ``fmt`` export; write it atomically to ``output`` when given (only if its content changed)."""
    if fmt not in EXPORTERS:
        raise SiteBuilderError(f"unknown export format {fmt!r}; known: {', '.join(sorted(EXPORTERS))}")
    kb, problems = load_knowledge_base(project)
    snapshot = load_snapshot(project)
    problems += snapshot.problems
    if kb is None or has_errors(problems):
        raise SiteBuilderError("the records or the snapshot have errors; fix them before exporting "
                               "(site-builder validate, site-builder enrich)", [p for p in problems
                                                                                if p.severity == "error"])
    result = EXPORTERS[fmt](kb, snapshot)
    if output is not None:
        write_if_changed(output, result.text)
    return result
