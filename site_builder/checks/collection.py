"""Checks across records: duplicates, near-duplicates and references that point nowhere."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from site_builder.checks.registry import check
from site_builder.checks.sentences import shared_sentences
from site_builder.kb.models import Paper
from site_builder.kb.problems import Problem, Severity
from site_builder.kb.records import Entry, KnowledgeBase

TITLE_JACCARD = 0.8
#: Words that say nothing about which paper a title names.
_STOPWORDS = frozenset({"a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into", "is", "it", "its",
                        "of", "on", "or", "that", "the", "their", "this", "to", "via", "with"})
_SUFFIXES = ("ings", "ing", "ies", "ed", "es", "s")
#: The longest suffix of _SUFFIXES that leaves a stem of three or more letters (the shortest stem comes first).
_STEM = re.compile(r"(.{3,}?)(?:" + "|".join(_SUFFIXES) + ")")
MAX_POSTINGS = 200
_WORD = re.compile(r"[a-z0-9]+")


def normalise_title(title: str) -> str:
    """Lowercase ASCII words of a title, for duplicate detection."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(_WORD.findall(folded))


def normalise_repo(url: str) -> str:
    """A code URL reduced to what identifies the repository (host, owner, name, sub-path), case-folded."""
    out = url.lower().split("#", 1)[0].split("?", 1)[0].rstrip("/")
    out = out.removeprefix("https://").removeprefix("www.")
    return out.removesuffix(".git")


KeyValues = list[tuple[str, tuple[str | int, ...]]]


def _clashes(entries: Iterable[Any], key: Callable[[Any], KeyValues], code: str, severity: Severity,
             what: str) -> Iterator[Problem]:
    """Report every record after the first that shares a key value with an earlier one."""
    first: dict[str, Entry[Any]] = {}
    for entry in entries:
        for value, loc in key(entry):
            if value in first and first[value].path != entry.path:
                other = first[value]
                yield entry.problem(severity, code, f"{what} {value!r} is also in {other.path}", *loc,
                                    related=(other.path,))
            else:
                first.setdefault(value, entry)


@check("duplicate-id", "error", "two record files declare the same id")
def duplicate_id(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _clashes(kb.paper_entries, lambda e: [(e.record.id, ("id",))], "duplicate-id", "error", "paper id")
    yield from _clashes(kb.dataset_entries, lambda e: [(e.record.id, ("id",))], "duplicate-id", "error", "dataset id")


@check("duplicate-arxiv", "error", "two paper records carry the same arXiv id")
def duplicate_arxiv(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _clashes(kb.paper_entries,
                        lambda e: [(e.record.ids.arxiv, ("ids", "arxiv"))] if e.record.ids.arxiv else [],
                        "duplicate-arxiv", "error", "arXiv id")


@check("duplicate-doi", "error", "two paper records carry the same DOI (compared case-insensitively)")
def duplicate_doi(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _clashes(kb.paper_entries,
                        lambda e: [(e.record.ids.doi.lower(), ("ids", "doi"))] if e.record.ids.doi else [],
                        "duplicate-doi", "error", "DOI")


@check("duplicate-short-name", "error", "two paper records share a short name (compared ignoring case)")
def duplicate_short_name(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _clashes(kb.paper_entries,
                        lambda e: [(n.casefold(), ("short_name", i)) for i, n in enumerate(e.record.short_name)],
                        "duplicate-short-name", "error", "short name")


@check("duplicate-code", "warning", "two paper records list the same code repository without marking it shared")
def duplicate_code(kb: KnowledgeBase) -> Iterator[Problem]:
    def repos(entry: Entry[Paper]) -> list[tuple[str, tuple[str | int, ...]]]:
        return [(normalise_repo(c.url), ("links", "code", i, "url"))
                for i, c in enumerate(entry.record.links.code) if not c.shared]

    yield from _clashes(kb.paper_entries, repos, "duplicate-code", "warning", "code repository")


def close_words(a: frozenset[str], b: frozenset[str], threshold: float = TITLE_JACCARD) -> bool:
    """True when two word sets have a Jaccard similarity of at least ``threshold``."""
    return bool(a) and len(a & b) >= threshold * len(a | b)


def title_words(normalised: str) -> frozenset[str]:
    """The content words of a normalised title, crudely stemmed ("binds" and "bind" are one word)."""
    out = set()
    for word in normalised.split():
        if word not in _STOPWORDS:
            stemmed = _STEM.fullmatch(word)
            out.add(stemmed.group(1) if stemmed else word)
    return frozenset(out)


def near_duplicate(a: str, wa: frozenset[str], b: str, wb: frozenset[str]) -> bool:
    """The ``similar-title`` rule for two normalised titles and their :func:`title_words` (see similar_pairs)."""
    return a.replace(" ", "") == b.replace(" ", "") or close_words(wa, wb)


def similar_pairs(titles: list[str], threshold: float = TITLE_JACCARD,
                  cap: int = MAX_POSTINGS) -> list[tuple[int, int]]:
    """Index pairs (i < j) of near-duplicate titles, in order.

    Two titles are near-duplicates when they are equal once spaces and punctuation are dropped ("pre-training" vs
    "pretraining"), or when their content words (:func:`title_words`: no stopwords, crude stems) have a Jaccard
    similarity of at least ``threshold``. The word-set join uses prefix filtering: words are ordered from rarest to
    most common, and two sets that reach the threshold must share a word among the first
    ``len - ceil(threshold * len) + 1`` of either, so only those words are indexed and the cost stays near-linear
    for real titles. A word already indexed for ``cap`` titles (default ``MAX_POSTINGS``) is too common
    to discriminate: it stops collecting titles, which bounds the work on synthetic or adversarial collections.
    """
    normalised = [normalise_title(t) for t in titles]
    words = [title_words(t) for t in normalised]
    sizes = [len(ws) for ws in words]
    freq = Counter(w for ws in words for w in ws)
    pairs: set[tuple[int, int]] = set()
    squashed: dict[str, int] = {}
    for i, text in enumerate(normalised):
        key = text.replace(" ", "")
        if key in squashed:
            pairs.add((squashed[key], i))
        else:
            squashed[key] = i
    index: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(words):
        if not ws:
            continue
        ordered = sorted(ws, key=lambda w: (freq[w], w))
        prefix = len(ordered) - math.ceil(threshold * len(ordered)) + 1
        candidates: set[int] = set()
        for word in ordered[:prefix]:
            postings = index[word]
            candidates.update(postings)
            if len(postings) < cap:
                postings.append(i)
        size = len(ws)
        smallest = threshold * size
        for j in candidates:
            other = sizes[j]
            if smallest <= other:
                shared = len(ws & words[j])
                if shared >= threshold * (size + other - shared):  # close_words without building the union
                    pairs.add((j, i))
    return sorted(pairs)


@check("similar-title", "warning", "two paper titles are the same or nearly so (same words, or punctuation only)")
def similar_title(kb: KnowledgeBase) -> Iterator[Problem]:
    entries = kb.paper_entries
    for a, b in similar_pairs([e.record.title for e in entries]):
        first, second = entries[a], entries[b]
        yield second.problem("warning", "similar-title",
                             f"title is nearly the same as that of {first.path}; same paper?", "title",
                             related=(first.path,))


@check("duplicate-sentence", "warning", "two summaries share a sentence (summaries are written per paper)")
def duplicate_sentence(kb: KnowledgeBase) -> Iterator[Problem]:
    entries: list[Any] = [*kb.paper_entries, *kb.dataset_entries]
    for i, j, sentence in shared_sentences(tuple((e.path, e.record.summary) for e in entries)):
        yield entries[i].problem("warning", "duplicate-sentence",
                                 f"summary sentence {sentence!r} is also in {entries[j].path}", "summary",
                                 related=(entries[j].path,))


@check("unknown-dataset", "error", "a record refers to a dataset id that has no record")
def unknown_dataset(kb: KnowledgeBase) -> Iterator[Problem]:
    known = kb.datasets
    for entry in kb.paper_entries:
        for i, ref in enumerate(entry.record.datasets):
            if ref not in known:
                yield entry.problem("error", "unknown-dataset", _missing("dataset", ref, known), "datasets", i)
    for dentry in kb.dataset_entries:
        for i, ref in enumerate(dentry.record.derived_from):
            if ref not in known:
                yield dentry.problem("error", "unknown-dataset", _missing("dataset", ref, known), "derived_from", i)


@check("unknown-paper", "error", "a dataset or the cited-by list refers to a paper id that has no record")
def unknown_paper(kb: KnowledgeBase) -> Iterator[Problem]:
    known = kb.papers
    for entry in kb.dataset_entries:
        ref = entry.record.paper
        if ref is not None and ref not in known:
            yield entry.problem("error", "unknown-paper", _missing("paper", ref, known), "paper")
    if kb.cited_by is not None:
        for i, item in enumerate(kb.cited_by.record.papers):
            if item.record is not None and item.record not in known:
                yield kb.cited_by.problem("error", "unknown-paper", _missing("paper", item.record, known),
                                          "papers", i, "record")


@check("dataset-cycle", "error", "datasets derive from each other in a cycle")
def dataset_cycle(kb: KnowledgeBase) -> Iterator[Problem]:
    graph = {e.record.id: [d for d in e.record.derived_from] for e in kb.dataset_entries}
    entries = {e.record.id: e for e in kb.dataset_entries}
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif child in graph and state.get(child) == 1:
                cycle = [*path[path.index(child):], child]
                entry = entries[node]
                yield entry.problem("error", "dataset-cycle", "derived_from forms a cycle: " + " -> ".join(cycle),
                                    "derived_from", entry.record.derived_from.index(child))
            elif child in graph and not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))


def _missing(kind: str, ref: str, known: Iterable[str]) -> str:
    from site_builder.kb.suggest import did_you_mean

    return f"no {kind} record has id {ref!r}" + did_you_mean(ref, known)
