"""The render stage: a site model in, every generated file out (relative path under docs/ -> bytes).

Nothing is written here; :mod:`site_builder.write` does that. Rendering is a pure function of the model, so the
same records always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from site_builder.exports import join_bibtex
from site_builder.forked import Claims, Forked
from site_builder.models import Paper
from site_builder.render.citations import citation_pages
from site_builder.render.memo import Fragments, RenderMemo
from site_builder.render.overview import BIB_PATH, overview_pages
from site_builder.render.records import dataset_pages, paper_pages, record_pages, site_context
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
#: explore index, downloads, citation graph), then paper pages, while this process renders paper pages, the
#: dataset pages and the topic pages. The paper pages are handed out in batches (:class:`Batches`) to whichever
#: process asks first, so both finish at about the same time however busy the machine is.
SPLIT_PAPER_PAGES_FROM = 2000
#: How many batches the paper pages are cut into (at most 255: a batch is one byte in a pipe).
BATCHES = 100


class Batches:
    """Hands out the papers in batches, each to exactly one of the processes that share it (see
    :class:`~site_builder.forked.Claims`)."""

    def __init__(self, papers: Sequence[Paper], count: int = BATCHES) -> None:
        self.papers = papers
        self.size = Claims.batch_size(len(papers), count)
        self._claims = Claims(-(-len(papers) // self.size))

    def __iter__(self) -> Iterator[Paper]:
        """The papers of the batches this process gets, batch after batch, until none is left."""
        while (number := self._claims.next()) is not None:
            yield from self.papers[number * self.size:(number + 1) * self.size]

    def close(self) -> None:
        """Release the pipe (every process that shares it closes its own copy)."""
        self._claims.close()


class _Entries(Mapping[str, str]):
    """Every paper's BibTeX entry by id, each made when first asked for (:attr:`made` holds those made)."""

    def __init__(self, model: SiteModel, parts: Fragments) -> None:
        self._model, self._parts = model, parts
        self.made: dict[str, str] = {}

    def __getitem__(self, pid: str) -> str:
        entry = self.made[pid] = self._parts.bibtex(self._model.by_id[pid])
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._model.by_id)

    def __len__(self) -> int:
        return len(self._model.by_id)


def render_site(model: SiteModel, memo: RenderMemo | None = None,
                early: Callable[[str, bytes], None] | None = None) -> dict[str, bytes]:
    """Every generated file of the site, keyed by its path relative to docs/ (POSIX separators).

    A ``memo`` kept from an earlier render in this process (``serve``) lets per-paper pieces and paper pages be
    taken over for papers that did not change; the result is the same as without it. ``early`` is offered the
    outputs about the whole collection (the large downloads among them) as soon as they are made, before the
    record and topic pages (see :class:`~site_builder.write.EarlyWrites`).
    """
    split = memo is None and len(model.papers) >= SPLIT_PAPER_PAGES_FROM
    memo = memo or RenderMemo()
    parts = Fragments(model, memo)
    memo.start(site_context(model, parts))
    papers: Sequence[Paper] = model.papers

    def bibtex() -> dict[str, str]:
        """Every paper's BibTeX entry by id, in display order (each paper page shows its own)."""
        return dict(zip(model.ids, parts.bibtex_list(), strict=True))

    def bibliography(entries: dict[str, str]) -> str:
        """papers.bib's text: ``entries`` (every paper's BibTeX, in display order) joined."""
        listed = list(entries.values())
        joined: str = parts.keep("papers.bib", listed, lambda: join_bibtex(listed))
        return joined

    def collection(entries: Mapping[str, str], bib: str | None) -> dict[str, bytes]:
        """The outputs about the whole collection (``entries``: the papers' BibTeX entries by id; ``bib``: the text
        of papers.bib, or ``None`` when the caller adds it)."""
        out = overview_pages(model, entries, bib, parts)
        out.update(citation_pages(model, parts))
        # The schema pages read the code only: made once per process.
        out["reference/schema.md"] = parts.keep("reference/schema.md", None, lambda: schema_markdown().encode("utf-8"))
        return out

    out: dict[str, bytes] = {}
    if split:
        # Each process makes the BibTeX entries of the paper pages it renders; papers.bib is joined from both.
        batches = Batches(papers)
        try:
            def child() -> tuple[dict[str, bytes], dict[str, str]]:
                entries = _Entries(model, parts)
                return {**collection(entries, None), **paper_pages(model, entries, parts, batches)}, entries.made

            helper = Forked(child)
            mine = _Entries(model, parts)
            out.update(dataset_pages(model, parts))
            out.update(topic_pages(model, parts))
            out.update(paper_pages(model, mine, parts, batches))  # last, like the other's
            theirs, made = helper.result()
            out.update(theirs)
            made.update(mine.made)
            out[BIB_PATH] = join_bibtex(map(made.__getitem__, model.ids)).encode("utf-8")
        finally:
            batches.close()
    else:
        entries = bibtex()
        whole = collection(entries, bibliography(entries))
        if early is not None:
            for key, data in whole.items():
                early(key, data)
        out.update(whole)
        out.update(record_pages(model, entries, parts, papers))
        out.update(topic_pages(model, parts))
    order = memo.output_order(out)
    done = dict(zip(order, map(out.__getitem__, order), strict=True))
    memo.finish(model.papers, done)
    return done
