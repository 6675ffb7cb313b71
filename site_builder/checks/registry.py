"""The check registry: each check has a stable kebab-case code, a severity and a one-line description."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from site_builder.kb.problems import Problem, Severity, UsageError
from site_builder.kb.records import KnowledgeBase

CheckFn = Callable[[KnowledgeBase], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A named rule. ``func`` yields problems that carry this check's code."""

    code: str
    severity: Severity
    description: str
    func: CheckFn
    #: True when the check looks at each record alone (with the taxonomy).
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
            from site_builder.kb.suggest import did_you_mean

            raise UsageError(f"unknown check {code!r}{did_you_mean(code, REGISTRY)}; see --list-checks")
        chosen.append(REGISTRY[code])
    return chosen


def run_checks(kb: KnowledgeBase, codes: Iterable[str] | None = None, *,
               per_record_only: bool = False) -> list[Problem]:
    """Run the selected checks (only those that look at one record at a time, with ``per_record_only``) and
    gather their problems."""
    problems: list[Problem] = []
    for chk in select(codes):
        if chk.per_record or not per_record_only:
            problems.extend(chk.func(kb))
    return problems
