"""The ``enrich`` stage: fetch Semantic Scholar data for paper records into the snapshot folder.

Order: load records -> keep the stale ones (no snapshot, a different record key, or ``--refresh``) -> resolve
them by batch (title match as the fallback) -> per record, fetch references (and the survey's citations) and
write its snapshot file atomically. A run killed at any moment leaves only complete files, and the next run
fetches just what is missing. Curated records are only read, never written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from site_builder.checks.collection import normalise_title
from site_builder.citations.client import S2Client
from site_builder.citations.errors import RateLimited, S2Error
from site_builder.citations.fetch import found_doc, not_found_doc
from site_builder.citations.resolve import TITLE_MATCH, Resolutions, candidate_ids, resolve
from site_builder.citations.snapshot import SURVEY_ID, SnapshotRecord, dump, parse_record, read_record, record_key
from site_builder.kb.dates import today
from site_builder.kb.models import Paper
from site_builder.kb.problems import Problem, Severity, SiteBuilderError, UsageError, sorted_problems
from site_builder.kb.project import Project
from site_builder.kb.records import Entry, load_knowledge_base
from site_builder.kb.report import plural
from site_builder.safe.files import remove_leftover_temps, write_if_changed

#: Below this similarity of normalised titles, a paper found by id is reported as a possible wrong id.
TITLE_AGREEMENT = 0.8
_ID_FIELD = {"ARXIV": "arxiv", "DOI": "doi"}


@dataclass(frozen=True)
class EnrichOptions:
    """What to fetch: ``only`` these record ids (all when empty), ``refresh`` even warm ones, at most ``limit``."""

    only: tuple[str, ...] = ()
    refresh: bool = False
    limit: int | None = None


@dataclass
class EnrichStats:
    """Counts of a run (what the progress bar and the summary show)."""

    selected: int = 0
    unchanged: int = 0
    todo: int = 0
    deferred: int = 0
    fetched: int = 0
    not_found: int = 0
    failed: int = 0
    requests: int = 0

    @property
    def done(self) -> int:
        """Records handled so far this run."""
        return self.fetched + self.not_found + self.failed

    def describe(self) -> str:
        """``150 records: 148 fetched, 1 not found, 1 failed, 0 unchanged, 0 deferred; 152 requests``."""
        return (f"{plural(self.selected, 'record')}: {self.fetched} fetched, {self.not_found} not found, "
                f"{self.failed} failed, {self.unchanged} unchanged, {self.deferred} deferred; "
                f"{plural(self.requests, 'request')}")


Progress = Callable[[EnrichStats, str], None]


@dataclass
class EnrichResult:
    """What a run did and what went wrong."""

    stats: EnrichStats
    problems: list[Problem] = field(default_factory=list)


def enrich(project: Project, options: EnrichOptions = EnrichOptions(), *, env: Mapping[str, str] | None = None,
           client: S2Client | None = None, progress: Progress | None = None) -> EnrichResult:
    """Bring the snapshot up to date for the selected records; the client is built from ``env`` only if needed."""
    env = os.environ if env is None else env
    kb, loaded = load_knowledge_base(project)
    if kb is None:
        raise SiteBuilderError("the taxonomy is unusable, so no record can be read (run site-builder validate)",
                               loaded)
    problems = [p for p in loaded if p.severity == "error"]
    entries: dict[str, Entry[Paper]] = {}
    for entry in kb.paper_entries:
        entries.setdefault(entry.record.id, entry)
    selected = _select(entries, options.only)
    remove_leftover_temps(project.snapshot)
    stored = _read_stored(project, selected)
    stale = [pid for pid in selected if options.refresh or not _warm(entries[pid].record, stored[pid])]
    todo = stale if options.limit is None else stale[:options.limit]
    stats = EnrichStats(selected=len(selected), unchanged=len(selected) - len(stale), todo=len(todo),
                        deferred=len(stale) - len(todo))
    if not options.only:
        problems += _orphans(project, entries)
    if todo:
        client = client or S2Client.from_env(env)
        sent_before = client.requests_sent
        try:
            _fetch(project, client, [entries[pid] for pid in todo], stats, problems, stored, env, progress)
        finally:
            stats.requests = client.requests_sent - sent_before
    problems += _same_paper(entries, stored)
    return EnrichResult(stats, sorted_problems(problems))


def _select(entries: Mapping[str, Entry[Paper]], only: Sequence[str]) -> list[str]:
    if not only:
        return sorted(entries)
    unknown = sorted(set(only) - set(entries))
    if unknown:
        raise UsageError(f"--only names no paper record: {', '.join(unknown)}")
    return sorted(set(only))


def _read_stored(project: Project, pids: Sequence[str]) -> dict[str, SnapshotRecord | None]:
    """The usable snapshot of each record (None when missing or damaged: it will be fetched again)."""
    return {pid: read_record(project, project.snapshot / f"{pid}.json", pid)[0] for pid in pids}


def _warm(paper: Paper, stored: SnapshotRecord | None) -> bool:
    """A stored snapshot still answers for this record: same identifying fields, and complete."""
    if stored is None or stored.record_key != record_key(paper):
        return False
    return paper.id != SURVEY_ID or stored.status != "ok" or stored.citations is not None


def _fetch(project: Project, client: S2Client, todo: list[Entry[Paper]], stats: EnrichStats,
           problems: list[Problem], stored: dict[str, SnapshotRecord | None], env: Mapping[str, str],
           progress: Progress | None) -> None:
    fetched_on = today(env)
    try:
        found = resolve(client, [e.record for e in todo])
    except RateLimited as exc:
        problems.append(_stopped(todo[0], exc, len(todo)))
        stats.deferred += len(todo)
        return
    for index, entry in enumerate(todo):
        paper = entry.record
        try:
            doc = _document(client, paper, found, fetched_on, entry, problems)
        except RateLimited as exc:
            problems.append(_stopped(entry, exc, len(todo) - index))
            stats.deferred += len(todo) - index
            return
        except S2Error as exc:
            doc = None
            problems.append(_about(entry, "error", "s2-fetch-failed", f"{exc}; nothing stored for this record"))
        record = _store(project, paper.id, doc, entry, problems) if doc is not None else None
        if record is None:
            stats.failed += 1
        elif record.status == "ok":
            stats.fetched += 1
        else:
            stats.not_found += 1
        stored[paper.id] = record or stored.get(paper.id)
        if progress is not None:
            progress(stats, paper.id)


def _document(client: S2Client, paper: Paper, found: Resolutions, fetched_on: dt.date, entry: Entry[Paper],
              problems: list[Problem]) -> dict[str, Any] | None:
    key = record_key(paper)
    if paper.id in found.failed:
        raise found.failed[paper.id]
    if paper.id in found.missing:
        tried = ", ".join(candidate_ids(paper))
        how = f"by {tried}, nor by this title and year" if tried else \
            "by this title and year (the record has no arXiv id or DOI)"
        problems.append(_about(entry, "warning", "s2-not-found",
                                      f"Semantic Scholar knows no paper {how}; stored as not found"))
        return not_found_doc(paper.id, fetched_on, key)
    meta, resolved_by = found.found[paper.id]
    theirs = normalise_title(str(meta.get("title") or ""))
    if resolved_by != TITLE_MATCH and \
            difflib.SequenceMatcher(None, theirs, normalise_title(paper.title)).ratio() < TITLE_AGREEMENT:
        problems.append(entry.problem("warning", "s2-title-mismatch",
                                      f"{resolved_by} is titled {meta.get('title')!r} on Semantic Scholar; "
                                      "check the id", "ids", _ID_FIELD.get(resolved_by.split(":")[0], "s2")))
    return found_doc(client, paper.id, meta, resolved_by, fetched_on, key, with_citations=paper.id == SURVEY_ID)


def _store(project: Project, pid: str, doc: dict[str, Any], entry: Entry[Paper],
           problems: list[Problem]) -> SnapshotRecord | None:
    """Check the document as the reader will, then write it atomically; None (and a problem) when unusable."""
    path = project.snapshot / f"{pid}.json"
    text = dump(doc)
    record, bad = parse_record(text, project.rel(path), pid)
    if record is None:
        detail = "; ".join(p.message for p in bad[:3])
        problems.append(_about(entry, "error", "s2-bad-data", f"Semantic Scholar's answer does not fit the snapshot "
                                                              f"format ({detail}); nothing stored"))
        return None
    write_if_changed(path, text)
    return record


def _about(entry: Entry[Paper], severity: Severity, code: str, message: str,
           related: tuple[str, ...] = ()) -> Problem:
    """A problem about a whole record file (no line: it concerns what Semantic Scholar said of it)."""
    return Problem(entry.path, None, None, severity, code, message, related)


def _stopped(entry: Entry[Paper], exc: RateLimited, left: int) -> Problem:
    return _about(entry, "error", "s2-rate-limited", f"{exc}; stopped here, {plural(left, 'record')} left for the "
                                                     "next run (set S2_API_KEY for a higher limit)")


def _orphans(project: Project, entries: Mapping[str, Entry[Paper]]) -> list[Problem]:
    if not project.snapshot.is_dir():
        return []
    return [Problem(project.rel(path), None, None, "warning", "snapshot-orphan",
                    f"no paper record {path.stem!r} any more; delete this file or restore the record")
            for path in sorted(project.snapshot.glob("*.json")) if path.stem not in entries]


def _same_paper(entries: Mapping[str, Entry[Paper]], stored: Mapping[str, SnapshotRecord | None]) -> list[Problem]:
    by_paper: dict[str, list[str]] = defaultdict(list)
    for pid, record in sorted(stored.items()):
        if record is not None and record.paper is not None:
            by_paper[record.paper.paperId].append(pid)
    problems = []
    for pids in by_paper.values():
        for pid in pids if len(pids) > 1 else ():
            others = [entries[o].path for o in pids if o != pid]
            problems.append(_about(entries[pid], "warning", "s2-same-paper",
                                                 f"resolves to the same Semantic Scholar paper as "
                                                 f"{', '.join(others)} (a duplicate record?)", related=tuple(others)))
    return problems
