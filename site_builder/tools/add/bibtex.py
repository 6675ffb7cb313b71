"""BibTeX -> drafts, through bibtexparser v2's own pipeline (splitter, then middlewares).

``@string`` macros and ``#`` joins are expanded first (:mod:`.bibtex_strings`), then enclosing braces and quotes
are removed, names are separated and split into parts by ``SeparateCoAuthors`` / ``SplitNameParts``, and LaTeX
(accents, braces, dashes) is decoded by ``LatexDecodingMiddleware``. ``crossref`` links are resolved on the decoded
entries (:mod:`.bibtex_crossref`); this module then maps the fields onto drafts. Blocks the splitter could not
parse, and entries that cannot become honest records (an undefined macro, a cut author list), come back as
problems carrying their line, while every other entry is still read.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from bibtexparser.middlewares.enclosing import RemoveEnclosingMiddleware
from bibtexparser.middlewares.middleware import BlockMiddleware
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from site_builder.kb.models import ARXIV_RE, DOI_RE
from site_builder.kb.problems import Problem
from site_builder.tools.add.bibtex_crossref import resolve_crossrefs
from site_builder.tools.add.bibtex_strings import METADATA_KEY, ExpandStringsMiddleware, Unexpanded
from site_builder.tools.add.draft import Draft
from site_builder.tools.add.venues import is_arxiv_venue, short_venue

_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:/\s]*|abs/|pdf/)(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_SURVEY = re.compile(r"\b(survey|review)\b", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\S+)$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
#: What exports write where they cut an author list.
_TRUNCATION = re.compile(r"^others$|\bet\.?\s*al\b", re.IGNORECASE)


#: The longest field read (an abstract runs to a few thousand characters); longer ones are refused before LaTeX
#: decoding, whose time grows faster than the field.
MAX_FIELD_CHARS = 50_000


class _FieldCap(BlockMiddleware):
    """Empties fields longer than :data:`MAX_FIELD_CHARS` (after ``@string`` expansion, before decoding) and
    remembers them, so that their entry is refused with its line instead of being decoded."""

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)
        self.oversized: dict[int, tuple[str, int]] = {}

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        """Empty the first oversized field of ``entry`` (and any other) and note the first."""
        for fld in entry.fields:
            if isinstance(fld.value, str) and len(fld.value) > MAX_FIELD_CHARS:
                self.oversized.setdefault(id(entry), (fld.key, len(fld.value)))
                fld.value = ""
        return entry


class _DecodeNames(LatexDecodingMiddleware):
    """LaTeX decoding that also reaches the parts of every name (the base class skips lists of names)."""

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        """Decode each name part, then every plain string field."""
        errors: list[str] = []
        for fld in entry.fields:
            if isinstance(fld.value, list):
                for parts in fld.value:
                    if isinstance(parts, NameParts):
                        parts.first = self._transform_all_strings(parts.first, errors)
                        parts.von = self._transform_all_strings(parts.von, errors)
                        parts.last = self._transform_all_strings(parts.last, errors)
                        parts.jr = self._transform_all_strings(parts.jr, errors)
        block: Block = super().transform_entry(entry, library)
        return block


@contextlib.contextmanager
def _quiet_parser() -> Iterator[None]:
    """bibtexparser logs every failed block as a warning; we report them as problems instead."""
    log = logging.getLogger("bibtexparser")
    previous = log.level
    log.setLevel(logging.ERROR + 1)
    try:
        yield
    finally:
        log.setLevel(previous)


def parse_bibtex(text: str, origin: str) -> tuple[list[Draft], list[Problem]]:
    """Every paper entry of ``text`` as a draft, in file order, and a problem for each block that failed or
    entry that was refused (by line)."""
    cap = _FieldCap()
    stack = [ExpandStringsMiddleware(), cap, RemoveEnclosingMiddleware(), SeparateCoAuthors(), SplitNameParts(),
             _DecodeNames()]
    with _quiet_parser():
        library = parse_string(text, parse_stack=stack)
    problems = [_failure(block, origin) for block in library.failed_blocks]
    papers, volumes, missing = resolve_crossrefs(list(library.entries))
    for entry, key in missing:
        problems.append(Problem(origin, _line(entry), None, "warning", "bibtex-crossref",
                                f"entry {entry.key!r} names crossref {key!r}, which is not in this file: "
                                "check its venue and year"))
    for volume in volumes:
        if not any(True for _ in _children(volume, papers)):
            problems.append(Problem(origin, _line(volume), None, "warning", "bibtex-not-a-paper",
                                    f"entry {volume.key!r} is a @{volume.entry_type.lower()} volume, not a paper; "
                                    "it was not added"))
    drafts: list[Draft] = []
    for entry in papers:
        refused = _refusal(entry, origin)
        if id(entry) in cap.oversized:
            key, size = cap.oversized[id(entry)]
            refused = Problem(origin, _line(entry), None, "error", "bibtex-field-too-long",
                              f"field {key} of entry '{entry.key}' is {size:,} characters long; fields are limited "
                              f"to {MAX_FIELD_CHARS:,} (the entry was not added)")
        if refused is not None:
            problems.append(refused)
        else:
            drafts.append(_draft(entry, origin))
    if not drafts and not problems and not volumes:
        problems.append(Problem(origin, None, None, "error", "bibtex-empty", "no BibTeX entry found"))
    problems.sort(key=lambda p: p.line or 0)
    return drafts, problems


def _children(volume: Entry, papers: list[Entry]) -> Iterator[Entry]:
    for paper in papers:
        ref = paper.fields_dict.get("crossref")
        if ref is not None and str(ref.value).strip().lower() == volume.key.lower():
            yield paper


def _refusal(entry: Entry, origin: str) -> Problem | None:
    """Why ``entry`` cannot become a record (a value that stays unexpanded, a cut author list), or ``None``."""
    failed: list[Unexpanded] = entry.parser_metadata.get(METADATA_KEY) or []
    if failed:
        first = failed[0]
        line = first.line + 1 if first.line is not None else _line(entry)
        return Problem(origin, line, None, "error", "bibtex-string",
                       f"entry {entry.key!r}: cannot expand {first.field}: {first.reason}; it was not added")
    fld = entry.fields_dict.get("author")
    if fld is not None and isinstance(fld.value, list):
        for parts in fld.value:
            full = " ".join(parts.merge_first_name_first.split()) if isinstance(parts, NameParts) else str(parts)
            full = full.strip("{} ")
            if _TRUNCATION.search(full):
                cut = "and others" if full.lower() == "others" else "et al."
                return Problem(origin, fld.start_line + 1, None, "error", "truncated-authors",
                               f"entry {entry.key!r}: the author list is cut short ({cut!r}, as Google Scholar "
                               "exports long lists); write every author, from the paper or DBLP; it was not added")
    return None


def _line(block: Block) -> int | None:
    return block.start_line + 1 if block.start_line is not None else None


def _failure(block: ParsingFailedBlock, origin: str) -> Problem:
    if isinstance(block, DuplicateBlockKeyBlock):
        message = f"entry key {block.key!r} is used twice in this file; this entry was skipped"
        return Problem(origin, _line(block), None, "error", "bibtex-duplicate-key", message)
    if isinstance(block, DuplicateFieldKeyBlock):
        keys = sorted(block.duplicate_keys)
        fields = f"field {keys[0]} appears" if len(keys) == 1 else f"fields {', '.join(keys)} appear"
        return Problem(origin, _line(block), None, "error", "bibtex-duplicate-field",
                       f"{fields} twice in one entry; it was skipped (keep one of each)")
    head = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else "block"
    error = block.error
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    reason = " ".join(str(reason).split()).rstrip(".")
    return Problem(origin, _line(block), None, "error", "bibtex-syntax",
                   f"cannot read {head!r}: {reason}; the other entries were imported")


def _text(entry: Entry, key: str) -> str | None:
    fld = entry.fields_dict.get(key)
    if fld is None or not isinstance(fld.value, str):
        return None
    value = " ".join(fld.value.split())
    return value or None


def _names(entry: Entry) -> tuple[list[str], str | None]:
    """(full names first-name-first, first author's family name)."""
    fld = entry.fields_dict.get("author")
    parts: list[Any] = list(fld.value) if fld is not None and isinstance(fld.value, list) else []
    names: list[str] = []
    for p in parts:
        if isinstance(p, NameParts):
            full = " ".join(" ".join(p.merge_first_name_first.split()).split())
            if full:
                names.append(full.strip("{} "))
    family = None
    if parts and isinstance(parts[0], NameParts):
        family = " ".join([*parts[0].von, *parts[0].last]).strip("{} ") or None
    return names, family


def looks_lower_cased(title: str) -> bool:
    """True when every word after the first is lower case (Google Scholar's exports): likely lost capitals."""
    words = _WORD.findall(title)[1:]
    significant = [w for w in words if len(w) >= 4]
    return len(significant) >= 3 and all(w.islower() for w in words)


def _arxiv_id(entry: Entry) -> str | None:
    eprint = _text(entry, "eprint")
    if eprint and (_text(entry, "archiveprefix") or "arxiv").lower() == "arxiv":
        candidate = _VERSION.sub("", eprint.removeprefix("arXiv:").removeprefix("arxiv:"))
        if ARXIV_RE.fullmatch(candidate):
            return candidate
    for key in ("journal", "url", "note", "howpublished", "volume"):
        value = _text(entry, key)
        match = _ARXIV_IN_TEXT.search(value) if value else None
        if match:
            return match.group(1)
    return None


def _doi(entry: Entry) -> str | None:
    value = _text(entry, "doi")
    if value:
        value = _DOI_PREFIX.sub("", value)
        return value if DOI_RE.fullmatch(value) else None
    url = _text(entry, "url")
    match = _DOI_IN_URL.match(url) if url else None
    return match.group(1) if match and DOI_RE.fullmatch(match.group(1)) else None


def _draft(entry: Entry, origin: str) -> Draft:
    draft = Draft(origin, _line(entry), key=entry.key)
    draft.title = _text(entry, "title")
    draft.authors, draft.family = _names(entry)
    if draft.title and looks_lower_cased(draft.title):
        draft.notes.append("the title looks lower-cased (Google Scholar exports drop capitals and colons): "
                           "copy it from the paper")
    year_text = _text(entry, "year")
    match = _YEAR.search(year_text) if year_text else None
    draft.year = int(match.group(1)) if match else None
    draft.arxiv = _arxiv_id(entry)
    draft.doi = _doi(entry)
    venue_name = _text(entry, "booktitle") or _text(entry, "journal")
    if venue_name is None and draft.arxiv:
        venue_name = "arXiv"
    draft.venue = short_venue(venue_name, draft.year)
    if draft.venue == "arXiv" and not draft.arxiv and venue_name and is_arxiv_venue(venue_name):
        draft.notes.append("the entry names arXiv but gives no arXiv id: add ids.arxiv")
    url = _text(entry, "url")
    if draft.arxiv:
        draft.paper_url = f"https://arxiv.org/abs/{draft.arxiv}"
    elif draft.doi:
        draft.paper_url = f"https://doi.org/{draft.doi}"
    elif url and url.startswith("https://") and " " not in url:
        draft.paper_url = url
    if draft.title and _SURVEY.search(draft.title):
        draft.notes.append("the title suggests a survey or review: set kind accordingly")
    return draft
