"""The check registry: each check has a stable kebab-case code, a severity and a one-line description."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from site_builder.bulk import differing
from site_builder.problems import Problem, Severity, UsageError
from site_builder.records import KnowledgeBase

CheckFn = Callable[[KnowledgeBase], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A named rule. ``func`` yields problems that carry this check's code."""

    code: str
    severity: Severity
    description: str
    func: CheckFn
    #: True when the check looks at each record alone (with the taxonomy): its problems for a record depend on
    #: that record's file only, so they can be remembered while the file does not change.
    per_record: bool = False


REGISTRY: dict[str, Check] = {}


def check(code: str, severity: Severity, description: str, *,
          per_record: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register ``func`` under ``code``."""

    def wrap(func: CheckFn) -> CheckFn:
        if code in REGISTRY:
            raise RuntimeError(f"check {code!r} registered twice")
        REGISTRY[code] = Check(code, severity, description, func, per_record)
        return func

    return wrap


def select(codes: Iterable[str] | None) -> list[Check]:
    """The checks named in ``codes`` (all when ``None``); unknown names are a usage error."""
    if codes is None:
        return list(REGISTRY.values())
    chosen: list[Check] = []
    for code in codes:
        if code not in REGISTRY:
            from site_builder.suggest import did_you_mean

            raise UsageError(f"unknown check {code!r}{did_you_mean(code, REGISTRY)}; see --list-checks")
        chosen.append(REGISTRY[code])
    return chosen


class CheckMemo:
    """Problems the per-record checks found in earlier runs of this process, by record (the same
    :class:`~site_builder.records.Entry` object while its file is unchanged), valid for one taxonomy."""

    def __init__(self) -> None:
        self.taxonomy: object = None
        self.codes: tuple[str, ...] = ()
        #: The records checked (by ``id`` of the entry object) and the problems found in each.
        self.entries: dict[int, object] = {}
        self.found: dict[int, list[Problem]] = {}
        #: The records of the last run, in their order.
        self.listed: list[Any] | None = None


def run_checks(kb: KnowledgeBase, codes: Iterable[str] | None = None, memo: CheckMemo | None = None) -> list[Problem]:
    """Run the selected checks and gather their problems.

    With a ``memo``, per-record checks run only on records they have not seen (with this taxonomy and selection).
    """
    chosen = select(codes)
    if memo is None:
        problems: list[Problem] = []
        for chk in chosen:
            problems.extend(chk.func(kb))
        return problems
    return _run_remembering(kb, chosen, memo)


def _run_remembering(kb: KnowledgeBase, chosen: list[Check], memo: CheckMemo) -> list[Problem]:
    per_record = [c for c in chosen if c.per_record]
    key = (kb.project.taxonomy.read_bytes() if kb.project.taxonomy.is_file() else b"")
    if memo.taxonomy != key or memo.codes != tuple(c.code for c in per_record):
        memo.taxonomy, memo.codes, memo.entries, memo.found = key, tuple(c.code for c in per_record), {}, {}
        memo.listed = None
    entries: list[Any] = [*kb.paper_entries, *kb.dataset_entries]
    if kb.cited_by is not None:
        entries.append(kb.cited_by)
    # (Passes that stay in C: at 20,000 records a Python loop costs more than the lookups it does.)
    ids = list(map(id, entries))
    last = memo.listed
    if last is not None and len(last) == len(entries):
        # Most records are the same objects at the same places as in the last run: look only at the others.
        at = differing(entries, last)
        fresh = [entries[i] for i in at if memo.entries.get(ids[i]) is not entries[i]]
    else:
        at = None
        fresh = [entries[i] for i in differing(list(map(memo.entries.get, ids)), entries)]
    if fresh:
        papers = {id(e) for e in kb.paper_entries}
        datasets = {id(e) for e in kb.dataset_entries}
        sub = KnowledgeBase(kb.project, kb.taxonomy, [e for e in fresh if id(e) in papers],
                            [e for e in fresh if id(e) in datasets])
        if kb.cited_by is not None and any(e is kb.cited_by for e in fresh):
            sub.cited_by = kb.cited_by
        by_path: dict[str, list[Problem]] = {}
        for chk in per_record:
            for problem in chk.func(sub):
                by_path.setdefault(problem.path, []).append(problem)
        for e in fresh:
            memo.found[id(e)] = by_path.get(e.path, [])
    if at is not None and last is not None and len(at) <= len(entries) // 10 and len(memo.entries) == len(last):
        # Forget the records that left those places (unless they are still elsewhere in the list).
        staying = {ids[i] for i in at}
        for gone in {id(last[i]) for i in at} - staying:
            del memo.entries[gone], memo.found[gone]
        for i in at:
            memo.entries[ids[i]] = entries[i]
    elif fresh or len(memo.entries) != len(entries):  # forget records that are gone
        memo.entries = dict(zip(ids, entries, strict=True))
        memo.found = dict(zip(ids, map(memo.found.__getitem__, ids), strict=True))
    memo.listed = entries
    problems = list(chain.from_iterable(map(memo.found.__getitem__, ids)))
    for chk in chosen:
        if not chk.per_record:
            problems.extend(chk.func(kb))
    return problems
