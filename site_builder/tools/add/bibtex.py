"""BibTeX -> drafts, through bibtexparser v2's own pipeline (splitter, then middlewares).

Names are separated and split into parts by ``SeparateCoAuthors`` / ``SplitNameParts``, LaTeX (accents, braces,
dashes) is decoded by ``LatexDecodingMiddleware``; this module only maps the decoded fields onto a draft. Blocks
the splitter could not parse come back as problems carrying their line, while every other entry is still read.
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
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from site_builder.kb.models import ARXIV_RE, DOI_RE
from site_builder.kb.problems import Problem
from site_builder.tools.add.draft import Draft
from site_builder.tools.add.venues import is_arxiv_venue, short_venue

_ARXIV_IN_TEXT = re.compile(r"(?:arxiv[:/\s]*|abs/|pdf/)(\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_SURVEY = re.compile(r"\b(survey|review)\b", re.IGNORECASE)


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
    """Every entry of ``text`` as a draft, in file order, and a problem for each block that failed."""
    stack = [SeparateCoAuthors(), SplitNameParts(), _DecodeNames()]
    with _quiet_parser():
        library = parse_string(text, append_middleware=stack)
    problems = [_failure(block, origin) for block in library.failed_blocks]
    drafts = [_draft(entry, origin) for entry in library.entries]
    if not drafts and not problems:
        problems.append(Problem(origin, None, None, "error", "bibtex-empty", "no BibTeX entry found"))
    return drafts, problems


def _line(block: Block) -> int | None:
    return block.start_line + 1 if block.start_line is not None else None


def _failure(block: ParsingFailedBlock, origin: str) -> Problem:
    if isinstance(block, DuplicateBlockKeyBlock):
        message = f"entry key {block.key!r} is used twice in this file; this entry was skipped"
        return Problem(origin, _line(block), None, "error", "bibtex-duplicate-key", message)
    if isinstance(block, DuplicateFieldKeyBlock):
        fields = ", ".join(sorted(block.duplicate_keys))
        return Problem(origin, _line(block), None, "error", "bibtex-duplicate-field",
                       f"field(s) {fields} appear twice in one entry; it was skipped (keep one of each)")
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


def _names(entry: Entry) -> tuple[list[str], str | None, bool]:
    """(full names first-name-first, first author's family name, whether the list ended in 'and others')."""
    fld = entry.fields_dict.get("author")
    parts: list[Any] = list(fld.value) if fld is not None and isinstance(fld.value, list) else []
    truncated = False
    if parts and isinstance(parts[-1], NameParts) and " ".join(parts[-1].last).lower() == "others" \
            and not parts[-1].first:
        parts, truncated = parts[:-1], True
    names: list[str] = []
    for p in parts:
        if isinstance(p, NameParts):
            full = " ".join(" ".join(p.merge_first_name_first.split()).split())
            if full:
                names.append(full.strip("{} "))
    family = None
    if parts and isinstance(parts[0], NameParts):
        family = " ".join([*parts[0].von, *parts[0].last]).strip("{} ") or None
    return names, family, truncated


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
    return None


def _draft(entry: Entry, origin: str) -> Draft:
    draft = Draft(origin, _line(entry), key=entry.key)
    draft.title = _text(entry, "title")
    draft.authors, draft.family, truncated = _names(entry)
    if truncated:
        draft.notes.append("the BibTeX author list ended with 'and others': add the remaining authors")
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
