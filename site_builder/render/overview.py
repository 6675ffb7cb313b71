"""Pages about the whole collection: home, explore, trends, cited by, and the downloads page with its files."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Mapping

from site_builder.explore_index import INDEX_PATH, explore_index_parts, join_index
from site_builder.export_schema import SCHEMA_VERSION, field_rows, json_schema
from site_builder.exports import csv_columns, papers_csv, papers_json
from site_builder.feed import FEED_PATH, FEED_SIZE, atom_feed
from site_builder.graphml import graphml_text_kept
from site_builder.render.env import render_page
from site_builder.render.keys import citations_key
from site_builder.render.memo import Fragments
from site_builder.render.topics import facet_heat, year_range
from site_builder.sitemodel import NEWEST, SOLUTION_FACETS, SiteModel
from site_builder.svg import bar_chart

#: The record of the survey the collection is built on; its BibTeX goes on the home page under "How to cite".
SURVEY_ID = "ssml-survey"
GRAPHML_PATH = "downloads/citation-graph.graphml"
BIB_PATH = "downloads/papers.bib"


def home_page(model: SiteModel, bibtex: Mapping[str, str]) -> bytes:
    """index.md: the challenge -> solution map with live counts, newest additions, citing and contributing."""
    facets = model.taxonomy.facets
    solution = [facets[f] for f in SOLUTION_FACETS if f in facets]
    others = [facets[f] for f in ("application", "challenge") if f in facets]
    # A paper has a tag on a facet when it sits below one of the facet's roots: OR the roots' masks and count.
    facet_counts = {f.id: functools.reduce(operator.or_, (model.node_mask(f.id, r) for r in f.roots), 0).bit_count()
                    for f in solution}
    return render_page(
        "home.md.j2", "index.md", model=model, info=model.info, solution_facets=solution, other_facets=others,
        facet_counts=facet_counts, newest=[model.by_id[i] for i in model.newest[:NEWEST]],
        survey_bibtex=bibtex.get(SURVEY_ID),
    )


def trends_page(model: SiteModel) -> bytes:
    """trends/index.md: papers per year overall and per node of every facet."""
    years = year_range(model)
    total = model.year_counts((1 << len(model.papers)) - 1)  # the mask of every paper
    charts = [(f, facet_heat(model, f, f"Papers per year for each node of {f.label}"))
              for f in model.taxonomy.facets.values()]
    view = model.citations
    most = [(model.by_id[pid], n, view.papers[pid]) for pid, n in view.most_cited] if view else []
    return render_page("trends.md.j2", "trends/index.md", total_chart=bar_chart(total, years, "Papers per year"),
                       facet_charts=charts, view=view, most_cited=most)


def cited_by_page(model: SiteModel) -> bytes:
    """cited-by/index.md: papers citing the survey, from the snapshot when fetched, else the curated list."""
    view = model.citations
    citing = view.survey_citing if view else None
    return render_page("cited_by.md.j2", "cited-by/index.md", papers=model.cited_by, records=model.by_id, view=view,
                       citing=citing, in_collection=sum(1 for c in citing or () if c.record in model.by_id),
                       survey_fetched=view.papers[SURVEY_ID].fetched if view and citing is not None else None)


def explore_page(model: SiteModel) -> bytes:
    """explore/index.md: the container the explore script fills from the index."""
    return render_page("explore.md.j2", "explore/index.md", index_url=INDEX_PATH.rsplit("/", 1)[-1],
                       count=len(model.papers))


def downloads(model: SiteModel, bibliography: str | None, parts: Fragments | None = None) -> dict[str, bytes]:
    """The downloads page and files: papers.json (+ its JSON Schema), papers.csv, papers.bib (unless
    ``bibliography`` is ``None``: the caller adds it), the Atom feed, and citation-graph.graphml when citation data
    exists."""
    parts = parts or Fragments(model)
    page = render_page("downloads.md.j2", "downloads/index.md", fields=field_rows(),
                       csv_columns=csv_columns(model.taxonomy), version=SCHEMA_VERSION, feed_size=FEED_SIZE,
                       view=model.citations)
    graph = {}
    if (view := model.citations) is not None:
        # The GraphML lists nodes by id: it reads the papers' fields, not the display order.
        shown = (citations_key(model), parts.fields_by_id(("title", "year", "kind")))
        graph[GRAPHML_PATH] = parts.keep(GRAPHML_PATH, shown, lambda: graphml_text_kept(
            view.graph, parts.memo.graphml, view.core))
    bib = {} if bibliography is None else {BIB_PATH: parts.keep(BIB_PATH, bibliography,
                                                                 lambda: bibliography.encode("utf-8"))}
    return {**graph, **bib,
        "downloads/index.md": page,
        "downloads/papers.json": _joined(parts, "downloads/papers.json", parts.json_lines(),
                                         lambda lines: papers_json(model.papers, model.taxonomy, lines)),
        "downloads/papers.schema.json": parts.keep("downloads/papers.schema.json", None, _schema_file),  # code only
        "downloads/papers.csv": _joined(parts, "downloads/papers.csv", parts.csv_lines(),
                                        lambda lines: papers_csv(model.papers, model.taxonomy, lines)),
        # The feed shows the newest papers' fields and the site's settings.
        FEED_PATH: parts.keep(FEED_PATH, (model.info, [model.by_id[i] for i in model.newest[:FEED_SIZE]]),
                              lambda: atom_feed(model.papers, model.info).encode("utf-8")),
    }


def _schema_file() -> bytes:
    """papers.schema.json (it reads the code only)."""
    return (json.dumps(json_schema(), indent=1) + "\n").encode("utf-8")


def _explore_index(model: SiteModel, parts: Fragments) -> bytes:
    """The explore index, kept while its head and rows are the same strings."""
    head, rows = explore_index_parts(model, parts.by_id)
    data: bytes = parts.keep(INDEX_PATH, (head, rows), lambda: join_index(head, rows).encode("utf-8"))
    return data


def _joined(parts: Fragments, name: str, lines: list[str], make: Callable[[list[str]], str]) -> bytes:
    """A download made of one piece per paper and a header from the taxonomy, kept while the pieces are the same
    strings and the taxonomy is equal."""
    data: bytes = parts.keep(name, (parts.model.taxonomy, lines), lambda: make(lines).encode("utf-8"))
    return data


def overview_pages(model: SiteModel, bibtex: Mapping[str, str], bibliography: str | None,
                   parts: Fragments | None = None) -> dict[str, bytes]:
    """Home, explore (page and index), trends, cited by, downloads (see :func:`downloads` for ``bibliography``)."""
    out = {
        "index.md": home_page(model, bibtex),
        "explore/index.md": explore_page(model),
        INDEX_PATH: _explore_index(model, parts or Fragments(model)),
        "trends/index.md": trends_page(model),
        "cited-by/index.md": cited_by_page(model),
    }
    out.update(downloads(model, bibliography, parts))
    return out
