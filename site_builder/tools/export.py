"""The ``export`` stage: the collection in a download format.

Formats are a registry of functions over the loaded data, each returning the file's text: the citation graph as
GraphML or node-link JSON (these need the Semantic Scholar snapshot), and the papers as BibTeX or CSV, the same
bytes as the site's ``downloads/papers.bib`` and ``downloads/papers.csv`` (both come from
:mod:`site_builder.site.exports`, over the papers in the site's display order).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.citations.snapshot import Snapshot, load_snapshot
from site_builder.kb.models import Paper
from site_builder.kb.problems import SiteBuilderError, has_errors
from site_builder.kb.project import Project
from site_builder.kb.records import KnowledgeBase, load_knowledge_base
from site_builder.kb.report import plural
from site_builder.safe.files import write_if_changed
from site_builder.site.config import config_path, read_site_info
from site_builder.site.model import display_order


@dataclass(frozen=True)
class Exported:
    """The text of an export and a one-line description of what it holds."""

    text: str
    summary: str


Exporter = Callable[[KnowledgeBase, Snapshot], Exported]


@dataclass(frozen=True)
class ExportFormat:
    """A registered format: the function that writes it, and whether it reads the snapshot."""

    write: Exporter
    needs_snapshot: bool


def _citation_graph(kb: KnowledgeBase, snapshot: Snapshot) -> Any:
    from site_builder.citations.graph import (
        citation_graph,  # networkx loads only when a graph is needed (fast CLI start)
    )

    if not snapshot.present or not snapshot.records:
        raise SiteBuilderError("citation data has not been fetched yet: run 'site-builder enrich' first")
    return citation_graph(kb.papers, snapshot)


def _graph_summary(graph: Any) -> str:
    return (f"{graph.number_of_nodes()} papers, {graph.number_of_edges()} citations inside the collection "
            f"(Semantic Scholar data as of {graph.graph['fetched']})")


def to_graphml(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """GraphML of the citation graph (the site's downloads/citation-graph.graphml)."""
    from site_builder.site.graphml import graphml_text

    graph = _citation_graph(kb, snapshot)
    return Exported(graphml_text(graph), _graph_summary(graph))


def to_node_link_json(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """Node-link JSON of the citation graph (``nodes`` and ``edges`` lists, as networkx reads it back)."""
    import networkx as nx

    graph = _citation_graph(kb, snapshot)
    doc = nx.node_link_data(graph, edges="edges")
    return Exported(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", _graph_summary(graph))


def _site_papers(kb: KnowledgeBase) -> list[Paper]:
    return sorted(kb.papers.values(), key=display_order)


def _site_url(kb: KnowledgeBase) -> str | None:
    """The site's address from mkdocs.yml (absolute links in the exports), None without mkdocs.yml."""
    return read_site_info(kb.project).site_url if config_path(kb.project).is_file() else None


def to_bibtex(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """BibTeX of every paper: the bytes of the site's downloads/papers.bib (one serializer: the site's)."""
    from site_builder.site.exports import bibtex_entry, join_bibtex  # bibtexparser loads only when needed

    papers = _site_papers(kb)
    site_url = _site_url(kb)
    return Exported(join_bibtex(bibtex_entry(p, site_url) for p in papers),
                    f"{plural(len(papers), 'paper')} as BibTeX entries")


def to_csv(kb: KnowledgeBase, snapshot: Snapshot) -> Exported:
    """CSV of every paper: the bytes of the site's downloads/papers.csv."""
    from site_builder.site.exports import papers_csv

    papers = _site_papers(kb)
    return Exported(papers_csv(papers, kb.taxonomy, site_url=_site_url(kb)),
                    f"{plural(len(papers), 'paper')} as CSV rows")


#: Export formats by name.
EXPORTERS: dict[str, ExportFormat] = {
    "bib": ExportFormat(to_bibtex, needs_snapshot=False),
    "csv": ExportFormat(to_csv, needs_snapshot=False),
    "graphml": ExportFormat(to_graphml, needs_snapshot=True),
    "json": ExportFormat(to_node_link_json, needs_snapshot=True),
}


def export(project: Project, fmt: str, output: Path | None = None) -> Exported:
    """Build the ``fmt`` export; write it atomically to ``output`` when given (only if its content changed)."""
    if fmt not in EXPORTERS:
        raise SiteBuilderError(f"unknown export format {fmt!r}; known: {', '.join(sorted(EXPORTERS))}")
    chosen = EXPORTERS[fmt]
    kb, problems = load_knowledge_base(project)
    snapshot = load_snapshot(project) if chosen.needs_snapshot else Snapshot(present=False)
    problems += snapshot.problems
    if kb is None or has_errors(problems):
        raise SiteBuilderError("the records or the snapshot have errors; fix them before exporting "
                               "(site-builder validate, site-builder enrich)", [p for p in problems
                                                                                if p.severity == "error"])
    result = chosen.write(kb, snapshot)
    if output is not None:
        write_if_changed(output, result.text)
    return result
