"""Summary sentences that two records share (the duplicate-sentence check)."""

from __future__ import annotations

import re

from site_builder.kb.models import PLACEHOLDER

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


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
