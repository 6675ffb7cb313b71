"""Regenerating with a session (what ``serve`` does after an edit) gives the same files as a build from scratch,
reads only the changed record and rewrites only the files that depend on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.build import generate
from site_builder.project import Project
from site_builder.session import Session
from tests.conftest import make_site_project


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


@pytest.mark.parametrize("change", sorted(EDITS))
def test_after_an_edit_the_session_writes_what_a_fresh_build_writes(
        served: tuple[Project, Session], tmp_path: Path, change: str) -> None:
    project, session = served
    before = tree(project.docs)
    record, old, new = EDITS[change]
    edit(project, record, old, new)
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
