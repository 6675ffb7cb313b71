"""Passes over every paper that stay in C (``map``, ``zip``, ``compress``): at 20,000 papers a Python-level loop
costs more than the lookups it does, and a regeneration after one edit is made of such passes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, count, repeat
from operator import attrgetter, is_not, ne
from typing import Any, TypeVar

T = TypeVar("T")

#: A record's id.
paper_id = attrgetter("id")


def differing(a: Sequence[object], b: Sequence[object]) -> list[int]:
    """The places where two lists of the same length hold different objects."""
    return list(compress(range(len(a)), map(is_not, a, b)))


#: Beyond this many changed records, the passes that patch what they kept from the last run start afresh instead.
FEW = 100


def few_changed(now: Sequence[object], before: Sequence[object] | None, most: int = FEW) -> list[int] | None:
    """The places where ``now`` holds other objects than ``before`` (a list of the last run), when the two lists are
    as long and at most ``most`` places differ; None when the caller had better start afresh."""
    if before is None or len(before) != len(now):
        return None
    changed = differing(now, before)
    return changed if len(changed) <= most else None


def unequal(a: Sequence[object], b: Sequence[object]) -> list[int]:
    """The places where two lists of the same length hold unequal values."""
    return list(compress(range(len(a)), map(ne, a, b)))


def keyed_by_id(records: Iterable[T]) -> dict[str, T]:
    """``records`` by their ``id``, in their order (the last one when ids repeat)."""
    listed = list(records)  # a copy of the pointers only: records may be an iterator, read twice below
    out: dict[str, T] = dict(zip(map(paper_id, listed), listed, strict=True))
    return out


class Compared:
    """A list of records against the records of an earlier list, worked out once for the layers that each need it:
    the ids in order, the earlier record with each id (None for a new id) and the places where the record is not
    the same object as before."""

    def __init__(self, before: dict[str, Any], records: Sequence[Any], ids: list[str] | None = None,
                 unique: bool = False) -> None:
        """``ids``: the records' ids, when the caller has them already; ``unique``: the caller knows that no id is
        there twice (records taken from a dict by id)."""
        self.before = before
        self.ids: list[str] = list(map(paper_id, records)) if ids is None else ids
        self.unique = unique
        self.was: list[Any] = list(map(before.get, self.ids))
        self.at = differing(self.was, records)
        self.records = records
        self._same_ids: bool | None = None

    def same_ids(self) -> bool:
        """True when both lists hold records with the same ids (each once)."""
        if self._same_ids is None:
            self._same_ids = len(self.before) == len(self.ids) and not holds_none(self.was) \
                and (self.unique or len(set(self.ids)) == len(self.ids))
        return self._same_ids

    def by_id(self) -> dict[str, Any]:
        """The records by id (:func:`keyed_by_id`); with the same ids, the earlier dict copied and patched."""
        if not self.same_ids():
            return keyed_by_id(self.records)
        out = dict(self.before)
        for i in self.at:
            out[self.ids[i]] = self.records[i]
        return out


def numbered(ids: Iterable[Any]) -> dict[Any, int]:
    """Each of ``ids`` -> its place (0, 1, ...)."""
    return dict(zip(ids, count()))


def holds_none(values: Sequence[object]) -> bool:
    """True when one of ``values`` is None (compared by identity: ``None in values`` would call each record's
    ``__eq__``)."""
    return not all(map(is_not, values, repeat(None)))
