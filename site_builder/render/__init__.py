"""The render stage: a site model in, every generated file out (relative path under docs/ -> bytes).

Nothing is written here; :mod:`site_builder.write` does that. Rendering is a pure function of the model, so the
same records always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from site_builder.exports import join_bibtex
from site_builder.forked import Forked
from site_builder.models import Paper
from site_builder.render.citations import citation_pages
from site_builder.render.memo import Fragments, RenderMemo
from site_builder.render.overview import overview_pages
from site_builder.render.records import paper_pages, record_pages, site_context
from site_builder.render.topics import topic_pages
from site_builder.schema_doc import schema_markdown
from site_builder.sitemodel import SiteModel

#: What the render stage owns under docs/: these folders and files are generated, git-ignored, and pruned of
#: files the current build did not produce. Everything else under docs/ is hand-written and never touched.
GENERATED_DIRS = ("papers", "topics", "datasets", "explore", "trends", "cited-by", "downloads", "reference", "graph",
                  "candidates")
GENERATED_FILES = ("index.md",)


#: From this many papers on, a render without a memo hands part of its work to a forked process (the machine's
#: second core; the files come back as bytes, and the result is the same): the whole-collection outputs (home,
#: explore index, downloads, citation graph) and :data:`CHILD_PAPER_SHARE` of the paper pages, while this process
#: renders the other paper pages and the topic pages.
SPLIT_PAPER_PAGES_FROM = 2000
#: The share of paper pages the forked process renders besides the whole-collection outputs: with it both
#: processes take about as long at 20,000 papers (bench/RESULTS.md).
CHILD_PAPER_SHARE = 0.25


def render_site(model: SiteModel, memo: RenderMemo | None = None) -> dict[str, bytes]:
    """Every generated file of the site, keyed by its path relative to docs/ (POSIX separators).

    A ``memo`` kept from an earlier render in this process (``serve``) lets per-paper pieces and paper pages be
    taken over for papers that did not change; the result is the same as without it.
    """
    split = memo is None and len(model.papers) >= SPLIT_PAPER_PAGES_FROM
    memo = memo or RenderMemo()
    parts = Fragments(model, memo)
    memo.start(site_context(model, parts))
    papers: Sequence[Paper] = model.papers

    def bibtex(chosen: Sequence[Paper]) -> dict[str, str]:
        """The BibTeX entries of ``chosen`` (each paper page shows its own)."""
        if chosen is model.papers:
            return dict(zip([p.id for p in chosen], parts.bibtex_list(), strict=True))
        return {p.id: parts.bibtex(p) for p in chosen}

    def collection(entries: dict[str, str]) -> dict[str, bytes]:
        """The outputs about the whole collection (``entries``: every paper's BibTeX, in display order)."""
        listed = list(entries.values())
        out = overview_pages(model, entries, parts.keep("papers.bib", listed, lambda: join_bibtex(listed)), parts)
        out.update(citation_pages(model, parts))
        out["reference/schema.md"] = schema_markdown().encode("utf-8")
        return out

    out: dict[str, bytes] = {}
    if split:
        cut = int(len(papers) * CHILD_PAPER_SHARE)
        theirs, mine = papers[:cut], papers[cut:]

        def child() -> dict[str, bytes]:
            entries = bibtex(papers)
            return {**collection(entries), **paper_pages(model, entries, parts, theirs)}

        helper = Forked(child)
        out.update(record_pages(model, bibtex(mine), parts, mine))
        out.update(topic_pages(model, parts))
        out.update(helper.result())
    else:
        entries = bibtex(papers)
        out.update(record_pages(model, entries, parts, papers))
        out.update(topic_pages(model, parts))
        out.update(collection(entries))
    done = dict(sorted(out.items()))
    memo.finish(model.papers, done)
    return done
