"""The ``add`` stage: a source (BibTeX file or identifier) -> drafts -> duplicate check -> new record files."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.kb.problems import Problem, SiteBuilderError, UsageError
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.kb.taxonomy import Taxonomy
from site_builder.safe.files import create_new, read_file
from site_builder.tools.add.bibtex import parse_bibtex
from site_builder.tools.add.draft import Draft
from site_builder.tools.add.duplicates import DuplicateIndex, Known
from site_builder.tools.add.naming import propose_id
from site_builder.tools.add.online import Resolver, lookup, parse_identifier
from site_builder.tools.add.render import render_record

MAX_BIBTEX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Created:
    """A record written (or, with ``dry_run``, that would be written)."""

    path: str
    text: str
    source: str


@dataclass
class AddResult:
    """What ``add`` did: records created, problems (refused duplicates, unreadable entries, notes)."""

    created: list[Created] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        """True when some input was refused or could not be read."""
        return any(p.severity == "error" for p in self.problems)


def read_bibtex(path: Path, origin: str) -> tuple[list[Draft], list[Problem]]:
    """Drafts from a BibTeX file (UTF-8, size-limited)."""
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file")
    raw, problems = read_file(path, origin, max_bytes=MAX_BIBTEX_BYTES, what="BibTeX files", special_ok=True)
    if raw is None and problems[0].code == "unreadable":
        raise UsageError(f"{path}: {problems[0].message}")
    if raw is None:
        return [], problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [], [Problem(origin, line, None, "error", "encoding",
                            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")]
    return parse_bibtex(text, origin)


def add_records(project: Project, *, identifier: str | None = None, bibtex: Path | None = None,
                resolver: Callable[[], Resolver] | None = None, dry_run: bool = False,
                today: dt.date | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> AddResult:
    """Scaffold one record per paper of the source; never overwrite, never add a likely duplicate.

    ``resolver`` builds the Semantic Scholar client, only when an identifier must be looked up. ``progress`` is
    called with (entries handled, entries in all, the last one) when there are several.
    """
    if (identifier is None) == (bibtex is None):
        raise UsageError("give exactly one source: ARXIV:<id>, DOI:<doi> or --bibtex FILE")
    kb, load_problems = load_knowledge_base(project)
    if kb is None:
        raise SiteBuilderError("taxonomy.yaml is unusable; fix it before adding records", load_problems)
    result = AddResult(dry_run=dry_run)
    index = DuplicateIndex.of(kb)
    if bibtex is not None:
        drafts, result.problems = read_bibtex(bibtex, project.rel(bibtex))
    else:
        ident = parse_identifier(identifier or "")
        kind, _, value = ident.partition(":")
        known = index.find(Draft(ident, None, arxiv=value if kind == "ARXIV" else None,
                                 doi=value if kind == "DOI" else None))
        if known is not None:  # no lookup for a paper the collection already has
            result.problems.append(Problem(ident, None, None, "error", "duplicate-paper",
                                           f"{ident} is already in the collection as {known[0].path} ({known[1]}); "
                                           "nothing written", (known[0].path,)))
            return result
        if resolver is None:
            raise UsageError("no Semantic Scholar client available to look up identifiers")
        draft, result.problems = lookup(resolver(), ident)
        drafts = [draft] if draft else []
    taken = {e.record.id for e in kb.paper_entries} | {e.record.id for e in kb.dataset_entries}
    if project.papers.is_dir():
        taken |= {p.stem for p in project.papers.iterdir()}
    for done, draft in enumerate(drafts, 1):
        _add_one(project, draft, index, taken, result, kb.taxonomy, today or dt.date.today())
        if progress is not None and len(drafts) > 1:
            progress(done, len(drafts), draft.label())
    return result


def _add_one(project: Project, draft: Draft, index: DuplicateIndex, taken: set[str], result: AddResult,
             taxonomy: Taxonomy, today: dt.date) -> None:
    report = result.problems.append
    if not draft.title:
        report(Problem(draft.origin, draft.line, None, "error", "missing-title",
                       f"{draft.label()} has no title; it was not added"))
        return
    found = index.find(draft)
    if found is not None:
        known, why = found
        if known.source is not None and known.source[0] == draft.origin:  # an earlier entry of the same input
            _, label, line = known.source
            at = f"line {line}, " if line else ""
            report(Problem(draft.origin, draft.line, None, "error", "duplicate-paper",
                           f"{draft.label()} is also {label} of this file ({at}{why}); nothing written"))
        else:
            report(Problem(draft.origin, draft.line, None, "error", "duplicate-paper",
                           f"{draft.label()} is already in the collection as {known.path} ({why}); nothing written",
                           (known.path,)))
        return
    record_id = propose_id(draft.family, draft.year, draft.title, lambda s: s in taken)
    path = project.papers / f"{record_id}.yaml"
    text = render_record(draft, record_id, taxonomy, today)
    if not result.dry_run:
        try:
            create_new(path, text)
        except FileExistsError:
            report(Problem(draft.origin, draft.line, None, "error", "record-exists",
                           f"{project.rel(path)} appeared while adding {draft.label()}; it was left untouched"))
            return
    taken.add(record_id)
    index.add(Known(project.rel(path), draft.title, draft.arxiv, draft.doi, (draft.origin, draft.label(), draft.line)))
    result.created.append(Created(project.rel(path), text, draft.label()))
    for note in draft.notes:
        report(Problem(project.rel(path), None, None, "warning", "check-fact", note))


def format_result(result: AddResult) -> str:
    """The report ``add`` prints: each record created (or its text, on a dry run), problems, a summary."""
    lines: list[str] = []
    for created in result.created:
        if result.dry_run:
            lines += [f"# would create {created.path} (from {created.source})", created.text.rstrip("\n"), ""]
        else:
            lines.append(f"created {created.path} (from {created.source})")
    lines += [p.as_text() for p in result.problems]
    refused = sum(1 for p in result.problems if p.severity == "error")
    n = len(result.created)
    verb = "would be created" if result.dry_run else "created"
    lines.append(f"{n} record{'' if n == 1 else 's'} {verb}, {refused} refused or unreadable")
    if result.created and not result.dry_run:
        lines.append("next: fill in the tags and the summary, then run `site-builder validate --changed`")
    return "\n".join(lines) + "\n"
