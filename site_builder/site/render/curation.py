"""The curation to-do page (curation/index.md): records that miss something a curator can add, each with its
edit link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from site_builder.kb.models import Paper
from site_builder.site.escape import href, text
from site_builder.site.exports import ARXIV_VENUE
from site_builder.site.model import SiteModel
from site_builder.site.render.records import edit_url

CURATION_PAGE = "curation/index.md"
ROOT = "../"
#: A preprint older than this is probably published by now: its venue wants checking.
PREPRINT_AGE = dt.timedelta(days=365)


def preprint_date(paper: Paper) -> dt.date:
    """When the paper appeared: the month of its new-style arXiv id (2103.00020: March 2021), else the end of
    its year."""
    arxiv = paper.ids.arxiv or ""
    if len(arxiv) >= 4 and arxiv[:4].isdigit() and "." in arxiv:
        month = int(arxiv[2:4])
        if 1 <= month <= 12:
            return dt.date(2000 + int(arxiv[:2]), month, 1)
    return dt.date(paper.year, 12, 31)


#: (anchor, heading, what to add, which papers).
SECTIONS: tuple[tuple[str, str, str, Callable[[Paper, dt.date], bool]], ...] = (
    ("datasets", "Without datasets", "the datasets it trains or evaluates on (<code>datasets:</code>)",
     lambda p, _: not p.datasets),
    ("code", "Without code", "its code repository, if there is one (<code>links.code</code>); surveys are left out",
     lambda p, _: not p.links.code and p.kind != "survey"),
    ("short-names", "Method papers without short names",
     "the name people call the method by (<code>short_name</code>), such as CLIP",
     lambda p, _: p.kind == "method" and not p.short_name),
    ("preprints", "Preprints older than a year",
     f"the venue it was published at, if any: <code>venue: {ARXIV_VENUE}</code> more than a year after it appeared",
     lambda p, built: p.venue.strip() == ARXIV_VENUE and preprint_date(p) < built - PREPRINT_AGE),
)


def curation_page(model: SiteModel) -> bytes:
    """curation/index.md: per kind of gap, the papers that have it (display order), each with its edit link."""
    out = ['---\ntitle: "Curation to-do"\n---\n\n# Curation to-do\n\n'
           "Records that miss something a curator can add, as of the build of "
           f"{model.built.isoformat()}. Each links to its page and to the file to edit; see "
           f'<a href="{ROOT}records/">Writing records</a>. Papers that other papers of the collection cite but '
           f'that are not in it yet are on the <a href="{ROOT}candidates/">candidate papers</a> page.\n\n']
    found = [(s, [p for p in model.papers if s[3](p, model.built)]) for s in SECTIONS]
    out.append('<ul class="sb-curation-summary">\n' + "".join(
        f'<li><a href="#{anchor}">{heading}</a>: <strong>{len(papers)}</strong></li>\n'
        for (anchor, heading, _, _), papers in found) + "</ul>\n")
    for (anchor, heading, add, _), papers in found:
        out.append(f'\n<h2 id="{anchor}">{heading} ({len(papers)})</h2>\n\n<p>Add {add}.</p>\n')
        if papers:
            out.append(f'\n<ul class="sb-curation" data-gap="{anchor}">\n'
                       + "".join(_item(model, p) for p in papers) + "</ul>\n")
    return "".join(out).encode("utf-8")


def _item(model: SiteModel, paper: Paper) -> str:
    edit = edit_url(model, model.sources.get(paper.id))
    link = f' · <a href="{href(edit)}">edit</a>' if edit else f" · <code>{text(model.sources.get(paper.id, ''))}</code>"
    return (f'<li><a href="{ROOT}papers/{text(paper.id)}/">{text(paper.title)}</a> '
            f'<span class="sb-venue">{text(paper.venue)}</span>{link}</li>\n')
