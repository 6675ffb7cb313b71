"""Is a draft already in the collection? Same arXiv id, same DOI, or a near-same title (the validate rule)."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.checks.collection import near_duplicate, normalise_title, title_words
from site_builder.kb.records import KnowledgeBase
from site_builder.tools.add.draft import Draft


@dataclass(frozen=True)
class Known:
    """What identifies a record already present (or created earlier in the same run)."""

    path: str
    title: str
    arxiv: str | None
    doi: str | None


class DuplicateIndex:
    """Lookups by arXiv id, DOI (case-insensitive) and normalised title."""

    def __init__(self) -> None:
        self._arxiv: dict[str, Known] = {}
        self._doi: dict[str, Known] = {}
        self._titles: list[tuple[str, frozenset[str], Known]] = []  # normalised title, its words, the record

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
        title = normalise_title(known.title)
        self._titles.append((title, title_words(title), known))

    def find(self, draft: Draft) -> tuple[Known, str] | None:
        """The record ``draft`` likely duplicates and why, or ``None``."""
        if draft.arxiv and draft.arxiv in self._arxiv:
            return self._arxiv[draft.arxiv], f"same arXiv id {draft.arxiv}"
        if draft.doi and draft.doi.lower() in self._doi:
            return self._doi[draft.doi.lower()], f"same DOI {draft.doi}"
        if draft.title:  # the similar-title rule of validate: same text bar spacing, or nearly the same words
            wanted = normalise_title(draft.title)
            words = title_words(wanted)
            for other, other_words, known in self._titles:
                if near_duplicate(wanted, words, other, other_words):
                    same = other.replace(" ", "") == wanted.replace(" ", "")
                    return known, "same title" if same else "nearly the same title"
        return None
