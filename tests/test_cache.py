"""The content-hash record cache: warm loads equal cold ones, edits and damage are handled, and the file index
skips reading only files that are the same."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import site_builder.cache as cache_module
import site_builder.records as records
from site_builder.project import Project
from site_builder.records import load_knowledge_base
from site_builder.validate import validate
from tests.conftest import KbFactory, dataset_yaml, paper_yaml


def snapshot(root: Path) -> tuple[list[object], list[object], list[str]]:
    kb, problems = load_knowledge_base(Project(root))
    assert kb is not None
    return ([e.record for e in kb.paper_entries], [e.record for e in kb.dataset_entries],
            [p.as_text() for p in problems])


def test_warm_cache_gives_the_same_records_and_problems(kb: KbFactory) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", kind="methd"),
               "datasets/coco.yaml": dataset_yaml()})
    cold = snapshot(root)
    shards = sorted(p.name for p in (root / ".cache/site-builder/records").glob("*-*.json"))
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
    for shard in (root / ".cache/site-builder/records").glob("paper-*.json"):
        text = shard.read_text()
        assert '"year":2021' in text
        shard.write_text(text.replace('"year":2021', '"year":"not a year"'))
    assert snapshot(root) == cold
    for shard in (root / ".cache/site-builder/records").glob("*.json"):
        shard.write_text("{truncated")
    assert snapshot(root) == cold


def test_entries_of_deleted_files_are_pruned(kb: KbFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", ids="{}")})
    index = root / ".cache/site-builder/records/files.json"
    snapshot(root)
    assert sorted(json.loads(index.read_text())["files"]) == ["papers/a.yaml", "papers/b.yaml"]
    (root / "papers/b.yaml").unlink()
    snapshot(root)
    ids = [record["id"] for shard in (root / ".cache/site-builder/records").glob("paper-*.json")
           for record in json.loads(shard.read_text()).values()]
    assert ids == ["a"]
    assert sorted(json.loads(index.read_text())["files"]) == ["papers/a.yaml"]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files the loader reads (their paths relative to the root), in order."""
    seen: list[str] = []
    real = records.read_bytes

    def counting(path: str | Path, rel: str, **kwargs: int) -> tuple[bytes | None, list[object]]:
        seen.append(rel)
        return real(path, rel, **kwargs)  # type: ignore[return-value]

    monkeypatch.setattr(records, "read_bytes", counting)
    return seen


def test_a_file_left_alone_is_not_read_again(kb: KbFactory, reads: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", ids="{}")})
    cold = snapshot(root)
    assert sorted(reads) == ["papers/a.yaml", "papers/b.yaml"]
    reads.clear()
    assert snapshot(root) == cold and reads == []
    # Same length, and the modification time put back: the change time still tells.
    path = root / "papers/a.yaml"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("year: 2021", "year: 2020"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    papers, _, _ = snapshot(root)
    assert reads == ["papers/a.yaml"] and papers[0].year == 2020  # type: ignore[attr-defined]


def test_a_file_changed_moments_ago_is_read_every_time(kb: KbFactory, reads: list[str]) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a")})
    for _ in range(3):  # written less than RACY_NS ago: a change within the same clock tick could hide
        snapshot(root)
    assert reads == ["papers/a.yaml"] * 3
    index = json.loads((root / ".cache/site-builder/records/files.json").read_text())["files"] \
        if (root / ".cache/site-builder/records/files.json").exists() else {}
    assert "papers/a.yaml" not in index


def test_a_record_known_unread_still_reports_exact_lines(kb: KbFactory, reads: list[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/c.yaml": paper_yaml("c")})
    first = [p.as_text() for p in validate(Project(root)).problems]
    reads.clear()
    second = [p.as_text() for p in validate(Project(root)).problems]
    assert first == second == [
        "papers/c.yaml:10:10: error [duplicate-arxiv] arXiv id '2103.00020' is also in papers/a.yaml"]
    assert reads == ["papers/c.yaml"]  # read for its positions only, when its problem was reported


def test_an_index_of_another_schema_is_not_trusted(kb: KbFactory, reads: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = kb({"papers/a.yaml": paper_yaml("a")})
    cold = snapshot(root)
    index = root / ".cache/site-builder/records/files.json"
    data = json.loads(index.read_text())
    data["schema"] = "0" * 64
    index.write_text(json.dumps(data))
    reads.clear()
    assert snapshot(root) == cold and reads == ["papers/a.yaml"]
    reads.clear()
    assert snapshot(root) == cold and reads == []  # the index was written again for this schema


def test_a_long_running_process_leaves_the_file_index_alone(kb: KbFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loader memo knows its files' signatures: the index is neither read nor written then (after one edit, a
    regeneration would otherwise load and rewrite 2 MB of index at 20,000 papers)."""
    from site_builder.records import FileMemo

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = kb({"papers/a.yaml": paper_yaml("a")})
    memo = FileMemo()
    for _ in range(2):
        kb_, _ = load_knowledge_base(Project(root), memo=memo)
        assert kb_ is not None and [e.record.id for e in kb_.paper_entries] == ["a"]
    assert not (root / ".cache/site-builder/records/files.json").exists()
    snapshot(root)  # a build's load writes it
    assert (root / ".cache/site-builder/records/files.json").exists()
