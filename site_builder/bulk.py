"""Passes over every paper that stay in C (``map``, ``zip``, ``compress``): at 20,000 papers a Python-level loop
costs more than the lookups it does, and a regeneration after one edit is made of such passes."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import attrgetter, is_not

#: A record's id.
paper_id = attrgetter("id")


def differing(a: Sequence[object], b: Sequence[object]) -> list[int]:
    """The places where two lists of the same length hold different objects."""
    return list(compress(range(len(a)), map(is_not, a, b)))


def holds_none(values: Sequence[object]) -> bool:
    """True when one of ``values`` is None (compared by identity: ``None in values`` would call each record's
    ``__eq__``)."""
    return not all(map(is_not, values, repeat(None)))
