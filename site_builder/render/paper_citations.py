"""The citation section of a paper page, written in Python like the rest of the page (see
:mod:`site_builder.render.paper`).

With a snapshot, every paper page has its own section (counts, the papers it cites and is cited by inside the
collection); through a template it cost about a millisecond a page, a third of a 20,000-paper pipeline. Every
value goes through :mod:`site_builder.escape`.

The two lists of neighbours are data, not markup: one element whose attribute holds them in JSON, which
``common.js`` turns into a list of links in the browser. The site generator hands any HTML in a page to an HTML
parser whose cost grows with the number of tags: as ``<ul>`` markup (six tags a paper), the lists of a
20,000-paper collection cost Python-Markdown about 5 ms a page, more than the rest of the page; as one attribute
they cost one tag. (A ``<script type="application/json">`` element would be as cheap, but the theme's instant
navigation turns scripts of the page it loads into plain scripts, dropping their type.) The counts, notes and
headings stay in the page itself.
"""

from __future__ import annotations

from site_builder.escape import text
from site_builder.exports import compact_json
from site_builder.models import Paper
from site_builder.render.rows import link_to, not_fetched
from site_builder.render.topics import LIST_LIMIT
from site_builder.sitemodel import SiteModel

ROOT = "../../"


def _papers(n: int) -> str:
    return "paper" if n == 1 else "papers"


#: JSON in a single-quoted HTML attribute: the characters HTML would read there, as references. JSON quotes its
#: strings with ``"``, so in single quotes a list holds no reference at all unless a title or venue has one of
#: these characters; in double quotes every string cost two ``&quot;``, which each HTML parser of the site
#: generator decodes one by one.
_ATTRIBUTE = str.maketrans({"&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;"})


def neighbours(model: SiteModel, ids: list[str]) -> str:
    """The first :data:`LIST_LIMIT` papers of ``ids`` as data: an empty ``<div>`` whose ``data-papers`` holds
    ``[id, title, venue]`` of each in JSON, drawn as a list of links (from this page's depth, ``data-root``) by
    ``common.js``."""
    items = model.list_items.setdefault("json", {})
    shown = ids[:LIST_LIMIT]
    try:
        joined = ",".join(map(items.__getitem__, shown))
    except KeyError:  # encoded once per paper, not once per page that lists it
        for pid in shown:
            if pid not in items:
                paper = model.by_id[pid]
                items[pid] = compact_json([pid, paper.title, paper.venue]).translate(_ATTRIBUTE)
        joined = ",".join(map(items.__getitem__, shown))
    return f'<div class="sb-neighbours" data-root="{ROOT}" data-papers=\'[' + joined + ']\'></div>'


_NOSCRIPT = (f'<noscript><p class="sb-note">The lists of papers below are drawn by JavaScript; without it, the '
             f'<a href="{ROOT}downloads/">downloads</a> hold every citation of the collection.</p></noscript>\n\n')


def _shown(ids: list[str]) -> str:
    return f'<p class="sb-note">Showing the {LIST_LIMIT} newest of {len(ids)} papers.</p>\n\n' \
        if len(ids) > LIST_LIMIT else ""


def citation_section(model: SiteModel, paper: Paper) -> str:
    """The "Citations" section of ``paper``'s page (Markdown with raw HTML, ending in a blank line)."""
    view = model.citations
    if view is None:
        return ("## Citations\n\n" + not_fetched("Citation counts, references and citing papers in this collection")
                + "\n")
    pc = view.papers[paper.id]
    out = ["## Citations\n\n"]
    fetched = pc.fetched.isoformat() if pc.fetched else ""
    if pc.status == "ok":
        influential = (f", <strong>{pc.influential_count:,}</strong> of them influential"
                       if pc.influential_count is not None else "")
        out.append(f'<p class="sb-cite-counts">Cited <strong>{pc.citation_count or 0:,}</strong> times according to '
                   f"Semantic Scholar{influential}, as of {fetched} · "
                   f"{link_to(pc.s2_url or '', 'Semantic Scholar page')}</p>\n")
    elif pc.status == "not-found":
        out.append(f'<p class="sb-note">Semantic Scholar did not find this paper when citation data was fetched on '
                   f"{fetched}: its global counts and its references are unknown.</p>\n")
    else:
        out.append('<p class="sb-note">Citation data for this paper has not been fetched yet (<code>site-builder '
                   f"enrich --only {text(paper.id)}</code>): its global counts and its references are unknown. "
                   "Papers that cite it are still found in the references of the others.</p>\n")
    out.append(f'\n<p class="sb-cite-local">In this collection: cites <strong>{len(pc.cites)}</strong> · cited by '
               f'<strong>{len(pc.cited_by)}</strong> · see the <a href="{ROOT}graph/">citation graph</a></p>\n\n'
               + (_NOSCRIPT if pc.cites or pc.cited_by else "") + "### Cites in this collection\n\n")
    if pc.status == "ok":
        out.append(f'<p class="sb-note">{len(pc.cites)} {_papers(len(pc.cites))} of this collection among its '
                   f"references, as of {fetched}.</p>\n")
        if pc.cites:
            out.append(f"\n{_shown(pc.cites)}{neighbours(model, pc.cites)}\n")
    elif pc.status == "not-found":
        out.append('<p class="sb-note">Unknown: Semantic Scholar has no references for a paper it did not find.</p>\n')
    else:
        out.append('<p class="sb-note">Unknown until its references are fetched.</p>\n')
    n = len(pc.cited_by)
    out.append(f"\n### Cited by in this collection\n\n<p class=\"sb-note\">{n} {_papers(n)} of this collection "
               f"{'cites' if n == 1 else 'cite'} it, from the references of the {view.fetched} fetched papers, as of "
               f"{view.as_of.isoformat()}.</p>\n")
    if pc.cited_by:
        out.append(f"\n{_shown(pc.cited_by)}{neighbours(model, pc.cited_by)}\n")
    return "".join(out)
