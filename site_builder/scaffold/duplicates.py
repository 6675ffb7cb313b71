"""Is a draft already in the collection? Same arXiv id, same DOI, or a near-same title (the validate rule)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from site_builder.checks.collection import TITLE_SIMILARITY, normalise_title
from site_builder.records import KnowledgeBase
from site_builder.scaffold.draft import Draft


@dataclass(frozen=True)
class Known:
    """What identifies a record already present (or created earlier in the same run)."""

    path: str
    title: str
    arxiv: str | None
    doi: str | None


def title_matcher(wanted: str) -> Callable[[str], bool]:
    """The ``similar-title`` rule of validate (normalised titles equal, or similarity >= ``TITLE_SIMILARITY``),
    applied to ``wanted`` against many titles with the work on ``wanted`` prepared once."""
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq2(wanted)  # SequenceMatcher caches its analysis of the second sequence

    def match(other: str) -> bool:
        if other == wanted:
            return True
        total = len(other) + len(wanted)
        if not total or 2 * min(len(other), len(wanted)) / total < TITLE_SIMILARITY:
            return False  # the lengths alone rule a match out (this bound is real_quick_ratio)
        matcher.set_seq1(other)
        return matcher.quick_ratio() >= TITLE_SIMILARITY and matcher.ratio() >= TITLE_SIMILARITY

    return match


class DuplicateIndex:
    """Lookups by arXiv id, DOI (case-insensitive) and normalised title."""

    def __init__(self) -> None:
        self._arxiv: dict[str, Known] = {}
        self._doi: dict[str, Known] = {}
        self._titles: list[tuple[str, Known]] = []

    @classmethod
    def of(cls, kb: KnowledgeBase) -> DuplicateIndex:
        """An index of every valid paper record of ``kb``."""
        index = cls()
        for entry in kb.paper_entries:
            paper = entry.record
            index.add(Known(entry.path, paper.title, paper.ids.arxiv, paper.ids.doi))
        return index

    def add(self, known: Known) -> None:
        """Remember one more record."""
        if known.arxiv:
            self._arxiv.setdefault(known.arxiv, known)
        if known.doi:
            self._doi.setdefault(known.doi.lower(), known)
        self._titles.append((normalise_title(known.title), known))

    def find(self, draft: Draft) -> tuple[Known, str] | None:
        """The record ``draft`` likely duplicates and why, or ``None``."""
        if draft.arxiv and draft.arxiv in self._arxiv:
            return self._arxiv[draft.arxiv], f"same arXiv id {draft.arxiv}"
        if draft.doi and draft.doi.lower() in self._doi:
            return self._doi[draft.doi.lower()], f"same DOI {draft.doi}"
        if draft.title:
            wanted = normalise_title(draft.title)
            match = title_matcher(wanted)
            for title, known in self._titles:
                if match(title):
                    return known, "same title" if title == wanted else "nearly the same title"
        return None
