"""Drafts from Semantic Scholar: ``ARXIV:``/``DOI:`` identifiers -> one paper lookup -> a draft.

The lookup goes through a *resolver*: any object with ``paper(paper_id, fields)`` returning the API's paper
object, as ``site_builder.citations.client.S2Client`` does. The command uses that client; tests inject their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from site_builder.kb.models import ARXIV_RE, DOI_RE
from site_builder.kb.problems import Problem, SiteBuilderError, UsageError
from site_builder.tools.add.draft import Draft
from site_builder.tools.add.venues import canonical_venue, short_venue

#: Paper fields ``add`` asks for (see semantic-scholar-api.md section 6).
FIELDS: tuple[str, ...] = ("title", "authors", "year", "venue", "publicationVenue", "journal", "externalIds")
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos", "ter"})


class Resolver(Protocol):
    """What ``add`` needs from a Semantic Scholar client."""

    def paper(self, paper_id: str, fields: Sequence[str]) -> Mapping[str, Any] | None:
        """The paper object for ``paper_id`` (``GET /paper/{paper_id}``); raise or return ``None`` if unknown."""


def parse_identifier(text: str) -> str:
    """``ARXIV:2103.00020v2`` -> ``ARXIV:2103.00020``, ``doi:10.1/X`` -> ``DOI:10.1/X``; else a usage error."""
    prefix, sep, value = text.strip().partition(":")
    value = value.strip()
    if sep and prefix.upper() == "ARXIV":
        value = re.sub(r"v\d+$", "", value.removeprefix("arXiv:"))
        if ARXIV_RE.fullmatch(value):
            return f"ARXIV:{value}"
        raise UsageError(f"{text!r}: {value!r} is not an arXiv id (expected like ARXIV:2103.00020)")
    if sep and prefix.upper() == "DOI":
        value = re.sub(r"^https?://(dx\.)?doi\.org/", "", value)
        if DOI_RE.fullmatch(value):
            return f"DOI:{value}"
        raise UsageError(f"{text!r}: {value!r} is not a DOI (expected like DOI:10.1109/CVPR.2016.90)")
    raise UsageError(f"{text!r}: expected ARXIV:<id> or DOI:<doi> (or --bibtex FILE)")


def _family(name: str) -> str:
    """Family name of a full name given first-name-first, with lower-case particles (``van der Berg``)."""
    words = name.split()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is an object, else an empty one (a wrong-typed field is treated as missing)."""
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _venue(paper: Mapping[str, Any], year: int | None, arxiv: str | None) -> str | None:
    pub = _mapping(paper.get("publicationVenue"))
    journal = _mapping(paper.get("journal"))
    names = [paper.get("venue"), pub.get("name"), *_list(pub.get("alternate_names")), journal.get("name")]
    names = [n for n in names if isinstance(n, str) and n.strip()]
    known = [c for c in (canonical_venue(n) for n in names) if c and c != "arXiv"]
    if known:
        return short_venue(known[0], year)
    if not names or all(canonical_venue(n) == "arXiv" for n in names):
        return "arXiv" if arxiv else None
    return short_venue(next(n for n in names if canonical_venue(n) != "arXiv"), year)


def draft_from_paper(paper: Mapping[str, Any], origin: str) -> Draft:
    """Map a Semantic Scholar paper object onto a draft (nulls, missing and wrong-typed fields are left empty).

    The project's client has already refused answers whose fields have the wrong shape; this stays safe for any
    resolver.
    """
    draft = Draft(origin, None)
    title = paper.get("title")
    draft.title = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
    authors = _list(paper.get("authors"))
    draft.authors = [" ".join(a["name"].split()) for a in authors
                     if isinstance(a, Mapping) and isinstance(a.get("name"), str) and a["name"].strip()]
    draft.family = _family(draft.authors[0]) if draft.authors else None
    year = paper.get("year")
    draft.year = year if isinstance(year, int) and not isinstance(year, bool) else None
    ext = _mapping(paper.get("externalIds"))
    arxiv, doi = ext.get("ArXiv"), ext.get("DOI")
    draft.arxiv = arxiv if isinstance(arxiv, str) and ARXIV_RE.fullmatch(arxiv) else None
    draft.doi = doi if isinstance(doi, str) and DOI_RE.fullmatch(doi) else None
    draft.venue = _venue(paper, draft.year, draft.arxiv)
    if draft.arxiv:
        draft.paper_url = f"https://arxiv.org/abs/{draft.arxiv}"
    elif draft.doi:
        draft.paper_url = f"https://doi.org/{draft.doi}"
    return draft


def lookup(resolver: Resolver, identifier: str) -> tuple[Draft | None, list[Problem]]:
    """Resolve one identifier into a draft, or a problem saying why it could not be."""
    try:
        paper = resolver.paper(identifier, list(FIELDS))
    except SiteBuilderError as exc:
        return None, [Problem(identifier, None, None, "error", "lookup-failed",
                              f"Semantic Scholar lookup failed: {exc}")]
    if not paper:
        return None, [Problem(identifier, None, None, "error", "lookup-failed",
                              "Semantic Scholar does not know this identifier")]
    if not isinstance(paper, Mapping):
        return None, [Problem(identifier, None, None, "error", "lookup-failed",
                              f"Semantic Scholar's answer is {type(paper).__name__}, not a paper object")]
    return draft_from_paper(paper, identifier), []


def default_resolver() -> Resolver:
    """The project's Semantic Scholar client, configured from ``S2_API_URL`` / ``S2_API_KEY`` and the rest."""
    import os

    from site_builder.citations.client import S2Client

    return S2Client.from_env(os.environ)
