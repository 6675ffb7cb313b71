"""Derived views: ancestor closure, node membership, the Hybrid view, dataset usage, ordering."""

from __future__ import annotations

import pytest

from site_builder.project import Project
from site_builder.records import load_knowledge_base
from site_builder.sitemodel import SiteInfo, SiteModel, build_model, own_tags
from tests.conftest import GOLDEN_KB


@pytest.fixture(scope="module")
def model() -> SiteModel:
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    return build_model(kb, SiteInfo("Test", None))


def test_papers_are_newest_first_then_by_title(model: SiteModel) -> None:
    assert [p.id for p in model.papers] == ["delta", "alpha", "bravo", "echo", "charlie", "xss"]


def test_a_tag_counts_for_its_ancestors(model: SiteModel) -> None:
    assert model.node_papers[("objective", "contrastive")] == ["alpha", "bravo", "echo"]
    assert model.node_papers[("objective", "instance-discrimination")] == ["alpha", "bravo", "echo", "charlie", "xss"]
    assert model.count("objective", "masked-prediction") == 2
    assert model.count("alignment", "coarse-grained") == 1


def test_hybrid_needs_two_distinct_objectives(model: SiteModel) -> None:
    assert model.hybrid == ["bravo"]
    objective = model.taxonomy.facet("objective")
    assert own_tags(objective, ["instance-discrimination", "contrastive"]) == ["contrastive"]


def test_spread_over_another_facet(model: SiteModel) -> None:
    ids = model.node_papers[("objective", "contrastive")]
    assert model.spread(ids, model.taxonomy.facet("architecture")) == \
        {"joint-fusion": 1, "fusion-encoder": 1, "fusion-free": 2}


def test_dataset_usage_and_newest(model: SiteModel) -> None:
    assert model.dataset_papers == {"pairs": ["alpha", "bravo"]}
    assert model.newest[:3] == ["delta", "bravo", "alpha"]
    assert model.years == [2018, 2019, 2020, 2021, 2022]


def test_counts_from_masks_equal_counts_from_walking_the_papers(model: SiteModel) -> None:
    for (fid, nid), ids in model.node_papers.items():
        years: dict[int, int] = {}
        for pid in ids:
            years[model.by_id[pid].year] = years.get(model.by_id[pid].year, 0) + 1
        assert model.year_counts(ids) == model.year_counts(model.node_mask(fid, nid)) == years
        for other in model.taxonomy.facets.values():
            walked = {n: c for n in other.nodes if (c := sum(n in model.closure[pid][other.id] for pid in ids))}
            assert model.spread(ids, other) == model.spread(model.node_mask(fid, nid), other) == walked
    assert model.year_counts([]) == {} and model.node_mask("objective", "no-such-node") == 0


def test_moved_papers_are_put_back_in_order() -> None:
    import random

    from site_builder.sitemodel import MOVED_IN_PLACE, _moved_in

    rng = random.Random(7)
    for trial in range(200):
        order = [f"p{i}" for i in range(rng.randint(1, 60))]
        moved = set(rng.sample(order, rng.randint(0, min(len(order), MOVED_IN_PLACE + 5))))
        new_order = [p for p in order if p not in moved]
        for pid in sorted(moved):
            new_order.insert(rng.randint(0, len(new_order)), pid)
        rank = {pid: i for i, pid in enumerate(new_order)}.__getitem__
        members = sorted(rng.sample(order, rng.randint(0, len(order))), key=order.index)  # in the old order
        assert _moved_in(members, rank, moved) == sorted(members, key=rank), trial


def test_the_memo_takes_the_record_files_over_only_while_ids_and_files_stay() -> None:
    from types import SimpleNamespace

    from site_builder.records import Entry
    from site_builder.sitemodel import ModelMemo, _sources

    def entry(pid: str, path: str) -> Entry[object]:
        return Entry(SimpleNamespace(id=pid), path)

    memo = ModelMemo()
    entries = [entry(f"p{i}", f"papers/p{i}.yaml") for i in range(6)] + [entry("p2", "papers/p2-copy.yaml")]
    first = memo.sources(entries)  # type: ignore[arg-type]
    assert first == _sources(entries) and first["p2"] == "papers/p2.yaml"  # the first file wins a clash
    edited = list(entries)
    edited[3] = entry("p3", "papers/p3.yaml")  # the same file read again
    assert memo.sources(edited) is first  # type: ignore[arg-type]
    for i, changed in ((3, entry("p3", "papers/renamed.yaml")), (4, entry("p9", "papers/p4.yaml")),
                       (0, entry("p2", "papers/p0.yaml"))):
        now = list(edited)
        now[i] = changed
        assert memo.sources(now) == _sources(now), i  # type: ignore[arg-type]
    assert memo.sources(entries[:-1]) == _sources(entries[:-1])  # type: ignore[arg-type]
