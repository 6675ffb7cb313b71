"""The stats command: counts per node with descendants, years, code."""

from __future__ import annotations

import json

import pytest

from site_builder.cli.commands import main
from site_builder.site.schema_doc import schema_markdown
from tests.conftest import KbFactory, paper_yaml


def test_stats_counts_descendants_years_and_code(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({
        "papers/a.yaml": paper_yaml("a", ids="\n  arxiv: '2101.00001'"),
        "papers/b.yaml": paper_yaml("b", ids="\n  arxiv: '2101.00002'", year="2022", venue="arXiv", links="{}",
                                    tags="\n  objective: [matching, auto-encoding]\n  architecture: [fusion-encoder]"
                                         "\n  modality: [video]"),
    })
    assert main(["stats", "--root", str(root), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    nodes = {(n["facet"], n["node"]): n["papers"] for n in doc["nodes"]}
    assert nodes[("objective", "instance-discrimination")] == 2
    assert nodes[("objective", "contrastive")] == 1
    assert nodes[("objective", "masked-prediction")] == 1
    assert nodes[("architecture", "joint-fusion")] == 1
    assert doc["years"] == {"2021": 1, "2022": 1}
    assert (doc["with_code"], doc["with_official_code"], doc["multi_objective"]) == (1, 1, 1)
    assert doc["untagged"]["alignment"] == 2


def test_stats_text_table(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a")})
    assert main(["stats", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 paper\n\nobjective                papers  methods\n")
    assert "  contrastive                 1        1\n" in out
    assert "without code" in out


def test_schema_doc_lists_every_field() -> None:
    from site_builder.kb.models import Dataset, Paper

    text = schema_markdown()
    for name in [*Paper.model_fields, *Dataset.model_fields]:
        assert f"| `{name}` |" in text
    assert "| `links.code.official` | true/false | yes |" in text
