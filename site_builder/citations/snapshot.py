"""The Semantic Scholar snapshot: ``data/semantic-scholar/<id>.json``, one machine-written file per paper record.

Format (schema 1), pretty-printed JSON with sorted keys and a trailing newline::

    {"schema": 1, "id": "clip", "fetched": "2026-11-28", "resolved_by": "ARXIV:2103.00020",
     "record_key": "<hash of arxiv, doi, s2, title, year>", "status": "ok" | "not-found",
     "paper": {paperId, corpusId, externalIds, title, year, venue, citationCount, ...} | null,
     "references": [{paperId, title, year, externalIds, isInfluential, intents}, ...],
     "citations": [{paperId, title, year, venue, externalIds, authors}, ...]}   # survey record only

Only ``site-builder enrich`` writes it; the site reads it through :func:`load_snapshot`, which tolerates a
missing folder ("not fetched yet") and reports bad files as problems instead of failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from site_builder.kb.modelcheck import check_model
from site_builder.kb.models import Paper, Slug, Strict
from site_builder.kb.problems import Problem
from site_builder.kb.project import Project
from site_builder.kb.yamlio import Positions
from site_builder.safe.files import read_file
from site_builder.safe.http import MIB, BadJson, Limits, check_json_limits, parse_json

SCHEMA = 1
#: The record whose "cited by" list is fetched too (the survey the collection is built on).
SURVEY_ID = "ssml-survey"
#: A paper's page on Semantic Scholar is this followed by its paperId.
S2_PAGE = "https://www.semanticscholar.org/paper/"
ExternalIds = dict[str, str | int]


class Author(Strict):
    """An author as Semantic Scholar lists it."""

    authorId: str | None = Field(None, description="S2 author id")
    name: str | None = Field(None, description="display name")


class PaperBase(Strict):
    """What names a paper on Semantic Scholar (every field but the id may be null in S2's data)."""

    paperId: str = Field(description="S2 paper id (40 hex digits)")
    title: str | None = Field(None, description="title")
    year: int | None = Field(None, description="year")
    externalIds: ExternalIds | None = Field(None, description="ArXiv, DOI, DBLP, CorpusId, ... ids")


class S2Paper(PaperBase):
    """The metadata of one paper as fetched."""

    corpusId: int | None = Field(None, description="S2 corpus id")
    venue: str | None = Field(None, description="venue as S2 names it (often empty)")
    publicationDate: str | None = Field(None, description="YYYY-MM-DD")
    authors: list[Author] | None = Field(None, description="authors in order")
    citationCount: int | None = Field(None, description="citations counted by S2 on the fetch date")
    referenceCount: int | None = Field(None, description="references counted by S2")
    influentialCitationCount: int | None = Field(None, description="S2's influential citations")
    isOpenAccess: bool | None = Field(None, description="open access flag")
    openAccessPdf: dict[str, Any] | None = Field(None, description="{url, status, license, ...}")
    url: str | None = Field(None, description="S2 page of the paper")


class Reference(PaperBase):
    """A paper the record cites (an item of /paper/{id}/references)."""

    isInfluential: bool | None = Field(None, description="S2 judges the citation influential")
    intents: list[str] | None = Field(None, description="citation intents (background, methodology, result)")


class Citing(PaperBase):
    """A paper citing the survey (an item of /paper/{id}/citations)."""

    venue: str | None = Field(None, description="venue")
    authors: list[Author] | None = Field(None, description="authors in order")


class SnapshotRecord(Strict):
    """One snapshot file."""

    schema_: Literal[1] = Field(alias="schema", description="format version")
    id: Slug = Field(description="the paper record's id (the file stem)")
    fetched: dt.date = Field(description="date the data was fetched")
    resolved_by: str | None = Field(description="the id that found the paper (ARXIV:..., DOI:..., title-match)")
    record_key: str = Field(description="hash of the record's identifying fields when fetched")
    status: Literal["ok", "not-found"] = Field(description="whether Semantic Scholar knows the paper")
    paper: S2Paper | None = Field(description="metadata; null when not found")
    references: list[Reference] = Field(default_factory=list, description="papers it cites that S2 resolved")
    citations: list[Citing] | None = Field(None, description="papers citing it (survey record only)")

    @model_validator(mode="after")
    def _status_matches_paper(self) -> SnapshotRecord:
        if (self.status == "ok") != (self.paper is not None):
            raise ValueError("'paper' must be present exactly when status is 'ok'")
        return self


def record_key(paper: Paper) -> str:
    """A short hash of what identifies a record to Semantic Scholar; a change means "fetch again"."""
    ident = {"arxiv": paper.ids.arxiv, "doi": paper.ids.doi, "s2": paper.ids.s2, "title": paper.title,
             "year": paper.year}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


def dump(doc: dict[str, Any]) -> str:
    """The canonical text of a snapshot file: indented, sorted keys, UTF-8 kept, trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: Bounds of one snapshot file: the answers it was made from, read with the same bounded JSON reader.
FILE_LIMITS = Limits(max_decoded=32 * MIB)
MAX_FILE_BYTES = FILE_LIMITS.max_decoded


def parse_record(text: str | bytes, rel: str, stem: str) -> tuple[SnapshotRecord | None, list[Problem]]:
    """Read one snapshot file's text; problems (bad JSON, beyond the JSON limits, schema, id not matching the
    file name) when unusable. One bounded JSON reader (:func:`~site_builder.safe.http.parse_json`): a file nested
    200,000 deep or a 5000-digit number is a problem of this file, never a traceback."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [Problem(rel, None, None, "error", "snapshot-unreadable",
                                  f"byte {exc.start:,} is not valid UTF-8; run 'site-builder enrich --only "
                                  f"{stem}' to refetch")]
    try:
        check_json_limits(text, FILE_LIMITS)
        try:  # fast path, for valid files: pydantic's own parser, safe once the limits hold
            record: SnapshotRecord | None = SnapshotRecord.model_validate_json(text)
            problems: list[Problem] = []
        except ValidationError:
            record, problems = check_model(SnapshotRecord, parse_json(text, FILE_LIMITS), Positions(), rel)
    except BadJson as exc:
        refetch = f"run 'site-builder enrich --only {stem}' to refetch"
        if exc.retryable:  # a syntax error, within the limits: parsing again is bounded and gives the place
            try:
                json.loads(text)
            except json.JSONDecodeError as syntax:
                return None, [Problem(rel, syntax.lineno, syntax.colno, "error", "snapshot-bad-json",
                                      f"not valid JSON ({syntax.msg}); {refetch}")]
        return None, [Problem(rel, None, None, "error", "snapshot-bad-json", f"{exc}; {refetch}")]
    if record is not None and record.id != stem:
        return None, [Problem(rel, None, None, "error", "snapshot-invalid",
                              f"the file holds the snapshot of record '{record.id}', not of '{stem}' "
                              "(its file name)")]
    return record, problems


def read_record(project: Project, path: Path, stem: str) -> tuple[SnapshotRecord | None, list[Problem]]:
    """One snapshot file through the safe file layer (inside the checkout, a plain file, bounded), then parsed."""
    rel = project.rel(path)
    raw, problems = read_file(path, rel, root=project.root, max_bytes=MAX_FILE_BYTES, what="snapshot files")
    if raw is None:
        return None, problems
    return parse_record(raw, rel, stem)


@dataclass
class Snapshot:
    """Every readable snapshot file; ``present`` is False when nothing has been fetched yet."""

    present: bool
    records: dict[str, SnapshotRecord] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def fetched(self) -> dt.date | None:
        """The latest fetch date of any file, None when empty."""
        return max((r.fetched for r in self.records.values()), default=None)

    def as_of(self, ids: Iterable[str]) -> dt.date | None:
        """The oldest fetch date among the records ``ids`` that have a file: what "citation counts as of" shows,
        since every fetched count of those records is at least that fresh. None when none of them is fetched."""
        return min((self.records[i].fetched for i in ids if i in self.records), default=None)

    def paper(self, record_id: str) -> S2Paper | None:
        """S2 metadata of a record, when fetched and found."""
        record = self.records.get(record_id)
        return record.paper if record is not None else None


def load_snapshot(project: Project) -> Snapshot:
    """Read ``data/semantic-scholar/*.json`` in name order; a missing folder is an empty, absent snapshot."""
    folder = project.snapshot
    if not folder.is_dir():
        return Snapshot(present=False)
    snap = Snapshot(present=True)
    base = project.rel(folder)
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        rel = f"{base}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if not entry.name.endswith(".json"):
            snap.problems.append(Problem(rel, None, None, "warning", "snapshot-stray-file",
                                         "ignored: snapshot files are <record id>.json"))
            continue
        record, problems = read_record(project, Path(entry.path), entry.name.removesuffix(".json"))
        snap.problems += problems
        if record is not None:
            snap.records[record.id] = record
    return snap
