"""The content-hash record cache: warm loads equal cold ones, edits and damage are handled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.checks.validate import validate
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from tests.conftest import KbFactory, dataset_yaml, paper_yaml


def records_dir(root: Path) -> Path:
    return Project(root).cache / "records"


def snapshot(root: Path) -> tuple[list[object], list[object], list[str]]:
    kb, problems = load_knowledge_base(Project(root))
    assert kb is not None
    return ([e.record for e in kb.paper_entries], [e.record for e in kb.dataset_entries],
            [p.as_text() for p in problems])


def test_warm_cache_gives_the_same_records_and_problems(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", kind="methd"),
               "datasets/coco.yaml": dataset_yaml()})
    cold = snapshot(root)
    shards = sorted(p.name for p in records_dir(root).glob("*-*.json"))
    assert len(shards) == 2  # one paper and one dataset cached; the broken record is not
    assert shards[0].startswith("dataset-") and shards[1].startswith("paper-")
    warm = snapshot(root)
    assert warm == cold
    uncached, _ = load_knowledge_base(Project(root), use_cache=False)
    assert uncached is not None and [e.record for e in uncached.paper_entries] == cold[0]


def test_cached_records_still_report_exact_lines(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/c.yaml": paper_yaml("c")})
    first = [p.as_text() for p in validate(Project(root)).problems]
    second = [p.as_text() for p in validate(Project(root)).problems]
    assert first == second == [
        "papers/c.yaml:10:10: error [duplicate-arxiv] arXiv id '2103.00020' is also in papers/a.yaml"]


def test_edited_file_is_read_again(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a")})
    snapshot(root)
    (root / "papers/a.yaml").write_text(paper_yaml("a", year="2022", venue="arXiv"), encoding="utf-8")
    papers, _, _ = snapshot(root)
    assert papers[0].year == 2022  # type: ignore[attr-defined]


def test_damaged_cache_is_ignored(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a")})
    cold = snapshot(root)
    for shard in records_dir(root).glob("paper-*.json"):
        text = shard.read_text()
        assert '"year":2021' in text
        shard.write_text(text.replace('"year":2021', '"year":"not a year"'))
    assert snapshot(root) == cold
    for shard in records_dir(root).glob("*.json"):
        shard.write_text("{truncated")
    assert snapshot(root) == cold


def test_entries_of_deleted_files_are_pruned(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", ids="{}")})
    snapshot(root)
    (root / "papers/b.yaml").unlink()
    snapshot(root)
    ids = [record["id"] for shard in records_dir(root).glob("paper-*.json")
           for record in json.loads(shard.read_text()).values()]
    assert ids == ["a"]


def test_the_cache_lives_where_the_setting_says(kb: KbFactory, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a")})
    monkeypatch.setenv("SITE_BUILDER_CACHE", str(tmp_path / "elsewhere"))
    snapshot(root)
    assert list((tmp_path / "elsewhere" / "records").glob("paper-*.json"))
    monkeypatch.delenv("SITE_BUILDER_CACHE")
    assert Project(root).cache == root / ".cache" / "site-builder"
