"""The costly part of the citation facts, kept so that a build whose snapshot and record identifiers did not change
skips reading the snapshot (``.cache/site-builder/citations.json``, git-ignored).

Reading 20,000 snapshot files and resolving their 500,000 references costs seconds; what the pages need from them
is the :class:`~site_builder.citations.facts.CitationCore` (per-record counts, the citations inside the collection,
candidates, the survey's citing papers), a fraction of that data. The cache is keyed by the snapshot files'
names and bytes (a digest of their content), the package version and each record's identifiers (id, arXiv id, DOI, S2
id); titles, years and the display order are applied afterwards (:func:`~site_builder.citations.facts.citation_view`),
so editing a title does not make the next build read the snapshot. Only a snapshot without problems is cached
(its problems are always reported afresh). The file is JSON, never pickle: a cache file committed by a
stranger's pull request can at worst give wrong numbers, not run code (the file is a
:class:`~site_builder.kb.keyed_cache.KeyedFile`). Any failure to read or write it is ignored.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_builder import __version__
from site_builder.citations.snapshot import MAX_FILE_BYTES, load_snapshot
from site_builder.kb.keyed_cache import KeyedFile, content_key
from site_builder.kb.models import Paper
from site_builder.kb.problems import Problem
from site_builder.kb.project import Project
from site_builder.safe.files import read_file
from site_builder.safe.http import MIB, Limits

if TYPE_CHECKING:  # networkx and numpy load only when there is citation data
    from site_builder.citations.facts import CitationCore, Citations

VERSION = 5  # 5: stored through KeyedFile
CACHE_NAME = "citations.json"
#: The cache is ours, but read as any file: bounded, with the one bounded JSON reader.
CACHE_LIMITS = Limits(max_decoded=512 * MIB, max_json_containers=20_000_000, max_json_values=100_000_000)


def snapshot_signature(folder: Path) -> str | None:
    """A digest of the snapshot folder's file names and bytes; None when there is no folder."""
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".json"))
    except OSError:
        return None
    digest = hashlib.sha256()
    for name in names:
        data, _ = read_file(folder / name, name, root=folder, max_bytes=MAX_FILE_BYTES, what="snapshot files")
        data = data or b""  # an unsafe or damaged file: load_snapshot reports it
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def cache_key(signature: str, papers: Sequence[Paper], k: int) -> str:
    """What the citation core depends on: the snapshot's files and each record's identifiers."""
    ident = sorted([p.id, p.ids.arxiv, p.ids.doi, p.ids.s2] for p in papers)
    return content_key(f"citations {VERSION} {__version__}", [signature, k, ident])


def _edge_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in attrs.items()}


def _packed(numbers: Any) -> str:
    """Whole numbers below 2**31 as base64 of 32-bit little-endian integers (a tenth of the time JSON numbers take
    to read back)."""
    import numpy as np

    return base64.b64encode(np.asarray(numbers, dtype="<i4").tobytes()).decode("ascii")


def _unpacked(text: str, below: int) -> Any:
    """The numbers :func:`_packed` wrote, each checked to be at least 0 and below ``below`` (ValueError if not)."""
    import numpy as np

    numbers = np.frombuffer(base64.b64decode(text, validate=True), dtype="<i4").astype(np.int64)
    if numbers.size and (numbers.min() < 0 or numbers.max() >= below):
        raise ValueError("number out of range")
    return numbers


def dump_core(core: CitationCore) -> dict[str, Any]:
    """``core`` as plain JSON data. The citations are numbers: the ids they name, then per citation the places of its
    source and target in that list and the number of its attribute set (few are distinct), packed (:func:`_packed`)."""
    kinds: dict[str, int] = {}
    sets = [kinds.setdefault(json.dumps(attrs), len(kinds)) for _, _, attrs in core.edges]
    ids, sources, targets = core.numbered()
    return {
        "records": {pid: [status, fetched.isoformat(), count, influential, s2]
                    for pid, (status, fetched, count, influential, s2) in core.records.items()},
        "edge_attrs": [json.loads(k) for k in kinds],
        "edges": {"ids": ids, "sources": _packed(sources), "targets": _packed(targets), "sets": _packed(sets)},
        "candidates": [[c.paperId, c.title, c.year, c.externalIds, c.cited_by] for c in core.candidates],
        "survey_citing": None if core.survey_citing is None else [
            [s.title, s.authors, s.year, s.venue, s.url, s.record] for s in core.survey_citing],
    }


def load_core(data: dict[str, Any]) -> CitationCore:
    """The :class:`CitationCore` that :func:`dump_core` wrote (ValueError, KeyError, TypeError, ... when the data is
    not such)."""
    import numpy as np

    from site_builder.citations.facts import CitationCore, SurveyCiting
    from site_builder.citations.graph import Candidate

    kinds = [_edge_attrs(attrs) for attrs in data["edge_attrs"]]
    edges = data["edges"]
    ids = edges["ids"]
    if not all(isinstance(pid, str) for pid in ids):
        raise TypeError("record ids are strings")
    sources, targets = _unpacked(edges["sources"], len(ids)), _unpacked(edges["targets"], len(ids))
    sets = _unpacked(edges["sets"], len(kinds))
    if not len(sources) == len(targets) == len(sets):
        raise ValueError("citation lists of different lengths")
    names = np.array(ids, dtype=object)
    return CitationCore(
        records={pid: (status, dt.date.fromisoformat(fetched), count, influential, s2)
                 for pid, (status, fetched, count, influential, s2) in data["records"].items()},
        edges=list(zip(names[sources].tolist(), names[targets].tolist(), map(kinds.__getitem__, sets.tolist()),
                       strict=True)),
        candidates=[Candidate(s2, title, year, ext, tuple(who)) for s2, title, year, ext, who in data["candidates"]],
        survey_citing=None if data["survey_citing"] is None else [SurveyCiting(*row) for row in data["survey_citing"]],
        numbers=(ids, sources, targets),
    )


class CitationSource:
    """Gives the citation facts of a build's papers, their core from memory, from the cache file or from the
    snapshot."""

    def __init__(self, project: Project, use_cache: bool = True, k: int | None = None) -> None:
        self.project = project
        self.file = KeyedFile(project.cache / CACHE_NAME if use_cache else None, CACHE_LIMITS)
        self.k = k
        #: Problems of the snapshot files (only when the snapshot had to be read).
        self.problems: list[Problem] = []

    def __call__(self, papers: Sequence[Paper], ids: list[str] | None = None) -> Citations | None:
        """The citation facts of ``papers`` (in display order); None when nothing has been fetched."""
        from site_builder.citations.facts import CANDIDATE_MIN, citation_core, citation_view

        k = self.k or CANDIDATE_MIN
        signature = snapshot_signature(self.project.snapshot)
        if signature is None:
            return None
        key = cache_key(signature, papers, k)
        core = self._read(key)
        if core is None:
            snapshot = load_snapshot(self.project)
            self.problems = snapshot.problems
            if not any(p.id in snapshot.records for p in papers):
                return None
            core = citation_core({p.id: p for p in papers}, snapshot, k)
            if not snapshot.problems:
                self._write(key, core)
        return citation_view(papers, core, k)

    def _read(self, key: str) -> CitationCore | None:
        data = self.file.get(key)
        if data is None:
            return None
        try:
            return load_core(data)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # damaged: computed again and rewritten

    def _write(self, key: str, core: CitationCore) -> None:
        with contextlib.suppress(TypeError, ValueError):
            self.file.put(key, dump_core(core))
