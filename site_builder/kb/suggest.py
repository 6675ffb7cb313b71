"""Did-you-mean hints for misspelt keys, tags and ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, options: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The option most similar to ``word``, or ``None`` when nothing is close enough."""
    pool = sorted(set(options))
    lowered = {o.lower(): o for o in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    match = closest(word, options)
    return f" (did you mean {match!r}?)" if match and match != word else ""
