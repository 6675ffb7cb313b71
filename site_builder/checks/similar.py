"""The ``similar-title`` join kept between runs: after an edit, only the pairs the edit can affect are looked at.

:func:`~site_builder.checks.collection.similar_pairs` is the rule and the reference. Its answer, restated per
pair: with ``P[i]`` the indexed prefix of title ``i``'s words (rarest first) and ``F[w]`` the first ``cap`` titles
(by index) whose prefix holds the word ``w``, the pair ``j < i`` is reported when

- the two titles are equal once spaces are dropped and ``j`` is the first title with that squashed text, or
- their word sets are close (Jaccard) and some ``w`` of ``P[i]`` and ``P[j]`` has ``j`` in ``F[w]`` (the join only
  looks at titles it has indexed, and stops indexing a word after ``cap`` titles).

:class:`SimilarTitles` keeps the word sets, prefixes, ``F`` and the pairs. When titles change (same number of
titles), a pair's verdict can change only if (a) one of its titles changed or had its prefix reordered (a changed
word count reorders the prefixes of the titles holding that word), (b) its first title entered or left some
``F[w]`` with ``w`` in the second title's prefix, or (c) the first title of a squashed text it shares changed.
Exactly those pairs are judged again; the other verdicts stand. Anything else (titles added or removed, many
titles changed) recomputes everything. tests/test_checks_similar.py compares it with the reference on random edits.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import chain
from typing import Any

from site_builder.bulk import unequal

#: Beyond this many changed titles, recomputing everything is cheaper than judging the affected pairs.
MAX_CHANGED = 100
#: From this many titles on, a full join judges its candidate pairs with arrays (numpy) rather than one by one.
VECTOR_FROM = 2000


class SimilarTitles:
    """The near-duplicate title pairs of the last list of titles given, with what updating them needs."""

    def __init__(self, threshold: float, cap: int) -> None:
        self.threshold, self.cap = threshold, cap
        self._clear()

    def _clear(self) -> None:
        self.titles: list[str] = []
        self._pairs: set[tuple[int, int]] = set()
        self._sorted: list[tuple[int, int]] = []
        self._words: list[frozenset[str]] = []
        self._keys: list[str] = []
        self._freq: Counter[str] = Counter()
        self._holders: dict[str, set[int]] = defaultdict(set)  # word -> titles holding it
        self._prefix: list[frozenset[str]] = []
        self._indexed: dict[str, list[int]] = defaultdict(list)  # word -> titles with it in their prefix, sorted
        self._squashed: dict[str, list[int]] = defaultdict(list)  # squashed text -> its titles, sorted

    def pairs(self, titles: list[str]) -> list[tuple[int, int]]:
        """Index pairs (i < j) of near-duplicate ``titles``, in order (what ``similar_pairs`` returns)."""
        if len(titles) != len(self.titles) or not self.titles:
            self._rebuild(titles)
        else:
            changed = unequal(self.titles, titles)
            if len(changed) > MAX_CHANGED:
                self._rebuild(titles)
            elif changed:
                self._update(titles, changed)
        return list(self._sorted)

    def _parts(self, title: str) -> tuple[frozenset[str], str]:
        from site_builder.checks.collection import normalise_title, title_words

        text = normalise_title(title)
        return title_words(text), text.replace(" ", "")

    def _prefix_of(self, words: frozenset[str]) -> frozenset[str]:
        if not words:
            return frozenset()
        ordered = sorted(words, key=lambda w: (self._freq[w], w))
        return frozenset(ordered[:len(ordered) - math.ceil(self.threshold * len(ordered)) + 1])

    def _rebuild(self, titles: list[str]) -> None:
        self._clear()
        self.titles = list(titles)
        for i, title in enumerate(titles):
            words, key = self._parts(title)
            self._words.append(words)
            self._keys.append(key)
            self._squashed[key].append(i)
            self._freq.update(words)
            for w in words:
                self._holders[w].add(i)
        self._prefix = [self._prefix_of(ws) for ws in self._words]
        for i, prefix in enumerate(self._prefix):
            for w in prefix:
                self._indexed[w].append(i)
        for members in self._squashed.values():
            self._pairs.update((members[0], m) for m in members[1:])
        if len(titles) >= VECTOR_FROM:
            self._pairs.update(self._close_pairs_vectorised())
        else:
            self._pairs.update(self._close_pairs())
        self._sorted = sorted(self._pairs)

    def _close_pairs(self) -> Iterator[tuple[int, int]]:
        """The pairs (j, i) the word-set join finds, one candidate at a time."""
        sets, t, cap = self._words, self.threshold, self.cap
        sizes = [len(ws) for ws in sets]
        for i, prefix in enumerate(self._prefix):
            candidates: set[int] = set()
            for w in prefix:  # of the first ``cap`` titles indexed under w, those before i (the lists are sorted)
                listed = self._indexed[w]
                candidates.update(listed[:min(cap, bisect.bisect_left(listed, i))])
            a, n = sets[i], sizes[i]
            for j in candidates:
                # Jaccard reaches t only if the smaller set has t times the larger one's words: most candidates
                # fail this before any set is intersected (the margin keeps float rounding from dropping a pair
                # the exact test below accepts).
                m = sizes[j]
                if t * m <= n + 1e-9 and t * n <= m + 1e-9:
                    shared = len(a & sets[j])
                    if shared >= t * (n + m - shared):  # as _close computes it
                        yield j, i

    def _close_pairs_vectorised(self) -> list[tuple[int, int]]:
        """:meth:`_close_pairs` with arrays: every candidate pair made at once from the indexed lists (a title
        ``i`` meets each ``j`` among the first ``cap`` titles of a list that also holds ``i``, with ``j < i``), and
        the words two titles share counted for all pairs together. The same float arithmetic decides."""
        import numpy as np

        lists = [listed for listed in self._indexed.values() if len(listed) > 1]
        if not lists:
            return []
        lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lens.sum()))
        starts = np.cumsum(lens) - lens
        heads = np.minimum(lens, self.cap)
        # One row per (list, place a < head): it pairs the title at a with every later title of the list.
        group = np.repeat(np.arange(len(lists)), heads)
        place = _places(heads)
        later = lens[group] - 1 - place
        row = np.repeat(np.arange(len(place)), later)
        other = _places(later) + place[row] + 1
        first = flat[starts[group[row]] + place[row]]
        second = flat[starts[group[row]] + other]
        count = len(self._words)
        codes = np.sort(first * count + second)  # each pair once (np.unique is far slower here)
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
        js, is_ = codes // count, codes % count
        sizes = np.fromiter(map(len, self._words), dtype=np.int64, count=count)
        n, m = sizes[is_], sizes[js]
        t = self.threshold
        fit = (t * m <= n + 1e-9) & (t * n <= m + 1e-9)
        js, is_, n, m = js[fit], is_[fit], n[fit], m[fit]
        shared = self._shared_counts(js, is_, sizes)
        close = shared >= t * (n + m - shared)
        return list(zip(js[close].tolist(), is_[close].tolist(), strict=True))

    def _shared_counts(self, js: Any, is_: Any, sizes: Any) -> Any:
        """How many words the titles ``js[k]`` and ``is_[k]`` share, for every k (``sizes``: each title's number of
        words): each word of ``js[k]`` looked up among the (title, word) codes of every title."""
        import numpy as np

        words = self._words
        number = {w: k for k, w in enumerate(self._freq)}  # every word of every title
        flat = np.fromiter(map(number.__getitem__, chain.from_iterable(words)), dtype=np.int64,
                           count=int(sizes.sum()))
        starts = np.cumsum(sizes) - sizes
        width = len(number) + 1
        owners = np.repeat(np.arange(len(words), dtype=np.int64), sizes)
        known = np.sort(owners * width + flat)
        counts = sizes[js]
        pair = np.repeat(np.arange(len(js)), counts)
        at = _places(counts) + starts[js][pair]
        wanted = is_[pair] * width + flat[at]
        found = np.searchsorted(known, wanted)
        hit = known[np.minimum(found, len(known) - 1)] == wanted
        return np.bincount(pair[hit], minlength=len(js))

    def _close(self, j: int, i: int) -> bool:
        a, b = self._words[i], self._words[j]
        shared = len(a & b)
        return shared >= self.threshold * (len(a) + len(b) - shared)  # as similar_pairs computes it

    def _witnessed(self, j: int, i: int) -> bool:
        """Some word of both prefixes was indexed for ``j`` (j < i)."""
        both = self._prefix[i] & self._prefix[j]
        return any(bisect.bisect_left(self._indexed[w], j) < self.cap for w in both)

    def _verdict(self, j: int, i: int) -> bool:
        key = self._keys[j]
        if key == self._keys[i] and self._squashed[key][0] == j:
            return True
        return bool(self._words[i]) and bool(self._words[j]) and self._close(j, i) and self._witnessed(j, i)

    def _update(self, titles: list[str], changed: list[int]) -> None:
        suspects: set[tuple[int, int]] = set()
        counted: set[str] = set()
        for i in changed:
            words, key = self._parts(titles[i])
            old_words, old_key = self._words[i], self._keys[i]
            self._freq.subtract(old_words)
            self._freq.update(words)
            counted |= old_words ^ words
            for w in old_words - words:
                self._holders[w].discard(i)
            for w in words - old_words:
                self._holders[w].add(i)
            self._words[i], self._keys[i] = words, key
            if key != old_key:
                suspects |= self._squash_pairs(old_key) | self._squash_pairs(key)
                self._squashed[old_key].remove(i)
                bisect.insort(self._squashed[key], i)
                suspects |= self._squash_pairs(old_key) | self._squash_pairs(key)
            self.titles[i] = titles[i]
        for w in [w for w in counted if self._freq[w] <= 0]:
            del self._freq[w]
        reordered = set(changed).union(*(self._holders.get(w, ()) for w in counted))
        moved: set[int] = set(changed)
        heads: dict[str, list[int]] = {}  # word -> its F before the update
        for t in sorted(reordered):
            prefix = self._prefix_of(self._words[t])
            old = self._prefix[t]
            if prefix == old:
                continue
            moved.add(t)
            for w in old ^ prefix:
                listed = self._indexed[w]
                heads.setdefault(w, listed[:self.cap])
                if w in old:
                    listed.remove(t)
                else:
                    bisect.insort(listed, t)
            self._prefix[t] = prefix
        suspects |= {p for p in self._pairs if p[0] in moved or p[1] in moved}
        for c in moved:
            for w in self._prefix[c]:
                listed = self._indexed[w]
                suspects.update((j, c) for j in listed[:self.cap] if j < c)
                at = bisect.bisect_left(listed, c)
                if at < self.cap:
                    suspects.update((c, later) for later in listed[at + 1:])
        for w, before in heads.items():
            listed = self._indexed[w]
            for j in set(before) ^ set(listed[:self.cap]):
                suspects.update((j, later) for later in listed[bisect.bisect_right(listed, j):])
        self._pairs -= suspects
        self._pairs.update(p for p in suspects if self._verdict(*p))
        self._sorted = sorted(self._pairs)

    def _squash_pairs(self, key: str) -> set[tuple[int, int]]:
        members = self._squashed.get(key, [])
        return {(members[0], m) for m in members[1:]}


def _places(counts: Any) -> Any:
    """For groups of ``counts`` items laid end to end, each item's place within its group (0, 1, ... per group)."""
    import numpy as np

    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
