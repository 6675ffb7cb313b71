"""Serialise papers as BibTeX, CSV and JSON: the downloads of the site, reused by the ``export`` command.

BibTeX goes through bibtexparser v2: a :class:`~bibtexparser.Library` of entries, its own middlewares (co-author
merging, LaTeX encoding, enclosing) and its writer. JSON follows the versioned schema declared in
:mod:`site_builder.site.export_schema`; CSV has the columns of :func:`csv_columns` (the explore page's selection export
writes the same columns in the same order).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware, LatexEncodingMiddleware, MergeCoAuthors
from bibtexparser.model import Block, Entry, Field

from site_builder.kb.models import Paper
from site_builder.kb.taxonomy import Taxonomy
from site_builder.site.export_schema import DATA_LICENSE, SCHEMA_VERSION

#: Venues published as journals or magazines (everything else with a year is a conference or workshop).
_JOURNAL = re.compile(
    r"^(IEEE (T|Access|Signal Processing Magazine|GRSL)|TACL|TMLR|JMLR|ACM Computing Surveys|Nature|Science\b"
    r"|Neurocomputing|Neural Networks|Information Fusion|Pattern Recognition|Foundations and Trends)"
    r"|\bJ\.|Journal|Transactions|Letters|Magazine",
)
ARXIV_VENUE = "arXiv"
BIBTEX_TYPES = ("misc", "article", "inproceedings")
#: CSV columns before the facet columns (one per facet, in taxonomy order) and the final ``page`` column.
CSV_LEADING = ("id", "title", "authors", "year", "venue", "kind", "arxiv", "doi", "has_code", "datasets")
LIST_SEPARATOR = "; "
#: Spreadsheet programs run cells that start with these as formulas; such cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def page_path(paper_id: str) -> str:
    """The paper's page, relative to the site root."""
    return f"papers/{paper_id}/"


def page_url(paper_id: str, site_url: str | None) -> str:
    """The paper's page: absolute under ``site_url`` (which ends with a slash), else relative to the site root."""
    return (site_url or "") + page_path(paper_id)


def paper_url(paper: Paper, site_url: str | None = None) -> str | None:
    """Where to read the paper: its link, else its arXiv abstract, else its DOI, else its page on the site (when
    the site's address is known)."""
    if paper.links.paper:
        return paper.links.paper
    if paper.ids.arxiv:
        return f"https://arxiv.org/abs/{paper.ids.arxiv}"
    if paper.ids.doi:
        return f"https://doi.org/{paper.ids.doi}"
    return page_url(paper.id, site_url) if site_url else None


#: A word of a title: letters and digits, with inner hyphens and apostrophes ("X-CLIP", "BLIP-2"), not a LaTeX
#: command (the title is protected after LaTeX encoding).
_WORD = re.compile(r"(?<![\\\w])[^\W_](?:[\w'-]*[^\W_])?")
#: A colon that BibTeX's sentence-casing (``change.case$``) does not treat as the start of a new clause: it keeps
#: the capital after a colon only when whitespace follows the colon.
_TIGHT_COLON = re.compile(r":$")


def _needs_braces(word: str, after_tight_colon: bool) -> bool:
    parts = word.replace("'", "-").split("-")
    if any(any(c.isupper() for c in part[1:]) for part in parts):
        return True  # an acronym or a name with inner capitals: "CLIP", "AudioCLIP", "wav2Vec", "3D"
    return after_tight_colon and word[:1].isupper()


def protect_title(title: str) -> str:
    """The title with acronyms and inner-capital words in braces, so that sentence-casing styles keep them
    ("{AudioCLIP}: Extending {CLIP}"); also the first word after a colon that BibTeX would lower (a colon not
    followed by a space). Other capitals are left to the style."""
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(title):
        word, start = match.group(), match.start()
        out.append(title[last:start])
        # Only the last two characters before the word can decide the search ("$" also matches before a final "\n").
        tight = _TIGHT_COLON.search(title[max(start - 2, 0):start]) is not None
        out.append("{" + word + "}" if _needs_braces(word, tight) else word)
        last = match.end()
    out.append(title[last:])
    return "".join(out)


@lru_cache(maxsize=4096)
def bibtex_type(venue: str) -> str:
    """``misc`` for arXiv preprints, ``article`` for journals, ``inproceedings`` for conferences and workshops."""
    if venue.strip() == ARXIV_VENUE:
        return "misc"
    return "article" if _JOURNAL.search(venue) else "inproceedings"


@lru_cache(maxsize=4096)
def venue_name(venue: str, year: int) -> str:
    """The venue without its year: ``CVPR 2022`` -> ``CVPR``."""
    return re.sub(rf"\s*\b{year}\b", "", venue).strip() or venue


def _raw(value: str) -> str:
    """An identifier or URL made safe inside a brace-delimited BibTeX value."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


@dataclass(frozen=True)
class _BibValues:
    """The values of one BibTeX entry, before bibtexparser's middlewares and writer."""

    kind: str
    key: str
    title: str
    authors: tuple[str, ...]
    venue: str | None
    year: str
    doi: str | None
    eprint: str | None
    url: str | None


def _values(paper: Paper, site_url: str | None = None) -> _BibValues:
    kind = bibtex_type(paper.venue)
    return _BibValues(
        kind, paper.id, " ".join(paper.title.split()), tuple(" ".join(a.split()) for a in paper.authors),
        venue_name(paper.venue, paper.year) if kind != "misc" else None, str(paper.year),
        _raw(paper.ids.doi) if paper.ids.doi else None, _raw(paper.ids.arxiv) if paper.ids.arxiv else None,
        _raw(url) if (url := paper_url(paper, site_url)) else None)


def _library(rows: Sequence[_BibValues]) -> Library:
    """Entries through bibtexparser's middlewares: co-authors merged, text LaTeX-encoded, values enclosed."""
    entries: list[Block] = []
    for row in rows:
        fields = [Field("title", row.title), Field("author", list(row.authors))]
        if row.venue is not None:
            fields.append(Field("journal" if row.kind == "article" else "booktitle", row.venue))
        entries.append(Entry(row.kind, row.key, fields))
    library = MergeCoAuthors().transform(Library(entries))
    library = LatexEncodingMiddleware(keep_math=False, enclose_urls=False).transform(library)
    for row, entry in zip(rows, library.entries, strict=True):
        entry.set_field(Field("title", protect_title(entry.fields_dict["title"].value)))
        entry.set_field(Field("year", row.year))  # set after encoding: identifiers and URLs are not text
        if row.doi is not None:
            entry.set_field(Field("doi", row.doi))
        if row.eprint is not None:
            entry.set_field(Field("eprint", row.eprint))
            entry.set_field(Field("archiveprefix", "arXiv"))
        if row.url is not None:
            entry.set_field(Field("url", row.url))
    return AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=False,
                                  default_enclosing="{").transform(library)


def bibtex_library(papers: Sequence[Paper], site_url: str | None = None) -> Library:
    """A library with one entry per paper (key = record id), text LaTeX-encoded, capitals protected in titles,
    values enclosed in braces; ``site_url`` gives the ``url`` of a paper without a link or identifier."""
    return _library([_values(p, site_url) for p in papers])


def bibtex_text(library: Library) -> str:
    """The library written by bibtexparser's writer (already encoded: no further middleware)."""
    return str(write_string(library, unparse_stack=[]))


def bibtex_entries(library: Library) -> dict[str, str]:
    """Each entry of ``library`` written on its own, by key (for the copy box of a paper page)."""
    return {entry.key: bibtex_text(Library([entry])) for entry in library.entries}


#: Text the LaTeX encoder leaves as it is: printable ASCII except the characters it rewrites.
_PLAIN = re.compile("[" + re.escape("".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"#$%&<>\\^_{}~'))
                    + "]*")
#: Stand-ins for the values of a template entry: plain text that the middlewares keep as it is (the year slot is
#: a number, because bibtexparser writes integers unenclosed).
_SLOTS = {name: f"sitebuilderslot{name}x" for name in ("key", "title", "authors", "venue", "doi", "eprint", "url")}
_YEAR_SLOT = "9876543210"
_SLOT_RE = re.compile("(" + "|".join([*_SLOTS.values(), _YEAR_SLOT]) + ")")
_SLOT_NAMES = {**{v: k for k, v in _SLOTS.items()}, _YEAR_SLOT: "year"}


@cache
def _template(kind: str, doi: bool, eprint: bool, url: bool) -> tuple[str, ...]:
    """What bibtexparser writes for an entry of this shape, split into literal text and slot names (alternating)."""
    row = _BibValues(kind, _SLOTS["key"], _SLOTS["title"], (_SLOTS["authors"],),
                     None if kind == "misc" else _SLOTS["venue"], _YEAR_SLOT, _SLOTS["doi"] if doi else None,
                     _SLOTS["eprint"] if eprint else None, _SLOTS["url"] if url else None)
    parts = _SLOT_RE.split(bibtex_text(_library([row])))
    return tuple(_SLOT_NAMES[p] if i % 2 else p for i, p in enumerate(parts))


def bibtex_entry(paper: Paper, site_url: str | None = None) -> str:
    """One paper's entry, the same text as ``bibtex_entries(bibtex_library([paper], site_url))[paper.id]``.

    Most titles, author lists and venues are plain ASCII that the LaTeX encoder leaves alone; those entries are
    written by filling a per-shape template that bibtexparser itself wrote (about 5 microseconds instead of 0.1 ms
    through the middlewares). Anything else goes through bibtexparser.
    """
    row = _values(paper, site_url)
    authors = " and ".join(row.authors)
    if not (_plain(row.title) and _plain(authors) and (row.venue is None or _plain(row.venue))):
        return bibtex_text(_library([row]))
    values = {"key": row.key, "title": protect_title(row.title), "authors": authors, "venue": row.venue,
              "year": row.year,
              "doi": row.doi, "eprint": row.eprint, "url": row.url}
    parts = _template(row.kind, row.doi is not None, row.eprint is not None, row.url is not None)
    return "".join(p if i % 2 == 0 else str(values[p]) for i, p in enumerate(parts))


def _plain(value: str) -> bool:
    return _PLAIN.fullmatch(value) is not None


def join_bibtex(entries: Iterable[str]) -> str:
    """A bibliography of entries written by :func:`bibtex_entry`, laid out as bibtexparser's writer lays out a
    library (one blank line between entries)."""
    return "\n\n".join(entries)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_columns(taxonomy: Taxonomy) -> list[str]:
    """The CSV header: :data:`CSV_LEADING` (``datasets`` last), one column per facet, then ``page``."""
    return [*CSV_LEADING, *taxonomy.facets, "page"]


def csv_row(paper: Paper, taxonomy: Taxonomy, site_url: str | None = None) -> list[str]:
    """One CSV row in the order of :func:`csv_columns`; ``page`` is absolute under ``site_url`` when given."""
    facets = [LIST_SEPARATOR.join(dict.fromkeys(paper.tags.of(f))) for f in taxonomy.facets]
    return [_cell(v) for v in (
        paper.id, paper.title, LIST_SEPARATOR.join(paper.authors), str(paper.year), paper.venue, paper.kind,
        paper.ids.arxiv or "", paper.ids.doi or "", "yes" if paper.links.code else "no",
        LIST_SEPARATOR.join(dict.fromkeys(paper.datasets)), *facets, page_url(paper.id, site_url),
    )]


def csv_line(paper: Paper, taxonomy: Taxonomy, site_url: str | None = None) -> str:
    """One line of papers.csv (RFC 4180 quoting, ``\\n`` line end)."""
    return csv_text(csv_row(paper, taxonomy, site_url))


#: Besides the delimiter (a comma), what makes the csv module quote a field (with ``\\n`` as line end); ``\\r`` too,
#: which Python 3.11 leaves unquoted but other versions may not: such a field goes to the csv module itself.
_QUOTED = re.compile(r'["\r\n]')


def csv_text(row: list[str]) -> str:
    """``row`` as the csv module writes it (minimal quoting, ``\\n`` line end). Most rows have no field to quote:
    those are joined directly, in a tenth of the time the csv module takes for a one-row writer."""
    joined = ",".join(row)
    if len(row) > 1 and joined.count(",") == len(row) - 1 and _QUOTED.search(joined) is None:
        return joined + "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def papers_csv(papers: Sequence[Paper], taxonomy: Taxonomy, lines: Iterable[str] | None = None,
               site_url: str | None = None) -> str:
    """All papers as CSV with a header row (RFC 4180 quoting, ``\\n`` line ends); ``lines`` are the papers'
    :func:`csv_line` when the caller already has them."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(csv_columns(taxonomy))
    if lines is None:
        writer = csv.writer(out, lineterminator="\n")
        for paper in papers:
            writer.writerow(csv_row(paper, taxonomy, site_url))
    else:
        out.writelines(lines)
    return out.getvalue()


def paper_document(paper: Paper) -> dict[str, object]:
    """One paper of papers.json: the record's fields plus its page path."""
    doc: dict[str, object] = paper.model_dump(mode="json")
    doc["page"] = page_path(paper.id)
    return doc


def paper_line(paper: Paper) -> str:
    """:func:`paper_document` as one line of compact JSON (serialised by pydantic's core, several times faster
    than building the dictionary and encoding it)."""
    record = paper.model_dump_json()
    return f'{record[:-1]},"page":{json.dumps(page_path(paper.id))}}}'


def taxonomy_document(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """The facets with their nodes (id, label, parent) so that consumers can expand a tag to its ancestors."""
    return [{"id": f.id, "label": f.label,
             "nodes": [{"id": n.id, "label": n.label, "parent": n.parent} for n in f.nodes.values()]}
            for f in taxonomy.facets.values()]


#: ``value`` as compact JSON (non-ASCII kept): one encoder for every call (``json.dumps`` with options builds a new
#: one each time, a few microseconds that count for each of tens of thousands of rows).
compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def papers_json(papers: Sequence[Paper], taxonomy: Taxonomy, lines: Sequence[str] | None = None) -> str:
    """papers.json: ``{"version", "license", "count", "facets", "papers"}``
    (see :mod:`site_builder.site.export_schema`).

    One facet and one paper per line: readable, diff-friendly, and written by the C encoder (an indented
    document goes through the pure-Python one, 0.4 ms a paper). ``lines`` are the papers' :func:`paper_line`
    when the caller already has them.
    """
    facets = ",\n".join(compact_json(f) for f in taxonomy_document(taxonomy))
    body = ",\n".join(lines if lines is not None else [paper_line(p) for p in papers])
    return (f'{{"version":{SCHEMA_VERSION},"license":"{DATA_LICENSE}","count":{len(papers)},\n'
            f'"facets":[\n{facets}\n],\n"papers":[\n{body}\n]}}\n')
