"""What a whole-collection output reads, as a value that compares equal exactly when the output would be the same.

The keys feed :meth:`~site_builder.render.memo.RenderMemo.keep`. They are tuples of the records' own values
(:meth:`~site_builder.render.memo.Fragments.fields`): an unchanged record is the same object from one render to
the next (:class:`~site_builder.records.FileMemo`), so its values are the same objects and compare by identity;
only an edited record's values are compared by content.
A key names every field its output shows or orders by, and nothing else: a summary edit leaves the key of a page
that shows titles alone equal.
"""

from __future__ import annotations

from site_builder.sitemodel import SiteModel


def citations_key(model: SiteModel) -> tuple[object, ...] | None:
    """What every citation output reads from the citation facts besides the papers' own fields: the core (the
    snapshot's facts about the records' identifiers, one object while it does not change) and the collection's
    dates and counts."""
    view = model.citations
    if view is None:
        return None
    return (view.core, view.as_of, view.latest, view.fetched, view.total, view.candidate_min)
