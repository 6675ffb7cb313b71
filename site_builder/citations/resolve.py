"""Resolve paper records to Semantic Scholar papers: explicit ids through the batch endpoint, then title match.

Each record is tried with its ids in order (``s2``, ``ARXIV:``, ``DOI:``), one batch round per id kind, so a
collection costs ceil(n / 500) calls when every first id is known; records with no id left fall back to
``/paper/search/match`` (accepted only when the normalised title and the year agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from site_builder.citations.client import MAX_BATCH, S2Client
from site_builder.citations.errors import RateLimited, S2Error
from site_builder.kb.models import Paper

#: Metadata kept in the snapshot (no abstract: the site never shows it, and asking for it caps batches at 100).
PAPER_FIELDS = ("paperId", "corpusId", "externalIds", "title", "year", "venue", "publicationDate", "authors",
                "citationCount", "referenceCount", "influentialCitationCount", "isOpenAccess", "openAccessPdf", "url")
TITLE_MATCH = "title-match"


@dataclass
class Resolutions:
    """Per record id: the paper found and the id that found it, or the error that stopped the lookup."""

    found: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    failed: dict[str, S2Error] = field(default_factory=dict)


def candidate_ids(paper: Paper) -> list[str]:
    """The ids to try, best first: S2 paper id, ``ARXIV:<id>``, ``DOI:<doi>``."""
    ids = []
    if paper.ids.s2:
        ids.append(paper.ids.s2)
    if paper.ids.arxiv:
        ids.append(f"ARXIV:{paper.ids.arxiv}")
    if paper.ids.doi:
        ids.append(f"DOI:{paper.ids.doi}")
    return ids


def resolve(client: S2Client, papers: Sequence[Paper]) -> Resolutions:
    """Find every paper; per-record errors are collected, :class:`RateLimited` stops everything (raised)."""
    out = Resolutions()
    pending = {p.id: candidate_ids(p) for p in papers}
    round_no = 0
    while True:
        asking = [(pid, ids[round_no]) for pid, ids in pending.items() if len(ids) > round_no]
        if not asking:
            break
        for start in range(0, len(asking), MAX_BATCH):
            chunk = asking[start:start + MAX_BATCH]
            try:
                answers = client.papers_batch([i for _, i in chunk], PAPER_FIELDS)
            except RateLimited:
                raise
            except S2Error as exc:
                for pid, _ in chunk:
                    out.failed[pid] = exc
                    pending.pop(pid, None)
                continue
            for (pid, asked), answer in zip(chunk, answers, strict=True):
                if isinstance(answer, S2Error):  # this entry's fields have the wrong shape: this record fails
                    out.failed[pid] = answer
                    pending.pop(pid)
                elif answer is not None:
                    out.found[pid] = (answer, asked)
                    pending.pop(pid)
        round_no += 1
    for paper in papers:
        if paper.id not in pending:
            continue
        try:
            match = client.match_title(paper.title, paper.year, PAPER_FIELDS)
        except RateLimited:
            raise
        except S2Error as exc:
            out.failed[paper.id] = exc
            continue
        if match is None:
            out.missing.add(paper.id)
        else:
            out.found[paper.id] = (match, TITLE_MATCH)
    return out
