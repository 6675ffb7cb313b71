"""taxonomy.yaml is validated itself, and answers ancestor/descendant questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.kb.taxonomy import REQUIRED_FACETS, load_taxonomy
from tests.conftest import REPO

FACETS = "".join(
    f"  - id: {f}\n    label: {f.title()}\n    description: The {f} facet.\n    nodes:\n"
    f"      - id: {f}-a\n        label: A\n        description: Node a.\n"
    for f in REQUIRED_FACETS if f != "objective"
)


def write(tmp_path: Path, objective_nodes: str) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("version: 1\nfacets:\n  - id: objective\n    label: Objective\n    description: Objectives.\n"
                    "    nodes:\n" + objective_nodes + FACETS, encoding="utf-8")
    return path


def test_repository_taxonomy_is_valid_and_complete() -> None:
    taxonomy, problems = load_taxonomy(REPO / "taxonomy.yaml")
    assert problems == [] and taxonomy is not None
    assert list(taxonomy.facets) == list(REQUIRED_FACETS)
    objective = taxonomy.facet("objective")
    assert objective.ancestors("contrastive") == ["instance-discrimination"]
    assert objective.descendants("masked-prediction") == ["auto-encoding", "auto-regressive"]
    assert objective.closure(["auto-regressive", "clustering"]) == {"auto-regressive", "masked-prediction",
                                                                    "clustering"}
    arch = taxonomy.facet("architecture")
    assert set(arch.nodes) >= {"fusion-encoder", "fusion-decoder", "shallow-prompt", "deep-interaction",
                               "fusion-free"}
    assert set(taxonomy.facet("alignment").nodes) >= {"noisy-paired", "unpaired", "mix-paired", "implicit",
                                                       "explicit"}
    for node in taxonomy.all_nodes():
        assert node.description.strip() and node.label.strip()


@pytest.mark.parametrize(("nodes", "line", "code"), [
    ("      - id: a\n        label: A\n        description: x\n      - id: a\n        label: B\n"
     "        description: y\n", 10, "taxonomy-duplicate-node"),
    ("      - id: a\n        label: A\n        description: x\n        children:\n          - id: a\n"
     "            label: B\n            description: y\n", 11, "taxonomy-duplicate-node"),
    ("      - id: a\n        label: A\n        description: ''\n", 9, "empty-text"),
    ("      - id: a\n        label: A\n        description: x\n        aliases: [b]\n      - id: b\n"
     "        label: B\n        description: y\n", 10, "taxonomy-alias-clash"),
    ("      - id: a\n        label: A\n", 7, "missing-field"),
], ids=["repeated-node", "repeated-in-subtree", "empty-description", "alias-is-an-id", "no-description"])
def test_bad_taxonomies(tmp_path: Path, nodes: str, line: int, code: str) -> None:
    _taxonomy, problems = load_taxonomy(write(tmp_path, nodes))
    assert [(p.line, p.code) for p in problems] == [(line, code)]


def test_missing_facet_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "      - id: a\n        label: A\n        description: x\n")
    path.write_text(path.read_text().replace("id: challenge", "id: challenges"), encoding="utf-8")
    _, problems = load_taxonomy(path)
    assert sorted(p.code for p in problems) == ["taxonomy-missing-facet", "taxonomy-unknown-facet"]
