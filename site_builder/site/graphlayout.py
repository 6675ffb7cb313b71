"""A deterministic layout of the citation graph, computed at build time so that the browser only draws.

Columns are publication years, oldest on the left, so every citation points back in time (right to left) and the
picture reads as a timeline. Inside a year, papers are ordered so that a paper sits near the papers it cites and
is cited by: a few sweeps (the barycentre heuristic of layered graph drawing) move every paper to the mean height
of its neighbours and re-rank each year by it, then the papers of a year fill a block of rows from top to bottom
in that order. Ties fall back to a hash of the id, so the same graph always gives the same picture. Cost per
sweep: one sort of the papers plus one look at every edge (numpy); no step compares all pairs of papers.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Layout units between neighbouring papers (the browser scales the picture to its canvas).
CELL = 10
#: Empty cells between two year columns.
YEAR_GAP = 3
#: Width over height of the whole picture, roughly.
ASPECT = 1.6
SWEEPS = 4


@dataclass(frozen=True)
class Layout:
    """Positions in layout units, the picture's size and the centre of each year's column."""

    width: int
    height: int
    positions: dict[str, tuple[int, int]]
    years: list[tuple[int, int]]


def _tiebreak(pid: str) -> float:
    return int.from_bytes(hashlib.sha1(pid.encode("utf-8")).digest()[:6], "big") / float(1 << 48)


def _rank(members: np.ndarray, key: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Relative heights in (0, 1) of ``members`` (paper numbers of one year) sorted by ``key``, then ``ties``."""
    order = members[np.lexsort((members, ties[members], key))]
    heights: np.ndarray = np.empty(len(ties))
    heights[order] = (np.arange(len(order)) + 0.5) / len(order)
    ranked: np.ndarray = heights[members]
    return ranked


def year_layout(years: Mapping[str, int], edges: Iterable[tuple[str, str]], sweeps: int = SWEEPS) -> Layout:
    """Lay out the papers ``years`` (id -> year) joined by citation ``edges`` (their direction does not matter)."""
    ids = sorted(years)
    if not ids:
        return Layout(CELL, CELL, {}, [])
    number = {pid: i for i, pid in enumerate(ids)}
    pairs = [(number[a], number[b]) for a, b in edges if a in number and b in number and a != b]
    ends = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return _layout(ids, years, ends, sweeps)


def year_layout_arrays(years: Mapping[str, int], order: Sequence[str], sources: np.ndarray, targets: np.ndarray,
                       sweeps: int = SWEEPS) -> Layout:
    """:func:`year_layout` of citations given as arrays of paper numbers (``order[i]`` is paper ``i``; no loops,
    every end a key of ``years``): the same layout without a Python step per citation."""
    ids = sorted(years)
    if not ids:
        return Layout(CELL, CELL, {}, [])
    number = {pid: i for i, pid in enumerate(ids)}
    renumber = np.array([number[pid] for pid in order], dtype=np.int64)
    return _layout(ids, years, np.column_stack((renumber[sources], renumber[targets])), sweeps)


def _layout(ids: list[str], years: Mapping[str, int], ends: np.ndarray, sweeps: int) -> Layout:
    """The layout of papers ``ids`` (sorted) joined by ``ends`` (pairs of their numbers, in any order)."""
    # Sums of neighbour heights are taken in one fixed order of the citations (by their ends), so that the same
    # graph always gives the same floating-point sums, whatever order its citations came in.
    ends = ends[np.lexsort((ends[:, 1], ends[:, 0]))]
    src = np.concatenate([ends[:, 0], ends[:, 1]])
    dst = np.concatenate([ends[:, 1], ends[:, 0]])
    year = np.array([years[pid] for pid in ids], dtype=np.int64)
    ties = np.array([_tiebreak(pid) for pid in ids])
    degree = np.bincount(src, minlength=len(ids))
    columns = sorted(set(years.values()))
    members = {y: np.flatnonzero(year == y) for y in columns}
    outgoing = {y: (src[year[src] == y], dst[year[src] == y]) for y in columns}
    where = np.empty(len(ids))
    for y in columns:
        where[members[y]] = _rank(members[y], ties[members[y]], ties)
    # Each sweep visits the years in turn (forward, then backward): a year's papers move to the mean height of
    # their neighbours as they are now, so later years already see the new order (this does not oscillate).
    for sweep in range(sweeps):
        for y in columns if sweep % 2 == 0 else reversed(columns):
            near_src, near_dst = outgoing[y]
            total = np.bincount(near_src, weights=where[near_dst], minlength=len(ids))[members[y]]
            count = degree[members[y]]
            key = np.where(count > 0, total / np.maximum(count, 1), where[members[y]])
            where[members[y]] = _rank(members[y], key, ties)
    by_year: dict[int, list[str]] = defaultdict(list)
    for i in np.lexsort((np.arange(len(ids)), where)):
        by_year[int(year[i])].append(ids[i])
    height_in_rows = max(1, math.ceil(math.sqrt(len(ids) / ASPECT)))
    height = height_in_rows * CELL
    positions: dict[str, tuple[int, int]] = {}
    centres: list[tuple[int, int]] = []
    x0 = 0
    for y in sorted(by_year):
        column = by_year[y]
        cols = math.ceil(len(column) / height_in_rows)
        rows = math.ceil(len(column) / cols)
        for rank, pid in enumerate(column):
            row, col = divmod(rank, cols)
            positions[pid] = (x0 + col * CELL + CELL // 2, round((row + 0.5) * height / rows))
        centres.append((y, x0 + cols * CELL // 2))
        x0 += (cols + YEAR_GAP) * CELL
    return Layout(max(CELL, x0 - YEAR_GAP * CELL), height, positions, centres)
