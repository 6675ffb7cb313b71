"""Per-paper pieces that several outputs share: table rows, list items, BibTeX entries, lines of papers.json and
papers.csv. :class:`Fragments` makes each once per render (a paper appears on many pages); nothing outlives the
render.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from markupsafe import Markup

from site_builder.kb.models import Paper
from site_builder.site.exports import bibtex_entry, csv_line, paper_line
from site_builder.site.model import SiteModel
from site_builder.site.render.rows import compact_items, paper_row

T = TypeVar("T")


class Fragments:
    """The per-paper pieces of one render."""

    def __init__(self, model: SiteModel) -> None:
        self.model = model
        self._made: dict[tuple[str, Hashable], object] = {}

    def piece(self, paper: Paper, kind: Hashable, make: Callable[[], T]) -> T:
        """The piece ``kind`` of ``paper``, made on first use in this render."""
        key = (paper.id, kind)
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]  # type: ignore[return-value]

    def row(self, paper: Paper, root: str) -> Markup:
        """The paper's row in a paper table on a page at ``root``."""
        return self.piece(paper, ("row", root), lambda: paper_row(paper, root))

    def compact(self, papers: Iterable[Paper], root: str) -> Markup:
        """``<li>`` items linking each paper (see :func:`~site_builder.site.render.rows.compact_items`)."""
        return Markup("".join(self.piece(p, ("compact", root), functools.partial(compact_items, [p], root))
                              for p in papers))

    def table_body(self, papers: Iterable[Paper], root: str) -> Markup:
        """The rows of ``papers``, one per line."""
        return Markup("".join(f"{self.row(p, root)}\n" for p in papers))

    def bibtex(self, paper: Paper) -> str:
        """The paper's BibTeX entry."""
        return self.piece(paper, "bibtex", lambda: bibtex_entry(paper, self.model.info.site_url))

    def bibtex_list(self) -> list[str]:
        """:meth:`bibtex` of every paper, in display order."""
        return [self.bibtex(p) for p in self.model.papers]

    def json_lines(self) -> list[str]:
        """Every paper's line of papers.json, in display order."""
        return [paper_line(p) for p in self.model.papers]

    def csv_lines(self) -> list[str]:
        """Every paper's line of papers.csv, in display order."""
        return [csv_line(p, self.model.taxonomy, self.model.info.site_url) for p in self.model.papers]
