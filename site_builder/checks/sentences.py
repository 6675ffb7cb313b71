"""Summary sentences that two records share (the duplicate-sentence check), kept up to date after edits.

A long-running process (serve) checks again after every edit. Working the shared sentences out afresh walks every
sentence of every summary; :class:`SharedSentences` instead keeps, for each sentence, the records that hold it,
and after a few records changed works out again only the sentences those records had or have.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from site_builder.bulk import unequal
from site_builder.models import PLACEHOLDER

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
#: Above this many changed records, the sentences are worked out afresh.
MAX_CHANGED = 100
#: (record, sentence's place in the record, first record with the sentence, sentence)
Item = tuple[int, int, int, str]


@lru_cache(maxsize=1 << 16)  # a pure function of one summary; a long-running process re-checks after edits
def sentences(summary: str | None) -> tuple[str, ...]:
    """The sentences of a summary, lower-cased with whitespace collapsed; none for an unfinished placeholder."""
    text = summary or ""
    if text.lstrip().upper().startswith(PLACEHOLDER):  # unfinished scaffolds: placeholder-summary says so
        return ()
    return tuple(" ".join(s.lower().split()) for s in _SENTENCE.split(text.strip()) if s.strip())


def shared_sentences(rows: tuple[tuple[str, str | None], ...]) -> list[tuple[int, int, str]]:
    """(later record, first record, sentence) for each sentence a record shares with an earlier one, records given
    as (path, summary) in order; a file never clashes with itself."""
    first: dict[str, int] = {}
    out = []
    for i, (path, summary) in enumerate(rows):
        for sentence in sentences(summary):
            j = first.setdefault(sentence, i)
            if j != i and rows[j][0] != path:
                out.append((i, j, sentence))
    return out


class SharedSentences:
    """:func:`shared_sentences` of the rows of the last call, updated for the rows that changed."""

    def __init__(self) -> None:
        self.rows: tuple[tuple[str, str | None], ...] | None = None
        self.holders: dict[str, list[int]] = {}  # sentence -> the records holding it, ascending
        self.items: list[Item] = []

    def __call__(self, rows: tuple[tuple[str, str | None], ...]) -> list[tuple[int, int, str]]:
        """:func:`shared_sentences` of ``rows``."""
        before = self.rows
        if before is None or len(before) != len(rows):
            self._rebuild(rows)
        else:
            changed = unequal(rows, before)
            if len(changed) > MAX_CHANGED:
                self._rebuild(rows)
            elif changed:
                self._update(rows, before, changed)
        return [(i, j, s) for i, _, j, s in self.items]

    def _rebuild(self, rows: tuple[tuple[str, str | None], ...]) -> None:
        holders: dict[str, list[int]] = {}
        items: list[Item] = []  # made in (record, place) order
        for i, (path, summary) in enumerate(rows):
            for k, sentence in enumerate(sentences(summary)):
                held = holders.setdefault(sentence, [])
                if not held or held[-1] != i:
                    held.append(i)
                j = held[0]
                if j != i and rows[j][0] != path:
                    items.append((i, k, j, sentence))
        self.rows, self.holders, self.items = rows, holders, items

    def _update(self, rows: tuple[tuple[str, str | None], ...], before: tuple[tuple[str, str | None], ...],
                changed: list[int]) -> None:
        # Only the sentences the changed records had or have can change their first holder or their items.
        touched: set[str] = set()
        for i in changed:
            gone, came = set(sentences(before[i][1])), set(sentences(rows[i][1]))
            touched |= gone | came
            for sentence in gone:
                held = self.holders[sentence]
                held.remove(i)
                if not held:
                    del self.holders[sentence]
            for sentence in came:
                bisect.insort(self.holders.setdefault(sentence, []), i)
        self.rows = rows
        kept = [item for item in self.items if item[3] not in touched]
        self.items = sorted(kept + [item for s in touched for item in self._items(rows, s)])

    def _items(self, rows: tuple[tuple[str, str | None], ...], sentence: str) -> list[Item]:
        """The items of ``sentence``: each place it has in a record after its first, in another file."""
        held = self.holders.get(sentence)
        if not held:
            return []
        j = held[0]
        return [(i, k, j, sentence) for i in held if i != j and rows[j][0] != rows[i][0]
                for k, s in enumerate(sentences(rows[i][1])) if s == sentence]
