"""The render stage: a site model in, every generated file out (relative path under docs/ -> bytes).

Nothing is written here; :mod:`site_builder.build.write` does that. Rendering is a pure function of the model, so the
same records always give the same bytes.
"""

from __future__ import annotations

from site_builder.site.exports import join_bibtex
from site_builder.site.model import SiteModel
from site_builder.site.render.citations import citation_pages
from site_builder.site.render.curation import CURATION_PAGE, curation_page
from site_builder.site.render.overview import overview_pages
from site_builder.site.render.pieces import Fragments
from site_builder.site.render.records import record_pages
from site_builder.site.render.topics import topic_pages
from site_builder.site.schema_doc import schema_markdown
from site_builder.site.search_names import name_files

#: What the render stage owns under docs/: these folders and files are generated, git-ignored, and pruned of
#: files the current build did not produce. Everything else under docs/ is hand-written and never touched.
GENERATED_DIRS = ("papers", "topics", "datasets", "explore", "trends", "cited-by", "downloads", "reference", "graph",
                  "candidates", "search", "curation")
GENERATED_FILES = ("index.md",)


def render_site(model: SiteModel) -> dict[str, bytes]:
    """Every generated file of the site, keyed by its path relative to docs/ (POSIX separators), sorted."""
    parts = Fragments(model)
    entries = dict(zip(model.ids, parts.bibtex_list(), strict=True))
    out = overview_pages(model, entries, join_bibtex(entries.values()), parts)
    out.update(citation_pages(model, parts))
    out["reference/schema.md"] = schema_markdown().encode("utf-8")
    out.update(record_pages(model, entries, parts))
    out.update(topic_pages(model, parts))
    out[CURATION_PAGE] = curation_page(model)
    out.update(name_files(model.papers))
    return dict(sorted(out.items()))
