"""Checks that look at one record at a time (with the taxonomy as context)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from site_builder.checks.registry import check
from site_builder.kb.models import PLACEHOLDER, TAG_FACETS, CitingList, Dataset, Paper
from site_builder.kb.problems import Problem
from site_builder.kb.records import Entry, KnowledgeBase
from site_builder.kb.suggest import did_you_mean
from site_builder.kb.taxonomy import Facet

SUMMARY_WORDS = (10, 80)
VENUE_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\s*$")

#: Facets a record must tag, by kind (every non-survey record must name its modalities).
REQUIRED_TAGS: dict[str, tuple[str, ...]] = {
    "method": ("objective", "architecture", "modality"),
    "analysis": ("modality",),
    "benchmark": ("modality",),
    "dataset": ("modality",),
    "survey": (),
}


def _all_entries(kb: KnowledgeBase) -> Iterator[Entry[Paper] | Entry[Dataset]]:
    yield from kb.paper_entries
    yield from kb.dataset_entries


def _tag_lists(entry: Entry[Paper] | Entry[Dataset]) -> Iterator[tuple[str, tuple[str | int, ...], list[str]]]:
    """(facet, location of the list, values) for every tag list of a record."""
    record = entry.record
    if isinstance(record, Paper):
        for facet in TAG_FACETS:
            yield facet, ("tags", facet), record.tags.of(facet)
    else:
        yield "modality", ("modalities",), list(record.modalities)


@check("id-mismatch", "error", "a record's id differs from its file name",
       per_record=True)
def id_mismatch(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in _all_entries(kb):
        if entry.path.rpartition("/")[2] == f"{entry.record.id}.yaml":
            continue  # the common case, without a path object (an id holds no dot: the stem is the id)
        stem = PurePosixPath(entry.path).stem
        if entry.record.id != stem:
            yield entry.problem("error", "id-mismatch",
                                f"id {entry.record.id!r} must equal the file name {stem!r} (rename one of them)", "id")


def _unknown_tag_message(facet: Facet, tag: str) -> str:
    alias = facet.resolve_alias(tag) or facet.resolve_alias(tag.replace("-", " "))
    if alias:
        return f"{tag!r} is not a node of facet {facet.id!r}; it is an alias of {alias!r} (did you mean {alias!r}?)"
    return f"{tag!r} is not a node of facet {facet.id!r}" + did_you_mean(tag, facet.nodes)


@check("unknown-tag", "error", "a tag is not a node id of its facet in taxonomy.yaml",
       per_record=True)
def unknown_tag(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in _all_entries(kb):
        for facet_id, loc, values in _tag_lists(entry):
            facet = kb.taxonomy.facets.get(facet_id)
            if facet is None:
                continue
            for i, tag in enumerate(values):
                if tag not in facet.nodes:
                    yield entry.problem("error", "unknown-tag", _unknown_tag_message(facet, tag), *loc, i)


@check("duplicate-tag", "warning", "the same tag appears twice in one facet list",
       per_record=True)
def duplicate_tag(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in _all_entries(kb):
        for _facet, loc, values in _tag_lists(entry):
            seen: set[str] = set()
            for i, tag in enumerate(values):
                if tag in seen:
                    yield entry.problem("warning", "duplicate-tag", f"{tag!r} is listed twice", *loc, i)
                seen.add(tag)


@check("redundant-tag", "warning", "a tag is listed together with one of its descendants (ancestors are implied)",
       per_record=True)
def redundant_tag(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in _all_entries(kb):
        for facet_id, loc, values in _tag_lists(entry):
            facet = kb.taxonomy.facets.get(facet_id)
            if facet is None:
                continue
            present = {t for t in values if t in facet.nodes}
            if not any(facet.nodes[t].children for t in present):
                continue  # only leaves (the usual case): no tag can imply another
            for i, tag in enumerate(values):
                if tag not in facet.nodes:
                    continue
                below = sorted(present.intersection(facet.descendants(tag)))
                if below:
                    yield entry.problem("warning", "redundant-tag",
                                        f"{tag!r} is implied by {below[0]!r}; list only the more specific node",
                                        *loc, i)


@check("missing-tag", "error", "a record lacks a facet its kind requires (methods: objective, architecture, modality; "
       "a unimodal method may leave architecture empty)",
       per_record=True)
def missing_tag(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        paper = entry.record
        for facet_id in REQUIRED_TAGS[paper.kind]:
            if getattr(paper.tags, facet_id):
                continue
            if facet_id == "architecture" and len(paper.tags.modality) == 1:
                continue  # one modality: nothing to fuse, so no architecture node applies
            facet = kb.taxonomy.facets.get(facet_id)
            allowed = ", ".join(facet.nodes) if facet else ""
            yield entry.problem("error", "missing-tag",
                                f"a {paper.kind} record needs at least one {facet_id!r} tag (allowed: {allowed})",
                                "tags", facet_id)


#: What a cut author list ends with (Google Scholar's "and others", "et al.").
_TRUNCATED_AUTHOR = re.compile(r"^(and\s+)?others$|\bet\.?\s*al\b\.?", re.IGNORECASE)


@check("truncated-authors", "error", "the author list is cut short ('others', 'et al.'): list every author",
       per_record=True)
def truncated_authors(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        for i, name in enumerate(entry.record.authors):
            if _TRUNCATED_AUTHOR.search(name.strip()):
                yield entry.problem("error", "truncated-authors",
                                    f"author {name!r} stands for authors left out: list every author in published "
                                    "order (from the paper or DBLP)", "authors", i)
                break


@check("venue-year", "error", "the year inside 'venue' differs from 'year'",
       per_record=True)
def venue_year(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        paper = entry.record
        match = VENUE_YEAR.search(paper.venue)
        if match and int(match.group(1)) != paper.year:
            yield entry.problem("error", "venue-year",
                                f"venue {paper.venue!r} names {match.group(1)} but year is {paper.year}", "venue")


#: The DOI prefix arXiv registers for its own preprints (10.48550/arXiv.<id>).
ARXIV_DOI_PREFIX = "10.48550/"


@check("arxiv-venue-with-doi", "warning",
       "venue is 'arXiv' while the DOI is not an arXiv DOI (10.48550/...): a published version exists",
       per_record=True)
def arxiv_venue_with_doi(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        paper = entry.record
        doi = paper.ids.doi
        if doi and paper.venue.strip().lower() == "arxiv" and not doi.lower().startswith(ARXIV_DOI_PREFIX):
            yield entry.problem("warning", "arxiv-venue-with-doi",
                                f"venue is 'arXiv' but DOI {doi!r} belongs to a published version: write that "
                                "version's venue and year (or drop the DOI if it is not this paper's)", "venue")


#: Venue names that stand for a preprint server, not a published venue.
_PREPRINT_VENUES = ("arxiv", "biorxiv", "medrxiv", "chemrxiv")


@check("arxiv-venue-with-year", "warning",
       "venue names a preprint server together with a year ('arXiv 2022'): write plain 'arXiv' or the published venue",
       per_record=True)
def arxiv_venue_with_year(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        venue = entry.record.venue.strip()
        head = venue.split()[0].lower() if venue else ""
        if head in _PREPRINT_VENUES and venue.lower() != head:
            yield entry.problem("warning", "arxiv-venue-with-year",
                                f"venue {venue!r}: a preprint is written as plain {venue.split()[0]!r}; when the "
                                "paper was published, write the published venue and year instead", "venue")


@check("implicit-and-explicit", "warning",
       "a method record lists both 'implicit' and 'explicit': a part-level loss makes the alignment explicit",
       per_record=True)
def implicit_and_explicit(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in kb.paper_entries:
        alignment = entry.record.tags.alignment
        if entry.record.kind == "method" and "implicit" in alignment and "explicit" in alignment:
            yield entry.problem("warning", "implicit-and-explicit",
                                "a record with a part-level alignment loss is 'explicit' only; keep 'implicit' for "
                                "attention fusion without such a loss (see taxonomy.yaml)",
                                "tags", "alignment", alignment.index("implicit"))


@check("summary-length", "warning", f"a summary is outside {SUMMARY_WORDS[0]}-{SUMMARY_WORDS[1]} words",
       per_record=True)
def summary_length(kb: KnowledgeBase) -> Iterator[Problem]:
    low, high = SUMMARY_WORDS
    for entry in _all_entries(kb):
        summary = entry.record.summary
        if summary is None:
            continue
        words = len(summary.split())
        if not low <= words <= high:
            yield entry.problem("warning", "summary-length",
                                f"summary has {words} words; write {low} to {high} (one to three sentences)", "summary")


#: HTML tags, character references, Markdown links/images and script URLs: none belongs in plain-text fields.
_MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z!?][^>]*>|&#?[A-Za-z0-9]+;|\]\s*\(|\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*\w+/\w+",
    re.IGNORECASE,
)


#: Every match of :data:`_MARKUP` holds one of these; a plain search for them rules most records out quickly.
_MAYBE_MARKUP = re.compile(r"[<&\]]|script|data", re.IGNORECASE)


#: Lower-case pieces of which every match of :data:`_MARKUP` holds one (for ASCII text; see :func:`_maybe_markup`).
_MARKUP_PIECES = ("<", "&", "]", "script", "data")


def _maybe_markup(text: str) -> bool:
    """False when ``text`` cannot match :data:`_MARKUP`: plain substring searches for ASCII text (most of it),
    :data:`_MAYBE_MARKUP` otherwise (case-insensitive matching knows letters that ``str.lower`` does not map)."""
    if not text.isascii():
        return _MAYBE_MARKUP.search(text) is not None
    low = text.lower()
    return any(piece in low for piece in _MARKUP_PIECES)


def _text_fields(entry: Entry[Paper] | Entry[Dataset]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    record = entry.record
    if isinstance(record, Paper):
        yield ("title",), record.title
        for i, name in enumerate(record.authors):
            yield ("authors", i), name
        yield ("venue",), record.venue
        yield ("summary",), record.summary
        if record.notes:
            yield ("notes",), record.notes
        return
    yield ("name",), record.name
    for key in ("full_name", "domain", "summary"):
        value = getattr(record, key)
        if value:
            yield (key,), value
    for i, task in enumerate(record.tasks):
        yield ("tasks", i), task
    for key, value in record.size.items():
        yield ("size", key), value
    for i, link in enumerate(record.links):
        yield ("links", i, "label"), link.label


def _cited_by_fields(entry: Entry[CitingList]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for i, item in enumerate(entry.record.papers):
        yield ("papers", i, "title"), item.title
        for j, name in enumerate(item.authors):
            yield ("papers", i, "authors", j), name
        if item.venue:
            yield ("papers", i, "venue"), item.venue


@check("markup-in-text", "warning", "a plain-text field holds HTML, a Markdown link or a script URL",
       per_record=True)
def markup_in_text(kb: KnowledgeBase) -> Iterator[Problem]:
    sources: list[tuple[Any, list[tuple[tuple[str | int, ...], str]]]] = [
        (entry, list(_text_fields(entry))) for entry in _all_entries(kb)]
    if kb.cited_by is not None:
        sources.append((kb.cited_by, list(_cited_by_fields(kb.cited_by))))
    for entry, fields in sources:
        # One search over all fields joined by NUL (a non-word character, like the start of a field) finds every
        # record with a matching field; a match spanning two fields is only a false alarm the per-field search
        # below drops.
        joined = "\0".join(text for _, text in fields)
        if not _maybe_markup(joined) or not _MARKUP.search(joined):
            continue
        for loc, text in fields:
            match = _MARKUP.search(text)
            if match:
                yield entry.problem("warning", "markup-in-text",
                                    f"{'.'.join(map(str, loc))} contains {match.group(0)[:40]!r}: fields are plain "
                                    "text (the site shows markup literally)", *loc)


@check("placeholder-summary", "error", f"a summary still holds the {PLACEHOLDER} placeholder written by 'add'",
       per_record=True)
def placeholder_summary(kb: KnowledgeBase) -> Iterator[Problem]:
    for entry in _all_entries(kb):
        summary = (entry.record.summary or "").lstrip()
        if summary.upper().startswith(PLACEHOLDER):
            yield entry.problem("error", "placeholder-summary",
                                "write the summary: one to three sentences in your own words (never the abstract)",
                                "summary")
