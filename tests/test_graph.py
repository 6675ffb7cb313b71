"""The citation graph on small hand-made snapshots: edges, metrics, candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from site_builder.citations import graph as g
from site_builder.citations.snapshot import SnapshotRecord, dump, load_snapshot
from site_builder.kb.models import Paper
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.kb.taxonomy import Taxonomy
from tests.conftest import KbFactory, paper_yaml


def s2(name: str) -> str:
    return (name * 40)[:40]


def ref(name: str, arxiv: str | None = None, doi: str | None = None, title: str | None = None,
        influential: bool = False, intents: tuple[str, ...] = ()) -> dict[str, Any]:
    ext: dict[str, Any] = {}
    if arxiv:
        ext["ArXiv"] = arxiv
    if doi:
        ext["DOI"] = doi
    out: dict[str, Any] = {"paperId": s2(name), "title": title or f"Paper {name}", "year": 2020, "externalIds": ext,
                           "isInfluential": influential, "intents": list(intents)}
    return out


def snapshot_file(pid: str, refs: list[dict[str, Any]], cited: int = 0) -> str:
    return dump({"schema": 1, "id": pid, "fetched": "2026-11-28", "resolved_by": f"ARXIV:{pid}", "record_key": "k",
                 "status": "ok", "paper": {"paperId": s2(pid[0]), "title": pid, "citationCount": cited},
                 "references": refs})


def record(pid: str, objective: str, arxiv: str | None = None, doi: str | None = None) -> str:
    ids = "".join([f'\n  arxiv: "{arxiv}"' if arxiv else "", f"\n  doi: {doi}" if doi else ""]) or "{}"
    tags = f"\n  objective: [{objective}]\n  modality: [image, text]"
    return paper_yaml(pid, ids=ids, tags=tags, links="{}")


@pytest.fixture
def collection(kb: KbFactory) -> tuple[dict[str, Paper], dict[str, SnapshotRecord], Taxonomy, Path]:
    """a, b, d fetched; c and e not. a -> b (S2 id), a -> c (arXiv with version), b -> c (arXiv), b -> d (DOI in
    another case), d -> c (arXiv); outside paper X is cited by a and b, Y by a only; a also cites itself."""
    root = kb({
        "papers/a.yaml": record("a", "contrastive", arxiv="2101.00001"),
        "papers/b.yaml": record("b", "matching", arxiv="2101.00002"),
        "papers/c.yaml": record("c", "contrastive", arxiv="2101.00003"),
        "papers/d.yaml": record("d", "auto-encoding", doi="10.1000/ABC"),
        "papers/e.yaml": record("e", "clustering", arxiv="2101.00005"),
        "data/semantic-scholar/a.json": snapshot_file("a", [
            ref("b", influential=True, intents=("methodology",)), ref("c3", arxiv="2101.00003v2"),
            ref("a"), ref("x", title="Outside X"), ref("y", title="Outside Y"),
            ref("b", intents=("background",))], cited=50),
        "data/semantic-scholar/b.json": snapshot_file("b", [
            ref("c3", arxiv="2101.00003"), ref("d4", doi="10.1000/abc"), ref("x", title="Outside X")], cited=9),
        "data/semantic-scholar/d.json": snapshot_file("d", [ref("c3", arxiv="arXiv:2101.00003")]),
    })
    kb_, problems = load_knowledge_base(Project(root))
    snap = load_snapshot(Project(root))
    assert kb_ is not None and problems == [] and snap.problems == []
    return kb_.papers, snap.records, kb_.taxonomy, root


Collection = tuple[dict[str, Paper], dict[str, SnapshotRecord], Taxonomy, Path]


def test_known_edges_and_neighbours(collection: Collection) -> None:
    papers, snap, _, _ = collection
    graph = g.build_graph(papers, snap)
    assert sorted(graph.nodes) == ["a", "b", "c", "d", "e"]
    assert sorted(graph.edges) == [("a", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("d", "c")]
    assert graph.edges["a", "b"] == {"isInfluential": True, "intents": ("background", "methodology")}
    assert graph.nodes["a"] == {"title": papers["a"].title, "year": 2021, "kind": "method", "paperId": s2("a"),
                                "citationCount": 50}
    assert graph.nodes["c"] == {"title": papers["c"].title, "year": 2021, "kind": "method"}
    assert (g.cites(graph, "b"), g.cited_by(graph, "c"), g.cited_by(graph, "e")) == (["c", "d"], ["a", "b", "d"], [])


def test_ranked_in_degrees_most_cited_first_ties_in_id_order(collection: Collection) -> None:
    papers, snap, _, _ = collection
    graph = g.build_graph(papers, snap)
    counts = {str(n): int(d) for n, d in graph.in_degree() if d > 0}
    assert g.ranked(counts) == [("c", 3), ("b", 1), ("d", 1)]
    assert g.ranked(counts, top=1) == [("c", 3)]


def test_flows_between_taxonomy_nodes(collection: Collection) -> None:
    papers, snap, taxonomy, _ = collection
    graph = g.build_graph(papers, snap)
    facet = taxonomy.facet("objective")
    tags = g.facet_tags(papers, "objective")
    assert g.flows(graph, tags, facet, with_ancestors=False) == {
        ("auto-encoding", "contrastive"): 1, ("contrastive", "contrastive"): 1, ("contrastive", "matching"): 1,
        ("matching", "auto-encoding"): 1, ("matching", "contrastive"): 1}
    with_parents = g.flows(graph, tags, facet)
    assert with_parents[("instance-discrimination", "instance-discrimination")] == 3
    assert with_parents[("masked-prediction", "instance-discrimination")] == 1
    assert sum(with_parents.values()) == 5 * 2 * 2  # each edge joins two papers of one tag and one ancestor each


@pytest.mark.parametrize(("k", "expected"), [
    (1, [("Outside X", ("a", "b")), ("Outside Y", ("a",))]),
    (2, [("Outside X", ("a", "b"))]),
    (3, []),
], ids=["k1", "k2", "k3"])
def test_candidates_threshold(collection: Collection, k: int, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    papers, snap, _, _ = collection
    found = g.candidates(papers, snap, k)
    assert [(c.title, c.cited_by) for c in found] == expected
    if found:
        assert found[0].paperId == s2("x")


def test_identifier_normalisation() -> None:
    assert g.normalise_arxiv(" arXiv:2103.00020v3 ") == "2103.00020"
    assert g.normalise_arxiv("cs/0501001v1") == "cs/0501001"
    assert g.normalise_doi("https://doi.org/10.1109/TPAMI.2024.3429301") == "10.1109/tpami.2024.3429301"


def test_graph_without_snapshot_has_nodes_and_no_edges(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": record("a", "contrastive", arxiv="2101.00001")})
    kb_, _ = load_knowledge_base(Project(root))
    assert kb_ is not None
    snap = load_snapshot(Project(root))
    graph = g.build_graph(kb_.papers, snap.records)
    assert (snap.present, list(graph.nodes), list(graph.edges)) == (False, ["a"], [])


def test_ranked_top_is_the_sorted_list_cut() -> None:
    """With ``top``, the ranking is the full ranking cut after ``top`` entries, ties at the cut broken by id too."""
    import itertools
    import random

    rng = random.Random(7)
    for _ in range(200):
        scores = {f"p{rng.randrange(10_000):05d}": rng.randrange(4) for _ in range(rng.randrange(1, 60))}
        full = g.ranked(scores)
        assert [score for _, score in full] == sorted(scores.values(), reverse=True)
        assert all(a < b for (a, x), (b, y) in itertools.pairwise(full) if x == y)  # equal scores in id order
        for top in (0, 1, 3, 20, 100):
            assert g.ranked(scores, top) == full[:top]
