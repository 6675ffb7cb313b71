"""The citation section of a paper page, written in Python like the rest of the page (see
:mod:`site_builder.site.render.paper`).

With a snapshot, every paper page has its own section (counts, the papers it cites and is cited by inside the
collection); through a template it cost about a millisecond a page, a third of a 20,000-paper pipeline. Every
value goes through :mod:`site_builder.site.escape`.

The papers it cites and that cite it inside the collection are plain HTML links, readable without JavaScript.
"""

from __future__ import annotations

from functools import lru_cache

from site_builder.kb.models import Paper
from site_builder.site.escape import text
from site_builder.site.model import SiteModel
from site_builder.site.render.rows import link_to, not_fetched

ROOT = "../../"
#: How many citing and cited papers each list shows; the rest are in Explore.
SHOWN = 10


def _papers(n: int) -> str:
    return "paper" if n == 1 else "papers"


@lru_cache(maxsize=1 << 16)  # a pure function of its arguments: a paper appears in the lists of many others
def _item(pid: str, title: str, venue: str) -> str:
    return (f'<li><a href="{ROOT}papers/{text(pid)}/">{text(title)}</a> '
            f'<span class="sb-venue">{text(venue)}</span></li>\n')


def neighbours(model: SiteModel, ids: list[str]) -> str:
    """Links to the papers ``ids``, each with its venue, as an HTML list."""
    items = "".join(_item(pid, p.title, p.venue) for pid in ids if (p := model.by_id.get(pid)) is not None)
    return f'<ul class="sb-neighbours" data-pagefind-ignore>\n{items}</ul>'


def sorted_lists(model: SiteModel, ids: list[str], explore: str) -> str:
    """The first :data:`SHOWN` of ``ids`` by year (newest first, as everywhere on the site), and in a
    ``<details>`` by citation count: both readable without JavaScript; then a link to all of them in Explore."""
    position = model.sets.position
    by_year = sorted((i for i in ids if i in position), key=position.__getitem__)
    by_count = sorted(by_year, key=model.citation_rank.__getitem__)
    more = (f'\n<p class="sb-more"><a href="{ROOT}explore/?{explore}">All {len(ids)} in Explore</a></p>\n'
            if len(ids) > SHOWN else "")
    return (f"\n{neighbours(model, by_year[:SHOWN])}\n"
            + (f"\n<details class=\"sb-by-count\"><summary>Sorted by citation count</summary>\n\n"
               f"{neighbours(model, by_count[:SHOWN])}\n</details>\n" if len(ids) > 1 else "")
            + more)


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
               f'<strong>{len(pc.cited_by)}</strong> · see the '
               f'<a href="{ROOT}graph/?focus={text(paper.id)}">citation graph around it</a></p>\n\n'
               + "### Cites in this collection\n\n")
    if pc.status == "ok":
        out.append(f'<p class="sb-note">{len(pc.cites)} {_papers(len(pc.cites))} of this collection among its '
                   f"references, as of {fetched}.</p>\n")
        if pc.cites:
            out.append(sorted_lists(model, pc.cites, f"cited-by={text(paper.id)}"))
    elif pc.status == "not-found":
        out.append('<p class="sb-note">Unknown: Semantic Scholar has no references for a paper it did not find.</p>\n')
    else:
        out.append('<p class="sb-note">Unknown until its references are fetched.</p>\n')
    n = len(pc.cited_by)
    out.append(f"\n### Cited by in this collection\n\n<p class=\"sb-note\">{n} {_papers(n)} of this collection "
               f"{'cites' if n == 1 else 'cite'} it, from the references of the {view.fetched} fetched papers, as of "
               f"{view.as_of.isoformat()}.</p>\n")
    if pc.cited_by:
        out.append(sorted_lists(model, pc.cited_by, f"cites={text(paper.id)}"))
    return "".join(out)
