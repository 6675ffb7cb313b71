"""Is a draft already in the collection? Same arXiv id, same DOI, or a near-same title (the validate rule).

Valid records are known from the knowledge base; every other file of papers/ (an unfinished scaffold that is not
valid yet, a file with a YAML error) is read for its title and ids from whatever parses, else from its raw text,
so that running ``add`` twice never scaffolds the same paper twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from site_builder.checks.collection import near_duplicate, normalise_title, title_words
from site_builder.kb.project import Project
from site_builder.kb.records import KnowledgeBase
from site_builder.kb.yamlio import parse_bytes, read_bytes
from site_builder.tools.add.draft import Draft

#: Raw-text fallbacks for files whose YAML does not parse (values as ``add`` writes them).
_RAW = {key: re.compile(rf"^\s*{key}:[ \t]*[\"']?([^\"'#\n]+?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
        for key in ("title", "arxiv", "doi")}


@dataclass(frozen=True)
class Known:
    """What identifies a record already present (or created earlier in the same run)."""

    path: str
    title: str
    arxiv: str | None
    doi: str | None
    #: The draft it was made from in this run (``entry 'x'``, line), for duplicates inside one file.
    source: tuple[str, str, int | None] | None = None


class DuplicateIndex:
    """Lookups by arXiv id, DOI (case-insensitive) and normalised title."""

    def __init__(self) -> None:
        self._arxiv: dict[str, Known] = {}
        self._doi: dict[str, Known] = {}
        self._titles: list[tuple[str, frozenset[str], Known]] = []  # normalised title, its words, the record

    @classmethod
    def of(cls, kb: KnowledgeBase) -> DuplicateIndex:
        """An index of every paper file of ``kb``: valid records, and the files that gave no record."""
        index = cls()
        for entry in kb.paper_entries:
            paper = entry.record
            index.add(Known(entry.path, paper.title, paper.ids.arxiv, paper.ids.doi))
        papers = f"{kb.project.papers.name}/"
        for rel in kb.broken:
            if rel.startswith(papers):
                known = _raw_known(kb.project, rel)
                if known is not None:
                    index.add(known)
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


def _text(value: Any) -> str | None:
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def _raw_known(project: Project, rel: str) -> Known | None:
    """Title and ids of a paper file that is not a valid record: from its YAML if that parses, else its text."""
    raw, _ = read_bytes(project.root / rel, rel)
    if raw is None:
        return None
    data = parse_bytes(raw, rel).data
    if isinstance(data, dict):
        ids = data.get("ids")
        ids = ids if isinstance(ids, dict) else {}
        title, arxiv, doi = _text(data.get("title")), _text(ids.get("arxiv")), _text(ids.get("doi"))
    else:
        text = raw.decode("utf-8", "replace")
        found = {key: (m.group(1).strip() if (m := pattern.search(text)) else None) for key, pattern in _RAW.items()}
        title, arxiv, doi = found["title"], found["arxiv"], found["doi"]
    if not (title or arxiv or doi):
        return None
    return Known(rel, title or "", arxiv, doi)
