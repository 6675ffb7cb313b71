"""Collection statistics: papers per taxonomy node (descendants included), per year, with and without code."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from site_builder.kb.models import Paper
from site_builder.kb.report import plural
from site_builder.kb.taxonomy import Taxonomy
from site_builder.site.model import is_hybrid


@dataclass
class NodeCount:
    """Papers tagged with a node or any of its descendants."""

    facet: str
    node: str
    label: str
    depth: int
    papers: int
    #: Of those, the method papers (the survey's taxonomy sorts methods; coverage goals count these).
    methods: int = 0


@dataclass
class Stats:
    """Counts over the paper records."""

    total: int
    nodes: list[NodeCount] = field(default_factory=list)
    untagged: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    with_code: int = 0
    with_official_code: int = 0
    multi_objective: int = 0


def compute_stats(papers: list[Paper], taxonomy: Taxonomy) -> Stats:
    """Count papers per node (a tag counts for its ancestors too), per year and per code availability."""
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in taxonomy.facets}
    methods: dict[str, Counter[str]] = {facet: Counter() for facet in taxonomy.facets}
    untagged: Counter[str] = Counter()
    for paper in papers:
        for facet_id, facet in taxonomy.facets.items():
            tags = paper.tags.of(facet_id)
            if not tags:
                untagged[facet_id] += 1
            closure = facet.closure(tags)
            counts[facet_id].update(closure)
            if paper.kind == "method":
                methods[facet_id].update(closure)
    stats = Stats(total=len(papers))
    for facet_id, facet in taxonomy.facets.items():
        for node in facet.nodes.values():
            stats.nodes.append(NodeCount(facet_id, node.id, node.label, node.depth, counts[facet_id][node.id],
                                         methods[facet_id][node.id]))
        stats.untagged[facet_id] = untagged[facet_id]
    stats.years = dict(sorted(Counter(p.year for p in papers).items()))
    stats.kinds = dict(sorted(Counter(p.kind for p in papers).items()))
    stats.with_code = sum(1 for p in papers if p.links.code)
    stats.with_official_code = sum(1 for p in papers if any(c.official for c in p.links.code))
    stats.multi_objective = sum(1 for p in papers if is_hybrid(taxonomy, p))
    return stats


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                          strict=True)))
    return [line(headers), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def format_text(stats: Stats) -> str:
    """Plain-text tables, one per facet, then years, kinds and code availability."""
    out: list[str] = [plural(stats.total, "paper"), ""]
    facets: dict[str, list[NodeCount]] = {}
    for nc in stats.nodes:
        facets.setdefault(nc.facet, []).append(nc)
    for facet_id, nodes in facets.items():
        rows = [("  " * nc.depth + nc.node, str(nc.papers), str(nc.methods)) for nc in nodes]
        rows.append(("(untagged)", str(stats.untagged[facet_id]), ""))
        out += _table((facet_id, "papers", "methods"), rows) + [""]
    out += _table(("year", "papers"), [(str(y), str(n)) for y, n in stats.years.items()]) + [""]
    out += _table(("kind", "papers"), list((k, str(n)) for k, n in stats.kinds.items())) + [""]
    out += _table(("code", "papers"), [
        ("with code", str(stats.with_code)),
        ("with official code", str(stats.with_official_code)),
        ("without code", str(stats.total - stats.with_code)),
    ]) + [""]
    out += _table(("objectives", "papers"), [("hybrid methods (two or more objectives)", str(stats.multi_objective))])
    return "\n".join(out) + "\n"


def format_json(stats: Stats) -> str:
    """One JSON document."""
    doc = {
        "total": stats.total,
        "nodes": [{"facet": n.facet, "node": n.node, "label": n.label, "papers": n.papers,
                   "methods": n.methods} for n in stats.nodes],
        "untagged": stats.untagged,
        "years": {str(y): n for y, n in stats.years.items()},
        "kinds": stats.kinds,
        "with_code": stats.with_code,
        "with_official_code": stats.with_official_code,
        "multi_objective": stats.multi_objective,
    }
    return json.dumps(doc, indent=2) + "\n"
