"""The citation-facts cache: a warm build gives the same pages as a cold one, and any change to the snapshot or to a
paper's identity makes the next build read the snapshot again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.build.pipeline import generate
from site_builder.citations.cache import CACHE_NAME, CitationSource
from site_builder.kb.models import Paper
from site_builder.kb.project import Project
from site_builder.kb.records import load_knowledge_base
from site_builder.site.model import display_order
from tests.conftest import make_site_project


def pages(root: Path) -> dict[str, bytes]:
    docs = root / "docs"
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_site_project(tmp_path / "kb")


def test_warm_build_gives_the_pages_of_a_cold_one(root: Path) -> None:
    project = Project(root)
    assert not generate(project).failed
    cache = project.cache / CACHE_NAME
    assert json.loads(cache.read_bytes())["value"]["records"]  # written, and JSON
    cold = pages(root)
    result = generate(project)  # from the cache (see test_a_hit_does_not_read_the_snapshot)
    assert not result.failed
    assert result.stats is not None and result.stats.written == 0
    assert pages(root) == cold


def sorted_papers(project: Project) -> list[Paper]:
    kb, _ = load_knowledge_base(project)
    assert kb is not None
    return sorted(kb.papers.values(), key=display_order)


def test_a_hit_does_not_read_the_snapshot(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(root)
    papers = sorted_papers(project)
    first = CitationSource(project)(papers)
    assert first is not None
    calls: list[Project] = []
    import site_builder.citations.cache as citecache

    real = citecache.load_snapshot
    monkeypatch.setattr(citecache, "load_snapshot", lambda p: calls.append(p) or real(p))
    again = CitationSource(project)(papers)
    assert calls == []
    assert again is not None
    assert again.papers == first.papers and again.most_cited == first.most_cited and again.as_of == first.as_of
    assert again.candidates == first.candidates and again.survey_citing == first.survey_citing
    assert sorted(again.graph.edges(data=True)) == sorted(first.graph.edges(data=True))
    assert dict(again.graph.nodes(data=True)) == dict(first.graph.nodes(data=True))


def test_a_changed_snapshot_file_is_read_again(root: Path) -> None:
    project = Project(root)
    papers = sorted_papers(project)
    before = CitationSource(project)(papers)
    assert before is not None
    path = project.snapshot / "alpha.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["paper"]["citationCount"] = 987654
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    after = CitationSource(project)(papers)
    assert after is not None and after.papers["alpha"].citation_count == 987654


def test_a_corrupt_or_foreign_cache_file_is_ignored(root: Path) -> None:
    project = Project(root)
    papers = sorted_papers(project)
    good = CitationSource(project)(papers)
    cache = project.cache / CACHE_NAME
    for text in (b"\x00not json", b'{"key": "other", "view": {}}', b'{"key": 1}', b"[]"):
        cache.write_bytes(text)
        again = CitationSource(project)(papers)
        assert again is not None and good is not None and again.papers == good.papers


def test_damaged_citation_numbers_are_not_trusted(root: Path) -> None:
    """The citations are kept as packed numbers: a number out of range, lists of different lengths, text that is not
    base64 or ids that are not strings make the cache a miss (the snapshot is read again), never wrong lists."""
    import base64

    project = Project(root)
    papers = sorted_papers(project)
    good = CitationSource(project)(papers)
    assert good is not None and good.edges > 0
    cache = project.cache / CACHE_NAME
    kept = json.loads(cache.read_bytes())
    edges = kept["value"]["edges"]
    beyond = base64.b64encode(len(edges["ids"]).to_bytes(4, "little") * (good.edges)).decode()
    damaged = [("sources", beyond), ("targets", base64.b64encode(b"\xff\xff\xff\xff" * good.edges).decode()),
               ("sets", base64.b64encode(b"\x07\x00\x00\x00" * good.edges).decode()),
               ("sources", edges["sources"][:-8]), ("targets", "not base64!"), ("ids", [1] * len(edges["ids"]))]
    for name, value in damaged:
        data = json.loads(json.dumps(kept))
        data["value"]["edges"][name] = value
        cache.write_text(json.dumps(data), encoding="utf-8")
        source = CitationSource(project)
        assert source._read(kept["key"]) is None, name
        again = source(papers)
        assert again is not None and again.papers == good.papers and again.graph.edges() == good.graph.edges()
    # The intact file is read (the test above is not vacuous), and gives the same facts.
    cache.write_text(json.dumps(kept), encoding="utf-8")
    core = CitationSource(project)._read(kept["key"])
    assert core is not None and core.edges == good.core.edges  # type: ignore[union-attr]


def test_a_snapshot_with_problems_is_not_cached(root: Path) -> None:
    project = Project(root)
    (project.snapshot / "stray.txt").write_text("x", encoding="utf-8")
    source = CitationSource(project)
    assert source(sorted_papers(project)) is not None
    assert [p.code for p in source.problems] == ["snapshot-stray-file"]
    assert not (project.cache / CACHE_NAME).exists()
