"""Derived views: ancestor closure, node membership, the Hybrid view, dataset usage, ordering."""

from __future__ import annotations

import pytest

from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.model import SiteInfo, SiteModel, build_model, own_tags
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
