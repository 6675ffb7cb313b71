"""What a whole-collection output reads, as a value that compares equal exactly when the output would be the same.

The keys feed :meth:`~site_builder.render.memo.RenderMemo.keep`. They are tuples of the records' own values
(:meth:`~site_builder.render.memo.Fragments.fields`): an unchanged record is the same object from one render to
the next (:class:`~site_builder.records.FileMemo`), so its values are the same objects and compare by identity;
only an edited record's values are compared by content.
A key names every field its output shows or orders by, and nothing else: a summary edit leaves the key of a page
that shows titles alone equal.
"""

from __future__ import annotations

from operator import itemgetter

from site_builder.sitemodel import SiteModel


class AnyOrder:
    """A key made of rows of :meth:`~site_builder.render.memo.Fragments.fields` (each starting with its paper's id)
    that compares equal to another with the same rows in any order: for outputs that read a set of papers and not
    their display order. The same rows in the same order cost a tuple comparison."""

    def __init__(self, rows: tuple[tuple[object, ...], ...]) -> None:
        self.rows = rows

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnyOrder):
            return False
        if self.rows == other.rows:
            return True
        first = itemgetter(0)
        return len(self.rows) == len(other.rows) and dict(zip(map(first, self.rows), self.rows, strict=True)) \
            == dict(zip(map(first, other.rows), other.rows, strict=True))

    __hash__ = None  # type: ignore[assignment]


def citations_key(model: SiteModel) -> tuple[object, ...] | None:
    """What every citation output reads from the citation facts besides the papers' own fields: the core (the
    snapshot's facts about the records' identifiers, one object while it does not change) and the collection's
    dates and counts."""
    view = model.citations
    if view is None:
        return None
    return (view.core, view.as_of, view.latest, view.fetched, view.total, view.candidate_min)
