"""The per-record check memo of a long-running process: over any sequence of record lists, the problems found with
it are those found without it."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.checks.registry import CheckMemo, run_checks
from site_builder.project import Project
from site_builder.records import Entry, KnowledgeBase, load_knowledge_base
from tests.conftest import GOLDEN_KB


@pytest.fixture(scope="module")
def golden() -> KnowledgeBase:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB), use_cache=False)
    assert kb is not None
    return kb


def _copy(entry: Entry[object], path: str | None = None) -> Entry[object]:
    """The same record read again (a new object, as after an edit of its file), or from a file named ``path``."""
    return Entry(entry.record, path or entry.path, entry.positions)


def _problems(found: list[object]) -> Counter[str]:
    return Counter(str(p) for p in found)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=6))
def test_the_memo_finds_what_a_fresh_run_finds(golden: KnowledgeBase, seeds: list[int]) -> None:
    memo = CheckMemo()
    papers = list(golden.paper_entries)
    added = itertools.count()
    flawed = [e for e in golden.paper_entries if any(p.path == e.path for p in run_checks(golden, ["markup-in-text"]))]
    assert len(flawed) >= 1
    for seed in seeds:
        rng = random.Random(seed)
        step = rng.choice(["same", "replace", "swap", "drop", "add", "shuffle"])
        if step == "replace" and papers:  # files read again, some of them now under a new name
            for i in rng.sample(range(len(papers)), rng.randint(1, min(3, len(papers)))):
                papers[i] = _copy(papers[i], f"papers/new{next(added)}.yaml" if rng.random() < 0.5 else None)
        elif step == "swap" and len(papers) > 1:
            i, j = rng.sample(range(len(papers)), 2)
            papers[i], papers[j] = papers[j], papers[i]
        elif step == "drop" and papers:
            papers.pop(rng.randrange(len(papers)))
        elif step == "add":  # records with problems of their own, from files of new names
            for entry in rng.choices(flawed, k=rng.randint(1, 3)):
                papers.insert(rng.randrange(len(papers) + 1), _copy(entry, f"papers/new{next(added)}.yaml"))
        elif step == "shuffle":
            rng.shuffle(papers)
        kb = KnowledgeBase(golden.project, golden.taxonomy, list(papers), list(golden.dataset_entries))
        kb.cited_by = golden.cited_by
        fresh = KnowledgeBase(golden.project, golden.taxonomy, list(papers), list(golden.dataset_entries))
        fresh.cited_by = golden.cited_by
        assert _problems(run_checks(kb, memo=memo)) == _problems(run_checks(fresh)), step
        assert set(memo.entries) == {id(e) for e in [*papers, *golden.dataset_entries, golden.cited_by]
                                     if e is not None}, "the memo holds exactly the records of the last run"


def test_unknown_dataset_after_edits_is_what_a_fresh_run_finds(golden: KnowledgeBase) -> None:
    from site_builder.checks import collection

    def found(papers: list[Entry[Any]], datasets: list[Entry[Any]]) -> list[str]:
        kb = KnowledgeBase(golden.project, golden.taxonomy, papers, datasets)
        return sorted(str(p) for p in collection.unknown_dataset(kb))

    def fresh(papers: list[Entry[Any]], datasets: list[Entry[Any]]) -> list[str]:
        collection._ALL_KNOWN.clear()
        return found(papers, datasets)

    papers, datasets = list(golden.paper_entries), list(golden.dataset_entries)
    used = next(i for i, e in enumerate(papers) if e.record.datasets)
    assert found(papers, datasets) == [] == fresh(papers, datasets)
    edited = list(papers)
    edited[used] = Entry(papers[used].record.model_copy(update={"datasets": ["no-such-dataset"]}), papers[used].path,
                         papers[used].positions)
    assert found(papers, datasets) == []  # remembered: all known
    assert found(edited, datasets) == fresh(edited, datasets) != []
    assert found(papers, datasets) == []
    gone = papers[used].record.datasets[0]
    fewer = [d for d in datasets if d.record.id != gone]  # a dataset record deleted: the unchanged paper refers to it
    assert found(papers, fewer) == fresh(papers, fewer) != []
