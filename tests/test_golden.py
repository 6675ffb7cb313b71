"""Golden files: every generated file of the tiny knowledge base, byte for byte.

Refresh after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from site_builder.build.pipeline import generate
from site_builder.build.write import WriteStats
from site_builder.citations.snapshot import load_snapshot
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.model import SiteInfo, build_model
from site_builder.site.render import render_site
from tests.conftest import GOLDEN_KB, make_site_project

GOLDEN_OUT = GOLDEN_KB.parent / "out"
#: The curation page measures "older than a year" from the build date: a fixed one keeps the files stable.
pytestmark = pytest.mark.usefixtures("fixed_today")
INFO = SiteInfo("Test KB", "https://github.com/example/kb", site_url="https://example.org/kb/")


def _render() -> dict[str, bytes]:
    kb, problems = load_knowledge_base(Project(GOLDEN_KB))
    snapshot = load_snapshot(Project(GOLDEN_KB))
    assert kb is not None and not problems and not snapshot.problems
    return render_site(build_model(kb, INFO, snapshot))


def test_generated_files_match_golden() -> None:
    outputs = _render()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN_OUT, ignore_errors=True)
        for key, data in outputs.items():
            (GOLDEN_OUT / key).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN_OUT / key).write_bytes(data)
    expected = sorted(p.relative_to(GOLDEN_OUT).as_posix() for p in GOLDEN_OUT.rglob("*") if p.is_file())
    assert sorted(outputs) == expected, "set of generated files changed (UPDATE_GOLDEN=1 refreshes)"
    for key in expected:
        assert outputs[key].decode() == (GOLDEN_OUT / key).read_text(encoding="utf-8"), key


def test_every_record_and_node_has_a_page() -> None:
    outputs = _render()
    kb, _ = load_knowledge_base(Project(GOLDEN_KB))
    assert kb is not None
    for paper in kb.papers:
        assert f"papers/{paper}/index.md" in outputs
    for dataset in kb.datasets:
        assert f"datasets/{dataset}/index.md" in outputs
    for node in kb.taxonomy.all_nodes():
        assert f"topics/{node.facet}/{node.id}/index.md" in outputs


def test_render_is_deterministic() -> None:
    assert _render() == _render()


def test_second_generate_rewrites_nothing(tmp_path: Path) -> None:
    project = Project(make_site_project(tmp_path / "kb"))
    first = generate(project)
    assert not first.failed and first.stats is not None
    assert first.stats == WriteStats(first.generated, 0, 0)
    second = generate(project)
    assert second.stats == WriteStats(0, first.generated, 0)


def test_removed_record_removes_its_page(tmp_path: Path) -> None:
    project = Project(make_site_project(tmp_path / "kb"))
    generate(project)
    (project.papers / "charlie.yaml").unlink()
    result = generate(project)
    assert result.stats is not None and result.stats.removed == 1
    assert not (project.docs / "papers" / "charlie").exists()
    assert (project.docs / "contribute.md").is_file()


@pytest.mark.parametrize("page", ["papers/xss/index.md", "index.md", "explore/index.md", "topics/index.md",
                                  "candidates/index.md", "graph/index.md", "trends/index.md"])
def test_hostile_text_never_appears_as_markup(page: str) -> None:
    text = _render()[page].decode()
    for needle in ("<script", "<img", "<iframe", 'href="javascript', "](javascript", "**bold**"):
        assert needle not in text, (page, needle)
