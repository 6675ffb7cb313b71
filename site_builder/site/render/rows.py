"""HTML pieces written in Python: rows of the paper tables, links, and the taxonomy chains of paper pages.

A paper appears in rows of node pages, dataset pages, the Hybrid view and the home page; the render stage writes
its row once per page depth (see :class:`~site_builder.site.render.pieces.Fragments`). The row is the HTML the
``paper_table`` macro of ``_macros.md.j2`` writes, and every value goes through the same escaping
(:mod:`site_builder.site.escape`).
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from site_builder.kb.models import Paper
from site_builder.kb.taxonomy import Facet
from site_builder.site.escape import markup, safe_href, text

OFFICIAL_BADGE = '<span class="sb-badge sb-badge--official" title="released by the authors">official</span>'


def short_authors(authors: list[str], keep: int = 3) -> str:
    """``A, B, C et al.`` for lists of papers."""
    return ", ".join(authors) if len(authors) <= keep else ", ".join(authors[:keep]) + " et al."


def code_badge(paper: Paper) -> str:
    """A link to the paper's first code repository, marked official when the authors released it."""
    code = paper.links.code[0] if paper.links.code else None
    if code is None or safe_href(code.url) is None:
        return ""
    return f'<a href="{text(code.url)}">code</a>' + (f" {OFFICIAL_BADGE}" if code.official else "")


def paper_row(paper: Paper, root: str) -> Markup:
    """One ``<tr>`` of a paper table on a page whose prefix to the site root is ``root``."""
    return Markup(
        f'<tr><td><a href="{root}papers/{text(paper.id)}/">{text(paper.title)}</a><br><span class="sb-authors">'
        f"{text(short_authors(paper.authors))}</span></td><td>{text(paper.year)}</td><td>{text(paper.venue)}</td>"
        f"<td>{code_badge(paper)}</td></tr>"
    )  # every value has just been escaped


def link_to(url: str, label: object) -> Markup:
    """A link to ``url`` labelled ``label``, or the label alone when :func:`safe_href` refuses the URL."""
    if safe_href(url) is None:
        return markup(label)
    return Markup(f'<a href="{text(url)}">{markup(label)}</a>')  # both parts escaped


def not_fetched(what: str) -> Markup:
    """The note shown wherever citation data is missing."""
    return Markup(f'<p class="sb-note">{text(what)}: citation data has not been fetched yet. It will appear here '
                  "once the Semantic Scholar snapshot (<code>site-builder enrich</code>) exists.</p>")


def node_link(root: str, facet_id: str, node_id: str, label: str) -> Markup:
    """A link to a taxonomy node's page."""
    return Markup(f'<a href="{root}topics/{text(facet_id)}/{text(node_id)}/">{text(label)}</a>')


def compact_items(papers: Iterable[Paper], root: str) -> Markup:
    """``<li>`` items linking each paper by title, with its year: the cheap form of a long list."""
    return Markup("".join(f'<li><a href="{root}papers/{text(p.id)}/">{text(p.title)}</a> ({p.year})</li>\n'
                          for p in papers))


def tag_chains(facet: Facet, root: str) -> dict[str, Markup]:
    """For every node of ``facet``: its ancestors' labels from the top, then a link to the node itself, which
    gives the page the node's label as a value of the site search's filter named after the facet's id."""
    out = {}
    for node in facet.nodes.values():
        above = "".join(f"{text(facet.nodes[a].label)} › " for a in reversed(facet.ancestors(node.id)))
        out[node.id] = Markup(f'{above}<a href="{root}topics/{text(facet.id)}/{text(node.id)}/" '
                              f'data-pagefind-filter="{text(facet.id)}">{text(node.label)}</a>')
    return out
