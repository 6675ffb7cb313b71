"""Citation sections of paper pages kept between renders of a long-running process (``serve``).

A paper's citation section shows its own citation facts (one :class:`~site_builder.citeview.PaperCitations`
object, kept by :func:`~site_builder.citeview.citation_view` while nothing in it changes), the collection's
fetch count and date, and the title and venue of each paper it lists. A section is written again only when its
facts object or those collection facts changed, or when a paper it lists (a paper it cites or that cites it)
changed its title or venue: after one edit, a few pages instead of every page.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import itemgetter

from site_builder.bulk import Compared, differing
from site_builder.models import Paper
from site_builder.sitemodel import SiteModel

_FACTS = itemgetter(0)
_NOTHING = (None, "")


class SectionMemo:
    """The citation sections of the previous render, by paper id, and the papers they were written from."""

    def __init__(self) -> None:
        self._by_id: dict[str, Paper] = {}
        self._sections: dict[str, tuple[object, str]] = {}
        self._header: object = None
        self._before: dict[str, tuple[object, str]] = {}
        #: Ids of the papers whose section may differ from the previous render's (``None``: any paper's may).
        self.changed: set[str] | None = None

    def sections(self, model: SiteModel, make: Callable[[Paper], str]) -> Callable[[Paper], str]:
        """Begin a render of ``model``: gives each paper's section, ``make(paper)`` when it cannot be kept."""
        view = model.citations
        if view is None:
            self._by_id, self._sections, self._header, self.changed = {}, {}, None, None
            return make
        header = (view.fetched, view.as_of)
        kept = self._sections if header == self._header else {}
        before = self._by_id
        dirty: set[str] = set()
        if kept:  # nothing kept (a first render): nothing to mark
            compared = Compared(before, list(model.by_id.values()), list(model.by_id), unique=True)
            for i in compared.at:
                old, paper = compared.was[i], compared.records[i]
                if old is None or old.title != paper.title or old.venue != paper.venue:
                    facts = view.papers[compared.ids[i]]
                    dirty.update(facts.cites, facts.cited_by)
        fresh: dict[str, tuple[object, str]] = {}
        self._by_id, self._sections, self._header, self._before = model.by_id, fresh, header, kept
        if kept:
            # Sections whose facts object is not the one they were written from (passes in C).
            pids = list(view.papers)
            written_from = list(map(_FACTS, map(kept.get, pids, repeat(_NOTHING))))
            self.changed = {pids[i] for i in differing(written_from, list(view.papers.values()))} | dirty
        else:
            self.changed = None

        def section(paper: Paper) -> str:
            facts = view.papers[paper.id]
            found = kept.get(paper.id)
            keep = found is not None and found[0] is facts and paper.id not in dirty
            text = found[1] if found is not None and keep else make(paper)
            fresh[paper.id] = (facts, text)
            return text

        return section

    def take_over_rest(self) -> None:
        """The sections not asked for in this render are the previous render's (only when the papers are the same
        ids as before and each paper not in :attr:`changed` was left out)."""
        self._sections = {**self._before, **self._sections}
