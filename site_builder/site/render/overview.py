"""Pages about the whole collection: home, explore, trends, cited by, and the downloads page with its files."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Mapping

from site_builder.site.explore_index import INDEX_PATH, SUMMARIES_PATH, explore_index, explore_summaries
from site_builder.site.export_schema import SCHEMA_VERSION, field_rows, json_schema
from site_builder.site.exports import csv_columns, papers_csv, papers_json
from site_builder.site.feed import FEED_PATH, FEED_SIZE, atom_feed
from site_builder.site.graphml import graphml_text
from site_builder.site.model import NEWEST, SOLUTION_FACETS, SiteModel
from site_builder.site.render.env import render_page, root_of
from site_builder.site.render.pieces import Fragments
from site_builder.site.render.topics import facet_rows, year_range
from site_builder.site.svg import bar_chart, heat_table, share_text

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
    """trends/index.md: papers per year overall and per node of every facet, as counts and as shares of the year's
    papers (both drawn; CSS shows the one the reader picks), each with its data table and cells linking to
    Explore for that node and year."""
    years = year_range(model)
    total = model.year_counts((1 << len(model.papers)) - 1)  # the mask of every paper
    root = root_of("trends/index.md")
    charts = []
    for f in model.taxonomy.facets.values():
        rows = facet_rows(model, f, root)
        title = f"Papers per year for each node of {f.label}"
        table = [(r, [(y, r.counts.get(y, 0), share_text(r.counts.get(y, 0), total.get(y, 0))) for y in years])
                 for r in rows]
        charts.append((f, heat_table(rows, years, title), heat_table(rows, years, f"{title}, as a share of the "
                                                                     "year's papers", total), table))
    view = model.citations
    most = [(model.by_id[pid], n, view.papers[pid]) for pid, n in view.most_cited] if view else []
    return render_page("trends.md.j2", "trends/index.md", total_chart=bar_chart(total, years, "Papers per year"),
                       facet_charts=charts, view=view, most_cited=most, years=years,
                       coverage="; ".join(f"{y}: {total.get(y, 0)}" for y in years), thin=thin_years(total, years))


def thin_years(totals: Mapping[int, int], years: list[int]) -> list[int]:
    """Years holding fewer than half the papers of the median year: there, counts show the collection's coverage
    more than the field's activity."""
    held = sorted(totals.get(y, 0) for y in years)
    if not held:
        return []
    median = held[len(held) // 2]
    return [y for y in years if totals.get(y, 0) * 2 < median]


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
                       summaries_url=SUMMARIES_PATH.rsplit("/", 1)[-1], count=len(model.papers))


def downloads(model: SiteModel, bibliography: str, parts: Fragments | None = None) -> dict[str, bytes]:
    """The downloads page and files: papers.json (+ its JSON Schema), papers.csv, papers.bib (``bibliography``),
    the Atom feed, and citation-graph.graphml when citation data exists."""
    parts = parts or Fragments(model)
    out = {
        "downloads/index.md": render_page("downloads.md.j2", "downloads/index.md", fields=field_rows(),
                                          csv_columns=csv_columns(model.taxonomy), version=SCHEMA_VERSION,
                                          feed_size=FEED_SIZE, view=model.citations),
        BIB_PATH: bibliography.encode("utf-8"),
        "downloads/papers.json": papers_json(model.papers, model.taxonomy, parts.json_lines()).encode("utf-8"),
        "downloads/papers.schema.json": (json.dumps(json_schema(), indent=1) + "\n").encode("utf-8"),
        "downloads/papers.csv": papers_csv(model.papers, model.taxonomy, parts.csv_lines(),
                                           model.info.site_url).encode("utf-8"),
        FEED_PATH: atom_feed(model.papers, model.info).encode("utf-8"),
    }
    if model.citations is not None:
        out[GRAPHML_PATH] = graphml_text(model.citations.graph).encode("utf-8")
    return out


def overview_pages(model: SiteModel, bibtex: Mapping[str, str], bibliography: str,
                   parts: Fragments | None = None) -> dict[str, bytes]:
    """Home, explore (page and index), trends, cited by, downloads (``bibliography``: the text of papers.bib)."""
    out = {
        "index.md": home_page(model, bibtex),
        "explore/index.md": explore_page(model),
        INDEX_PATH: explore_index(model).encode("utf-8"),
        SUMMARIES_PATH: explore_summaries(model).encode("utf-8"),
        "trends/index.md": trends_page(model),
        "cited-by/index.md": cited_by_page(model),
    }
    out.update(downloads(model, bibliography, parts))
    return out
