"""Build one record's snapshot document: its metadata, its references (all pages) and, for the survey, its citers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from site_builder.citations.client import S2Client
from site_builder.citations.resolve import PAPER_FIELDS
from site_builder.citations.snapshot import SCHEMA

REFERENCE_FIELDS = ("paperId", "externalIds", "title", "year", "isInfluential", "intents")
EDGE_FIELDS = ("isInfluential", "intents")
CITATION_FIELDS = ("paperId", "externalIds", "title", "year", "venue", "authors")


def _header(record_id: str, fetched: dt.date, key: str) -> dict[str, Any]:
    return {"schema": SCHEMA, "id": record_id, "fetched": fetched.isoformat(), "record_key": key}


def not_found_doc(record_id: str, fetched: dt.date, key: str) -> dict[str, Any]:
    """The snapshot of a record Semantic Scholar does not know."""
    return {**_header(record_id, fetched, key), "resolved_by": None, "status": "not-found", "paper": None,
            "references": []}


def found_doc(client: S2Client, record_id: str, paper: dict[str, Any], resolved_by: str, fetched: dt.date,
              key: str, with_citations: bool = False) -> dict[str, Any]:
    """The snapshot of a resolved record; fetches ``/references`` (and ``/citations`` when asked)."""
    pid = paper["paperId"]
    refs = _unique(client.references(pid, REFERENCE_FIELDS), "citedPaper", REFERENCE_FIELDS, EDGE_FIELDS)
    doc = {**_header(record_id, fetched, key), "resolved_by": resolved_by, "status": "ok",
           "paper": {k: paper[k] for k in PAPER_FIELDS if k in paper}, "references": refs}
    if with_citations:
        doc["citations"] = _unique(client.citations(pid, CITATION_FIELDS), "citingPaper", CITATION_FIELDS, ())
    return doc


def _unique(items: list[dict[str, Any]], key: str, fields: tuple[str, ...],
            edge_fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Flatten edge items to ``fields`` (nulls dropped), skipping entries without a paperId (unresolved
    bibliography entries) and repeats."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        nested = item[key]
        pid = nested.get("paperId")
        if not isinstance(pid, str) or pid in seen:
            continue
        seen.add(pid)
        flat = {k: nested[k] for k in fields if k not in edge_fields and nested.get(k) is not None}
        flat.update({k: item[k] for k in edge_fields if item.get(k) is not None})
        out.append(flat)
    return out
