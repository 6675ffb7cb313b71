"""Similar papers: for each paper, the few papers of the collection closest to it, each with a one-line reason.

Closeness is a sum of IDF-like weights, ``log(N / n)`` for something ``n`` of the ``N`` papers have:

- every taxonomy node both papers sit at or below (a node few papers carry says more than "general");
- with citation data, every reference both papers cite inside the collection (bibliographic coupling, weighted by
  how few papers cite that reference) and every paper that cites both (co-citation, weighted by how few papers that
  citer cites).

Ties go to the smaller id, so the same records always give the same lists. Not every pair is compared: the
candidates of a paper come from inverted indices, the papers at its rarest nodes (see :data:`CANDIDATES`) and
those sharing a reference or a citer with it; each candidate is then scored in full.

Scoring is a large part of a regeneration and reads neither summaries nor titles, so :func:`cached_similar_papers`
keeps its result under the digest of its inputs and of this module's code (:mod:`site_builder.kb.keyed_cache`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from site_builder.kb.keyed_cache import KeyedFile, code_digest, content_key
from site_builder.kb.taxonomy import Taxonomy
from site_builder.safe.http import MIB, Limits

#: How many similar papers a paper page lists.
SIMILAR = 5
#: How many shared nodes a reason names.
REASON_NODES = 3
#: About this many candidates are scored per paper: half of them the papers with the highest citation score (shared
#: references and citers), the rest the papers at the paper's rarest nodes, rarest first (each node's papers by id).
#: Scoring every paper sharing any node would compare nearly all pairs, since broad nodes ("general", a facet's
#: root) are on most papers.
CANDIDATES = 100
#: Where :func:`cached_similar_papers` keeps its result, in the cache folder.
CACHE_NAME = "similar.json"
CACHE_LIMITS = Limits(max_decoded=256 * MIB, max_json_containers=5_000_000, max_json_values=50_000_000)

Node = tuple[str, str]


@dataclass(frozen=True)
class Similar:
    """One similar paper and why."""

    id: str
    score: float
    reason: str


def _idf(total: int, n: int) -> float:
    return math.log(total / n) if n else 0.0


class _CitationScores:
    """Citation scores of every paper against one paper, through numpy: the papers sharing a reference (coupling)
    or a citer (co-citation), each shared one weighted by how rare it is."""

    def __init__(self, ids: Sequence[str], cites: Mapping[str, Sequence[str]]) -> None:
        at = {pid: i for i, pid in enumerate(ids)}
        refs = [sorted({at[r] for r in cites.get(pid, ()) if r in at and r != pid}) for pid in ids]
        citers: list[list[int]] = [[] for _ in ids]
        for i, out in enumerate(refs):
            for r in out:
                citers[r].append(i)
        total = len(ids)
        self.refs = [np.array(r, dtype=np.int64) for r in refs]
        self.citers = [np.array(c, dtype=np.int64) for c in citers]
        self.n_refs = np.array([len(r) for r in refs], dtype=np.int64)
        self.n_citers = np.array([len(c) for c in citers], dtype=np.int64)
        self.ref_weight = np.array([_idf(total, len(c)) for c in citers])
        self.citer_weight = np.array([_idf(total, len(r)) for r in refs])

    def best(self, i: int, want: int) -> dict[int, tuple[float, int, int]]:
        """The ``want`` papers with the highest citation score to paper ``i`` (ties by position): position ->
        (score, common references, common citers)."""
        r, c = self.refs[i], self.citers[i]
        parts = [self.citers[j] for j in r] + [self.refs[k] for k in c]
        if not parts:
            return {}
        others = np.concatenate(parts)
        coupled = int(self.n_citers[r].sum())
        weights = np.concatenate([np.repeat(self.ref_weight[r], self.n_citers[r]),
                                  np.repeat(self.citer_weight[c], self.n_refs[c])])
        found, inverse = np.unique(others, return_inverse=True)
        score = np.bincount(inverse, weights, minlength=len(found))
        n_coupled = np.bincount(inverse[:coupled], minlength=len(found))
        n_cocited = np.bincount(inverse[coupled:], minlength=len(found))
        keep = found != i
        order = np.lexsort((found[keep], -score[keep]))[:want]
        f, s, nc, nk = found[keep][order], score[keep][order], n_coupled[keep][order], n_cocited[keep][order]
        return {int(o): (float(x), int(a), int(b)) for o, x, a, b in zip(f, s, nc, nk, strict=True)}


def similar_papers(ids: Sequence[str], closures: Mapping[str, frozenset[Node]], taxonomy: Taxonomy,
                   cites: Mapping[str, Sequence[str]] | None = None, top: int = SIMILAR) -> dict[str, list[Similar]]:
    """paper id -> its ``top`` most similar papers, best first. ``closures`` gives each paper's nodes with their
    ancestors; ``cites`` each paper's references inside the collection (None without citation data)."""
    order = sorted(ids)  # positions in id order: ties between positions are ties between ids
    total = len(order)
    number: dict[Node, int] = {}
    sets: list[frozenset[int]] = []
    postings: list[list[int]] = []
    for i, pid in enumerate(order):
        numbers = []
        for node in closures[pid]:
            n = number.get(node)
            if n is None:
                n = number[node] = len(postings)
                postings.append([])
            postings[n].append(i)  # each list in id order
            numbers.append(n)
        sets.append(frozenset(numbers))
    nodes = list(number)
    weight = np.array([_idf(total, len(found)) for found in postings])
    # Each paper's nodes as a row of 0/1 over every node: a candidate's shared weight is one product.
    incidence = np.zeros((total, len(nodes)))
    for i, held in enumerate(sets):
        incidence[i, list(held)] = 1.0
    rarest = [(len(found), nodes[n]) for n, found in enumerate(postings)]
    node_weight = dict(zip(nodes, weight.tolist(), strict=True))
    citations = _CitationScores(order, cites) if cites else None
    labels = {(f.id, n.id): n.label for f in taxonomy.facets.values() for n in f.nodes.values()}
    parents = {(f.id, n.id): (f.id, n.parent) for f in taxonomy.facets.values() for n in f.nodes.values() if n.parent}
    result: dict[str, list[Similar]] = {}
    for i, pid in enumerate(order):
        mine = sets[i]
        linked = citations.best(i, CANDIDATES // 2) if citations else {}
        pool = set(linked)
        for at in sorted((n for n in mine if weight[n] > 0), key=rarest.__getitem__):
            if len(pool) >= CANDIDATES:
                break
            pool.update(postings[at][:CANDIDATES])
        pool.discard(i)
        if not pool:
            result[pid] = []
            continue
        candidates = np.fromiter(sorted(pool), dtype=np.int64, count=len(pool))
        scores = incidence[candidates] @ (incidence[i] * weight)
        if linked:
            scores += np.array([linked[o][0] if o in linked else 0.0 for o in candidates.tolist()])
        best = np.lexsort((candidates, -scores))[:top]  # highest score first, ties by id order
        result[pid] = [Similar(order[o], s, _reason(closures[pid] & closures[order[o]], node_weight, labels, parents,
                                                    *(linked[o][1:] if o in linked else (0, 0))))
                       for o, s in zip(candidates[best].tolist(), scores[best].tolist(), strict=True) if s > 0]
    return {pid: result[pid] for pid in ids}


def cached_similar_papers(cache: KeyedFile, ids: Sequence[str], closures: Mapping[str, frozenset[Node]],
                          taxonomy: Taxonomy, cites: Mapping[str, Sequence[str]] | None = None,
                          top: int = SIMILAR) -> dict[str, list[Similar]]:
    """:func:`similar_papers`, kept in ``cache`` under the digest of every argument and of this module."""
    inputs = [sorted(ids), sorted([pid, sorted(map(list, nodes))] for pid, nodes in closures.items()),
              None if cites is None else sorted([pid, sorted(refs)] for pid, refs in cites.items()),
              [[f.id, n.id, n.label, n.parent] for f in taxonomy.facets.values() for n in f.nodes.values()], top]
    key = content_key(code_digest(sys.modules[__name__]), inputs)
    found = _from_json(cache.get(key), ids)
    if found is not None:
        return {pid: found[pid] for pid in ids}
    result = similar_papers(ids, closures, taxonomy, cites, top)
    # Kept in id order: the display order (a title edit can change it) is not an input of the scores.
    cache.put(key, {pid: [[s.id, s.score, s.reason] for s in result[pid]] for pid in sorted(result)})
    return result


def _from_json(data: Any, ids: Sequence[str]) -> dict[str, list[Similar]] | None:
    """What :func:`cached_similar_papers` stored, checked for shape (None when it is not that)."""
    if not isinstance(data, dict) or sorted(data) != sorted(ids):
        return None
    try:
        out = {pid: [Similar(i, float(score), reason) for i, score, reason in row] for pid, row in data.items()}
    except (TypeError, ValueError):
        return None
    ok = all(isinstance(s.id, str) and s.id in data and isinstance(s.reason, str) for row in out.values() for s in row)
    return out if ok else None


def _lower(label: str) -> str:
    """A label inside a sentence: "Contrastive" -> "contrastive", "LiDAR" and "3D" kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _reason(shared: frozenset[Node], weight: Mapping[Node, float], labels: Mapping[Node, str],
            parents: Mapping[Node, Node], coupled: int, cocited: int) -> str:
    """"shares: contrastive, fusion-free, audio; 5 common references; cited together by 2 papers"."""
    implied = {parents[n] for n in shared if n in parents}
    own = sorted((n for n in shared if n not in implied and weight[n] > 0), key=lambda n: (-weight[n], n))
    parts = []
    if own:
        parts.append("shares: " + ", ".join(_lower(labels.get(n, n[1])) for n in own[:REASON_NODES]))
    if coupled:
        parts.append(f"{coupled} common reference{'s' if coupled != 1 else ''}")
    if cocited:
        parts.append(f"cited together by {cocited} paper{'s' if cocited != 1 else ''}")
    return "; ".join(parts)
