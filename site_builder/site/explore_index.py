"""The compact JSON files behind the explore page (read by docs/assets/explore.js): the index and the summaries.

Shape (version 2)::

    {"v": 2,
     "facets":   [[facet id, label], ...],
     "nodes":    [[facet number, node id, label, parent node number or -1], ...],   # parents before children
     "aliases":  [[alias, ...] per node, in the order of "nodes"],
     "kinds":    [paper kind, ...], "types": [BibTeX entry type, ...],
     "datasets": [[dataset id, name], ...],
     "citations": true when a citation snapshot gave the papers' references, else false,
     "cols":     ["id", "title", "authors", "year", "venue", "kind", "type", "flags", "tags", "arxiv", "doi",
                  "short", "datasets", "cites"],
     "papers":   [[...one array per paper, in the order of "cols"...], ...]}

A paper's ``tags`` are node numbers of its own tags only (the script adds ancestors), ``authors`` are joined with
``"; "``, ``flags`` is a bit set (:data:`HAS_CODE`, :data:`OFFICIAL_CODE`, :data:`HYBRID`), and ``kind``/``type``
are positions in ``kinds``/``types``. ``short`` is the list of short names, ``datasets`` positions in ``datasets``
and ``cites`` the positions (in ``papers``) of the papers of the collection it cites, ascending, each after the
first written as the difference from the one before (empty without citation data); the script derives the citing
side and the counts from ``cites``. Small integers and arrays instead of repeated keys keep the file small.

The summaries are a second file, ``{"v": 2, "summaries": [summary, ...]}`` in the order of ``papers``: at 20,000
papers they weigh as much as half the index, so the page shows the table from the index first and adds summaries
(to the rows and the text filter) once they have arrived.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import get_args

from site_builder.kb.models import TAG_FACETS, Paper, PaperKind
from site_builder.kb.taxonomy import Taxonomy
from site_builder.site.exports import BIBTEX_TYPES, LIST_SEPARATOR, bibtex_type, compact_json
from site_builder.site.model import SiteModel

INDEX_VERSION = 2
INDEX_PATH = "explore/papers-index.json"
SUMMARIES_PATH = "explore/papers-summaries.json"
HAS_CODE, OFFICIAL_CODE, HYBRID = 1, 2, 4
COLUMNS = ("id", "title", "authors", "year", "venue", "kind", "type", "flags", "tags", "arxiv", "doi",
           "short", "datasets", "cites")
KINDS: tuple[PaperKind, ...] = get_args(PaperKind)


def node_numbers(taxonomy: Taxonomy) -> dict[tuple[str, str], int]:
    """A number for every (facet, node), facets in order and nodes depth-first (parents first)."""
    numbers: dict[tuple[str, str], int] = {}
    for facet in taxonomy.facets.values():
        for node in facet.nodes.values():
            numbers[(facet.id, node.id)] = len(numbers)
    return numbers


def taxonomy_rows(taxonomy: Taxonomy) -> tuple[list[list[str]], list[list[object]]]:
    """The ``facets`` and ``nodes`` arrays of the index (shared with the citation graph's data)."""
    numbers = node_numbers(taxonomy)
    facet_pos = {fid: i for i, fid in enumerate(taxonomy.facets)}
    nodes: list[list[object]] = [
        [facet_pos[fid], nid, taxonomy.facet(fid).nodes[nid].label,
         numbers[(fid, parent)] if (parent := taxonomy.facet(fid).nodes[nid].parent) else -1]
        for (fid, nid) in numbers]
    return [[f.id, f.label] for f in taxonomy.facets.values()], nodes


class OwnTags:
    """Node numbers of a paper's own tags (no ancestors; ``facets`` in taxonomy order, ``numbers`` from
    :func:`node_numbers`). Each distinct tag list of a facet is numbered once: thousands of papers share them."""

    def __init__(self, facets: Iterable[str], numbers: dict[tuple[str, str], int]) -> None:
        by_facet: dict[str, dict[str, int]] = {}
        for (fid, nid), number in numbers.items():
            by_facet.setdefault(fid, {})[nid] = number
        self._facets = [(fid, by_facet.get(fid, {})) for fid in facets if fid in TAG_FACETS]
        self._lists: dict[tuple[str, ...], list[int]] = {}

    def __call__(self, paper: Paper) -> list[int]:
        tags = paper.tags.__dict__
        out: list[int] = []
        for fid, known in self._facets:
            listed = tags[fid]
            if listed:
                key = (fid, *listed)
                found = self._lists.get(key)
                if found is None:
                    found = self._lists[key] = [known[t] for t in dict.fromkeys(listed) if t in known]
                out += found
        return out


def index_row(paper: Paper, own: OwnTags, hybrid: bool, datasets: dict[str, int], cites: list[int]) -> str:
    """One paper's row of the index, as compact JSON (columns in the order of :data:`COLUMNS`; ``datasets`` gives
    the position of each dataset id, ``cites`` the positions of the papers it cites)."""
    ascending = sorted(cites)
    flags = (HAS_CODE if paper.links.code else 0) \
        | (OFFICIAL_CODE if any(c.official for c in paper.links.code) else 0) \
        | (HYBRID if hybrid else 0)
    row = [paper.id, paper.title, LIST_SEPARATOR.join(paper.authors), paper.year, paper.venue,
           KINDS.index(paper.kind), BIBTEX_TYPES.index(bibtex_type(paper.venue)), flags,
           own(paper), paper.ids.arxiv or "", paper.ids.doi or "", paper.short_name,
           [datasets[d] for d in paper.datasets if d in datasets],
           [b - a for a, b in zip([0, *ascending], ascending, strict=False)]]
    return compact_json(row)


def explore_index(model: SiteModel) -> str:
    """The index document as compact JSON."""
    numbers = node_numbers(model.taxonomy)
    facet_rows, nodes = taxonomy_rows(model.taxonomy)
    facets = list(model.taxonomy.facets)
    hybrids = model.hybrid_set
    own = OwnTags(facets, numbers)
    aliases = [list(model.taxonomy.facet(fid).nodes[nid].aliases) for (fid, nid) in numbers]
    datasets = {d.id: i for i, d in enumerate(model.datasets)}
    position = {p.id: i for i, p in enumerate(model.papers)}
    facts = model.citations.papers if model.citations is not None else {}
    rows = [index_row(p, own, p.id in hybrids, datasets,
                      [position[c] for c in fact.cites if c in position] if (fact := facts.get(p.id)) else [])
            for p in model.papers]
    head = {"v": INDEX_VERSION, "facets": facet_rows, "nodes": nodes, "aliases": aliases, "kinds": list(KINDS),
            "types": list(BIBTEX_TYPES), "datasets": [[d.id, d.name] for d in model.datasets],
            "citations": model.citations is not None, "cols": list(COLUMNS)}
    # "papers" is the last key: the document is the head without its closing brace, then the rows.
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"papers":[' + ",".join(rows) + "]}\n"


def explore_summaries(model: SiteModel) -> str:
    """The summaries document as compact JSON (one summary per paper, in the index's order)."""
    return compact_json({"v": INDEX_VERSION, "summaries": [p.summary for p in model.papers]}) + "\n"
