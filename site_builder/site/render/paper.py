"""The paper page (papers/<id>/index.md), written in Python rather than with a Jinja template.

A collection of 20,000 papers renders this page 20,000 times: through Jinja, with its per-value escaping and
generator machinery, it cost about 0.3 ms a page, here about 0.03 ms. Every value still goes through
:mod:`site_builder.site.escape` (``text`` for text, ``href`` for link targets, ``preformatted`` for the BibTeX box),
and so is the citation section (:mod:`site_builder.site.render.paper_citations`). The page has few HTML
elements on purpose: each one costs the site generator time on every page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.kb.models import Dataset, Paper
from site_builder.site.escape import href, preformatted, text
from site_builder.site.exports import compact_json, paper_url
from site_builder.site.render.rows import link_to

ROOT = "../../"
OFFICIAL = ' <span class="sb-badge sb-badge--official" title="released by the authors">official code</span>'
SHARED = (' <span class="sb-badge" title="this repository also hosts other papers of the collection">'
          "shared repository</span>")


@dataclass(frozen=True)
class PaperView:
    """What a paper page shows besides the record itself, prepared by the render stage."""

    paper: Paper
    hybrid: bool
    #: (facet label, chains): each chain names the tag's ancestors and links the tag (escaped Markup).
    tags: Sequence[tuple[str, Sequence[str]]]
    datasets: list[Dataset]
    citations: str
    #: The "Similar papers" section (Markdown with raw HTML), empty when there is none.
    similar: str
    #: How many papers of the collection cite it; None without citation data.
    cited_by: int | None
    bibtex: str
    edit_url: str | None
    source: str


def display_url(url: str) -> str:
    """A URL without its scheme and trailing slash, for link text."""
    return url.split("://", 1)[-1].rstrip("/")


def _actions(view: PaperView) -> str:
    """The title block's actions, in the order readers want them: read the paper, its code, copy its BibTeX, the
    citation graph around it, the papers citing it."""
    p = view.paper
    pid = text(p.id)
    items = []
    read = paper_url(p)  # the BibTeX entry's url: the link, else arXiv, else the DOI
    if read:
        items.append(f'<a class="sb-action" href="{href(read)}">Paper</a>')
    for code in p.links.code:
        items.append(f'<a class="sb-action" href="{href(code.url)}">Code</a>' + (OFFICIAL if code.official else ""))
    items.append('<a class="sb-action" href="#bibtex" data-sb-copy=".sb-bibtex">Copy BibTeX</a>')
    items.append(f'<a class="sb-action" href="{ROOT}graph/?focus={pid}">Graph around this paper</a>')
    if view.cited_by is not None:
        items.append(f'<a class="sb-action" href="{ROOT}explore/?cites={pid}">{view.cited_by} '
                     f"{'paper cites' if view.cited_by == 1 else 'papers cite'} this in the collection</a>")
    return '<p class="sb-actions">' + " ".join(items) + "</p>\n"


def _links(paper: Paper) -> list[str]:
    items = []
    for label, url in (("Paper", paper.links.paper), ("PDF", paper.links.pdf), ("Project page", paper.links.project)):
        if url:
            items.append(f"<li>{label}: {link_to(url, display_url(url))}</li>")
    for code in paper.links.code:
        badges = (OFFICIAL if code.official else "") + (SHARED if code.shared else "")
        items.append(f"<li>Code: {link_to(code.url, display_url(code.url))}{badges}</li>")
    if paper.ids.arxiv:
        items.append(f"<li>arXiv: {link_to('https://arxiv.org/abs/' + paper.ids.arxiv, paper.ids.arxiv)}</li>")
    if paper.ids.doi:
        items.append(f"<li>DOI: {link_to('https://doi.org/' + paper.ids.doi, paper.ids.doi)}</li>")
    return items


def _section(heading: str, css: str, items: list[str]) -> str:
    return f"\n## {heading}\n\n<ul class=\"{css}\">\n" + "".join(f"{item}\n" for item in items) + "</ul>\n" \
        if items else ""


def paper_markdown(view: PaperView) -> str:
    """The page's Markdown (with raw HTML blocks), byte for byte what readers and the site generator get."""
    p = view.paper
    hybrid = f' · <a href="{ROOT}topics/objective/hybrid/">hybrid objective</a>' if view.hybrid else ""
    tags = "".join(f"<li>{text(label)}: {' · '.join(chains)}</li>\n" for label, chains in view.tags)
    datasets = [f'<li><a href="{ROOT}datasets/{text(d.id)}/">{text(d.name)}</a>'
                + (f" ({text(d.full_name)})" if d.full_name else "") + "</li>" for d in view.datasets]
    source = f"<code>{text(view.source)}</code>"
    edit = f'<a href="{href(view.edit_url)}">Edit this record</a> ({source})' if view.edit_url else source
    names = ", ".join(text(n) for n in p.short_name)
    return (
        f"---\ntitle: {compact_json(text(p.title))}\n---\n\n"
        f'<h1 data-pagefind-weight="10">{text(p.title)}</h1>\n\n'
        + (f'<p class="sb-aka" data-pagefind-weight="10" data-pagefind-meta="short_name:{names}">Known as '
           f'{", ".join(f"<strong>{text(n)}</strong>" for n in p.short_name)}</p>\n' if p.short_name else "")
        + f'<p class="sb-byline">{", ".join(text(a) for a in p.authors)}</p>\n'
        f'<p class="sb-venue" data-pagefind-filter="year:{p.year}">{text(p.venue)} · '
        f'<span data-pagefind-filter="kind">{text(p.kind)}</span>{hybrid} · added {p.added.isoformat()}</p>\n'
        + _actions(view) + "\n"
        f"{text(p.summary)}\n\n"
        + (f'<p class="sb-note"><strong>Curator\'s note:</strong> {text(p.notes)}</p>\n\n' if p.notes else "")
        + f'## Taxonomy\n\n<ul class="sb-tags">\n{tags}</ul>\n'
        + _section("Datasets", "sb-datasets", datasets)
        + _section("Links", "sb-links", _links(p))
        + f"\n{view.citations}\n"
        + view.similar
        + f'## BibTeX\n\n<pre class="sb-bibtex" data-pagefind-ignore><code>{preformatted(view.bibtex)}</code></pre>\n\n'
        f'<p class="sb-edit" data-pagefind-ignore>{edit} · <a href="{ROOT}contribute/">How to contribute</a></p>\n'
    )


def similar_section(items: Sequence[tuple[str, str, str]]) -> str:
    """The "Similar papers" section: (id, title, reason) of each similar paper, best first."""
    if not items:
        return ""
    rows = "".join(f'<li><a href="{ROOT}papers/{text(pid)}/">{text(title)}</a> '
                   f'<span class="sb-reason">{text(reason)}</span></li>\n' for pid, title, reason in items)
    return f'## Similar papers\n\n<ul class="sb-similar" data-pagefind-ignore>\n{rows}</ul>\n\n'


def dataset_list(paper: Paper, datasets: Mapping[str, Dataset]) -> list[Dataset]:
    """The paper's datasets that have a record, each once, in the record's order."""
    return [datasets[d] for d in dict.fromkeys(paper.datasets) if d in datasets]
