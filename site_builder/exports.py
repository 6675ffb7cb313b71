"""Serialise papers as BibTeX, CSV and JSON: the downloads of the site, reused by the ``export`` command.

BibTeX goes through bibtexparser v2: a :class:`~bibtexparser.Library` of entries, its own middlewares (co-author
merging, LaTeX encoding, enclosing) and its writer. JSON follows the versioned schema declared in
:mod:`site_builder.export_schema`; CSV has the columns of :func:`csv_columns` (the explore page's selection export
writes the same columns in the same order).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware, LatexEncodingMiddleware, MergeCoAuthors
from bibtexparser.model import Entry, Field

from site_builder.export_schema import SCHEMA_VERSION
from site_builder.models import Paper
from site_builder.taxonomy import Taxonomy

#: Venues published as journals or magazines (everything else with a year is a conference or workshop).
_JOURNAL = re.compile(
    r"^(IEEE (T|Access|Signal Processing Magazine|GRSL)|TACL|TMLR|JMLR|ACM Computing Surveys|Nature|Science\b"
    r"|Neurocomputing|Neural Networks|Information Fusion|Pattern Recognition|Foundations and Trends)"
    r"|\bJ\.|Journal|Transactions|Letters|Magazine",
)
ARXIV_VENUE = "arXiv"
BIBTEX_TYPES = ("misc", "article", "inproceedings")
#: CSV columns before the facet columns (one per facet, in taxonomy order) and the final ``page`` column.
CSV_LEADING = ("id", "title", "authors", "year", "venue", "kind", "arxiv", "doi", "has_code")
LIST_SEPARATOR = "; "
#: Spreadsheet programs run cells that start with these as formulas; such cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def page_path(paper_id: str) -> str:
    """The paper's page, relative to the site root."""
    return f"papers/{paper_id}/"


def bibtex_type(venue: str) -> str:
    """``misc`` for arXiv preprints, ``article`` for journals, ``inproceedings`` for conferences and workshops."""
    if venue.strip() == ARXIV_VENUE:
        return "misc"
    return "article" if _JOURNAL.search(venue) else "inproceedings"


def venue_name(venue: str, year: int) -> str:
    """The venue without its year: ``CVPR 2022`` -> ``CVPR``."""
    return re.sub(rf"\s*\b{year}\b", "", venue).strip() or venue


def _raw(value: str) -> str:
    """An identifier or URL made safe inside a brace-delimited BibTeX value."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _entry(paper: Paper) -> Entry:
    kind = bibtex_type(paper.venue)
    fields = [Field("title", " ".join(paper.title.split())),
              Field("author", [" ".join(a.split()) for a in paper.authors])]
    if kind != "misc":
        fields.append(Field("journal" if kind == "article" else "booktitle", venue_name(paper.venue, paper.year)))
    return Entry(kind, paper.id, fields)


def bibtex_library(papers: Sequence[Paper]) -> Library:
    """A library with one entry per paper (key = record id), text LaTeX-encoded, values enclosed in braces."""
    library = Library([_entry(p) for p in papers])
    library = MergeCoAuthors().transform(library)
    library = LatexEncodingMiddleware(keep_math=False, enclose_urls=False).transform(library)
    for paper, entry in zip(papers, library.entries, strict=True):
        entry.set_field(Field("year", str(paper.year)))
        if paper.ids.doi:
            entry.set_field(Field("doi", _raw(paper.ids.doi)))
        if paper.ids.arxiv:
            entry.set_field(Field("eprint", _raw(paper.ids.arxiv)))
            entry.set_field(Field("archiveprefix", "arXiv"))
        if paper.links.paper:
            entry.set_field(Field("url", _raw(paper.links.paper)))
    return AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=False,
                                  default_enclosing="{").transform(library)


def bibtex_text(library: Library) -> str:
    """The library written by bibtexparser's writer (already encoded: no further middleware)."""
    return str(write_string(library, unparse_stack=[]))


def bibtex_entries(library: Library) -> dict[str, str]:
    """Each entry of ``library`` written on its own, by key (for the copy box of a paper page)."""
    return {entry.key: bibtex_text(Library([entry])) for entry in library.entries}


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_columns(taxonomy: Taxonomy) -> list[str]:
    """The CSV header: :data:`CSV_LEADING`, one column per facet, then ``page``."""
    return [*CSV_LEADING, *taxonomy.facets, "page"]


def csv_row(paper: Paper, taxonomy: Taxonomy) -> list[str]:
    """One CSV row in the order of :func:`csv_columns`."""
    tags = paper.tags.model_dump()
    facets = [LIST_SEPARATOR.join(dict.fromkeys(tags.get(f, []))) for f in taxonomy.facets]
    return [_cell(v) for v in (
        paper.id, paper.title, LIST_SEPARATOR.join(paper.authors), str(paper.year), paper.venue, paper.kind,
        paper.ids.arxiv or "", paper.ids.doi or "", "yes" if paper.links.code else "no", *facets,
        page_path(paper.id),
    )]


def papers_csv(papers: Sequence[Paper], taxonomy: Taxonomy) -> str:
    """All papers as CSV with a header row (RFC 4180 quoting, ``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_columns(taxonomy))
    for paper in papers:
        writer.writerow(csv_row(paper, taxonomy))
    return out.getvalue()


def paper_document(paper: Paper) -> dict[str, object]:
    """One paper of papers.json: the record's fields plus its page path."""
    doc: dict[str, object] = paper.model_dump(mode="json")
    doc["page"] = page_path(paper.id)
    return doc


def taxonomy_document(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """The facets with their nodes (id, label, parent) so that consumers can expand a tag to its ancestors."""
    return [{"id": f.id, "label": f.label,
             "nodes": [{"id": n.id, "label": n.label, "parent": n.parent} for n in f.nodes.values()]}
            for f in taxonomy.facets.values()]


def papers_json(papers: Sequence[Paper], taxonomy: Taxonomy) -> str:
    """papers.json: ``{"version", "count", "facets", "papers"}`` (see :mod:`site_builder.export_schema`)."""
    doc = {"version": SCHEMA_VERSION, "count": len(papers), "facets": taxonomy_document(taxonomy),
           "papers": [paper_document(p) for p in papers]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
