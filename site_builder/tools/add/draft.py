"""A draft record: the facts a source (BibTeX entry, Semantic Scholar answer) gives about one paper."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Draft:
    """Plain facts about a paper, before it becomes ``papers/<id>.yaml``.

    ``origin`` and ``line`` say where the facts came from (``refs.bib`` line 12, ``ARXIV:2103.00020``) so that
    every message about the draft can point there. ``family`` is the first author's family name (with particles
    such as "van der"), used to propose the record id. ``notes`` are things the contributor should know, written
    into the record as YAML comments.
    """

    origin: str
    line: int | None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    family: str | None = None
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    paper_url: str | None = None
    kind: str = "method"
    key: str | None = None
    notes: list[str] = field(default_factory=list)

    def label(self) -> str:
        """How messages name this draft: the BibTeX key or the identifier it was looked up by."""
        return f"entry {self.key!r}" if self.key else self.origin
