"""Regenerating with a session (what ``serve`` does after an edit) gives the same files as a build from scratch,
reads only the changed record and rewrites only the files that depend on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.build import generate
from site_builder.project import Project
from site_builder.serve import input_signature
from site_builder.session import Session
from tests.conftest import make_site_project, paper_yaml


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rebuilt_from_scratch(project: Project, tmp_path: Path) -> dict[str, bytes]:
    """The generated files of the same records, built in a fresh copy with no cache and no session."""
    copy = tmp_path / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns(".cache", "site"))
    for name in ("papers", "topics", "datasets", "explore", "trends", "cited-by", "downloads", "reference"):
        shutil.rmtree(copy / "docs" / name, ignore_errors=True)
    result = generate(Project(copy))
    assert not result.failed
    return tree(copy / "docs")


def edit(project: Project, record: str, old: str, new: str) -> None:
    path = project.papers / f"{record}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> tuple[Project, Session]:
    project = Project(make_site_project(tmp_path / "kb"))
    session = Session()
    assert not generate(project, session=session).failed
    return project, session


EDITS = {
    "summary": ("echo", "Contrasts sound clips", "Contrasts short sound clips"),
    "title": ("echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings"),
    "tag": ("alpha", "objective: [contrastive]", "objective: [contrastive, auto-encoding]"),
}


def watched(project: Project, session: Session) -> None:
    """What ``serve``'s watcher does before it regenerates: hand over what it saw of the inputs."""
    session.saw(project, input_signature(project))


@pytest.mark.parametrize("seen", [False, True], ids=["unwatched", "watched"])
@pytest.mark.parametrize("change", sorted(EDITS))
def test_after_an_edit_the_session_writes_what_a_fresh_build_writes(
        served: tuple[Project, Session], tmp_path: Path, change: str, seen: bool) -> None:
    project, session = served
    before = tree(project.docs)
    record, old, new = EDITS[change]
    edit(project, record, old, new)
    if seen:
        watched(project, session)
    result = generate(project, session=session)
    assert not result.failed
    after = tree(project.docs)
    assert after == rebuilt_from_scratch(project, tmp_path), "the session's pages differ from a fresh build's"
    changed = {k for k in after if before.get(k) != after[k]}
    assert result.stats is not None and result.stats.written == len(changed) and result.stats.removed == 0
    assert session.files.read == 1, "only the edited record is read again"
    assert f"papers/{record}/index.md" in changed
    unchanged_papers = {k for k in after if k.startswith("papers/") and k not in changed}
    assert unchanged_papers <= session.render.unchanged, "unchanged paper pages are taken over, not rendered"


def test_only_dependent_files_are_rewritten_after_a_summary_edit(served: tuple[Project, Session]) -> None:
    project, session = served
    before = tree(project.docs)
    edit(project, "echo", "Contrasts sound clips", "Contrasts short sound clips")
    generate(project, session=session)
    after = tree(project.docs)
    # The summary shows on the paper page, in papers.json and in the feed of the 50 newest additions (which holds
    # every paper of this tiny collection); not in tables, CSV, BibTeX or the explore index.
    assert sorted(k for k in after if before.get(k) != after[k]) == [
        "downloads/feed.xml", "downloads/papers.json", "papers/echo/index.md"]


def test_problems_follow_edits_and_taxonomy_changes(served: tuple[Project, Session]) -> None:
    project, session = served
    edit(project, "echo", "objective: [contrastive]", "objective: [contrastiv]")
    result = generate(project, session=session)
    assert result.failed
    assert [(p.path, p.code) for p in result.problems if p.severity == "error"] == [("papers/echo.yaml",
                                                                                       "unknown-tag")]
    edit(project, "echo", "objective: [contrastiv]", "objective: [contrastive]")
    assert not generate(project, session=session).failed
    taxonomy = project.taxonomy.read_text(encoding="utf-8")
    project.taxonomy.write_text(taxonomy.replace("id: contrastive", "id: contrastive-learning"), encoding="utf-8")
    result = generate(project, session=session)
    assert result.failed and {p.code for p in result.problems if p.severity == "error"} == {"unknown-tag"}
    assert session.files.read == 0, "no record changed; the taxonomy did"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_paper(root: Path) -> None:
    text = (root / "papers" / "echo.yaml").read_text(encoding="utf-8")
    text = text.replace("id: echo", "id: foxtrot").replace("Echo Robust", "Foxtrot Robust")
    (root / "papers" / "foxtrot.yaml").write_text(text.replace("10.1109/TPAMI.2020.0000001", "10.1109/x.1"),
                                                  encoding="utf-8")


#: Changes of every kind a memo could miss: each one changes what some kept output reads. (paper alpha has
#: citations inside the collection: its title and venue show in the citation sections of other papers.)
CHANGES = {
    "year": lambda root: _replace(root / "papers/alpha.yaml", "year: 2021\nvenue: ICML 2021",
                                  "year: 2018\nvenue: ICML 2018"),
    "cited title": lambda root: _replace(root / "papers/alpha.yaml", "title: Alpha", "title: Zulu"),
    "venue": lambda root: _replace(root / "papers/alpha.yaml", "venue: ICML 2021", "venue: NeurIPS 2021"),
    "kind": lambda root: _replace(root / "papers/alpha.yaml", "kind: method", "kind: analysis"),
    "other facet tag": lambda root: _replace(root / "papers/alpha.yaml", "modality: [image, text]",
                                             "modality: [image, audio, text]"),
    "datasets": lambda root: _replace(root / "papers/echo.yaml", "summary: Contrasts", "datasets: [pairs]\nsummary: "
                                      "Contrasts"),
    "kind of a hybrid": lambda root: _replace(root / "papers/bravo.yaml", "kind: method", "kind: analysis"),
    "hybrid objectives": lambda root: _replace(root / "papers/bravo.yaml", "matching, auto-encoding]", "matching]"),
    "added date": lambda root: _replace(root / "papers/echo.yaml", "added: 2026-01-10", "added: 2026-12-10"),
    "code link": lambda root: _replace(root / "papers/echo.yaml", "official: true", "official: false"),
    "dataset record": lambda root: _replace(root / "datasets/pairs.yaml", "name: Pairs", "name: Pair Set"),
    "taxonomy label": lambda root: _replace(root / "taxonomy.yaml", "label: Contrastive\n",
                                            "label: Contrastive learning\n"),
    "taxonomy description": lambda root: _replace(root / "taxonomy.yaml", "pushes other pairs apart.",
                                                  "pushes the other pairs apart."),
    "snapshot": lambda root: _replace(root / "data/semantic-scholar/alpha.json", '"citationCount": 1520',
                                      '"citationCount": 1620'),
    "added paper": _add_paper,
    "removed paper": lambda root: (root / "papers" / "delta.yaml").unlink(),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_kind_of_change_gives_what_a_fresh_build_gives(
        served: tuple[Project, Session], tmp_path: Path, change: str) -> None:
    project, session = served
    original = tree(project.root)
    before = tree(project.docs)
    CHANGES[change](project.root)
    watched(project, session)  # as serve does (the tests above also regenerate without)
    result = generate(project, session=session)
    assert not result.failed, [str(p) for p in result.problems if p.severity == "error"]
    after = tree(project.docs)
    assert after != before
    assert after == rebuilt_from_scratch(project, tmp_path), "the session's pages differ from a fresh build's"
    changed = {k for k in after.keys() | before.keys() if before.get(k) != after.get(k)}
    assert result.stats is not None and result.stats.written + result.stats.removed == len(changed)
    # Undone, the change leaves the pages as they were: nothing kept from the changed state survives.
    records = {k: v for k, v in original.items() if not k.startswith(("docs/", ".cache/"))}
    for path in {k for k in tree(project.root) if not k.startswith(("docs/", ".cache/"))} - records.keys():
        (project.root / path).unlink()
    for path, data in records.items():
        target = project.root / path
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    watched(project, session)
    assert not generate(project, session=session).failed
    assert tree(project.docs) == before


def test_a_title_edit_renders_again_only_the_paper_pages_that_show_the_title(
        served: tuple[Project, Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.render import records

    project, session = served
    made: list[str] = []
    real = records.paper_page

    def counting(model: object, paper: object, *args: object, **kwargs: object) -> bytes:
        made.append(paper.id)  # type: ignore[attr-defined]
        return real(model, paper, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "paper_page", counting)
    edit(project, "echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings")
    assert not generate(project, session=session).failed
    made_by_session = sorted(made)
    after = tree(project.docs)
    assert after == rebuilt_from_scratch(project, tmp_path)
    showing = {k.split("/")[1] for k, data in after.items()
               if k.startswith("papers/") and k.endswith("/index.md") and b"Echo Renamed Embeddings" in data}
    assert {"echo", "alpha"} <= showing  # its own page, and alpha's, which lists it among the papers alpha cites
    assert made_by_session == sorted(showing), "the other paper pages are taken over from the previous render"


def test_what_the_watcher_saw_spares_looking_at_every_file_again(
        served: tuple[Project, Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import site_builder.citecache as citecache

    project, session = served
    edit(project, "echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings")
    watched(project, session)
    real_stat = os.stat
    looked_at: list[str] = []

    def counting_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if os.fspath(path).startswith(os.fspath(project.papers) + "/"):  # type: ignore[call-overload]
            looked_at.append(os.path.basename(os.fspath(path)))  # type: ignore[call-overload]
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    def no_listing(folder: Path) -> None:
        raise AssertionError("the snapshot folder was listed again")

    monkeypatch.setattr(os, "stat", counting_stat)
    monkeypatch.setattr(citecache, "snapshot_entries", no_listing)
    result = generate(project, session=session)
    monkeypatch.undo()
    assert not result.failed and session.files.read == 1
    assert looked_at == ["echo.yaml"]  # of the paper records, only the edited one (its signature)
    assert tree(project.docs) == rebuilt_from_scratch(project, tmp_path)
    # The hint is for one regeneration: the next one looks at every file again.
    assert session.files.hint is None and session.citations.entries is None


def test_a_record_added_after_the_watcher_looked_is_read_too(served: tuple[Project, Session], tmp_path: Path) -> None:
    """The watcher's look can miss a file created a moment later: the regeneration still reads it (the next look
    will see it and start another regeneration, which must not find anything left to do)."""
    project, session = served
    watched(project, session)
    (project.papers / "zulu.yaml").write_text(paper_yaml("zulu", ids="\n  arxiv: '2109.99999'"), encoding="utf-8")
    result = generate(project, session=session)
    assert not result.failed and result.papers == 7 and session.files.read == 1
    assert tree(project.docs) == rebuilt_from_scratch(project, tmp_path)


def test_a_title_edit_makes_again_only_the_candidate_rows_that_list_the_paper(
        served: tuple[Project, Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.render import citations

    project, session = served
    before = (project.docs / "candidates/index.md").read_text(encoding="utf-8")
    made: list[tuple[str, ...]] = []
    real = citations.candidate_row

    def counting(model: object, candidate: object) -> object:
        made.append(candidate.cited_by)  # type: ignore[attr-defined]
        return real(model, candidate)  # type: ignore[arg-type]

    monkeypatch.setattr(citations, "candidate_row", counting)
    edit(project, "charlie", "title: Charlie Which Sound Belongs to Which Clip", "title: Charlie Renamed")
    assert not generate(project, session=session).failed
    page = (project.docs / "candidates/index.md").read_text(encoding="utf-8")
    assert "Charlie Renamed" in page and "Charlie Which Sound" in before
    assert made and all("charlie" in cited_by for cited_by in made), "rows without the paper are taken over"
    assert page.count("Charlie Renamed") == len(made)  # each row listing it, made again once
    assert tree(project.docs) == rebuilt_from_scratch(project, tmp_path)


def test_large_downloads_are_written_while_the_pages_render(
        served: tuple[Project, Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write

    project, session = served
    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 3000)  # the golden collection's downloads count as large
    finished: list[set[str]] = []
    real_finish = write.EarlyWrites.finish

    def finish(self: write.EarlyWrites) -> set[str]:
        done = real_finish(self)
        finished.append(done)
        return done

    monkeypatch.setattr(write.EarlyWrites, "finish", finish)
    before = tree(project.docs)
    edit(project, "echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings")
    result = generate(project, session=session)
    assert not result.failed
    after = tree(project.docs)
    changed = {k for k in after if before.get(k) != after[k]}
    assert finished and "downloads/papers.json" in finished[0] and finished[0] <= changed
    assert result.stats is not None and result.stats.written == len(changed)
    assert after == rebuilt_from_scratch(project, tmp_path)


def test_a_render_that_fails_after_early_writes_leaves_the_session_to_look_again(
        served: tuple[Project, Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.render as render
    import site_builder.write as write

    project, session = served
    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 3000)
    real = render.topic_pages

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a render that fails after the downloads were made")

    monkeypatch.setattr(render, "topic_pages", broken)
    edit(project, "echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings")
    with pytest.raises(RuntimeError):
        generate(project, session=session)
    assert b"Echo Renamed" in (project.docs / "downloads/papers.json").read_bytes(), "written early"
    assert session.written is None, "the session no longer trusts what it remembers of docs/"
    monkeypatch.setattr(render, "topic_pages", real)
    edit(project, "echo", "Echo Renamed Embeddings", "Echo Robust Audio-Text Embeddings")  # undone
    assert not generate(project, session=session).failed
    assert tree(project.docs) == rebuilt_from_scratch(project, tmp_path)


def test_nothing_is_written_early_when_the_citation_problems_stop_the_write(
        served: tuple[Project, Session], monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.write as write

    project, session = served
    monkeypatch.setattr(write, "WRITE_BESIDE_FROM", 3000)
    before = tree(project.docs)
    edit(project, "echo", "Echo Robust Audio-Text Embeddings", "Echo Renamed Embeddings")
    (project.snapshot / "alpha.json").write_text("{not json\n", encoding="utf-8")  # found after the checks
    result = generate(project, session=session)
    assert result.failed and any(p.code == "snapshot-bad-json" for p in result.problems)
    assert tree(project.docs) == before, "a refused build writes nothing, the large files neither"
